"""REST endpoints for providers, licenses and payer enrollments (provider data is not PHI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coding.types import LICENSE_CHOICES
from credentialing import selectors, services
from credentialing.models import License, PayerEnrollment, Provider
from payers.models import Payer
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet
from rcm.models import Membership
from rcm.permissions import Cap

# --- Serializers -----------------------------------------------------------------------------


def _provider_ref(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="public_id", queryset=Provider.objects.all(), **kwargs
    )


class _ActorMixin:
    def _actor(self) -> Any:
        request = self.context.get("request")  # type: ignore[attr-defined]
        return getattr(request, "user", None)


class _MemberUsername(serializers.SlugRelatedField):
    """A sign-in of this org's members, by username (other orgs' users are invalid)."""

    def get_queryset(self) -> Any:
        members = Membership.objects.filter(is_active=True).values("user_id")
        return get_user_model().objects.filter(pk__in=members)


class ProviderSerializer(_ActorMixin, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)
    npi = serializers.CharField(max_length=20, help_text="Type-1 NPI, 10 digits, Luhn checked")
    supervisor = _provider_ref(required=False, allow_null=True)
    user = _MemberUsername(
        slug_field="username",
        required=False,
        allow_null=True,
        help_text="The clinician's own sign-in (signs notes and plans)",
    )

    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "first_name",
            "last_name",
            "credentials",
            "npi",
            "taxonomy",
            "license_type",
            "supervisor",
            "user",
            "caqh_id",
            "caqh_attested_on",
            "is_active",
        ]

    def create(self, validated_data: dict[str, Any]) -> Provider:
        return services.provider_create(actor=self._actor(), **validated_data)

    def update(self, instance: Provider, validated_data: dict[str, Any]) -> Provider:
        return services.provider_update(provider=instance, actor=self._actor(), **validated_data)


class _ImmutableParentMixin:
    """`provider`/`payer` pick the parent when creating; they cannot move a record later."""

    immutable: tuple[str, ...] = ("provider",)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = getattr(self, "instance", None)
        if instance is not None:
            moved = {
                name: ["This cannot be changed; add a new record instead."]
                for name in self.immutable
                if name in attrs and attrs[name] != getattr(instance, name)
            }
            if moved:
                raise serializers.ValidationError(moved)
        return attrs


class LicenseSerializer(_ImmutableParentMixin, _ActorMixin, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = _provider_ref()
    license_type = serializers.ChoiceField(
        choices=LICENSE_CHOICES,
        required=False,
        allow_blank=True,
        help_text="Defaults to the provider's license type",
    )

    class Meta:
        model = License
        fields = [
            "id",
            "provider",
            "state",
            "number",
            "license_type",
            "status",
            "issued_on",
            "expires_on",
        ]

    def create(self, validated_data: dict[str, Any]) -> License:
        return services.license_add(actor=self._actor(), **validated_data)

    def update(self, instance: License, validated_data: dict[str, Any]) -> License:
        validated_data.pop("provider", None)
        return services.license_update(license=instance, actor=self._actor(), **validated_data)


ENROLLMENT_FIELDS = (
    "status",
    "submitted_on",
    "effective_date",
    "end_date",
    "recredential_due",
    "payer_provider_id",
)


class PayerEnrollmentSerializer(_ImmutableParentMixin, _ActorMixin, serializers.ModelSerializer):
    """POST is an upsert on provider x payer: a second POST updates the same enrollment."""

    immutable = ("provider", "payer")
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = _provider_ref()
    payer = serializers.SlugRelatedField(slug_field="public_id", queryset=Payer.objects.all())

    class Meta:
        model = PayerEnrollment
        fields = ["id", "provider", "payer", *ENROLLMENT_FIELDS]
        validators: list[Any] = []  # the natural key is handled by the upsert

    def create(self, validated_data: dict[str, Any]) -> PayerEnrollment:
        return services.enrollment_upsert(actor=self._actor(), **validated_data)

    def update(self, instance: PayerEnrollment, validated_data: dict[str, Any]) -> PayerEnrollment:
        current = {name: getattr(instance, name) for name in ENROLLMENT_FIELDS}
        current |= {k: v for k, v in validated_data.items() if k in ENROLLMENT_FIELDS}
        return services.enrollment_upsert(
            provider=instance.provider, payer=instance.payer, actor=self._actor(), **current
        )


class GapSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["block", "warn"])
    message = serializers.CharField()


class ProviderRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="__str__")
    npi = serializers.CharField()
    license_type = serializers.CharField()


class ProviderGapsSerializer(serializers.Serializer):
    provider = ProviderRefSerializer()
    severity = serializers.CharField()
    issues = GapSerializer(many=True)


# --- Filters ---------------------------------------------------------------------------------


class ProviderFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Name words or NPI prefix")
    supervisor = django_filters.UUIDFilter(field_name="supervisor__public_id")

    class Meta:
        model = Provider
        fields = ["license_type", "is_active", "npi", "supervisor"]

    def filter_search(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(selectors.provider_search_q(value))


class LicenseFilter(django_filters.FilterSet):
    provider = django_filters.UUIDFilter(field_name="provider__public_id")
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lte")

    class Meta:
        model = License
        fields = ["provider", "state", "status", "license_type", "expires_before"]


class PayerEnrollmentFilter(django_filters.FilterSet):
    provider = django_filters.UUIDFilter(field_name="provider__public_id")
    payer = django_filters.UUIDFilter(field_name="payer__public_id")
    recredential_due_before = django_filters.DateFilter(
        field_name="recredential_due", lookup_expr="lte"
    )

    class Meta:
        model = PayerEnrollment
        fields = ["provider", "payer", "status", "recredential_due_before"]


# --- Viewsets --------------------------------------------------------------------------------


class _CredentialingViewSet(OrgModelViewSet):
    read_capability = Cap.VIEW_PROVIDERS
    write_capability = Cap.EDIT_PROVIDERS
    phi = False


def _as_of(request: Request) -> dt.date:
    raw = request.query_params.get("as_of")
    if not raw:
        return timezone.localdate()
    field = serializers.DateField()
    try:
        return field.to_internal_value(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"as_of": exc.detail}) from exc


class ProviderViewSet(_CredentialingViewSet):
    """Clinicians. Deactivate (is_active=false) rather than delete: claims refer to them.
    Record a CAQH attestation by setting caqh_attested_on (and caqh_id)."""

    model = Provider
    serializer_class = ProviderSerializer
    filterset_class = ProviderFilter
    select_related = ("supervisor",)
    ordering = ("last_name", "first_name", "id")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(
        summary="Credentialing gaps of active providers, those with blocks first",
        parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, description="Default: today")],
        responses=ProviderGapsSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def gaps(self, request: Request, **kwargs: Any) -> Response:
        rows = selectors.credentialing_gaps(org=request._request.org, as_of=_as_of(request))
        return Response(ProviderGapsSerializer(rows, many=True).data)


class LicenseViewSet(_CredentialingViewSet):
    model = License
    serializer_class = LicenseSerializer
    filterset_class = LicenseFilter
    select_related = ("provider",)
    ordering = ("provider__last_name", "state", "-expires_on", "id")


class PayerEnrollmentViewSet(_CredentialingViewSet):
    model = PayerEnrollment
    serializer_class = PayerEnrollmentSerializer
    filterset_class = PayerEnrollmentFilter
    select_related = ("provider", "payer")
    ordering = ("provider__last_name", "payer__name", "id")


register("providers", ProviderViewSet, "providers")
register("licenses", LicenseViewSet, "licenses")
register("enrollments", PayerEnrollmentViewSet, "enrollments")

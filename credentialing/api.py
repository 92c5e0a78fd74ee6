"""REST endpoints for providers, licenses, compact privileges and payer enrollments (provider
data is not PHI).

License and enrollment dates are history: a license lists its `periods` (issue and renewals)
and `status_changes`; an enrollment lists its `periods`. The flat fields (`status`,
`issued_on`, `expires_on`; `effective_date`, `end_date`) read today's status and the latest
period, and writing them corrects that period or records a dated status change. A compact
privilege is a dated row of its own: a renewal is a new one, an early end is recorded with
POST end/ and keeps the row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import F, RestrictedError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coding.types import LICENSE_CHOICES
from credentialing import selectors, services
from credentialing.compacts import COMPACT_CHOICES
from credentialing.models import (
    CompactPrivilege,
    EnrollmentPeriod,
    License,
    LicensePeriod,
    LicenseStatusChange,
    PayerEnrollment,
    Provider,
)
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


class LicensePeriodSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = LicensePeriod
        fields = ["id", "starts_on", "expires_on"]


class LicenseStatusChangeSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = LicenseStatusChange
        fields = ["id", "status", "effective_on", "note"]


class LicenseSerializer(_ImmutableParentMixin, _ActorMixin, serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = _provider_ref()
    license_type = serializers.ChoiceField(
        choices=LICENSE_CHOICES,
        required=False,
        allow_blank=True,
        help_text="Defaults to the provider's license type",
    )
    status = serializers.ChoiceField(
        choices=License.Status.choices,
        required=False,
        help_text="Read: the status today. Write: a different status is recorded as a status "
        "change from status_effective_on",
    )
    status_effective_on = serializers.DateField(
        required=False,
        allow_null=True,
        write_only=True,
        help_text="The date a written status applies from (default: today)",
    )
    issued_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Start of the latest period (the issue date or the latest renewal's); "
        "writing it corrects that period",
    )
    expires_on = serializers.DateField(
        required=False,
        help_text="Expiry of the latest period; writing it corrects that period (record a "
        "renewal with POST renew/)",
    )
    periods = LicensePeriodSerializer(many=True, read_only=True)
    status_changes = LicenseStatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = License
        fields = [
            "id",
            "provider",
            "state",
            "number",
            "license_type",
            "status",
            "status_effective_on",
            "issued_on",
            "expires_on",
            "periods",
            "status_changes",
        ]

    def create(self, validated_data: dict[str, Any]) -> License:
        validated_data.setdefault("expires_on", None)
        return services.license_add(actor=self._actor(), **validated_data)

    def update(self, instance: License, validated_data: dict[str, Any]) -> License:
        validated_data.pop("provider", None)
        return services.license_update(license=instance, actor=self._actor(), **validated_data)


class LicenseRenewalSerializer(serializers.Serializer):
    starts_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="When the renewal took effect; default: the day after the latest period "
        "expires (renewed on time). A later date leaves the days between uncovered",
    )
    expires_on = serializers.DateField()


class LicenseStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=License.Status.choices)
    effective_on = serializers.DateField(help_text="The status applies from this date")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


PRIVILEGE_STANDINGS = [
    "in effect",
    "not yet in effect",
    "expired",
    "relinquished",
    "revoked",
    "home license not valid",
    "not covered by the compact",
]


class CompactPrivilegeSerializer(_ImmutableParentMixin, _ActorMixin, serializers.ModelSerializer):
    """POST records a privilege (with `status` relinquished/revoked and `ended_on`, an ended
    one); PUT/PATCH correct it (status active reopens one ended by mistake)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = _provider_ref()
    home_license = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=License.objects.all(),
        help_text="The provider's home-state license the privilege rests on",
    )
    compact = serializers.ChoiceField(
        choices=COMPACT_CHOICES,
        help_text="psypact covers psychologists, counseling LPC/LMHCs, social_work LCSWs",
    )
    status = serializers.ChoiceField(
        choices=CompactPrivilege.Status.choices, required=False, help_text="Why it ended, if it did"
    )
    ended_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Last valid day of a privilege relinquished or revoked early",
    )
    standing = serializers.SerializerMethodField(
        help_text="Where it stands today: whether it allows services in its state"
    )

    class Meta:
        model = CompactPrivilege
        fields = [
            "id",
            "provider",
            "home_license",
            "compact",
            "state",
            "number",
            "effective_on",
            "expires_on",
            "status",
            "ended_on",
            "note",
            "standing",
        ]
        validators: list[Any] = []  # the services check overlaps and numbers

    @extend_schema_field(serializers.ChoiceField(choices=PRIVILEGE_STANDINGS))
    def get_standing(self, obj: CompactPrivilege) -> str:
        return selectors.privilege_standing(privilege=obj, as_of=timezone.localdate())

    def create(self, validated_data: dict[str, Any]) -> CompactPrivilege:
        status = validated_data.pop("status", CompactPrivilege.Status.ACTIVE)
        ended_on = validated_data.pop("ended_on", None)
        privilege = services.privilege_record(actor=self._actor(), **validated_data)
        if status != CompactPrivilege.Status.ACTIVE or ended_on is not None:
            privilege = services.privilege_end(
                privilege=privilege, ended_on=ended_on, status=status, actor=self._actor()
            )
        return privilege

    def update(
        self, instance: CompactPrivilege, validated_data: dict[str, Any]
    ) -> CompactPrivilege:
        validated_data.pop("provider", None)
        return services.privilege_correct(privilege=instance, actor=self._actor(), **validated_data)


class PrivilegeEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(
        help_text="The last valid day (services after it: not covered)"
    )
    status = serializers.ChoiceField(
        choices=[
            (CompactPrivilege.Status.RELINQUISHED, "Relinquished"),
            (CompactPrivilege.Status.REVOKED, "Revoked"),
        ],
        default=CompactPrivilege.Status.RELINQUISHED,
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


ENROLLMENT_FIELDS = (
    "status",
    "submitted_on",
    "effective_date",
    "end_date",
    "recredential_due",
    "payer_provider_id",
)


class EnrollmentPeriodSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = EnrollmentPeriod
        fields = ["id", "effective_date", "end_date"]


class PayerEnrollmentSerializer(_ImmutableParentMixin, _ActorMixin, serializers.ModelSerializer):
    """POST is an upsert on provider x payer: a second POST updates the same enrollment.
    `effective_date`/`end_date` are the latest period; an `effective_date` after the end of an
    ended latest period starts a new period (a re-enrollment), otherwise they correct it."""

    immutable = ("provider", "payer")
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = _provider_ref()
    payer = serializers.SlugRelatedField(slug_field="public_id", queryset=Payer.objects.all())
    effective_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="First billable date of the latest period (Medicare: up to 30 days before "
        "the PECOS effective date, 42 CFR 424.521(a)(1))",
    )
    end_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Last covered day of the latest period, included (blank: open-ended)",
    )
    periods = EnrollmentPeriodSerializer(many=True, read_only=True)

    class Meta:
        model = PayerEnrollment
        fields = ["id", "provider", "payer", *ENROLLMENT_FIELDS, "periods"]
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
    status = django_filters.ChoiceFilter(
        choices=License.Status.choices, field_name="status_today", label="Status today"
    )
    expires_before = django_filters.DateFilter(
        field_name="latest_expiry", lookup_expr="lte", label="Latest period expires by"
    )

    class Meta:
        model = License
        fields = ["provider", "state", "license_type"]


class CompactPrivilegeFilter(django_filters.FilterSet):
    provider = django_filters.UUIDFilter(field_name="provider__public_id")

    class Meta:
        model = CompactPrivilege
        fields = ["provider", "compact", "state", "status"]


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
    """Licenses with their dated history. Record a renewal with POST renew/ (a new period) and
    a suspension, revocation or reinstatement with POST status/ (a dated status change)."""

    model = License
    serializer_class = LicenseSerializer
    filterset_class = LicenseFilter
    select_related = ("provider",)

    def get_queryset(self) -> Any:
        return (
            selectors.licenses_list(as_of=timezone.localdate())
            .select_related(*self.select_related)
            .order_by(
                "provider__last_name", "state", F("latest_expiry").desc(nulls_last=True), "id"
            )
        )

    def _fresh(self, lic: License) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=lic.pk)).data)

    def perform_destroy(self, instance: License) -> None:
        try:
            super().perform_destroy(instance)
        except RestrictedError as exc:
            message = (
                f"License {instance} is the home license of a compact privilege; end or "
                "correct the privilege first."
            )
            raise serializers.ValidationError({"non_field_errors": [message]}) from exc

    @extend_schema(request=LicenseRenewalSerializer, responses=LicenseSerializer)
    @action(detail=True, methods=["post"])
    def renew(self, request: Request, public_id: str | None = None) -> Response:
        """Record a renewal: a new period after the latest one."""
        lic = self.get_object()
        body = LicenseRenewalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.license_renew(license=lic, actor=request.user, **body.validated_data)
        return self._fresh(lic)

    @extend_schema(request=LicenseStatusInputSerializer, responses=LicenseSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def status_change(self, request: Request, public_id: str | None = None) -> Response:
        """Record a dated status change (a suspension, a revocation, a reinstatement)."""
        lic = self.get_object()
        body = LicenseStatusInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.license_status_change(license=lic, actor=request.user, **body.validated_data)
        return self._fresh(lic)


class CompactPrivilegeViewSet(_CredentialingViewSet):
    """Compact privileges (PSYPACT APIT, Counseling Compact, Social Work Compact): the
    authority to practise in a state without a license there, resting on a home-state license.
    A telehealth service to a patient in that state is billable while the privilege and its
    home license are valid. Not deleted: end one with POST end/, or correct it."""

    model = CompactPrivilege
    serializer_class = CompactPrivilegeSerializer
    filterset_class = CompactPrivilegeFilter
    select_related = ("provider", "home_license")
    ordering = ("provider__last_name", "state", "compact", "effective_on", "id")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .prefetch_related("home_license__periods", "home_license__status_changes")
        )

    @extend_schema(request=PrivilegeEndSerializer, responses=CompactPrivilegeSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, public_id: str | None = None) -> Response:
        """Record that the privilege was relinquished or revoked; its last valid day."""
        privilege = self.get_object()
        body = PrivilegeEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.privilege_end(privilege=privilege, actor=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=privilege.pk)).data)


class PayerEnrollmentViewSet(_CredentialingViewSet):
    model = PayerEnrollment
    serializer_class = PayerEnrollmentSerializer
    filterset_class = PayerEnrollmentFilter
    select_related = ("provider", "payer")
    ordering = ("provider__last_name", "payer__name", "id")

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("periods")


register("providers", ProviderViewSet, "providers")
register("licenses", LicenseViewSet, "licenses")
register("enrollments", PayerEnrollmentViewSet, "enrollments")
register("compact-privileges", CompactPrivilegeViewSet, "compact-privileges")

from credentialing import alerts_api  # noqa: E402,F401  (registers the alerts' read-only API)

"""REST endpoints: authorizations (with usage), concurrent reviews (append-only) and the units
ledger (read-only). Writes go through authorizations.services."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone
from rest_framework import serializers

from authorizations import selectors, services
from authorizations.models import ConcurrentReview, PriorAuthorization, UnitLedgerEntry
from patients.models import Coverage, EpisodeOfCare
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet
from rcm.permissions import Cap


def _public_id_field(model: type, **kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="public_id", queryset=model.objects.all(), **kwargs
    )


def _actor(serializer: serializers.Serializer) -> Any:
    return serializer.context["request"].user


def _usage_of(
    serializer: serializers.Serializer, instance: PriorAuthorization
) -> PriorAuthorization:
    """The saved row again with the selector's usage annotations (for the response)."""
    return selectors.authorization_with_usage(
        org=serializer.context["request"].org, public_id=instance.public_id
    )


class PriorAuthorizationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    coverage = _public_id_field(Coverage)
    episode = _public_id_field(EpisodeOfCare, required=False, allow_null=True)
    provider = _public_id_field(
        PriorAuthorization._meta.get_field("provider").related_model,
        required=False,
        allow_null=True,
    )
    patient = serializers.UUIDField(source="coverage.patient.public_id", read_only=True)
    codes = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        help_text="Authorized codes: CPT/HCPCS or revenue codes, each with any required "
        'modifiers after colons, e.g. ["H0015:HQ", "1002"]; empty: any code at the level.',
    )
    units_used = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    units_remaining = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)
    days_to_expiry = serializers.IntegerField(read_only=True)
    expired = serializers.BooleanField(read_only=True)
    expiring = serializers.BooleanField(read_only=True)
    exhausted = serializers.BooleanField(read_only=True)
    review_due = serializers.BooleanField(read_only=True)

    class Meta:
        model = PriorAuthorization
        # The fields the services accept, then what the usage selector derives.
        fields = [
            "id",
            *sorted(services.EDITABLE_FIELDS),
            "patient",
            "units_used",
            "units_remaining",
            "days_to_expiry",
            "expired",
            "expiring",
            "exhausted",
            "review_due",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        validators: list = []  # the service checks uniqueness with a field message

    def create(self, validated_data: dict[str, Any]) -> PriorAuthorization:
        auth = services.authorization_create(actor=_actor(self), **validated_data)
        return _usage_of(self, auth)

    def update(
        self, instance: PriorAuthorization, validated_data: dict[str, Any]
    ) -> PriorAuthorization:
        auth = services.authorization_update(
            authorization=instance, actor=_actor(self), **validated_data
        )
        return _usage_of(self, auth)


class PriorAuthorizationFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(
        field_name="coverage__patient__public_id", label="Patient id"
    )
    coverage = django_filters.UUIDFilter(field_name="coverage__public_id", label="Coverage id")
    needs_attention = django_filters.BooleanFilter(
        method="filter_needs_attention",
        label="In force and expiring within 14 days, exhausted, or due for review",
    )

    class Meta:
        model = PriorAuthorization
        fields = ["status", "level_of_care", "patient", "coverage", "needs_attention"]

    def filter_needs_attention(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        attention = selectors.needs_attention_q(timezone.localdate())
        return queryset.filter(attention) if value else queryset.exclude(attention)


class PriorAuthorizationViewSet(OrgModelViewSet):
    """Prior authorizations with units used/remaining and days to expiry."""

    model = PriorAuthorization
    serializer_class = PriorAuthorizationSerializer
    read_capability = Cap.VIEW_AUTHORIZATIONS
    write_capability = Cap.EDIT_AUTHORIZATIONS
    phi = True
    filterset_class = PriorAuthorizationFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no org is active
            return PriorAuthorization.objects.none()
        return selectors.authorizations_with_usage(org=self.request.org)


class ConcurrentReviewSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    authorization = _public_id_field(PriorAuthorization)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True, default=None)

    class Meta:
        model = ConcurrentReview
        fields = [
            "id",
            "authorization",
            "review_date",
            "outcome",
            "units_added",
            "new_end_date",
            "next_review_date",
            "criteria",
            "reviewer",
            "notes",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def create(self, validated_data: dict[str, Any]) -> ConcurrentReview:
        return services.concurrent_review_record(actor=_actor(self), **validated_data)


class ConcurrentReviewViewSet(OrgModelViewSet):
    """Concurrent reviews: history rows, so they are created and read, never edited."""

    model = ConcurrentReview
    serializer_class = ConcurrentReviewSerializer
    read_capability = Cap.VIEW_AUTHORIZATIONS
    write_capability = Cap.EDIT_AUTHORIZATIONS
    phi = True
    select_related = ("authorization", "recorded_by")
    ordering = ("-review_date", "-id")
    filterset_fields = {"authorization__public_id": ["exact"], "outcome": ["exact"]}
    http_method_names = ["get", "post", "head", "options"]


class UnitLedgerEntrySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    authorization = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    session = serializers.SlugRelatedField(slug_field="public_id", read_only=True)

    class Meta:
        model = UnitLedgerEntry
        fields = [
            "id",
            "authorization",
            "session",
            "session_revision",
            "kind",
            "units",
            "service_date",
            "memo",
            "created_at",
        ]
        read_only_fields = fields


class UnitLedgerEntryViewSet(OrgModelViewSet):
    """The units ledger: consumption by sessions and program days, releases, adjustments."""

    model = UnitLedgerEntry
    serializer_class = UnitLedgerEntrySerializer
    read_capability = Cap.VIEW_AUTHORIZATIONS
    write_capability = Cap.EDIT_AUTHORIZATIONS
    phi = True
    select_related = ("authorization", "session")
    ordering = ("-service_date", "-id")
    filterset_fields = {
        "authorization__public_id": ["exact"],
        "kind": ["exact"],
        "session__public_id": ["exact"],
    }
    http_method_names = ["get", "head", "options"]


register("authorizations", PriorAuthorizationViewSet, "authorization")
register("concurrent-reviews", ConcurrentReviewViewSet, "concurrent-review")
register("auth-ledger", UnitLedgerEntryViewSet, "auth-ledger")

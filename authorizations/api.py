"""REST endpoints: authorizations (with usage), concurrent reviews (append-only) and the units
ledger (read-only). Writes go through authorizations.services."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from authorizations import selectors, services, ur
from authorizations.models import ConcurrentReview, PriorAuthorization, UnitLedgerEntry, UrAlert
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


# --- UR alerts -------------------------------------------------------------------------------


class UrAlertSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    authorization = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    session = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    segment = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    patient = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    payer = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    assigned_to = serializers.CharField(source="assigned_to.username", read_only=True, default=None)
    resolved_by = serializers.CharField(source="resolved_by.username", read_only=True, default=None)

    class Meta:
        model = UrAlert
        fields = [
            "id",
            "kind",
            "status",
            "authorization",
            "session",
            "segment",
            "patient",
            "payer",
            "due_date",
            "urgency",
            "reasons",
            "detail",
            "snoozed_until",
            "snooze_reason",
            "assigned_to",
            "resolution",
            "resolved_by",
            "resolved_at",
            "created_on",
            "last_seen_on",
        ]
        read_only_fields = fields


class UrActionSerializer(serializers.Serializer):
    """The body of an action (only the fields the action reads)."""

    outcome = serializers.ChoiceField(choices=list(ur.REVIEW_OUTCOMES), required=False)
    review_date = serializers.DateField(required=False)
    days_added = serializers.IntegerField(required=False, min_value=0)
    units_added = serializers.DecimalField(max_digits=8, decimal_places=2, required=False)
    auth_number = serializers.CharField(required=False, allow_blank=True, max_length=50)
    next_review_date = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    assignee = serializers.CharField(
        required=False, allow_blank=True, help_text='"me", a username, or blank to unassign'
    )
    snoozed_until = serializers.DateField(required=False)
    snooze_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=300)


class UrAlertViewSet(OrgModelViewSet):
    """The UR work queue, most urgent first (read); actions: review, assign, snooze, resolve.
    Filters: kind, payer (id), assignee ("me", "none" or a username), status (default open;
    "all")."""

    model = UrAlert
    serializer_class = UrAlertSerializer
    read_capability = Cap.VIEW_AUTHORIZATIONS
    write_capability = Cap.EDIT_AUTHORIZATIONS
    phi = True
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return UrAlert.objects.none()
        if self.action != "list":
            return ur.ur_queue(filters=ur.QueueFilters(status="all"), user=self.request.user)
        filters = ur.QueueFilters.parse(self.request.query_params)
        return ur.ur_queue(filters=filters, user=self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise MethodNotAllowed("POST")

    def _act(self, request: Request, action_name: str) -> Response:
        from authorizations.ur_views import run_action

        alert = self.get_object()
        body = UrActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {k: "" if v is None else str(v) for k, v in body.validated_data.items()}
        try:
            alert, _ = run_action(request, alert, action_name, data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(self.get_serializer(alert).data)

    @extend_schema(request=UrActionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, public_id: str | None = None) -> Response:
        """Record the review outcome (approved/partial: days_added, units_added, auth_number,
        next_review_date; denied: reason) and resolve the alert."""
        return self._act(request, "review")

    @extend_schema(request=UrActionSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(request, "assign")

    @extend_schema(request=UrActionSerializer)
    @action(detail=True, methods=["post"])
    def snooze(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(request, "snooze")

    @extend_schema(request=UrActionSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(request, "resolve")


register("ur-alerts", UrAlertViewSet, "ur-alert")

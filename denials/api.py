"""Denials API under /api/o/<org>/: remittances (read) and posting exceptions (open ones by
kind; resolve with a note). Reads go through denials.selectors, writes through services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from denials import selectors, services
from denials.models import Appeal, Denial, ParityEscalation, PostingException, Remittance
from rcm.api.urls import register
from rcm.api.views import HasCapability, OrgModelViewSet, OrgScopedMixin
from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.permissions import Cap, role_has


class RemittanceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    open_exceptions = serializers.IntegerField(read_only=True)

    class Meta:
        model = Remittance
        fields = [
            "id",
            "payer_name",
            "trace_number",
            "payment_method",
            "payment_date",
            "total_paid",
            "claim_count",
            "provider_adjustment_total",
            "balanced",
            "open_exceptions",
            "posted_at",
        ]
        read_only_fields = fields


class PostingExceptionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    claim = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    claim_control_number = serializers.CharField(
        source="claim.control_number", default=None, read_only=True
    )
    remittance = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    resolved_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = PostingException
        fields = [
            "id",
            "kind",
            "message",
            "amount",
            "claim",
            "claim_control_number",
            "remittance",
            "status",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class RemittanceViewSet(OrgModelViewSet):
    model = Remittance
    serializer_class = RemittanceSerializer
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.WORK_CLAIMS
    phi = True
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.remittances_list()


class PostingExceptionViewSet(OrgModelViewSet):
    """Open exceptions by default (`?status=resolved` for the closed ones, `?kind=`)."""

    model = PostingException
    serializer_class = PostingExceptionSerializer
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.WORK_CLAIMS
    phi = True
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        rows = PostingException.objects.select_related("claim", "remittance", "resolved_by")
        if self.action == "list":
            status = self.request.query_params.get("status") or PostingException.Status.OPEN
            rows = rows.filter(status=status)
            if kind := self.request.query_params.get("kind"):
                rows = rows.filter(kind=kind)
        return rows.order_by("-created_at", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise ValidationError({"non_field_errors": ["Exceptions are raised by posting only."]})

    @extend_schema(request=ResolveSerializer, responses=PostingExceptionSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, public_id: str | None = None) -> Response:
        """Resolve the exception with a note (who and when are recorded)."""
        row = self.get_object()
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            row = services.exception_resolve(
                exception=row, note=body.validated_data["note"], actor=request.user
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(self.get_serializer(row).data)


register("remittances", RemittanceViewSet, "remittance")
register("posting-exceptions", PostingExceptionViewSet, "posting-exception")


# --- Denial work ----------------------------------------------------------------------
# Denials API under /api/o/<org>/denials/: the queue (same filters as the page), one denial,


class Conflict(ValidationError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class DenialSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    claim = serializers.CharField(source="claim.control_number")
    payer = serializers.CharField(source="payer.name")
    group = serializers.CharField()
    carc = serializers.CharField()
    rarcs = serializers.ListField(child=serializers.CharField())
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    root_cause = serializers.CharField()
    action = serializers.CharField()
    parity_relevant = serializers.BooleanField()
    explanation = serializers.ListField(child=serializers.CharField())
    denied_on = serializers.DateField()
    appeal_deadline = serializers.DateField(allow_null=True)
    priority = serializers.DecimalField(max_digits=14, decimal_places=2)
    priority_reasons = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    assigned_to = serializers.CharField(source="assigned_to.username", allow_null=True)
    version = serializers.IntegerField()


class AppealSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    denial = serializers.UUIDField(source="denial.public_id")
    level = serializers.IntegerField()
    level_name = serializers.CharField()
    deadline = serializers.DateField(allow_null=True)
    filed_on = serializers.DateField(allow_null=True)
    letter = serializers.CharField()
    outcome = serializers.CharField()
    amount_recovered = serializers.DecimalField(max_digits=12, decimal_places=2)
    decided_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField()


class EscalationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    denial = serializers.UUIDField(source="denial.public_id")
    status = serializers.CharField()
    regulator = serializers.CharField()
    findings = serializers.ListField(child=serializers.DictField())
    filed_on = serializers.DateField(allow_null=True)
    resolved_on = serializers.DateField(allow_null=True)


class BodySerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OutcomeSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True)
    outcome = serializers.ChoiceField(choices=["overturned", "partial", "upheld"])
    amount_recovered = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    decided_on = serializers.DateField(required=False, allow_null=True)


def _run(service: Any, **kwargs: Any) -> Any:
    try:
        with transaction.atomic():
            return service(**kwargs)
    except services.StaleDenial as exc:
        raise Conflict(exc.message_dict) from exc
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        raise ValidationError(detail) from exc


class DenialViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """Denials: the queue, one denial, actions, next denial."""

    model = Denial
    lookup_field = "public_id"
    lookup_url_kwarg = "public_id"
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.WORK_CLAIMS
    serializer_class = DenialSerializer
    queryset = Denial.objects.none()

    def _denial(self, public_id: Any) -> Denial:
        found = Denial.objects.select_related("claim", "payer", "assigned_to").filter(
            public_id=public_id
        )
        if not found.exists():
            raise NotFound("No such denial.")
        return found.get()

    def _answer(self, denial: Denial) -> Response:
        denial = self._denial(denial.public_id)
        phi_access_record(
            request=self.request._request, action=PhiAccess.Action.API, objects=[denial]
        )
        return Response(DenialSerializer(denial).data)

    def list(self, request: Request) -> Response:
        try:
            filters = selectors.parse_filters(request.query_params)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        rows = list(selectors.denials_in_queue(filters=filters, user=request.user)[:200])
        phi_access_record(request=request._request, action=PhiAccess.Action.API, objects=rows)
        return Response(DenialSerializer(rows, many=True).data)

    def retrieve(self, request: Request, public_id: str | None = None) -> Response:
        return self._answer(self._denial(public_id))

    @action(detail=False, methods=["post"])
    def next(self, request: Request) -> Response:
        try:
            filters = selectors.parse_filters(request.data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        denial = services.denial_next(filters=filters, user=request.user)
        if denial is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self._answer(denial)

    def _act(self, public_id: Any, run: Any) -> Response:
        denial = self._denial(public_id)
        body = BodySerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        out = _run(run, denial=denial, actor=self.request.user, **data)
        if isinstance(out, Appeal):
            return Response(AppealSerializer(out).data, status=status.HTTP_201_CREATED)
        if isinstance(out, ParityEscalation):
            return Response(EscalationSerializer(out).data, status=status.HTTP_201_CREATED)
        return self._answer(denial)

    @action(detail=True, methods=["post"])
    def assign(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(
            public_id,
            lambda reason, note, **kw: services.denial_assign(assignee=request.user, **kw),
        )

    @action(detail=True, methods=["post"])
    def note(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(
            public_id,
            lambda reason, note, version=None, **kw: services.denial_note(note=note, **kw),
        )

    @action(detail=True, methods=["post"])
    def correct(self, request: Request, public_id: str | None = None) -> Response:
        slug = request._request.org.slug
        return self._act(public_id, lambda note, **kw: services.denial_correct(org_slug=slug, **kw))

    @action(detail=True, methods=["post"])
    def appeal(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(public_id, lambda reason, note, **kw: services.denial_appeal(**kw))

    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(public_id, lambda note, **kw: services.denial_write_off(**kw))

    @action(detail=True, methods=["post"], url_path="write-off-decision")
    def write_off_decision(self, request: Request, public_id: str | None = None) -> Response:
        if not role_has(request._request.membership.role, Cap.APPROVE_WRITE_OFFS):
            raise PermissionDenied("Only a billing manager approves write-offs.")
        approve = str(request.data.get("approve", "")).lower() in ("1", "true", "yes")
        role = request._request.membership.role
        return self._act(
            public_id,
            lambda note, **kw: services.denial_write_off_decide(approve=approve, role=role, **kw),
        )

    @action(detail=True, methods=["post"], url_path="escalate-parity")
    def escalate_parity(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(
            public_id, lambda reason, note, **kw: services.denial_escalate_parity(**kw)
        )


class AppealViewSet(OrgScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Appeals: their letters (PHI: reads logged) and outcomes."""

    model = Appeal
    lookup_field = "public_id"
    lookup_url_kwarg = "public_id"
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.WORK_CLAIMS
    serializer_class = AppealSerializer

    def get_queryset(self) -> Any:
        return Appeal.objects.select_related("denial").order_by("-pk")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        appeal = self.get_object()
        phi_access_record(request=request._request, action=PhiAccess.Action.API, objects=[appeal])
        return Response(AppealSerializer(appeal).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = list(self.get_queryset()[:200])
        phi_access_record(request=request._request, action=PhiAccess.Action.API, objects=rows)
        return Response(AppealSerializer(rows, many=True).data)

    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, public_id: str | None = None) -> Response:
        appeal = self.get_object()
        body = OutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        out = _run(
            services.appeal_record_outcome, appeal=appeal, actor=request.user, **body.validated_data
        )
        return Response(AppealSerializer(out).data)


class ParityEscalationViewSet(OrgScopedMixin, viewsets.ReadOnlyModelViewSet):
    model = ParityEscalation
    lookup_field = "public_id"
    lookup_url_kwarg = "public_id"
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.WORK_CLAIMS
    serializer_class = EscalationSerializer

    def get_queryset(self) -> Any:
        return ParityEscalation.objects.select_related("denial").order_by("-pk")


register("denials", DenialViewSet, "denial")
register("appeals", AppealViewSet, "appeal")
register("parity-escalations", ParityEscalationViewSet, "parity-escalation")


from denials import report_api  # noqa: E402, F401  (registers /reports/ar-aging/)

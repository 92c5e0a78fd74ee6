"""Claims API under /api/o/<org>/ (registered with the org router): the chargemaster
(claims.chargemaster.api), and the work queues (same filters, sorts and counts as the pages),
one claim with its lines, findings, history and sessions, version-checked actions (a stale
version answers 409), "next claim", bulk submit, and submission batches (their 837 only for
roles that see patients). Reads and writes go through claims.selectors and claims.services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from claims import selectors, services
from claims.chargemaster.api import ChargemasterViewSet
from claims.clearinghouse.services import (
    account_of_org,
    account_values,
    clearinghouse_account_save,
)
from claims.models import (
    BatchClaim,
    Claim,
    ClearinghouseAccount,
    SavedQueueFilter,
    SubmissionBatch,
)
from rcm.api.urls import register, register_path
from rcm.api.views import HasCapability, OrgScopedMixin
from rcm.audit import phi_access_record
from rcm.models import Membership, PhiAccess
from rcm.permissions import Cap, role_has
from rcm.tenancy.context import current_part2_access

# --- Answers ---------------------------------------------------------------------------------


class ClaimPayerRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class ClaimPatientRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="display_name")
    mrn = serializers.CharField()


class ClaimProviderRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="__str__")
    npi = serializers.CharField()


class ClaimRowSerializer(serializers.Serializer):
    """A claim as a queue lists it."""

    id = serializers.UUIDField(source="public_id")
    control_number = serializers.CharField(help_text="CLM01, the patient control number")
    kind = serializers.ChoiceField(choices=Claim.Kind.choices)
    status = serializers.ChoiceField(choices=Claim.Status.choices)
    version = serializers.IntegerField(help_text="Send it back with any action on the claim")
    patient = ClaimPatientRefSerializer()
    payer = ClaimPayerRefSerializer()
    rendering_provider = ClaimProviderRefSerializer(allow_null=True)
    program = serializers.CharField()
    level = serializers.CharField()
    service_from = serializers.DateField()
    service_to = serializers.DateField()
    total_charge = serializers.DecimalField(max_digits=12, decimal_places=2)
    age_days = serializers.IntegerField(
        help_text="Days since submission (claims the payer has), else since the first date "
        "of service"
    )
    filing_days_left = serializers.IntegerField(
        help_text="The payer's timely-filing limit left, from the first date of service "
        "(negative: past it)"
    )
    bucket = serializers.CharField(help_text="Aging bucket since submission (blank: not sent)")
    hold_codes = serializers.ListField(child=serializers.CharField())
    error_count = serializers.IntegerField()
    warning_count = serializers.IntegerField()
    assigned_to = serializers.CharField(
        source="assigned_to.username", allow_null=True, default=None
    )
    follow_up_on = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    paid_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    contractual_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    patient_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    denied_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    written_off_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    balance = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Open insurance balance: charge - paid - contractual - patient share - "
        "written off",
    )


class QueuePageSerializer(serializers.Serializer):
    queue = serializers.CharField(source="queue.key")
    sort = serializers.CharField()
    count = serializers.IntegerField(source="total", help_text="Claims in the queue (filtered)")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    per_page = serializers.IntegerField()
    results = ClaimRowSerializer(many=True, source="rows")


class BucketSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class QueueCountsSerializer(serializers.Serializer):
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Claims in each queue, under the filters"
    )
    aging = BucketSerializer(many=True, help_text="Awaiting payment, by days since submission")


class LineSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    control_number = serializers.CharField()
    service_date = serializers.DateField()
    service_date_to = serializers.DateField(allow_null=True)
    code = serializers.CharField()
    modifiers = serializers.ListField(child=serializers.CharField())
    revenue_code = serializers.CharField()
    units = serializers.DecimalField(max_digits=8, decimal_places=2)
    unit_kind = serializers.CharField()
    charge = serializers.DecimalField(max_digits=10, decimal_places=2)
    charge_source = serializers.CharField()
    pos = serializers.CharField()
    pointers = serializers.ListField(child=serializers.IntegerField())
    rendering_provider = ClaimProviderRefSerializer(allow_null=True)
    session = serializers.UUIDField(source="session.public_id", allow_null=True, default=None)


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning", "info"])
    message = serializers.CharField()
    fix = serializers.CharField()
    fix_url = serializers.CharField(help_text="The page that fixes it (blank: none)")
    line_number = serializers.IntegerField(allow_null=True)
    service = serializers.CharField(source="service_public_id", help_text="Session id, if any")


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField(source="event.kind")
    actor = serializers.CharField(source="actor_name", help_text='"system" when no one acted')
    from_status = serializers.CharField(source="event.from_status")
    to_status = serializers.CharField(source="event.to_status")
    message = serializers.CharField(source="event.message")
    note = serializers.CharField(source="event.note")
    created_at = serializers.DateTimeField(source="event.created_at")


class ClaimSessionSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="session.public_id")
    service_date = serializers.DateField(source="session.service_date")
    kind = serializers.CharField(source="session.kind")
    status = serializers.CharField(source="session.status")
    note_signed = serializers.SerializerMethodField()
    active = serializers.BooleanField(help_text="false: moved to a replacement, or let go")

    def get_note_signed(self, obj: Any) -> bool:
        return obj.session.note_signed_at is not None


class ClaimBatchRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="batch.public_id")
    file_name = serializers.CharField(source="batch.file_name")
    status = serializers.CharField(source="batch.status")
    transaction_control_number = serializers.CharField()


class ClaimRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    control_number = serializers.CharField()
    status = serializers.CharField()
    frequency = serializers.CharField()


class ClaimDetailSerializer(serializers.Serializer):
    """One claim with what its page shows."""

    id = serializers.UUIDField(source="claim.public_id")
    control_number = serializers.CharField(source="claim.control_number")
    kind = serializers.ChoiceField(source="claim.kind", choices=Claim.Kind.choices)
    status = serializers.ChoiceField(source="claim.status", choices=Claim.Status.choices)
    frequency = serializers.CharField(source="claim.frequency")
    version = serializers.IntegerField(source="claim.version")
    patient = ClaimPatientRefSerializer(source="claim.patient")
    payer = ClaimPayerRefSerializer(source="claim.payer")
    member_id = serializers.CharField(source="claim.coverage.member_id")
    rendering_provider = ClaimProviderRefSerializer(
        source="claim.rendering_provider", allow_null=True
    )
    program = serializers.CharField(source="claim.program")
    level = serializers.CharField(source="claim.level")
    service_from = serializers.DateField(source="claim.service_from")
    service_to = serializers.DateField(source="claim.service_to")
    place_of_service = serializers.CharField(source="claim.place_of_service")
    type_of_bill = serializers.CharField(source="claim.type_of_bill")
    diagnoses = serializers.ListField(child=serializers.CharField(), source="claim.diagnoses")
    total_charge = serializers.DecimalField(
        source="claim.total_charge", max_digits=12, decimal_places=2
    )
    paid_amount = serializers.DecimalField(
        source="claim.paid_amount", max_digits=12, decimal_places=2
    )
    contractual_amount = serializers.DecimalField(
        source="claim.contractual_amount", max_digits=12, decimal_places=2
    )
    patient_amount = serializers.DecimalField(
        source="claim.patient_amount", max_digits=12, decimal_places=2
    )
    denied_amount = serializers.DecimalField(
        source="claim.denied_amount", max_digits=12, decimal_places=2
    )
    written_off_amount = serializers.DecimalField(
        source="claim.written_off_amount", max_digits=12, decimal_places=2
    )
    balance = serializers.DecimalField(source="claim.balance", max_digits=12, decimal_places=2)
    prior_auth_number = serializers.CharField(source="claim.prior_auth_number")
    part2 = serializers.BooleanField(source="claim.part2")
    hold_codes = serializers.ListField(child=serializers.CharField(), source="claim.hold_codes")
    assigned_to = serializers.CharField(
        source="claim.assigned_to.username", allow_null=True, default=None
    )
    follow_up_on = serializers.DateField(source="claim.follow_up_on", allow_null=True)
    scrubbed_at = serializers.DateTimeField(source="claim.scrubbed_at", allow_null=True)
    submitted_at = serializers.DateTimeField(source="claim.submitted_at", allow_null=True)
    acknowledged_at = serializers.DateTimeField(source="claim.acknowledged_at", allow_null=True)
    rejection = serializers.CharField(source="claim.rejection")
    payer_claim_number = serializers.CharField(source="claim.payer_claim_number")
    original = ClaimRefSerializer(source="claim.original", allow_null=True)
    successors = ClaimRefSerializer(many=True)
    lines = LineSerializer(many=True)
    findings = FindingSerializer(many=True)
    events = EventSerializer(many=True)
    sessions = ClaimSessionSerializer(many=True, source="services")
    batches = ClaimBatchRefSerializer(many=True)


# --- Requests --------------------------------------------------------------------------------


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The claim's version as you read it; another one answers 409"
    )


class ReasonSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)
    follow_up_on = serializers.DateField(
        required=False, allow_null=True, help_text="Puts the claim in the follow-up queue then"
    )
    version = serializers.IntegerField(
        required=False, help_text="Not checked: a note never conflicts with another change"
    )


class AssignSerializer(VersionSerializer):
    assignee = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Username of an active member (absent: you; null: nobody)",
    )


class FiltersSerializer(serializers.Serializer):
    """The queue filters (all optional), as the queue list reads them from the query string."""

    payer = serializers.UUIDField(required=False, allow_null=True)
    program = serializers.CharField(required=False, allow_blank=True)
    level = serializers.CharField(required=False, allow_blank=True)
    provider = serializers.UUIDField(
        required=False, allow_null=True, help_text="Rendering provider id"
    )
    age_min = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    age_max = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    amount_min = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    amount_max = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    edit_code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    assigned = serializers.ChoiceField(
        choices=["", *selectors.ASSIGNED_CHOICES], required=False, allow_blank=True
    )
    bucket = serializers.ChoiceField(
        choices=["", *(key for key, *_ in selectors.BUCKETS)], required=False, allow_blank=True
    )


class NextClaimSerializer(FiltersSerializer):
    queue = serializers.ChoiceField(choices=list(selectors.QUEUES))
    skip = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Claim ids to pass over (the one you are leaving)",
    )


class SelectedClaimSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.IntegerField(min_value=1)


class BulkSubmitSerializer(serializers.Serializer):
    claims = SelectedClaimSerializer(many=True, allow_empty=False)


class SavedFilterSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    queue = serializers.ChoiceField(choices=list(selectors.QUEUES))
    params = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="Filter and sort parameters"
    )

    class Meta:
        model = SavedQueueFilter
        fields = ["id", "name", "queue", "params", "created_at"]
        read_only_fields = ["created_at"]

    def validate_params(self, value: dict[str, str]) -> dict[str, str]:
        sort = value.get("sort", "")
        try:
            params = selectors.parse_filters(value).params()
            if sort:
                params["sort"] = selectors.parse_sort(sort)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return params


class BatchSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    claims = serializers.SerializerMethodField(help_text="Control numbers of the claims it carried")
    content = serializers.SerializerMethodField(
        help_text="The 837 (PHI): only when one batch is read, by a role that sees patients; "
        "null otherwise"
    )

    class Meta:
        model = SubmissionBatch
        fields = [
            "id",
            "kind",
            "adapter",
            "status",
            "interchange_control_number",
            "group_control_number",
            "file_name",
            "content_sha256",
            "claim_count",
            "total_charge",
            "part2",
            "created_at",
            "sent_at",
            "attempts",
            "last_error",
            "remote_reference",
            "claims",
            "content",
        ]
        read_only_fields = fields

    def get_claims(self, batch: SubmissionBatch) -> list[str]:
        return [item.claim.control_number for item in batch.items.all()]

    def get_content(self, batch: SubmissionBatch) -> str | None:
        return batch.content if self.context.get("with_content") else None


# --- Views -----------------------------------------------------------------------------------

STALE = OpenApiResponse(description="Stale version: {version: [message], current_version: n}")
BAD = OpenApiResponse(description="Field messages: {field: [message]}")
FORBIDDEN = OpenApiResponse(description="Your role does not allow this")
NOT_FOUND = OpenApiResponse(description="No such claim (another org's, or withheld Part 2)")


class Conflict(ValidationError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _run(service: Any, **kwargs: Any) -> Any:
    """Run a service: a stale version answers 409, other refusals 400 with field messages."""
    try:
        with transaction.atomic():
            return service(**kwargs)
    except services.StaleClaim as exc:
        raise Conflict(exc.message_dict) from exc
    except DjangoValidationError as exc:
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        raise ValidationError(detail) from exc


def _filter_parameters() -> list[OpenApiParameter]:
    described = {
        "queue": f"One of {', '.join(selectors.QUEUES)} (default held)",
        "sort": f"One of {', '.join(selectors.SORTS)} (default priority: timely filing left, "
        "then amount, then age)",
        "page": "Page number (from 1)",
        "per_page": f"Rows per page (default {selectors.PER_PAGE}, at most "
        f"{selectors.MAX_PER_PAGE})",
        "payer": "Payer id",
        "program": "mh or sud",
        "level": "Level of care",
        "provider": "Rendering provider id",
        "age_min": "Days old, at least",
        "age_max": "Days old, at most",
        "amount_min": "Total charge, at least",
        "amount_max": "Total charge, at most",
        "edit_code": "Held by this edit code",
        "assigned": "me or unassigned",
        "bucket": "One aging bucket by submission date (0-30, 31-60, 61-90, 91-120, 120+)",
        "dos_bucket": "One aging bucket by first date of service",
    }
    return [OpenApiParameter(name, str, description=text) for name, text in described.items()]


def _parsed_query(request: Request) -> tuple[Any, Any, str]:
    try:
        return (
            selectors.parse_queue(request.query_params.get("queue")),
            selectors.parse_filters(request.query_params),
            selectors.parse_sort(request.query_params.get("sort")),
        )
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _int_param(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name, "")
    if not value:
        return default
    if not value.isdigit() or len(value) > 6 or int(value) < 1:
        raise ValidationError({name: ["A whole number, 1 or more."]})
    return int(value)


class ClaimViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """Claims: queues, one claim, actions. Roles that work claims (admin, billing manager,
    biller); Part 2 claims only with Part 2 access."""

    model = Claim
    lookup_field = "public_id"
    lookup_url_kwarg = "public_id"
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.WORK_CLAIMS
    serializer_class = ClaimDetailSerializer
    queryset = Claim.objects.none()  # the selectors read; this only names the model

    def _claim(self, public_id: Any) -> Claim:
        claim = Claim.objects.filter(public_id=public_id).first()
        if claim is None:
            raise NotFound("No such claim.")
        return claim

    def _detail_response(self, public_id: Any, code: int = status.HTTP_200_OK) -> Response:
        try:
            detail = selectors.claim_detail(public_id=public_id)
        except Claim.DoesNotExist as exc:
            raise NotFound("No such claim.") from exc
        phi_access_record(
            request=self.request._request, action=PhiAccess.Action.API, objects=[detail.claim]
        )
        return Response(ClaimDetailSerializer(detail).data, status=code)

    @extend_schema(
        summary="A queue of claims, filtered, sorted and paged",
        parameters=_filter_parameters(),
        responses={200: QueuePageSerializer, 400: BAD},
    )
    def list(self, request: Request) -> Response:
        queue, filters, sort = _parsed_query(request)
        page = selectors.claims_in_queue(
            queue=queue,
            filters=filters,
            sort=sort,
            user=request.user,
            page=_int_param(request, "page", 1),
            per_page=_int_param(request, "per_page", selectors.PER_PAGE),
        )
        phi_access_record(request=request._request, action=PhiAccess.Action.API, objects=page.rows)
        return Response(QueuePageSerializer(page).data)

    @extend_schema(
        summary="How many claims each queue holds, and awaiting-payment aging",
        parameters=[p for p in _filter_parameters() if p.name not in ("page", "per_page", "sort")],
        responses={200: QueueCountsSerializer, 400: BAD},
    )
    @action(detail=False, methods=["get"])
    def counts(self, request: Request) -> Response:
        _, filters, _ = _parsed_query(request)
        data = {
            "counts": selectors.queue_counts(user=request.user, filters=filters),
            "aging": selectors.aging_buckets(user=request.user, filters=filters),
        }
        return Response(QueueCountsSerializer(data).data)

    @extend_schema(
        summary="One claim: lines, findings, history, sessions, batches",
        responses={200: ClaimDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, public_id: str | None = None) -> Response:
        return self._detail_response(public_id)

    @extend_schema(
        summary="Next claim: the most urgent one nobody else is working, assigned to you",
        description="Priority: fewest timely-filing days left, then the larger amount, then "
        "the older service. Taken with SELECT ... FOR UPDATE SKIP LOCKED: billers asking at "
        "once never get the same claim. 204 when the queue has none for you.",
        request=NextClaimSerializer,
        responses={200: ClaimDetailSerializer, 204: None, 400: BAD},
    )
    @action(detail=False, methods=["post"])
    def next(self, request: Request) -> Response:
        body = NextClaimSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {k: v for k, v in body.validated_data.items() if v is not None}
        try:
            filters = selectors.parse_filters(data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        claim = services.claim_next(
            queue=data["queue"], filters=filters, user=request.user, skip=data.get("skip", [])
        )
        if claim is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self._detail_response(claim.public_id)

    @extend_schema(
        operation_id="claims_submit_many",
        summary="Submit ready claims (all or none)",
        description="Each claim with the version you read: one stale answers 409, one not "
        "ready 400, and nothing is submitted; 400 too without a clearinghouse account. A claim "
        "the 837 mapping or the Part 2 gate refuses is held again with a finding (not in the "
        "batches answered). The batches are sent in the background.",
        request=BulkSubmitSerializer,
        responses={200: BatchSerializer(many=True), 400: BAD, 409: STALE},
    )
    @action(detail=False, methods=["post"], url_path="submit")
    def submit_many(self, request: Request) -> Response:
        body = BulkSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        selected = [(str(c["id"]), c["version"]) for c in body.validated_data["claims"]]
        batches = _run(services.claims_submit_selected, selected=selected, actor=request.user)
        return Response(BatchSerializer(batches, many=True, context={"with_content": False}).data)

    def _act(self, public_id: Any, body_class: type, run: Any) -> Response:
        claim = self._claim(public_id)
        body = body_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        try:
            outcome = _run(run, claim=claim, actor=self.request.user, **body.validated_data)
        except Conflict as exc:
            claim.refresh_from_db(fields=["version"])
            return Response(
                {**exc.detail, "current_version": claim.version}, status=status.HTTP_409_CONFLICT
            )
        shown = outcome if isinstance(outcome, Claim) and outcome.pk != claim.pk else claim
        return self._detail_response(shown.public_id)

    def _org_slug(self) -> str:
        return self.request._request.org.slug

    @extend_schema(
        summary="Re-scrub: recode from the sessions as they are now and run the edits",
        request=VersionSerializer,
        responses={200: ClaimDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: STALE},
    )
    @action(detail=True, methods=["post"])
    def scrub(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(
            public_id,
            VersionSerializer,
            lambda **kw: services.claim_scrub(org_slug=self._org_slug(), **kw),
        )

    @extend_schema(
        summary="Hold a claim (a biller's hold, with the reason)",
        request=ReasonSerializer,
        responses={200: ClaimDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: STALE},
    )
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(public_id, ReasonSerializer, services.claim_hold)

    @extend_schema(
        summary="Release a biller's hold: scrubbed again, it goes where its findings say",
        request=VersionSerializer,
        responses={200: ClaimDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: STALE},
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(
            public_id,
            VersionSerializer,
            lambda **kw: services.claim_release(org_slug=self._org_slug(), **kw),
        )

    @extend_schema(
        summary="Add a note, optionally with a follow-up date",
        request=NoteSerializer,
        responses={200: ClaimDetailSerializer, 400: BAD, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def note(self, request: Request, public_id: str | None = None) -> Response:
        def run(*, claim: Claim, actor: Any, version: int | None = None, **kw: Any) -> Any:
            return services.claim_note(claim=claim, actor=actor, **kw)

        return self._act(public_id, NoteSerializer, run)

    @extend_schema(
        summary="Assign the claim (to you, to another member, or to nobody)",
        request=AssignSerializer,
        responses={200: ClaimDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: STALE},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, public_id: str | None = None) -> Response:
        def run(*, claim: Claim, actor: Any, version: int, **kw: Any) -> Any:
            assignee = _assignee(kw, actor)
            return services.claim_assign(
                claim=claim, actor=actor, assignee=assignee, version=version
            )

        return self._act(public_id, AssignSerializer, run)

    @extend_schema(
        summary="Cancel an unsent claim: its sessions can be billed again",
        request=ReasonSerializer,
        responses={200: ClaimDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: STALE},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(public_id, ReasonSerializer, services.claim_cancel)

    @extend_schema(
        summary="Replace a claim the payer has (frequency 7); answers the replacement",
        request=ReasonSerializer,
        responses={200: ClaimDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: STALE},
    )
    @action(detail=True, methods=["post"])
    def replace(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(
            public_id,
            ReasonSerializer,
            lambda **kw: services.claim_replace(org_slug=self._org_slug(), **kw),
        )

    @extend_schema(
        summary="Void a claim the payer has (frequency 8); answers the void",
        request=ReasonSerializer,
        responses={200: ClaimDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: STALE},
    )
    @action(detail=True, methods=["post"])
    def void(self, request: Request, public_id: str | None = None) -> Response:
        return self._act(
            public_id,
            ReasonSerializer,
            lambda **kw: services.claim_void(org_slug=self._org_slug(), **kw),
        )

    @extend_schema(
        operation_id="claims_submit_one",
        summary="Submit this ready claim into an 837 batch (sent in the background)",
        request=VersionSerializer,
        responses={200: ClaimDetailSerializer, 400: BAD, 404: NOT_FOUND, 409: STALE},
    )
    @action(detail=True, methods=["post"], url_path="submit")
    def submit_one(self, request: Request, public_id: str | None = None) -> Response:
        def run(*, claim: Claim, actor: Any, version: int) -> Any:
            return services.claims_submit_selected(
                selected=[(str(claim.public_id), version)], actor=actor
            )

        return self._act(public_id, VersionSerializer, run)


def _assignee(data: dict[str, Any], actor: Any) -> Any:
    if "assignee" not in data:
        return actor
    username = data["assignee"]
    if username is None:
        return None
    member = (
        Membership.objects.select_related("user")
        .filter(user__username=username, is_active=True)
        .first()
    )
    if member is None or not role_has(member.role, Cap.WORK_CLAIMS):
        raise DjangoValidationError({"assignee": "Not a member who works claims."})
    return member.user


class SavedQueueFilterViewSet(OrgScopedMixin, viewsets.ModelViewSet):
    """Your saved queue filters (nobody sees another biller's)."""

    model = SavedQueueFilter
    serializer_class = SavedFilterSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "public_id"
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.WORK_CLAIMS
    http_method_names = ["get", "post", "delete", "head", "options"]
    pagination_class = None

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return SavedQueueFilter.objects.none()
        return SavedQueueFilter.objects.filter(user=self.request.user).order_by("name")

    def perform_create(self, serializer: Any) -> None:
        try:
            with transaction.atomic():
                serializer.save(user=self.request.user)
        except IntegrityError as exc:
            raise ValidationError(
                {"name": ["You already have a saved filter by that name."]}
            ) from exc


class SubmissionBatchViewSet(OrgScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Submission batches. The 837 itself (`content`) is PHI: returned only to roles that see
    patients, one batch at a time, and its reads are logged. A batch carrying a Part 2 claim is
    withheld (404) from members without Part 2 access."""

    model = SubmissionBatch
    serializer_class = BatchSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "public_id"
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.WORK_CLAIMS

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return SubmissionBatch.objects.none()
        items = BatchClaim.objects.select_related("claim").order_by("pk")
        batches = SubmissionBatch.objects.all()
        if not current_part2_access():  # a batch carrying a Part 2 claim is a Part 2 record
            batches = batches.exclude(part2=True)
        return batches.prefetch_related(Prefetch("items", queryset=items)).order_by(
            "-created_at", "-pk"
        )

    def _may_see_content(self, batch: SubmissionBatch) -> bool:
        return role_has(self.request._request.membership.role, Cap.VIEW_PATIENTS)

    @extend_schema(responses={200: BatchSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        batch = self.get_object()
        shown = self._may_see_content(batch)
        if shown:
            phi_access_record(
                request=request._request, action=PhiAccess.Action.API, objects=[batch]
            )
        return Response(BatchSerializer(batch, context={"with_content": shown}).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Newest first; without their 837s (ask for one batch to read it)."""
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page if page is not None else self.get_queryset())
        data = BatchSerializer(rows, many=True, context={"with_content": False}).data
        return self.get_paginated_response(data) if page is not None else Response(data)


# --- The clearinghouse account ---------------------------------------------------------------


class ClearinghouseAccountSerializer(serializers.Serializer):
    """The org's clearinghouse account, flat: the envelope's parties, then the adapter's
    settings (sftp: host..host_key_checking; folder: export_dir..archive_dir). Secrets are
    write-only (blank or absent: keep the stored one); `credentials` says whether each is set."""

    adapter = serializers.ChoiceField(choices=ClearinghouseAccount.Adapter.choices)
    submitter_name = serializers.CharField(allow_blank=True, help_text="1000A NM103")
    submitter_id = serializers.CharField(allow_blank=True, help_text="1000A NM109 (ETIN)")
    contact_name = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True, help_text="Digits")
    contact_email = serializers.CharField(allow_blank=True, required=False)
    receiver_name = serializers.CharField(allow_blank=True, help_text="1000B NM103")
    receiver_id = serializers.CharField(allow_blank=True, help_text="1000B NM109")
    isa_sender_qualifier = serializers.CharField(
        allow_blank=True, required=False, help_text="ISA05 (default ZZ)"
    )
    isa_sender_id = serializers.CharField(allow_blank=True, help_text="ISA06 and GS02, <= 15")
    isa_receiver_qualifier = serializers.CharField(
        allow_blank=True, required=False, help_text="ISA07 (default ZZ)"
    )
    isa_receiver_id = serializers.CharField(allow_blank=True, help_text="ISA08 and GS03, <= 15")
    usage_indicator = serializers.ChoiceField(
        choices=ClearinghouseAccount.Usage.choices, help_text="ISA15"
    )
    host = serializers.CharField(allow_blank=True, required=False)
    port = serializers.CharField(
        allow_blank=True, required=False, allow_null=True, help_text="1-65535 (default 22)"
    )
    username = serializers.CharField(allow_blank=True, required=False)
    outbox = serializers.CharField(allow_blank=True, required=False)
    inbox = serializers.CharField(allow_blank=True, required=False)
    archive = serializers.CharField(allow_blank=True, required=False)
    host_key = serializers.CharField(allow_blank=True, required=False)
    host_key_checking = serializers.CharField(
        allow_blank=True, required=False, help_text="strict (default) or off"
    )
    export_dir = serializers.CharField(allow_blank=True, required=False)
    import_dir = serializers.CharField(allow_blank=True, required=False)
    archive_dir = serializers.CharField(allow_blank=True, required=False)
    password = serializers.CharField(
        write_only=True, allow_blank=True, required=False, trim_whitespace=False
    )
    private_key = serializers.CharField(
        write_only=True, allow_blank=True, required=False, trim_whitespace=False
    )
    private_key_passphrase = serializers.CharField(
        write_only=True, allow_blank=True, required=False, trim_whitespace=False
    )
    credentials = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text="'set' or 'not set' for each secret (admins and billing managers only)",
    )
    updated_at = serializers.DateTimeField(read_only=True)


NO_ACCOUNT = OpenApiResponse(description="The organization has no clearinghouse account yet")


class ClearinghouseAccountView(APIView):
    """GET: every role that works claims (without secrets). PUT: admins and billing managers
    create or replace the account (blank or absent secrets keep the stored ones)."""

    model = ClearinghouseAccount
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.MANAGE_CLEARINGHOUSE

    def _answer(self, request: Request, account: Any, code: int = status.HTTP_200_OK) -> Response:
        data: dict[str, Any] = {
            **{k: ("" if v is None else v) for k, v in account_values(account).items()},
            "updated_at": account.updated_at,
        }
        if role_has(request._request.membership.role, Cap.MANAGE_CLEARINGHOUSE):
            data["credentials"] = account.credentials_summary()
        return Response(ClearinghouseAccountSerializer(data).data, status=code)

    @extend_schema(
        summary="The clearinghouse account",
        responses={200: ClearinghouseAccountSerializer, 403: FORBIDDEN, 404: NO_ACCOUNT},
        tags=["clearinghouse"],
    )
    def get(self, request: Request, org_slug: str) -> Response:
        account = account_of_org()
        if account is None:
            raise NotFound("This organization has no clearinghouse account yet.")
        return self._answer(request, account)

    @extend_schema(
        summary="Create or replace the clearinghouse account",
        request=ClearinghouseAccountSerializer,
        responses={
            200: ClearinghouseAccountSerializer,
            201: ClearinghouseAccountSerializer,
            400: BAD,
            403: FORBIDDEN,
        },
        tags=["clearinghouse"],
    )
    def put(self, request: Request, org_slug: str) -> Response:
        serializer = ClearinghouseAccountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = {k: v for k, v in serializer.validated_data.items() if v is not None}
        existed = account_of_org() is not None
        try:
            with transaction.atomic():
                account = clearinghouse_account_save(values=values, actor=request.user)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return self._answer(request, account, status.HTTP_200_OK if existed else 201)


register_path("clearinghouse-account/", ClearinghouseAccountView, "api-clearinghouse-account")
register("chargemaster", ChargemasterViewSet, "chargemaster-entry")
register("claims", ClaimViewSet, "claim")
register("claim-filters", SavedQueueFilterViewSet, "claim-filter")
register("claim-batches", SubmissionBatchViewSet, "claim-batch")

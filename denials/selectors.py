"""Denials reads shared by the pages and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from claims.models import Claim, ClaimService
from denials import codes, parity
from denials.appeals import Documented, LetterFacts, criteria_for
from denials.models import (
    OPEN_DENIAL_STATUSES,
    Adjustment,
    ClaimPayment,
    Denial,
    LinePayment,
    PatientLedgerEntry,
    PostingException,
    Remittance,
)
from payers.models import Payer


def remittances_list() -> QuerySet[Remittance]:
    open_ = Q(exceptions__status=PostingException.Status.OPEN)
    return (
        Remittance.objects.select_related("payer", "file")
        .annotate(open_exceptions=Count("exceptions", filter=open_))
        .order_by("-posted_at", "-pk")
    )


def _meaning(adjustment: Adjustment) -> str:
    info = codes.carc(adjustment.reason)
    return info.description if info else "unknown reason code"


def remittance_detail(*, remittance: Remittance) -> dict[str, Any]:
    """The payment with each claim payment, its lines and adjustments (with CARC meanings),
    the PLB adjustments and the exceptions."""
    adjustments = Prefetch("adjustments", queryset=Adjustment.objects.order_by("pk"))
    lines = Prefetch(
        "lines", queryset=LinePayment.objects.order_by("position").prefetch_related(adjustments)
    )
    payments = list(
        ClaimPayment.objects.filter(remittance=remittance)
        .select_related("claim")
        .prefetch_related(adjustments, lines)
        .order_by("position")
    )
    rows = []
    for cp in payments:
        claim_level = [a for a in cp.adjustments.all() if a.line_payment_id is None]
        rows.append(
            {
                "cp": cp,
                "adjustments": [(a, _meaning(a)) for a in claim_level],
                "lines": [
                    (ln, [(a, _meaning(a)) for a in ln.adjustments.all()]) for ln in cp.lines.all()
                ],
            }
        )
    return {
        "remittance": remittance,
        "payments": rows,
        "provider_adjustments": list(remittance.provider_adjustments.order_by("pk")),
        "exceptions": list(remittance.exceptions.select_related("claim").order_by("pk")),
    }


def exceptions_open(*, kind: str | None = None) -> QuerySet[PostingException]:
    rows = PostingException.objects.filter(status=PostingException.Status.OPEN)
    if kind:
        rows = rows.filter(kind=kind)
    return rows.select_related("claim", "remittance").order_by("-created_at", "-pk")


def exception_counts() -> dict[str, int]:
    found = (
        PostingException.objects.filter(status=PostingException.Status.OPEN)
        .values("kind")
        .annotate(n=Count("pk"))
    )
    return {row["kind"]: row["n"] for row in found}


def exceptions_of_files(*, digests: list[str]) -> QuerySet[PostingException]:
    return PostingException.objects.filter(remittance__file__sha256__in=digests).select_related(
        "claim"
    )


def patient_account(*, patient: Any) -> dict[str, Any]:
    entries = list(
        PatientLedgerEntry.objects.filter(patient=patient)
        .select_related("claim")
        .order_by("-posted_on", "-pk")
    )
    total = PatientLedgerEntry.objects.filter(patient=patient).aggregate(t=Sum("amount"))["t"]
    return {"balance": total or Decimal("0.00"), "entries": entries}


# --- Denial work ----------------------------------------------------------------------
# Reads for denial work: the queue (filters, priority order), one denial with its claim and

STATUS_CHOICES = Denial.Status.choices


@dataclass(frozen=True)
class DenialFilters:
    root_cause: str = ""
    payer: str = ""  # public id
    deadline_within: int | None = None  # days
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    status: str = ""  # "" = every open status
    mine: bool = False


def _decimal(value: str, name: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValidationError({name: "Enter an amount."}) from None


def parse_filters(data: Any) -> DenialFilters:
    root = data.get("root_cause", "")
    if root and root not in codes.ROOT_CAUSES:
        raise ValidationError({"root_cause": "Unknown root cause."})
    status = data.get("status", "")
    if status and status not in Denial.Status.values:
        raise ValidationError({"status": "Unknown status."})
    days = data.get("deadline_within", "")
    if days and not (days.isdigit() and len(days) < 5):
        raise ValidationError({"deadline_within": "Enter a number of days."})
    return DenialFilters(
        root_cause=root,
        payer=data.get("payer", "")[:40],
        deadline_within=int(days) if days else None,
        amount_min=_decimal(data.get("amount_min", ""), "amount_min"),
        amount_max=_decimal(data.get("amount_max", ""), "amount_max"),
        status=status,
        mine=data.get("mine") in ("1", "on", "true"),
    )


def denials_in_queue(*, filters: DenialFilters, user: Any) -> QuerySet[Denial]:
    qs = Denial.objects.select_related("payer", "claim", "assigned_to")
    qs = (
        qs.filter(status=filters.status)
        if filters.status
        else qs.filter(status__in=OPEN_DENIAL_STATUSES)
    )
    if filters.root_cause:
        qs = qs.filter(root_cause=filters.root_cause)
    if filters.payer:
        qs = qs.filter(payer__public_id__in=_uuid_or_none(filters.payer))
    if filters.deadline_within is not None:
        last = timezone.localdate() + dt.timedelta(days=filters.deadline_within)
        qs = qs.filter(appeal_deadline__lte=last)
    if filters.amount_min is not None:
        qs = qs.filter(amount__gte=filters.amount_min)
    if filters.amount_max is not None:
        qs = qs.filter(amount__lte=filters.amount_max)
    if filters.mine:
        qs = qs.filter(assigned_to=user)
    return qs.order_by("-priority", "appeal_deadline", "pk")


def _uuid_or_none(value: str) -> list[str]:
    import uuid

    try:
        return [str(uuid.UUID(value))]
    except ValueError:
        return []


def payers_for_filter() -> list[tuple[Any, str]]:
    return list(Payer.objects.order_by("name").values_list("public_id", "name"))


@dataclass
class DenialDetail:
    denial: Denial
    claim: Claim
    lines: list[LinePayment]
    events: list[Any]
    appeals: list[Any]
    escalations: list[Any]
    carc_meaning: str
    rarcs: list[tuple[str, str]]
    findings: list[parity.Finding]


def code_meaning(code: str, rarc: bool = False) -> str:
    info = codes.rarc(code) if rarc else codes.carc(code)
    return info.description if info else "meaning not in our table"


def denial_detail(*, public_id: Any) -> DenialDetail:
    denial = Denial.objects.select_related(
        "claim", "claim__patient", "payer", "claim_payment", "assigned_to"
    ).get(public_id=public_id)
    lines = list(
        LinePayment.objects.filter(claim_payment=denial.claim_payment).prefetch_related(
            "adjustments"
        )
    )
    return DenialDetail(
        denial=denial,
        claim=denial.claim,
        lines=lines,
        events=list(denial.events.select_related("actor").order_by("-created_at", "-pk")),
        appeals=list(denial.appeals.order_by("level")),
        escalations=list(denial.escalations.all()),
        carc_meaning=code_meaning(denial.carc),
        rarcs=[(r, code_meaning(r, rarc=True)) for r in denial.rarcs],
        findings=parity_findings(denial=denial) if denial.parity_relevant else [],
    )


# --- The appeal letter ---------------------------------------------------------------------


def _documentation(claim: Claim) -> list[Documented]:
    services = ClaimService.objects.filter(claim=claim).select_related(
        "session", "session__rendering_provider"
    )
    found = []
    for s in services.order_by("session__service_date"):
        session = s.session
        if session.note_signed_at is None:
            continue
        minutes = session.attended_minutes or session.psychotherapy_minutes
        found.append(
            Documented(
                service_date=session.service_date,
                minutes=minutes,
                signer=str(session.rendering_provider),
                signed_on=timezone.localtime(session.note_signed_at).date(),
            )
        )
    return found


def letter_facts(*, denial: Denial, level_name: str) -> LetterFacts:
    from rcm.models import Organization

    claim = Claim.objects.select_related("patient", "coverage", "payer").get(pk=denial.claim_id)
    patient, coverage = claim.patient, claim.coverage
    lines = claim.lines.order_by("number")
    codes_billed = [" ".join([ln.code or ln.revenue_code, *ln.modifiers]).strip() for ln in lines]
    org = Organization.objects.get(pk=denial.org_id)
    return LetterFacts(
        org_name=(claim.billing or {}).get("name") or org.name,
        payer_name=claim.payer.name,
        level_name=level_name,
        patient_name=f"{patient.first_name} {patient.last_name}",
        date_of_birth=patient.date_of_birth,
        member_id=coverage.member_id,
        claim_number=claim.control_number,
        payer_claim_number=claim.payer_claim_number,
        service_from=claim.service_from,
        service_to=claim.service_to,
        codes=codes_billed,
        amount=denial.amount,
        carc=denial.carc,
        carc_meaning=code_meaning(denial.carc),
        rarcs=[(r, code_meaning(r, rarc=True)) for r in denial.rarcs],
        authorization=claim.prior_auth_number,
        program=claim.program,
        level=claim.level,
        documentation=_documentation(claim),
        criteria=criteria_for(claim.program, claim.level),
    )


# --- Parity --------------------------------------------------------------------------------


def plan_funding(denial: Denial) -> str:
    """Self-funded ERISA, fully insured or governmental: the coverage's benefits summary says
    so first (the member's own plan), else the payer's parity comparators."""
    coverage = Claim.objects.select_related("coverage").get(pk=denial.claim_id).coverage
    summary = coverage.benefits_summary or {}
    return str(
        summary.get("plan_funding") or denial.payer.parity_comparators.get("plan_funding", "")
    )


def mhsud_denial_rate(*, payer: Payer) -> tuple[int, int]:
    """(claims with a denial, claims remitted) for this payer's MH/SUD claims."""
    remitted = Claim.objects.filter(payer=payer, remitted_at__isnull=False)
    denied = remitted.filter(denials__isnull=False).distinct().count()
    return denied, remitted.count()


def parity_findings(*, denial: Denial) -> list[parity.Finding]:
    comp = denial.payer.parity_comparators or {}
    claim = denial.claim
    found = parity.findings(
        root_cause=denial.root_cause, level=claim.level, program=claim.program, comparators=comp
    )
    if denial.root_cause in parity.NQTL_ROOT_CAUSES:
        denied, remitted = mhsud_denial_rate(payer=denial.payer)
        found += parity.rate_finding(comp, denied, remitted, denial.payer.name)
    return found

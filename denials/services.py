"""Denials writes outside posting: resolving posting exceptions and recording patient
payments (keyword-only, atomic, ValidationError with field messages)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims import services as claim_services
from claims.models import Claim, ClaimEvent
from denials import appeals as appeal_rules
from denials import parity
from denials.models import (
    Appeal,
    Denial,
    DenialEvent,
    DenialSettings,
    ParityEscalation,
    PatientLedgerEntry,
    PostingException,
)
from patients.selectors import patient_has_part2
from rcm.permissions import Cap, role_has

PAYMENT_METHODS = {
    "cash": "Cash",
    "check": "Check",
    "card": "Card",
    "ach": "Bank transfer",
    "other": "Other",
}


def exception_resolve(*, exception: PostingException, note: str, actor: Any) -> PostingException:
    """Close an open posting exception with the biller's note (who and when are kept)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Say how the exception was resolved."]})
    with transaction.atomic():
        row = PostingException.objects.select_for_update().get(pk=exception.pk)
        if row.status != PostingException.Status.OPEN:
            raise ValidationError({"note": ["This exception is already resolved."]})
        row.status = PostingException.Status.RESOLVED
        row.resolution = note[:2000]
        row.resolved_by = actor if getattr(actor, "pk", None) else None
        row.resolved_at = timezone.now()
        row.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    return row


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": ["Enter an amount such as 25.00."]}) from None
    if amount <= 0 or amount > Decimal("1000000"):
        raise ValidationError({"amount": ["A payment is more than 0.00 and under a million."]})
    return amount


def patient_payment_record(
    *, patient: Any, amount: Any, method: str, reference: str, actor: Any
) -> PatientLedgerEntry:
    """A payment the patient made: a negative ledger entry (the balance is the sum)."""
    amount = _amount(amount)
    if method not in PAYMENT_METHODS:
        raise ValidationError({"method": [f"Choose one of: {', '.join(PAYMENT_METHODS)}."]})
    reference = (reference or "").strip()
    reason = f"{PAYMENT_METHODS[method]} payment" + (f" {reference}" if reference else "")
    with transaction.atomic():
        return PatientLedgerEntry.objects.create(
            patient=patient,
            kind=PatientLedgerEntry.Kind.PAYMENT,
            reason=reason[:80],
            amount=-amount,
            posted_on=timezone.localdate(),
            created_by=actor if getattr(actor, "pk", None) else None,
            part2=patient_has_part2(patient.pk),
        )


# --- Denial work ----------------------------------------------------------------------
# Denial work: assign, note, hand out the next denial, correct (replacement claim), appeal

S = Denial.Status
WORKABLE = (S.OPEN, S.CORRECTED, S.APPEALED, S.ESCALATED, S.CLOSED)


class StaleDenial(ValidationError):
    """The denial changed since the caller read it."""


def _event(
    denial: Denial,
    kind: str,
    *,
    actor: Any,
    from_status: str = "",
    message: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> DenialEvent:
    return DenialEvent.objects.create(
        denial=denial,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status,
        to_status=denial.status,
        message=message[:500],
        note=note,
        data=data or {},
        part2=denial.part2,
    )


def _locked(denial: Denial, version: int | None) -> Denial:
    row = Denial.objects.select_for_update().get(pk=denial.pk)
    if version is not None and row.version != version:
        raise StaleDenial({"version": "This denial changed since you opened it; reload it."})
    return row


def _save(denial: Denial, fields: Sequence[str]) -> None:
    denial.version = F("version") + 1
    denial.save(update_fields=[*set(fields), "version", "updated_at"])
    denial.refresh_from_db()


def _move(
    denial: Denial,
    *,
    to: str,
    kind: str,
    actor: Any,
    allowed: Sequence[str],
    message: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    fields: Sequence[str] = (),
) -> Denial:
    if denial.status not in allowed:
        raise ValidationError(
            {"status": f"The denial is {denial.get_status_display().lower()}: not now."}
        )
    before, denial.status = denial.status, to
    _save(denial, ["status", *fields])
    _event(denial, kind, actor=actor, from_status=before, message=message, note=note, data=data)
    return denial


def _reason(text: str, name: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({name: "Say why."})
    if len(text) > 2000:
        raise ValidationError({name: "Keep it under 2,000 characters."})
    return text


# --- Assign, note, next --------------------------------------------------------------------


@transaction.atomic
def denial_assign(
    *, denial: Denial, actor: Any, assignee: Any, version: int | None = None
) -> Denial:
    row = _locked(denial, version)
    row.assigned_to = assignee
    _save(row, ["assigned_to"])
    name = getattr(assignee, "username", "nobody")
    _event(row, "assigned", actor=actor, message=f"Assigned to {name}")
    return row


@transaction.atomic
def denial_note(*, denial: Denial, actor: Any, note: str) -> DenialEvent:
    """A note never conflicts with another change: no version check."""
    text = _reason(note, "note")
    row = _locked(denial, None)
    return _event(row, "note", actor=actor, note=text)


def denial_next(*, filters: Any = None, user: Any, skip: Sequence[Any] = ()) -> Denial | None:
    """Hand `user` the highest-priority open denial matching `filters` that is unassigned or
    already theirs, assigned to them. SELECT ... FOR UPDATE SKIP LOCKED: two billers asking at
    once never get the same denial."""
    from denials.selectors import DenialFilters, denials_in_queue

    qs = denials_in_queue(filters=filters or DenialFilters(), user=user).filter(status=S.OPEN)
    qs = qs.filter(assigned_to__isnull=True) | qs.filter(assigned_to=user)
    with transaction.atomic():
        row = (
            qs.exclude(public_id__in=skip)
            .order_by("-priority", "appeal_deadline", "pk")
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if row is None:
            return None
        if row.assigned_to_id != user.pk:
            row = denial_assign(denial=row, actor=user, assignee=user)
    return row


# --- Correct, appeal -----------------------------------------------------------------------


@transaction.atomic
def denial_correct(
    *, denial: Denial, actor: Any, reason: str, version: int | None = None, org_slug: str = ""
) -> Claim:
    """Send the claim again as a replacement (frequency 7 + REF*F8, claims.claim_replace)."""
    why = _reason(reason)
    row = _locked(denial, version)
    if row.status not in (S.OPEN, S.CLOSED):
        raise ValidationError({"status": "Only an open denial is corrected."})
    replacement = claim_services.claim_replace(
        claim=row.claim, actor=actor, reason=why, org_slug=org_slug
    )
    _move(
        row,
        to=S.CORRECTED,
        kind="corrected",
        actor=actor,
        allowed=(S.OPEN, S.CLOSED),
        note=why,
        message=f"Replacement claim {replacement.control_number} built",
        data={"replacement": str(replacement.public_id)},
    )
    return replacement


def _next_level(denial: Denial) -> int:
    last = denial.appeals.order_by("-level").first()
    return 1 if last is None else last.level + 1


@transaction.atomic
def denial_appeal(
    *, denial: Denial, actor: Any, version: int | None = None, filed_on: dt.date | None = None
) -> Appeal:
    """Open the next appeal level with its letter built from the claim's facts."""
    from denials.selectors import letter_facts

    row = _locked(denial, version)
    if row.status not in (S.OPEN, S.CORRECTED):
        raise ValidationError({"status": "Only an open denial is appealed."})
    if row.appeals.filter(outcome=Appeal.Outcome.PENDING).exists():
        raise ValidationError({"status": "An appeal is already pending."})
    level = _next_level(row)
    name = appeal_rules.level_name(row.payer.kind, level)
    if name is None:
        raise ValidationError({"level": "The payer has no further appeal level."})
    short = appeal_rules.amount_in_controversy_short(
        payer_kind=row.payer.kind, level=level, amount=row.amount, on=timezone.localdate()
    )
    if short:
        raise ValidationError({"level": short})
    facts = letter_facts(denial=row, level_name=name)
    appeal = Appeal.objects.create(
        denial=row,
        level=level,
        level_name=name,
        deadline=row.appeal_deadline,
        filed_on=filed_on,
        letter=appeal_rules.letter_text(facts),
        created_by=actor if getattr(actor, "pk", None) else None,
        part2=row.part2,
    )
    _move(
        row,
        to=S.APPEALED,
        kind="appealed",
        actor=actor,
        allowed=(S.OPEN, S.CORRECTED),
        message=f"{name} (level {level}) opened, due {row.appeal_deadline or 'no deadline'}",
        data={"appeal": str(appeal.public_id), "level": level},
    )
    return appeal


def _locked_appeal(appeal: Appeal, version: int | None) -> Appeal:
    row = Appeal.objects.select_for_update().select_related("denial").get(pk=appeal.pk)
    if version is not None and row.version != version:
        raise StaleDenial({"version": "This appeal changed since you opened it; reload it."})
    return row


@transaction.atomic
def appeal_file(
    *, appeal: Appeal, actor: Any, filed_on: dt.date, version: int | None = None
) -> Appeal:
    row = _locked_appeal(appeal, version)
    if row.outcome != Appeal.Outcome.PENDING:
        raise ValidationError({"filed_on": "The appeal is decided."})
    row.filed_on = filed_on
    row.version = F("version") + 1
    row.save(update_fields=["filed_on", "version"])
    row.refresh_from_db()
    _event(row.denial, "appeal_filed", actor=actor, message=f"{row.level_name} filed {filed_on}")
    return row


@transaction.atomic
def appeal_record_outcome(
    *,
    appeal: Appeal,
    actor: Any,
    outcome: str,
    amount_recovered: Decimal | None = None,
    decided_on: dt.date | None = None,
    version: int | None = None,
) -> Appeal:
    """overturned: the denial is recovered; partial: it stays open with the rest; upheld: it
    reopens at the next level (deadline from the decision), or closes when none is left."""
    row = _locked_appeal(appeal, version)
    denial = _locked(row.denial, None)
    if row.outcome != Appeal.Outcome.PENDING:
        raise ValidationError({"outcome": "This appeal already has its outcome."})
    if outcome not in Appeal.Outcome.values or outcome == Appeal.Outcome.PENDING:
        raise ValidationError({"outcome": "Choose overturned, partial or upheld."})
    decided_on = decided_on or timezone.localdate()
    recovered = _recovered(outcome, amount_recovered, denial.amount)
    row.outcome, row.amount_recovered, row.decided_on = outcome, recovered, decided_on
    row.version = F("version") + 1
    row.save(update_fields=["outcome", "amount_recovered", "decided_on", "version"])
    row.refresh_from_db()
    _apply_outcome(denial, row, actor)
    return row


def _recovered(outcome: str, amount: Decimal | None, denied: Decimal) -> Decimal:
    if outcome == Appeal.Outcome.UPHELD:
        return Decimal("0")
    amount = denied if amount is None and outcome == Appeal.Outcome.OVERTURNED else amount
    if amount is None or amount <= 0:
        raise ValidationError({"amount_recovered": "Enter the amount the payer agreed to pay."})
    if amount > denied or (outcome == Appeal.Outcome.PARTIAL and amount >= denied):
        raise ValidationError(
            {"amount_recovered": f"A partial recovery is less than the ${denied} denied."}
        )
    return amount


def _apply_outcome(denial: Denial, appeal: Appeal, actor: Any) -> None:
    msg = f"{appeal.level_name}: {appeal.get_outcome_display().lower()}"
    data = {"appeal": str(appeal.public_id), "recovered": str(appeal.amount_recovered)}
    allowed = (S.APPEALED,)
    if appeal.outcome == Appeal.Outcome.OVERTURNED:
        _move(denial, to=S.RECOVERED, kind="recovered", actor=actor, allowed=allowed, message=msg)
        return
    if appeal.outcome == Appeal.Outcome.PARTIAL:
        rest = denial.amount - appeal.amount_recovered
        denial.amount = rest
        data["remaining"] = str(rest)
        _move(
            denial,
            to=S.OPEN,
            kind="partly_recovered",
            actor=actor,
            allowed=allowed,
            message=f"{msg}; ${rest} still open",
            data=data,
            fields=["amount"],
        )
        return
    nxt = appeal.level + 1
    kind = denial.payer.kind
    deadline = appeal_rules.level_deadline(
        payer_kind=kind,
        level=nxt,
        start=appeal.decided_on,
        payer_window_days=denial.payer.appeal_window_days,
    )
    if deadline is None:
        _move(
            denial,
            to=S.CLOSED,
            kind="appeals_exhausted",
            actor=actor,
            allowed=allowed,
            message=f"{msg}; no further level",
            data=data,
        )
        return
    denial.appeal_deadline = deadline
    name = appeal_rules.level_name(kind, nxt)
    _move(
        denial,
        to=S.OPEN,
        kind="upheld",
        actor=actor,
        allowed=allowed,
        message=f"{msg}; next: {name} by {deadline}",
        data=data,
        fields=["appeal_deadline"],
    )


# --- Write-offs ----------------------------------------------------------------------------


def denial_settings_of() -> DenialSettings:
    """The active org's settings (created with defaults on first use)."""
    found = DenialSettings.objects.first()
    return found or DenialSettings.objects.create()


@transaction.atomic
def denial_settings_save(*, actor: Any, write_off_approval_threshold: Decimal) -> DenialSettings:
    if write_off_approval_threshold < 0:
        raise ValidationError({"write_off_approval_threshold": "Zero or more."})
    row = denial_settings_of()
    row.write_off_approval_threshold = write_off_approval_threshold
    row.save()
    return row


def _write_off_claim(denial: Denial, actor: Any, reason: str) -> None:
    claim = Claim.objects.select_for_update().get(pk=denial.claim_id)
    claim.written_off_amount = claim.written_off_amount + denial.amount
    claim.save(update_fields=["written_off_amount", "updated_at"])
    ClaimEvent.objects.create(
        claim=claim,
        kind=ClaimEvent.Kind.WRITTEN_OFF,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=claim.status,
        to_status=claim.status,
        message=f"${denial.amount} written off (CARC {denial.carc})",
        note=reason,
    )


@transaction.atomic
def denial_write_off(
    *, denial: Denial, actor: Any, reason: str, version: int | None = None
) -> Denial:
    """At or under the org's threshold: written off now (the claim's written_off_amount grows).
    Above it: waits for a billing manager (wo_pending)."""
    why = _reason(reason)
    row = _locked(denial, version)
    threshold = denial_settings_of().write_off_approval_threshold
    if row.amount <= threshold:
        _move(
            row,
            to=S.WRITTEN_OFF,
            kind="written_off",
            actor=actor,
            allowed=WORKABLE,
            note=why,
            message=f"${row.amount} written off (threshold ${threshold})",
        )
        _write_off_claim(row, actor, why)
        return row
    return _move(
        row,
        to=S.WRITE_OFF_PENDING,
        kind="write_off_requested",
        actor=actor,
        allowed=WORKABLE,
        note=why,
        message=f"${row.amount} is over the ${threshold} threshold: awaiting approval",
        data={"from_status": row.status},
    )


@transaction.atomic
def denial_write_off_decide(
    *,
    denial: Denial,
    actor: Any,
    approve: bool,
    reason: str = "",
    version: int | None = None,
    role: str = "",
) -> Denial:
    """A billing manager (APPROVE_WRITE_OFFS) approves or rejects a pending write-off; the
    member who asked for it may not approve it (separation of duties)."""
    if not role or not role_has(role, Cap.APPROVE_WRITE_OFFS):
        raise ValidationError({"approve": "Only a billing manager approves write-offs."})
    row = _locked(denial, version)
    allowed = (S.WRITE_OFF_PENDING,)
    requested = (
        DenialEvent.objects.filter(denial=row, kind="write_off_requested")
        .order_by("-created_at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )
    if approve and requested is not None and getattr(actor, "pk", None) == requested:
        raise ValidationError(
            {"approve": "You asked for this write-off: another billing manager approves it."}
        )
    if approve:
        _move(
            row,
            to=S.WRITTEN_OFF,
            kind="write_off_approved",
            actor=actor,
            allowed=allowed,
            note=reason,
            message=f"${row.amount} write-off approved",
        )
        _write_off_claim(row, actor, reason or "approved")
        return row
    return _move(
        row,
        to=S.OPEN,
        kind="write_off_rejected",
        actor=actor,
        allowed=allowed,
        note=_reason(reason),
        message="Write-off rejected; work it again",
    )


# --- Parity --------------------------------------------------------------------------------


@transaction.atomic
def denial_escalate_parity(
    *, denial: Denial, actor: Any, version: int | None = None
) -> ParityEscalation:
    """Open a parity escalation: the findings (denials.selectors.parity_findings) and the
    regulator for the plan (denials.parity.regulator_for)."""
    from denials.selectors import parity_findings, plan_funding

    row = _locked(denial, version)
    if not row.parity_relevant:
        raise ValidationError({"status": "This denial is not a parity-relevant denial."})
    regulator = parity.regulator_for(payer_kind=row.payer.kind, plan_funding=plan_funding(row))
    if regulator is None:
        raise ValidationError(
            {
                "regulator": "Parity law does not reach this plan (Medicare) or its funding "
                "(self-funded ERISA or fully insured) is not recorded on the coverage or payer."
            }
        )
    escalation = ParityEscalation.objects.create(
        denial=row,
        regulator=regulator,
        findings=[f.as_dict() for f in parity_findings(denial=row)],
        created_by=actor if getattr(actor, "pk", None) else None,
        part2=row.part2,
    )
    _move(
        row,
        to=S.ESCALATED,
        kind="escalated",
        actor=actor,
        allowed=(S.OPEN, S.APPEALED, S.CLOSED),
        message=f"Parity escalation to {parity.REGULATORS[regulator]['name']}",
        data={"escalation": str(escalation.public_id)},
    )
    return escalation


@transaction.atomic
def parity_escalation_update(
    *,
    escalation: ParityEscalation,
    actor: Any,
    status: str,
    note: str = "",
    version: int | None = None,
) -> ParityEscalation:
    row = ParityEscalation.objects.select_for_update().get(pk=escalation.pk)
    if version is not None and row.version != version:
        raise StaleDenial({"version": "This escalation changed since you opened it; reload it."})
    order = [c for c, _ in ParityEscalation.Status.choices]
    if status not in order or order.index(status) <= order.index(row.status):
        raise ValidationError({"status": "An escalation moves open -> filed -> resolved."})
    today = timezone.localdate()
    row.status = status
    if status == ParityEscalation.Status.FILED:
        row.filed_on = today
    else:
        row.resolved_on, row.resolution = today, _reason(note, "note")[:500]
    row.version = F("version") + 1
    row.save()
    row.refresh_from_db()
    _event(
        row.denial,
        f"parity_{status}",
        actor=actor,
        note=note,
        message=f"Parity escalation {row.get_status_display().lower()}",
    )
    return row

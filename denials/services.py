"""Denials writes outside posting: resolving posting exceptions and recording patient
payments (keyword-only, atomic, ValidationError with field messages)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from denials.models import PatientLedgerEntry, PostingException

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
            part2=patient.episodes.filter(part2_applies=True).exists(),
        )

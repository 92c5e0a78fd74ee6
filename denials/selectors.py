"""Denials reads shared by the pages and the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from denials import codes
from denials.models import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    PatientLedgerEntry,
    PostingException,
    Remittance,
)


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

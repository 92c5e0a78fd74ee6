"""The leadership dashboard's figures, for the active org (row-level security and the Part 2
gate apply: every read goes through the scoped managers, so a member without Part 2 access
counts no Part 2 claim). Each figure names the claims behind it (`claims_for`), and each
aggregate is one GROUP BY query on claims_claim (plus the payers' names).

Definitions (benchmarks: REFERENCE.md §13, HFMA MAP Keys as quoted there):

- Open A/R: claims sent to the payer — status submitted, accepted, paid, denied or rejected
  (claims.selectors.AR_STATUSES; queued, replaced, voided and cancelled claims are not A/R) —
  with an open insurance balance > 0 (Claim.balance = charge − paid − contractual − patient
  share − written off). Amount = the balance.
- Age, by date of service: org-local days since the claim's first date of service; by
  submission date: days since `submitted_at` (a sent claim without one counts from its first
  date of service). Buckets 0–30, 31–60, 61–90, 91–120, over 120.
- Days in A/R = open A/R ÷ average daily charges, the charges being the total charge of claims
  in those sent statuses whose first date of service lies in the last 90 days, ÷ 90.
- A/R over 90 days = share of open A/R (by date of service) older than 90 days.
- Adjudicated claim: one with at least one posted, non-reversal claim payment (CLP). Its first
  remittance is the earliest such CLP (by posting order). Initial denial rate = adjudicated
  claims with a denial (claim- or line-level) from their first remittance ÷ adjudicated claims;
  by root cause, the claims with a first-remittance denial of that root cause.
- Clean-claim rate (REFERENCE §13: "passes 999 + 277CA on first submission"): original claims
  (frequency 1) that were submitted, with no "rejected" event and never held by the scrubber
  (no "held" event) ÷ original claims submitted.
- First-pass resolution: adjudicated claims finalized by their first adjudication — a single
  non-reversal CLP, no denial, and not replaced by a corrected claim — ÷ adjudicated claims.
- Net collection rate = payer payments ÷ (charges − contractual adjustments), over adjudicated
  claims (Claim.paid_amount, total_charge, contractual_amount).
- Collections over time: claim payments (ClaimPayment.paid, reversals netting) by week or
  month of the payment date (the CLP's, else its remittance's payment date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from claims.models import Claim, ClaimEvent
from claims.selectors import AR_STATUSES, BUCKETS, bucket_q
from denials.codes import ROOT_CAUSES
from denials.models import ClaimPayment, Denial, PatientLedgerEntry
from payers.models import Payer

ZERO = Decimal("0")
BASES = ("service", "submission")
TRAILING_DAYS = 90

# REFERENCE.md §13 (HFMA MAP Keys / MGMA as quoted by vendors; directional): the lines the
# charts draw. Lower is better for the denial rate, days in A/R and A/R over 90 days.
BENCHMARKS: dict[str, dict[str, Any]] = {
    "initial_denial_rate": {"best": 5.0, "typical": 10.0, "problem": 12.0, "unit": "%"},
    "clean_claim_rate": {"target": 95.0, "top": 97.0, "unit": "%"},
    "first_pass_resolution_rate": {"target": 90.0, "average": 85.0, "unit": "%"},
    "days_in_ar": {"target_low": 30.0, "target_high": 40.0, "unit": "days"},
    "ar_over_90_share": {"top": 10.0, "acceptable": 15.0, "unit": "%"},
    "net_collection_rate": {"target": 95.0, "top": 97.0, "unit": "%"},
}


def _today() -> dt.date:
    return timezone.localdate()


# --- Which claims ----------------------------------------------------------------------------


def ar_q() -> Q:
    return Q(status__in=AR_STATUSES, balance__gt=0)


def _first_payment() -> Subquery:
    return Subquery(
        ClaimPayment.objects.filter(claim=OuterRef("pk"), reversal=False)
        .order_by("remittance_id", "position", "pk")
        .values("pk")[:1]
    )


def adjudicated_qs() -> QuerySet[Claim]:
    return Claim.objects.filter(
        Exists(ClaimPayment.objects.filter(claim=OuterRef("pk"), reversal=False))
    )


def _first_denied(root_cause: str = "") -> Exists:
    denials = Denial.objects.filter(claim=OuterRef("pk"), claim_payment_id=OuterRef("first_cp"))
    if root_cause:
        denials = denials.filter(root_cause=root_cause)
    return Exists(denials)


def first_denied_qs(root_cause: str = "") -> QuerySet[Claim]:
    return adjudicated_qs().annotate(first_cp=_first_payment()).filter(_first_denied(root_cause))


def submitted_originals_qs() -> QuerySet[Claim]:
    return Claim.objects.filter(frequency="1", submitted_at__isnull=False)


def clean_qs() -> QuerySet[Claim]:
    unclean = ClaimEvent.objects.filter(
        claim=OuterRef("pk"), kind__in=[ClaimEvent.Kind.REJECTED, ClaimEvent.Kind.HELD]
    )
    return submitted_originals_qs().exclude(Exists(unclean))


def first_pass_qs() -> QuerySet[Claim]:
    payments = ClaimPayment.objects.filter(claim=OuterRef("pk"), reversal=False)
    return (
        adjudicated_qs()
        .annotate(cps=Subquery(payments.values("claim").annotate(n=Count("pk")).values("n")[:1]))
        .filter(cps=1)
        .exclude(Exists(Denial.objects.filter(claim=OuterRef("pk"))))
        .exclude(Exists(Claim.objects.filter(original=OuterRef("pk"))))
    )


METRICS = {
    "ar": "Open A/R",
    "adjudicated": "Adjudicated claims",
    "first_denied": "Denied on first remittance",
    "submitted": "Original claims submitted",
    "clean": "Clean claims (accepted on first submission)",
    "first_pass": "Resolved on first adjudication",
}


def claims_for(
    metric: str,
    *,
    payer: Any = None,
    bucket: str = "",
    basis: str = "service",
    root_cause: str = "",
    over_90: bool = False,
    today: dt.date | None = None,
) -> QuerySet[Claim]:
    """The claims behind a figure (what a drill-down lists)."""
    today = today or _today()
    if metric == "ar":
        qs = Claim.objects.filter(ar_q())
        if bucket:
            qs = qs.filter(_basis_bucket_q(bucket, today, basis))
        if over_90:
            qs = qs.filter(_over_90_q(today))
    elif metric == "adjudicated":
        qs = adjudicated_qs()
    elif metric == "first_denied":
        qs = first_denied_qs(root_cause)
    elif metric == "submitted":
        qs = submitted_originals_qs()
    elif metric == "clean":
        qs = clean_qs()
    elif metric == "first_pass":
        qs = first_pass_qs()
    else:
        raise ValueError(metric)
    if payer is not None:
        qs = qs.filter(payer=payer)
    return qs


def _basis_bucket_q(key: str, today: dt.date, basis: str) -> Q:
    q = bucket_q(key, today, basis=basis)
    if basis == "submission":  # a sent claim without a submission time: by date of service
        return (Q(submitted_at__isnull=False) & q) | (
            Q(submitted_at__isnull=True) & bucket_q(key, today, basis="service")
        )
    return q


def _over_90_q(today: dt.date) -> Q:
    return Q(service_from__lt=today - dt.timedelta(days=90))


# --- A/R aging -------------------------------------------------------------------------------


@dataclass
class AgingRow:
    payer_id: int | None
    payer: str
    payer_public_id: str
    amounts: dict[str, Decimal] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)

    @property
    def count(self) -> int:
        return sum(self.counts.values())


def ar_aging(*, basis: str = "service", today: dt.date | None = None) -> dict[str, Any]:
    """Open A/R by payer and age bucket (amounts and claim counts): one query, each claim's
    bucket computed once (a CASE over the buckets) and grouped by payer and bucket."""
    if basis not in BASES:
        raise ValueError(basis)
    today = today or _today()
    bucket = Case(
        *(When(_basis_bucket_q(key, today, basis), then=Value(key)) for key, *_ in BUCKETS),
        default=Value(""),
        output_field=CharField(),
    )
    rows = (
        Claim.objects.filter(ar_q())
        .annotate(bucket=bucket)
        .values("payer_id", "bucket")
        .annotate(n=Count("pk"), amount=Sum("balance"))
        .order_by()
    )
    found: dict[int, AgingRow] = {}
    overall = AgingRow(None, "All payers", "")
    for key, *_ in BUCKETS:
        overall.amounts[key], overall.counts[key] = ZERO, 0
    for row in rows:
        key = row["bucket"]
        if not key:  # a date of service in the future: not aged yet
            continue
        item = found.setdefault(row["payer_id"], AgingRow(row["payer_id"], "", ""))
        item.amounts[key] = item.amounts.get(key, ZERO) + (row["amount"] or ZERO)
        item.counts[key] = item.counts.get(key, 0) + row["n"]
        overall.amounts[key] += row["amount"] or ZERO
        overall.counts[key] += row["n"]
    names = Payer.objects.filter(pk__in=list(found)).values_list("pk", "name", "public_id")
    for pk, name, public_id in names:
        found[pk].payer, found[pk].payer_public_id = name, str(public_id)
    for item in found.values():
        for key, *_ in BUCKETS:
            item.amounts.setdefault(key, ZERO)
            item.counts.setdefault(key, 0)
    payers = sorted(found.values(), key=lambda r: (r.payer, r.payer_id or 0))
    return {"basis": basis, "as_of": today, "overall": overall, "payers": payers}


# --- Headline KPIs ---------------------------------------------------------------------------


def _pct(part: Any, whole: Any) -> float | None:
    if not whole:
        return None
    return round(float(part) * 100 / float(whole), 1)


def ar_summary(*, today: dt.date | None = None) -> dict[str, Any]:
    """Open A/R, days in A/R and the share over 90 days: one query."""
    today = today or _today()
    since = today - dt.timedelta(days=TRAILING_DAYS - 1)
    found = Claim.objects.filter(status__in=AR_STATUSES).aggregate(
        ar=Sum("balance", filter=Q(balance__gt=0)),
        ar_count=Count("pk", filter=Q(balance__gt=0)),
        over_90=Sum("balance", filter=Q(balance__gt=0) & _over_90_q(today)),
        charges=Sum("total_charge", filter=Q(service_from__gte=since, service_from__lte=today)),
    )
    ar = found["ar"] or ZERO
    charges = found["charges"] or ZERO
    daily = charges / TRAILING_DAYS
    return {
        "ar": ar,
        "ar_count": found["ar_count"],
        "ar_over_90": found["over_90"] or ZERO,
        "ar_over_90_share": _pct(found["over_90"] or ZERO, ar),
        "charges_90d": charges,
        "average_daily_charges": daily.quantize(Decimal("0.01")),
        "days_in_ar": round(float(ar / daily), 1) if daily else None,
    }


def rates() -> dict[str, Any]:
    """Clean-claim, initial denial, first-pass resolution and net collection rates."""
    adjudicated = adjudicated_qs().count()
    denied = first_denied_qs().count()
    submitted = submitted_originals_qs().count()
    clean = clean_qs().count()
    first_pass = first_pass_qs().count()
    money = adjudicated_qs().aggregate(
        paid=Sum("paid_amount"), charges=Sum("total_charge"), contractual=Sum("contractual_amount")
    )
    # Net collection rate (MGMA adjusted collection %): payments from payers and patients over
    # charges less contractual adjustments. Patient payments are the ledger's payment entries
    # (negative amounts: they reduce what the patient owes; recorded against the patient's
    # account, not a claim).
    patient_paid = -(
        PatientLedgerEntry.objects.filter(kind=PatientLedgerEntry.Kind.PAYMENT).aggregate(
            s=Sum("amount")
        )["s"]
        or ZERO
    )
    paid = (money["paid"] or ZERO) + patient_paid
    net = (money["charges"] or ZERO) - (money["contractual"] or ZERO)
    return {
        "adjudicated": adjudicated,
        "first_denied": denied,
        "initial_denial_rate": _pct(denied, adjudicated),
        "submitted": submitted,
        "clean": clean,
        "clean_claim_rate": _pct(clean, submitted),
        "first_pass": first_pass,
        "first_pass_resolution_rate": _pct(first_pass, adjudicated),
        "payments": paid,
        "charges_less_contractual": net,
        "net_collection_rate": _pct(paid, net),
    }


def denial_rates_by_payer() -> list[dict[str, Any]]:
    adjudicated = {
        r["payer_id"]: r
        for r in adjudicated_qs()
        .values("payer_id", "payer__name", "payer__public_id")
        .annotate(n=Count("pk"))
    }
    denied = dict(
        first_denied_qs().values("payer_id").annotate(n=Count("pk")).values_list("payer_id", "n")
    )
    out = []
    for payer_id, row in sorted(adjudicated.items(), key=lambda kv: kv[1]["payer__name"]):
        d = denied.get(payer_id, 0)
        out.append(
            {
                "payer_id": payer_id,
                "payer": row["payer__name"],
                "payer_public_id": str(row["payer__public_id"]),
                "adjudicated": row["n"],
                "denied": d,
                "rate": _pct(d, row["n"]),
            }
        )
    return out


def denial_rates_by_root_cause() -> list[dict[str, Any]]:
    adjudicated = adjudicated_qs().count()
    first = (
        Denial.objects.filter(
            claim_payment_id=Subquery(
                ClaimPayment.objects.filter(claim=OuterRef("claim_id"), reversal=False)
                .order_by("remittance_id", "position", "pk")
                .values("pk")[:1]
            )
        )
        .values("root_cause")
        .annotate(n=Count("claim_id", distinct=True))
    )
    counts = {r["root_cause"]: r["n"] for r in first}
    return [
        {
            "root_cause": cause,
            "adjudicated": adjudicated,
            "denied": counts[cause],
            "rate": _pct(counts[cause], adjudicated),
        }
        for cause in ROOT_CAUSES
        if counts.get(cause)
    ]


def collections(*, period: str = "month") -> list[dict[str, Any]]:
    """Payer payments by week or month of the payment date (reversals net)."""
    trunc = TruncWeek if period == "week" else TruncMonth
    day = Coalesce(F("payment_date"), F("remittance__payment_date"), output_field=DateField())
    rows = (
        ClaimPayment.objects.annotate(day=day)
        .filter(day__isnull=False)
        .annotate(period=trunc("day", output_field=DateField()))
        .values("period")
        .annotate(paid=Sum("paid"), claims=Count("claim_id", distinct=True))
        .order_by("period")
    )
    return [{"period": r["period"], "paid": r["paid"] or ZERO, "claims": r["claims"]} for r in rows]


def dashboard(*, basis: str = "service", period: str = "month") -> dict[str, Any]:
    return {
        "summary": ar_summary(),
        "rates": rates(),
        "aging": ar_aging(basis=basis),
        "denials_by_payer": denial_rates_by_payer(),
        "denials_by_root_cause": denial_rates_by_root_cause(),
        "collections": collections(period=period),
        "benchmarks": BENCHMARKS,
    }

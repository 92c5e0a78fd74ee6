"""Secondary claims: once the primary payer has adjudicated a claim (CLP02 1 "processed as
primary" or 19 "processed as primary, forwarded"), the patient's secondary coverage in force on
the dates of service is billed the same services, carrying the primary's adjudication as the
837's coordination-of-benefits loops (2320 CAS/AMT*D/AMT*EAF, 2330A/B, 2430 SVD/CAS/DTP*573).

The remittance rows (ClaimPayment, LinePayment, Adjustment) are turned into the claim's `cob`
data here; claims.edi_map writes it. Balancing, as the 837 TR3 asks and the 837 model checks
(edi.claim837): per line, SVD02 paid + the line's CAS amounts = the line charge (SV102/SV203;
X12 RFI #1555, "the sum of the unbundled line SVD02 payment amounts plus all CAS adjustment
amounts ... must add up to the original charge for the line"); per payer, the claim charge -
claim-level CAS - line-level CAS = AMT*D (X12 RFI #524). A remittance that does not balance
against our charges leaves the secondary held at submission with the mapping's reason.

Idempotent: one live secondary per primary (claims.Claim constraint
uniq_live_secondary_per_primary; posting the same remittance twice builds one). A reversal of
the primary cancels a secondary not yet sent and flags one already sent; a corrected
adjudication (reversal and new payment) replaces an unsent secondary with one carrying the new
figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from claims.models import Claim
from claims.services import claim_secondary, claim_secondary_withdraw
from denials.models import OPEN_DENIAL_STATUSES, Adjustment, ClaimPayment, Denial, LinePayment
from patients.models import Coverage

# CLP02: 1 processed as primary, 19 processed as primary and forwarded to the additional payer
# (X12 835 claim status codes; REFERENCE.md §13).
ADJUDICATED_AS_PRIMARY = ("1", "19")
ZERO = Decimal("0")


@dataclass
class SecondarySummary:
    built: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "secondary_built": len(self.built),
            "secondary_cancelled": len(self.cancelled),
            "secondary_flagged": len(self.flagged),
        }


def _in_force(cov: Coverage, claim: Claim) -> bool:
    return cov.effective_date <= claim.service_from and (
        cov.end_date is None or cov.end_date >= claim.service_to
    )


def _next_coverages(claims: Iterable[Claim]) -> dict[int, Coverage]:
    """Each claim's next coverage (the claim's priority + 1) in force on every date of
    service, in one query."""
    claims = list(claims)
    rows = (
        Coverage.objects.filter(patient_id__in={c.patient_id for c in claims}, priority__gt=1)
        .select_related("payer")
        .order_by("pk")
    )
    by_patient: dict[int, list[Coverage]] = {}
    for cov in rows:
        by_patient.setdefault(cov.patient_id, []).append(cov)
    found = {}
    for claim in claims:
        for cov in by_patient.get(claim.patient_id, []):
            if cov.priority == claim.coverage.priority + 1 and _in_force(cov, claim):
                found[claim.pk] = cov
                break
    return found


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _adjustments(rows: Iterable[Adjustment]) -> list[list[str]]:
    return [[a.group, a.reason, _money(a.amount)] for a in rows]


def cob_of(claim: Claim, cp: ClaimPayment) -> dict[str, Any]:
    """The primary's adjudication (one CLP and its lines) as the secondary's COB data, its
    lines keyed by the claim line number (the secondary copies the primary's numbering)."""
    adjustments = list(Adjustment.objects.filter(claim_payment=cp).order_by("pk"))
    by_line: dict[int | None, list[Adjustment]] = {}
    for a in adjustments:
        by_line.setdefault(a.line_payment_id, []).append(a)
    lines: dict[str, Any] = {}
    for lp in LinePayment.objects.filter(claim_payment=cp).select_related("claim_line"):
        if lp.claim_line is None:
            continue
        cl = lp.claim_line
        lines[str(cl.number)] = {
            "paid": _money(lp.paid),
            "units": str(lp.units if lp.units is not None else cl.units),
            "code": cl.code,
            "modifiers": list(cl.modifiers),
            "revenue_code": cl.revenue_code,
            "adjustments": _adjustments(by_line.get(lp.pk, [])),
        }
    day = cp.payment_date or cp.remittance.payment_date or dt.date.today()
    return {
        "primary_claim": claim.control_number,
        "payers": [
            {
                "coverage_id": claim.coverage_id,
                "payer_claim_number": cp.payer_claim_number,
                "paid": _money(cp.paid),
                "patient_liability": _money(cp.patient_responsibility or ZERO),
                "adjudicated_on": day.isoformat(),
                "adjustments": _adjustments(by_line.get(None, [])),
                "lines": lines,
            }
        ],
    }


def _last_payments(claim_ids: Iterable[int]) -> dict[int, ClaimPayment]:
    last: dict[int, ClaimPayment] = {}
    rows = (
        ClaimPayment.objects.filter(claim_id__in=list(claim_ids))
        .select_related("remittance")
        .order_by("pk")
    )
    for cp in rows:
        last[cp.claim_id] = cp
    return last


def build_secondary_claims(
    *, claim_ids: Iterable[int], actor: Any = None, org_slug: str = ""
) -> SecondarySummary:
    """For each claim (inside org_context): a primary whose last payment says CLP02 1 or 19
    and that no open whole-claim denial holds gets its secondary claim, when the patient has
    a next coverage in force on the dates of service; a primary whose last payment is a
    reversal has its secondary withdrawn (cancelled if unsent, else flagged)."""
    summary = SecondarySummary()
    ids = set(claim_ids)
    if not ids:
        return summary
    claims = {
        c.pk: c
        for c in Claim.objects.filter(pk__in=ids, primary_claim__isnull=True)
        .exclude(status__in=[Claim.Status.VOIDED, Claim.Status.CANCELLED])
        .select_related("coverage", "payer")
    }
    last = _last_payments(claims)
    denied_whole = set(
        Denial.objects.filter(
            claim_id__in=list(claims), claim_line__isnull=True, status__in=OPEN_DENIAL_STATUSES
        ).values_list("claim_id", flat=True)
    )
    # Batched look-ups: a remittance of thousands of claims costs a fixed number of queries
    # for the claims that have no next coverage (most of them).
    nexts = _next_coverages(claims.values())
    live = {
        s.primary_claim_id: s
        for s in Claim.objects.filter(primary_claim_id__in=list(claims)).exclude(
            status__in=[Claim.Status.CANCELLED, Claim.Status.VOIDED]
        )
    }
    for pk, claim in sorted(claims.items()):
        cp = last.get(pk)
        if cp is None:
            continue
        current = live.get(pk)
        if cp.reversal:
            if current is not None:
                what = claim_secondary_withdraw(
                    secondary=current,
                    actor=actor,
                    reason=f"The primary payer reversed claim {claim.control_number}",
                )
                getattr(summary, what, []).append(current.pk)
            continue
        coverage = nexts.get(pk)
        if cp.status_code not in ADJUDICATED_AS_PRIMARY or pk in denied_whole or not coverage:
            summary.skipped += 1
            continue
        cob = cob_of(claim, cp)
        if current is not None:
            if current.cob == cob:
                summary.skipped += 1  # built already (the same remittance posted again)
                continue
            # The primary's adjudication changed (a reversal and its correction): an unsent
            # secondary is cancelled and built again with the new figures; a sent one flagged.
            what = claim_secondary_withdraw(
                secondary=current,
                actor=actor,
                reason=f"The primary payer re-adjudicated claim {claim.control_number}",
            )
            getattr(summary, what, []).append(current.pk)
            if what == "flagged":
                continue
        built = claim_secondary(
            primary=claim, coverage=coverage, cob=cob, actor=actor, org_slug=org_slug
        )
        if built is None:
            summary.skipped += 1
        else:
            summary.built.append(built.pk)
    return summary

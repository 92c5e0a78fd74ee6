"""Posting 835 remittances (REFERENCE.md §10 "835 structure" and "835 balancing", §7 group
codes and CARCs).

`post_835(content=..., file_name=..., actor=..., source=...)` reads a file with `edi.x835` and,
in one transaction, posts every payment in it:

- Idempotent twice over: a file already posted (its sha256, per org) is skipped whole, and a
  payment already posted from another file (payer + TRN02) is skipped and counted; two imports
  at the same moment are serialized by advisory locks on the file hash and on each payment, and
  the unique constraints stand behind them.
- A file that is not a readable 835 is refused with the reader's reason and changes nothing but
  its own refusal record. A file that does not balance (line, claim or payment level) posts and
  raises one exception per failure for a biller to look at.
- Claims match by patient control number (CLP01 = our CLM01); lines by line control number
  (REF*6R), else by procedure code + modifiers + date among the claim's unmatched lines. A claim
  the org does not know, and a line that matched nothing, become exceptions (the money is kept
  on the posting, never dropped).
- Each CAS adjustment is classified (denials.codes): PR is the patient's share and goes to the
  patient's ledger; contractual and informational adjustments reduce the claim's balance;
  denials stay in the balance and become Denials (root cause, appeal deadline from the payer's
  window, priority with its reasons). Reversals (CLP02 = 22) carry negative amounts, so a
  reversal and its correction net; a reversal closes the claim's open denials (the correction
  raises them again if they still hold).
- PLB provider adjustments are recorded; takebacks (positive amounts) become exceptions.
  Overpayments (paid beyond the charge) become exceptions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from claims.acks import Refused, file_text, safe_reason
from claims.models import Claim, ClaimEvent, ClaimLine
from claims.services import _event
from denials import codes
from denials.models import (
    OPEN_DENIAL_STATUSES,
    Adjustment,
    ClaimPayment,
    Denial,
    DenialEvent,
    LinePayment,
    PatientLedgerEntry,
    PostingException,
    ProviderAdjustment,
    Remittance,
    RemittanceFile,
)
from denials.secondary import build_secondary_claims
from edi import x835
from edi.x12 import X12Error
from payers.models import Payer
from rcm.tenancy.bulk import insert_rows, update_rows
from rcm.tenancy.locks import org_xact_lock

log = logging.getLogger(__name__)

ZERO = Decimal("0")
MAX_REASON = 500
# Claims whose status a remittance moves (a replaced or voided claim keeps its status; money
# posted to it still counts).
ADJUDICABLE = (
    Claim.Status.SUBMITTED,
    Claim.Status.ACCEPTED,
    Claim.Status.REJECTED,
    Claim.Status.PAID,
    Claim.Status.DENIED,
)
PATIENT_SHARE = {"1": "deductible", "2": "coinsurance", "3": "copay"}


@dataclass
class PostingSummary:
    files: int = 0
    transactions: int = 0
    claims: int = 0  # CLP segments read
    service_lines: int = 0  # SVC segments read
    total_paid: Decimal = ZERO  # sum of CLP04 over the claims read
    payments_total: Decimal = ZERO  # sum of BPR02
    provider_adjustments: int = 0  # PLB adjustments (pairs)
    matched: int = 0
    unmatched: int = 0
    duplicates_skipped: int = 0
    balance_errors: int = 0
    denials: int = 0
    exceptions: int = 0
    patient_responsibility: Decimal = ZERO
    secondary_claims: int = 0  # secondary claims built (denials.secondary)
    refused: list[dict[str, str]] = field(default_factory=list)
    claim_ids: list[int] = field(default_factory=list, repr=False)

    def add(self, other: PostingSummary) -> PostingSummary:
        for name, value in asdict(other).items():
            if isinstance(value, list):
                getattr(self, name).extend(value)
            else:
                setattr(self, name, getattr(self, name) + value)
        return self

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("claim_ids")
        for key in ("total_paid", "payments_total", "patient_responsibility"):
            data[key] = f"{data[key]:.2f}"
        return data


def post_835(
    *,
    content: bytes,
    file_name: str,
    actor: Any = None,
    source: str = "upload",
    progress: Callable[[int], None] | None = None,
) -> PostingSummary:
    """Post one 835 file (see the module docstring); returns what it did. `progress`, when
    given, hears the number of claims posted so far after each payment (the upload page)."""
    digest = hashlib.sha256(content).hexdigest()
    summary = PostingSummary(files=1)
    with transaction.atomic():
        org_xact_lock("remittance-file", digest)
        row = RemittanceFile.objects.filter(sha256=digest).first()
        if row is not None and row.status == RemittanceFile.Status.POSTED:
            summary.duplicates_skipped = len(row.summary.get("transactions_seen", [])) or 1
            return summary
        row = row or RemittanceFile(sha256=digest)
        row.file_name, row.size, row.content = file_name[:255], len(content), file_text(content)
        row.source = source
        row.imported_by = actor if getattr(actor, "pk", None) else None
        try:
            remittances = _read(content)
        except Refused as exc:
            reason = str(exc)[:MAX_REASON]
            row.status, row.reason, row.summary = RemittanceFile.Status.REFUSED, reason, {}
            row.save()
            summary.refused.append({"file": file_name, "reason": reason})
            log.info("remittance file %s refused", row.pk)
            return summary
        row.status, row.reason = RemittanceFile.Status.POSTED, ""
        row.save()
        poster = _Poster(row, actor)
        for remittance in remittances:
            summary.add(poster.post(remittance))
            if progress is not None:
                progress(summary.claims)
        summary.files = 1
        row.part2 = poster.part2
        row.summary = {
            **json.loads(json.dumps(summary.as_dict())),
            "transactions_seen": [r.control_number for r in remittances],
        }
        row.save(update_fields=["part2", "summary"])
    return summary


def _read(content: bytes) -> list[x835.Remittance]:
    try:
        remittances = x835.read_835(content)
    except X12Error as exc:
        raise Refused(f"Not a readable 835: {safe_reason(str(exc))}") from None
    if not remittances:
        raise Refused("The file holds no 835 transaction.")
    return remittances


# --- posting one remittance -----------------------------------------------------------------


@dataclass
class _ClaimMoney:
    paid: Decimal = ZERO
    contractual: Decimal = ZERO
    patient: Decimal = ZERO
    denied: Decimal = ZERO


class _Poster:
    def __init__(self, file: RemittanceFile, actor: Any) -> None:
        self.file = file
        self.actor = actor if getattr(actor, "pk", None) else None
        self.part2 = False
        self.today = timezone.localdate()

    # The whole remittance is posted with a fixed number of queries, whatever its size.
    def post(self, rem: x835.Remittance) -> PostingSummary:
        summary = PostingSummary(transactions=1)
        summary.claims = len(rem.claims)
        summary.service_lines = sum(len(c.lines) for c in rem.claims)
        summary.total_paid = sum((c.paid for c in rem.claims), ZERO)
        summary.payments_total = rem.total_paid
        summary.provider_adjustments = len(rem.provider_adjustments)
        payer_key = (rem.payer_id or rem.trace_originator or rem.payer_name or "unknown")[:80]
        trace = (rem.trace_number or "")[:80]
        if trace:
            org_xact_lock("remittance", payer_key, trace)
            if Remittance.objects.filter(payer_key=payer_key, trace_number=trace).exists():
                return PostingSummary(duplicates_skipped=1)
        claims = self._claims([c.patient_control_number for c in rem.claims])
        errors = x835.balance_errors(rem)
        remittance = Remittance(
            file=self.file,
            payer=self._payer(rem, claims),
            payer_name=(rem.payer_name or "")[:120],
            payer_key=payer_key,
            trace_number=trace,
            handling_code=rem.handling_code[:2],
            payment_method=(rem.payment_method or "")[:3],
            total_paid=rem.total_paid,
            payment_date=rem.payment_date,
            payee_npi=(rem.payee_npi or "")[:10],
            claim_count=len(rem.claims),
            provider_adjustment_total=sum((p.amount for p in rem.provider_adjustments), ZERO),
            balanced=not errors,
            # Withheld whole only when every claim it pays is Part 2; a mixed payment stays
            # visible and its Part 2 rows (claim payments, lines, adjustments) are withheld.
            part2=bool(claims) and all(c.part2 for c in claims.values()),
        )
        any_part2 = any(c.part2 for c in claims.values())
        try:
            with transaction.atomic():
                remittance.save()
        except IntegrityError:  # the same payment, posted by a racing import
            return PostingSummary(duplicates_skipped=1)
        self.part2 |= any_part2  # the file (its raw content names every patient)
        work = _Work(self, remittance, rem, claims)
        work.any_part2 = any_part2
        work.run(errors)
        # The adjudicated primaries go on to the patient's next payer (denials.secondary
        # decides which: CLP02 1/19, no open whole-claim denial; reversals withdraw).
        secondaries = build_secondary_claims(claim_ids=work.touched, actor=self.actor)
        summary.secondary_claims = len(secondaries.built)
        summary.matched = work.matched
        summary.unmatched = work.unmatched
        summary.balance_errors = len(errors)
        summary.denials = len(work.denials)
        summary.exceptions = len(work.exceptions)
        summary.patient_responsibility = work.patient_total
        summary.claim_ids = sorted(work.touched)
        return summary

    def _claims(self, pcns: Sequence[str]) -> dict[str, Claim]:
        found = (
            Claim.objects.filter(control_number__in=set(pcns))
            .select_related("payer")
            .prefetch_related("lines")
        )
        return {c.control_number: c for c in found}

    def _payer(self, rem: x835.Remittance, claims: dict[str, Claim]) -> Payer | None:
        if claims:
            counts: dict[int, int] = defaultdict(int)
            for claim in claims.values():
                counts[claim.payer_id] += 1
            best = max(counts, key=lambda k: counts[k])
            return next(c.payer for c in claims.values() if c.payer_id == best)
        if rem.payer_id:
            return Payer.objects.filter(edi_payer_id=rem.payer_id).first()
        return None


def _line_key(code: str, modifiers: Iterable[str], day: dt.date | None) -> tuple:
    return (code, tuple(m for m in modifiers if m), day)


class _Work:
    """Rows for one remittance, built in memory and written in bulk."""

    def __init__(
        self,
        poster: _Poster,
        remittance: Remittance,
        rem: x835.Remittance,
        claims: dict[str, Claim],
    ) -> None:
        self.poster, self.remittance, self.rem, self.claims = poster, remittance, rem, claims
        self.posted_on = rem.payment_date or poster.today
        self.matched = self.unmatched = 0
        self.payments: list[ClaimPayment] = []
        self.lines: list[tuple[ClaimPayment, LinePayment, x835.RemitLine]] = []
        self.adjustments: list[tuple[ClaimPayment, LinePayment | None, Adjustment, tuple]] = []
        self.exceptions: list[PostingException] = []
        self.denials: list[Denial] = []
        self.ledger: list[PatientLedgerEntry] = []
        self.events: list[ClaimEvent] = []
        self.money: dict[int, _ClaimMoney] = defaultdict(_ClaimMoney)
        self.touched: set[int] = set()
        self.patient_total = ZERO
        self.original_kinds = self._original_kinds()
        self.any_part2 = False  # set by the poster: does this payment pay any Part 2 claim

    def _original_kinds(self) -> dict[tuple[int, str, str], str]:
        """For the claims this remittance reverses: how their earlier postings treated each
        group + reason, so a reversal puts every amount back where it came from (X12 RFI 1147:
        a reversal repeats the original adjustments with the signs flipped)."""
        reversed_ = {
            self.claims[c.patient_control_number].pk
            for c in self.rem.claims
            if c.reversal and c.patient_control_number in self.claims
        }
        if not reversed_:
            return {}
        rows = Adjustment.objects.filter(
            claim_payment__claim_id__in=reversed_, claim_payment__reversal=False
        ).values_list("claim_payment__claim_id", "group", "reason", "kind")
        return {(claim_id, group, reason): kind for claim_id, group, reason, kind in rows}

    def exception(
        self, kind: str, message: str, *, amount=ZERO, cp=None, claim=None, part2=False
    ) -> None:
        """An exception names control numbers and codes: it is Part 2 when its claim is, or
        when the caller says so (a payment-level problem of a remittance paying Part 2 claims,
        a PLB whose reference may be a Part 2 claim's)."""
        self.exceptions.append(
            PostingException(
                remittance=self.remittance,
                claim_payment=cp,
                claim=claim,
                kind=kind,
                message=message[:500],
                amount=amount,
                part2=bool(claim and claim.part2) or part2,
            )
        )

    def run(self, errors: list[x835.BalanceError]) -> None:
        for rc in self.rem.claims:
            self._claim(rc)
        insert_rows(self.payments)
        for cp, lp, _ in self.lines:
            lp.claim_payment = cp
        insert_rows([lp for _, lp, _ in self.lines])
        for cp, lp, adj, _ in self.adjustments:
            adj.claim_payment, adj.line_payment = cp, lp
        insert_rows([a for _, _, a, _ in self.adjustments])
        self._denials()
        self._secondary_credits()
        insert_rows(self.ledger)
        self._provider_adjustments()
        for err in errors:
            claim = self.claims.get(err.patient_control_number or "")
            self.exception(
                PostingException.Kind.BALANCE,
                err.message,
                amount=err.actual,
                claim=claim,
                part2=claim is None and self.any_part2,
            )
        self._claims_after()
        insert_rows(self.exceptions)
        insert_rows(self.events)

    # -- one CLP ---------------------------------------------------------------------------

    def _claim(self, rc: x835.RemitClaim) -> None:
        claim = self.claims.get(rc.patient_control_number)
        part2 = bool(claim and claim.part2)
        details = {"member_id": rc.member_id, "last": rc.patient_last_name}
        cp = ClaimPayment(
            remittance=self.remittance,
            claim=claim,
            patient_control_number=rc.patient_control_number[:38],
            status_code=rc.status_code[:2],
            charge=rc.charge,
            paid=rc.paid,
            patient_responsibility=rc.patient_responsibility or ZERO,
            payer_claim_number=(rc.payer_claim_number or "")[:50],
            reversal=rc.reversal,
            position=rc.position,
            payment_date=self.rem.payment_date,
            remarks=list(rc.remarks),
            details=json.dumps(details) if claim is None else "",
            part2=part2,
        )
        self.payments.append(cp)
        if claim is None:
            self.unmatched += 1
            self.exception(
                PostingException.Kind.UNMATCHED_CLAIM,
                f"Claim {rc.patient_control_number} (payer claim {rc.payer_claim_number or '-'})"
                f" is not one of this organization's claims; paid {rc.paid:.2f}.",
                amount=rc.paid,
                cp=cp,
            )
            return
        self.matched += 1
        self.touched.add(claim.pk)
        money = self.money[claim.pk]
        money.paid += rc.paid
        if rc.status_code == "23":
            self.exception(
                PostingException.Kind.NOT_OUR_CLAIM,
                f"The payer says claim {claim.control_number} is not its claim (CLP02=23).",
                cp=cp,
                claim=claim,
            )
        if rc.reversal:
            self.exception(
                PostingException.Kind.REVERSAL,
                f"The payer reversed its payment of claim {claim.control_number} "
                f"({rc.paid:.2f}); a corrected payment usually follows.",
                amount=rc.paid,
                cp=cp,
                claim=claim,
            )
        for adj in rc.adjustments:
            self._adjustment(claim, cp, None, adj, rc, rc.remarks)
        by_control = {ln.control_number: ln for ln in claim.lines.all()}
        free = {ln.pk: ln for ln in claim.lines.all()}
        for rl in rc.lines:
            line = self._match_line(claim, rl, by_control, free)
            lp = LinePayment(
                claim_line=line,
                procedure_code=rl.procedure_code[:48],
                modifiers=[m[:2] for m in rl.modifiers],
                revenue_code=(rl.revenue_code or "")[:4],
                charge=rl.charge,
                paid=rl.paid,
                allowed=rl.allowed,
                units=rl.units,
                service_date=rl.service_date_from,
                line_control_number=(rl.line_control_number or "")[:50],
                remarks=list(rl.remarks),
                position=rl.position,
                part2=part2,
            )
            self.lines.append((cp, lp, rl))
            if line is None:
                self.exception(
                    PostingException.Kind.UNMATCHED_LINE,
                    f"Line {rl.position} of claim {claim.control_number} ({rl.procedure_code} "
                    f"{rl.service_date_from or ''}) matched none of the claim's lines.",
                    amount=rl.paid,
                    cp=cp,
                    claim=claim,
                )
            for adj in rl.adjustments:
                self._adjustment(claim, cp, lp, adj, rc, (*rl.remarks, *rc.remarks))

    def _match_line(self, claim, rl, by_control, free) -> ClaimLine | None:
        line = by_control.get(rl.line_control_number or "")
        if line is None:
            wanted = _line_key(rl.procedure_code, rl.modifiers, rl.service_date_from)
            line = next(
                (
                    ln
                    for ln in free.values()
                    if _line_key(ln.code, ln.modifiers, ln.service_date) == wanted
                ),
                None,
            )
        if line is not None:
            free.pop(line.pk, None)
        return line

    def _adjustment(self, claim, cp, lp, adj: x835.Adjustment, rc, remarks) -> None:
        money = self.money[claim.pk]
        group = adj.group
        if group == "PR":
            kind = Adjustment.Kind.PATIENT
            money.patient += adj.amount
            share = PATIENT_SHARE.get(adj.reason, "patient responsibility")
            self.ledger.append(
                PatientLedgerEntry(
                    patient_id=claim.patient_id,
                    claim=claim,
                    claim_payment=cp,
                    kind=PatientLedgerEntry.Kind.RESPONSIBILITY,
                    reason=f"PR-{adj.reason} {share}"[:80],
                    amount=adj.amount,
                    posted_on=self.posted_on,
                    created_by=self.poster.actor,
                    part2=claim.part2,
                )
            )
            self.patient_total += adj.amount
            classified = None
        else:
            # A reversal's adjustments undo the original's: classify them as the original was
            # (CLP02 unknown), so each lands back in the bucket it came from.
            status = None if rc.reversal else rc.status_code
            try:
                classified = codes.classify(group, adj.reason, remarks, claim_status=status)
            except ValueError:
                classified = None
            original = (
                self.original_kinds.get((claim.pk, group, adj.reason)) if rc.reversal else None
            )
            if original is not None:
                kind = original
            elif classified is not None and classified.is_denial:
                kind = Adjustment.Kind.DENIAL
            else:
                kind = (
                    Adjustment.Kind.CONTRACTUAL if group in ("CO", "PI") else Adjustment.Kind.OTHER
                )
            if kind == Adjustment.Kind.DENIAL:
                money.denied += adj.amount
            else:
                money.contractual += adj.amount
        row = Adjustment(
            group=group[:2],
            reason=adj.reason[:5],
            amount=adj.amount,
            quantity=adj.quantity,
            kind=kind,
            part2=claim.part2,
        )
        self.adjustments.append((cp, lp, row, (claim, classified, tuple(remarks))))

    # -- the patient's share after a secondary pays ------------------------------------------

    def _secondary_credits(self) -> None:
        """When a secondary (or tertiary) adjudicates, what the patient owes is what that payer
        leaves as PR (its own PR entries are posted as usual): the primary's patient share is
        taken off the patient's account, as it was billed on to the secondary (CAS group codes:
        only PR is the patient's; REFERENCE.md §7)."""
        paying = [
            cp
            for cp in self.payments
            if cp.claim is not None
            and cp.claim.primary_claim_id
            and cp.status_code in ("2", "3")
            and not cp.reversal
        ]
        primaries = {cp.claim.primary_claim_id: cp for cp in paying}
        if not primaries:
            return
        owed = dict(
            PatientLedgerEntry.objects.filter(claim_id__in=primaries)
            .values("claim_id")
            .annotate(s=Sum("amount"))
            .values_list("claim_id", "s")
        )
        for primary_id, cp in primaries.items():
            amount = owed.get(primary_id) or ZERO
            if amount <= 0:
                continue
            self.ledger.append(
                PatientLedgerEntry(
                    patient_id=cp.claim.patient_id,
                    claim_id=primary_id,
                    claim_payment=cp,
                    kind=PatientLedgerEntry.Kind.ADJUSTMENT,
                    reason=f"Billed to the secondary (claim {cp.claim.control_number})"[:80],
                    amount=-amount,
                    posted_on=self.posted_on,
                    created_by=self.poster.actor,
                    part2=cp.claim.part2,
                )
            )
            self.patient_total -= amount

    # -- denials ---------------------------------------------------------------------------

    def _denials(self) -> None:
        for cp, lp, adj, (claim, classified, remarks) in self.adjustments:
            if adj.kind != Adjustment.Kind.DENIAL or adj.amount <= 0 or cp.reversal:
                continue
            window = claim.payer.appeal_window_days
            deadline = codes.appeal_deadline(self.posted_on, window)
            days = (deadline - self.poster.today).days
            score, reasons = codes.priority(
                adj.amount,
                classified.recoverability,
                days,
                today=self.poster.today,
                root_cause=classified.root_cause,
            )
            self.denials.append(
                Denial(
                    claim=claim,
                    claim_line=lp.claim_line if lp is not None else None,
                    claim_payment=cp,
                    payer=claim.payer,
                    group=adj.group,
                    carc=adj.reason,
                    rarcs=[r[:8] for r in dict.fromkeys(remarks)],
                    amount=adj.amount,
                    root_cause=classified.root_cause,
                    action=classified.action,
                    recoverability=classified.recoverability,
                    parity_relevant=classified.parity_relevant,
                    explanation=list(classified.reasons),
                    denied_on=self.posted_on,
                    appeal_deadline=deadline,
                    priority=score,
                    priority_reasons=list(reasons),
                    prioritized_on=self.poster.today,
                    part2=claim.part2,
                )
            )
        reversed_claims = {cp.claim_id for cp in self.payments if cp.reversal and cp.claim_id}
        if reversed_claims:
            self._close_reversed(reversed_claims)
        insert_rows(self.denials)
        insert_rows(
            DenialEvent(
                denial=d,
                kind="created",
                actor=self.poster.actor,
                to_status=d.status,
                message=f"{d.group}-{d.carc} {d.amount:.2f}: {d.root_cause}",
                part2=d.part2,
            )
            for d in self.denials
        )

    def _close_reversed(self, claim_ids: set[int]) -> None:
        open_ = list(
            Denial.objects.select_for_update().filter(
                claim_id__in=claim_ids, status__in=OPEN_DENIAL_STATUSES
            )
        )
        for d in open_:
            before, d.status, d.version = d.status, Denial.Status.REVERSED, d.version + 1
            DenialEvent(
                denial=d,
                kind="reversed",
                actor=self.poster.actor,
                from_status=before,
                to_status=d.status,
                message=f"The payer reversed the payment (trace {self.remittance.trace_number})",
                part2=d.part2,
            ).save()
        Denial.objects.bulk_update(open_, ["status", "version"])

    # -- provider adjustments -------------------------------------------------------------

    def _provider_adjustments(self) -> None:
        rows = []
        for plb in self.rem.provider_adjustments:
            rows.append(
                ProviderAdjustment(
                    remittance=self.remittance,
                    provider_identifier=plb.provider_id[:50],
                    reason_code=plb.reason_code[:2],
                    reference=(plb.reference or "")[:80],
                    amount=plb.amount,
                    fiscal_period_date=plb.fiscal_period_date,
                    part2=self.any_part2,
                )
            )
            if plb.amount > 0:
                self.exception(
                    PostingException.Kind.TAKEBACK,
                    f"Provider adjustment {plb.reason_code} {plb.reference or ''} takes "
                    f"{plb.amount:.2f} from this payment.",
                    amount=plb.amount,
                    part2=self.any_part2,
                )
        ProviderAdjustment.objects.bulk_create(rows)

    # -- the claims' money and status -------------------------------------------------------

    def _claims_after(self) -> None:
        if not self.touched:
            return
        claims = list(Claim.objects.select_for_update().filter(pk__in=self.touched))
        by_pk = {c.pk: c for c in claims}
        statuses = defaultdict(list)
        for cp in self.payments:
            if cp.claim_id:
                statuses[cp.claim_id].append(cp)
        for claim in claims:
            m = self.money[claim.pk]
            claim.paid_amount += m.paid
            claim.contractual_amount += m.contractual
            claim.patient_amount += m.patient
            claim.denied_amount = max(claim.denied_amount + m.denied, ZERO)
            claim.remitted_at = self.posted_on
            before = claim.status
            last = statuses[claim.pk][-1]
            if last.payer_claim_number and not claim.payer_claim_number:
                claim.payer_claim_number = last.payer_claim_number
            if claim.status in ADJUDICABLE:
                claim.status = _status_after(claim, last)
            claim.version += 1
            claim.updated_at = timezone.now()
            self.events.append(
                _event(
                    claim,
                    ClaimEvent.Kind.REMITTED,
                    actor=self.poster.actor,
                    from_status=before,
                    message=(
                        f"Remittance {self.remittance.trace_number or '-'}: paid {m.paid:.2f}, "
                        f"patient {m.patient:.2f}, denied {m.denied:.2f}, "
                        f"adjusted {m.contractual:.2f}"
                    ),
                    data={"remittance": str(self.remittance.public_id), "clp02": last.status_code},
                )
            )
            if claim.paid_amount > claim.total_charge:
                self.exception(
                    PostingException.Kind.OVERPAYMENT,
                    f"Claim {claim.control_number} is paid {claim.paid_amount:.2f} against a "
                    f"charge of {claim.total_charge:.2f}.",
                    amount=claim.paid_amount - claim.total_charge,
                    claim=claim,
                )
        update_rows(
            Claim,
            list(by_pk.values()),
            [
                "paid_amount",
                "contractual_amount",
                "patient_amount",
                "denied_amount",
                "remitted_at",
                "payer_claim_number",
                "status",
                "version",
                "updated_at",
            ],
        )


def _status_after(claim: Claim, last: ClaimPayment) -> str:
    if last.reversal and claim.paid_amount == 0:
        return Claim.Status.ACCEPTED  # awaiting the corrected adjudication
    if claim.paid_amount > 0:
        return Claim.Status.PAID
    if last.status_code == "4" or claim.denied_amount > 0:
        return Claim.Status.DENIED
    return Claim.Status.PAID  # adjudicated: zero paid, all the patient's or contractual

"""The sandbox payer's 835s: how it pays the claims its 277CA accepted, deterministically by
the claim's control number (CLM01), so a demo or a test gets the same remittance every time.

Outcomes, by a hash of the control number (bucket 0-99):
- 0-64 paid: allowed 70% of the charge, the rest CO-45 (charge over the fee schedule); the
  patient's share is PR-1 deductible, PR-2 coinsurance (20% of allowed) or PR-3 copay.
- 65-72 partly paid: half the allowed amount paid, the other half CO-119 (benefit maximum) with
  RARC N362 (units over the payer's maximum).
- 73-92 denied (CLP02 4): the whole charge under one behavioral-health denial: CO-197 + N54
  (no authorization matching the service), CO-50 (not medically necessary: the payer's level
  of care criteria, ASAM or LOCUS, not met), CO-29 (timely filing), CO-16 + M51 (billing
  error: procedure code), CO-242 (out of network), CO-119 + N362 (benefit maximum), CO-96 +
  N130 (non-covered under the plan's benefits).
- 93-99 reversed: paid, then a second payment reverses it (CLP02 22, negative amounts) and
  pays it again corrected (a larger patient share).
CARC/RARC meanings: REFERENCE.md section 7 (denials/data/carc.csv, rarc.csv).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from edi.x12 import parse
from edi.x835 import Adjustment, Contact, PartyAddress, RemitClaim, RemitLine, Remittance
from edi.x837_read import ClaimSummary

M = Decimal
CENT = M("0.01")
ONE = M(1)
DENIALS = (
    ("197", ("N54",)),
    ("50", ()),
    ("29", ()),
    ("16", ("M51",)),
    ("242", ()),
    ("119", ("N362",)),
    ("96", ("N130",)),
)


@dataclass(frozen=True)
class SentLine:
    qualifier: str
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    units: Decimal | None
    revenue_code: str | None
    service_date: dt.date | None
    control_number: str | None
    position: int


def _date(value: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(value[:8], "%Y%m%d").date()
    except ValueError:
        return None


def sent_lines(data: str | bytes) -> dict[str, list[SentLine]]:
    """The service lines of each claim in an 837, by CLM01."""
    found: dict[str, list[SentLine]] = {}
    current: list[SentLine] | None = None
    for interchange in parse(data):
        for group in interchange.groups:
            for t in group.transactions:
                for seg in t.body:
                    if seg.id == "CLM":
                        current = found.setdefault(seg[1], [])
                    elif seg.id in ("SV1", "SV2") and current is not None:
                        current.append(_line(seg, len(current) + 1))
                    elif seg.id == "DTP" and seg[1] == "472" and current:
                        current[-1] = dataclasses.replace(current[-1], service_date=_date(seg[3]))
                    elif seg.id == "REF" and seg[1] == "6R" and current:
                        current[-1] = dataclasses.replace(current[-1], control_number=seg[2])
    return found


def _line(seg, position: int) -> SentLine:
    institutional = seg.id == "SV2"
    index = 2 if institutional else 1
    parts = seg.components(index)
    charge, units = (seg[3], seg[5]) if institutional else (seg[2], seg[4])
    return SentLine(
        qualifier=parts[0] if parts else "HC",
        code=parts[1] if len(parts) > 1 else "",
        modifiers=tuple(m for m in parts[2:6] if m),
        charge=M(charge),
        units=M(units) if units else None,
        revenue_code=seg[1] if institutional else None,
        service_date=None,
        control_number=None,
        position=position,
    )


def bucket(control_number: str) -> int:
    return int(hashlib.sha256(control_number.encode()).hexdigest()[:8], 16) % 100


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _patient_share(control_number: str, allowed: Decimal) -> Adjustment:
    kind = bucket(control_number[::-1]) % 3
    if kind == 0:
        return Adjustment("PR", "3", min(M("20.00"), allowed))
    if kind == 1:
        return Adjustment("PR", "2", _money(allowed * M("0.20")))
    return Adjustment("PR", "1", min(M("50.00"), allowed))


def _remit_line(line: SentLine, paid: Decimal, adjustments, remarks=()) -> RemitLine:
    return RemitLine(
        procedure_qualifier=line.qualifier,
        procedure_code=line.code,
        modifiers=line.modifiers,
        charge=line.charge,
        paid=paid,
        revenue_code=line.revenue_code,
        units=line.units,
        service_date_from=line.service_date,
        line_control_number=line.control_number,
        adjustments=tuple(a for a in adjustments if a.amount),
        remarks=tuple(remarks),
        position=line.position,
    )


def _paid_line(pcn: str, line: SentLine, *, share_factor: Decimal = ONE) -> RemitLine:
    allowed = _money(line.charge * M("0.70"))
    share = _patient_share(pcn, allowed)
    share = dataclasses.replace(share, amount=min(allowed, _money(share.amount * share_factor)))
    contractual = Adjustment("CO", "45", line.charge - allowed)
    return _remit_line(line, allowed - share.amount, (contractual, share))


def _partial_line(line: SentLine) -> RemitLine:
    allowed = _money(line.charge * M("0.70"))
    paid = _money(allowed / 2)
    adjustments = (
        Adjustment("CO", "45", line.charge - allowed),
        Adjustment("CO", "119", allowed - paid),
    )
    return _remit_line(line, paid, adjustments, ("N362",))


def _denied_line(pcn: str, line: SentLine) -> RemitLine:
    carc, remarks = DENIALS[bucket(pcn + "denial") % len(DENIALS)]
    return _remit_line(line, M(0), (Adjustment("CO", carc, line.charge),), remarks)


def _claim(summary: ClaimSummary, lines: tuple[RemitLine, ...], status: str, position: int):
    sign = -1 if status == "22" else 1
    if sign < 0:
        lines = tuple(
            dataclasses.replace(
                ln,
                charge=-ln.charge,
                paid=-ln.paid,
                adjustments=tuple(dataclasses.replace(a, amount=-a.amount) for a in ln.adjustments),
            )
            for ln in lines
        )
    patient = sum((a.amount for ln in lines for a in ln.adjustments if a.group == "PR"), M(0))
    return RemitClaim(
        patient_control_number=summary.patient_control_number,
        status_code=status,
        charge=sum((ln.charge for ln in lines), M(0)),
        paid=sum((ln.paid for ln in lines), M(0)),
        patient_responsibility=patient,
        filing_indicator="12",  # PPO (835 CLP06)
        payer_claim_number=f"SBX{summary.patient_control_number}",
        member_id=summary.member_id or None,
        patient_last_name=summary.patient_last_name or "UNKNOWN",
        patient_first_name=summary.patient_first_name or None,
        statement_from=summary.service_from,
        statement_to=summary.service_to or summary.service_from,
        lines=lines,
        position=position,
        reversal=status == "22",
    )


def outcome(control_number: str) -> str:
    b = bucket(control_number)
    if b < 65:
        return "paid"
    if b < 73:
        return "partial"
    if b < 93:
        return "denied"
    return "reversed"


def _first_pass(summary: ClaimSummary, lines: Sequence[SentLine], position: int) -> RemitClaim:
    pcn, kind = summary.patient_control_number, outcome(summary.patient_control_number)
    if kind == "denied":
        remits = tuple(_denied_line(pcn, ln) for ln in lines)
        return _claim(summary, remits, "4", position)
    if kind == "partial":
        return _claim(summary, tuple(_partial_line(ln) for ln in lines), "1", position)
    return _claim(summary, tuple(_paid_line(pcn, ln) for ln in lines), "1", position)


def _remittance(claims: tuple[RemitClaim, ...], *, trace: str, payee: tuple[str, str], on):
    total = sum((c.paid for c in claims), M(0))
    return Remittance(
        control_number="0001",
        handling_code="I" if total > 0 else "H",
        total_paid=total,
        credit_debit="C",
        payment_method="CHK" if total > 0 else "NON",
        payment_date=on,
        trace_number=trace,
        trace_originator="1999999999",
        payer_name="SANDBOX PAYER",
        payer_id="SANDBOX",
        payee_name=payee[0] or "PROVIDER",
        payee_npi=payee[1] or None,
        payee_tin=None if payee[1] else "999999999",
        claims=claims,
        payer_address=PartyAddress("PO BOX 1", "SPRINGFIELD", "IL", "62701"),
        payer_contacts=(Contact("BL", "SANDBOX EDI", (("TE", "8005550100"),)),),
    )


def remittances_for(
    claims: Sequence[ClaimSummary], lines: dict[str, list[SentLine]], *, batch: str, on: dt.date
) -> list[Remittance]:
    """The payment for the accepted claims of one batch and, when some are reversed, a second
    payment reversing and correcting them (traces `SBX<batch>P` and `SBX<batch>C`)."""
    going = [c for c in claims if lines.get(c.patient_control_number)]
    if not going:
        return []
    payee = (going[0].billing_provider_name, going[0].billing_provider_npi)
    first = tuple(
        _first_pass(c, lines[c.patient_control_number], i) for i, c in enumerate(going, 1)
    )
    out = [_remittance(first, trace=f"SBX{batch}P", payee=payee, on=on)]
    reversed_ = [
        (c, rc)
        for c, rc in zip(going, first, strict=True)
        if outcome(c.patient_control_number) == "reversed"
    ]
    if reversed_:
        out.append(
            _remittance(
                tuple(_corrections(reversed_)),
                trace=f"SBX{batch}C",
                payee=payee,
                on=on + dt.timedelta(days=7),
            )
        )
    return [dataclasses.replace(r, control_number=f"{i:04d}") for i, r in enumerate(out, 1)]


def _corrections(pairs) -> Iterator[RemitClaim]:
    position = 0
    for summary, paid in pairs:
        position += 1
        yield _claim(summary, paid.lines, "22", position)
        lines = tuple(
            _paid_line(summary.patient_control_number, _sent_of(ln), share_factor=M("1.5"))
            for ln in paid.lines
        )
        position += 1
        yield _claim(summary, lines, "1", position)


def _sent_of(line: RemitLine) -> SentLine:
    return SentLine(
        qualifier=line.procedure_qualifier,
        code=line.procedure_code,
        modifiers=line.modifiers,
        charge=line.charge,
        units=line.units,
        revenue_code=line.revenue_code,
        service_date=line.service_date_from,
        control_number=line.line_control_number,
        position=line.position,
    )

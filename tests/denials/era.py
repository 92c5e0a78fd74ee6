"""835s for tests: remittances paying (or denying) our own claims, written with edi.x835_write
so the posting reads exactly what a payer would send."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from edi.x835 import Adjustment, RemitClaim, RemitLine, Remittance
from edi.x835_write import write_835
from tests.edi import scenarios
from tests.edi.test_x835_write import remittance as example_remittance

M = Decimal
PAID_ON = dt.date(2026, 11, 20)
_control = itertools.count(300)


def adj(group: str, reason: str, amount: str) -> Adjustment:
    return Adjustment(group, reason, M(amount))


def line_of(claim_line: Any, paid: str, *adjustments: Adjustment, **kw: Any) -> RemitLine:
    fields = dict(
        procedure_qualifier="HC",
        procedure_code=claim_line.code,
        modifiers=tuple(claim_line.modifiers),
        charge=claim_line.charge,
        paid=M(paid),
        units=claim_line.units,
        service_date_from=claim_line.service_date,
        line_control_number=claim_line.control_number,
        adjustments=adjustments,
        position=claim_line.number,
    )
    fields.update(kw)
    return RemitLine(**fields)


def clp(
    claim: Any,
    lines: tuple[RemitLine, ...],
    *,
    status: str = "1",
    position: int = 1,
    sign: int = 1,
    **kw: Any,
) -> RemitClaim:
    paid = sum((ln.paid for ln in lines), M(0))
    pr = sum((a.amount for ln in lines for a in ln.adjustments if a.group == "PR"), M(0))
    fields = dict(
        patient_control_number=claim.control_number,
        status_code=status,
        charge=sign * claim.total_charge,
        paid=paid,
        patient_responsibility=pr,
        filing_indicator="12",
        payer_claim_number=f"PCN{claim.pk:08d}",
        member_id="MEM000001",
        patient_last_name="DOE",
        patient_first_name="JANE",
        lines=lines,
        position=position,
        reversal=status == "22",
    )
    fields.update(kw)
    return RemitClaim(**fields)


def remittance(claims: tuple[RemitClaim, ...], *, trace: str, **kw: Any) -> Remittance:
    total = sum((c.paid for c in claims), M(0))
    fields = dict(
        claims=claims,
        provider_adjustments=(),
        total_paid=total,
        trace_number=trace,
        payment_date=PAID_ON,
        handling_code="I" if total > 0 else "H",
        payment_method="ACH" if total > 0 else "NON",
    )
    fields.update(kw)
    return dataclasses.replace(example_remittance(), **fields)


def file_of(*remittances: Remittance, allow_unbalanced: bool = False) -> bytes:
    numbered = [
        dataclasses.replace(r, control_number=f"{i:04d}") for i, r in enumerate(remittances, 1)
    ]
    text = write_835(
        numbered,
        envelope=scenarios.envelope(control=next(_control)),
        allow_unbalanced=allow_unbalanced,
    )
    return text.encode()

"""Denials made the real way for denial-work tests: a builder claim, an 835 denying a line,
posted with post_835. Call inside org_context."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from claims.models import Claim
from denials.models import Denial
from denials.posting import post_835
from tests.claims import builders
from tests.denials import era
from tests.denials.era import adj, clp, line_of

_trace = iter(range(1, 100000))


def denied(
    carc: str = "50",
    amount: str = "150.00",
    *,
    remarks: tuple[str, ...] = (),
    **claim_fields: Any,
) -> Denial:
    """One claim (one line of `amount`) fully denied with CO-`carc`; its Denial."""
    claim = builders.claim(
        status=Claim.Status.ACCEPTED,
        lines=[{"code": "90837", "charge": Decimal(amount)}],
        **claim_fields,
    )
    (line,) = claim.lines.all()
    remit = era.remittance(
        (clp(claim, (line_of(line, "0", adj("CO", carc, amount), remarks=remarks),), status="4"),),
        trace=f"DW-{next(_trace)}-{claim.pk}",
    )
    post_835(content=era.file_of(remit), file_name="era.835", actor=None)
    return Denial.objects.select_related("claim", "payer").get(claim=claim)

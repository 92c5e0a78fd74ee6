"""What the demo clinics' contracts add to the starter payers: an EDI payer id each (the
catalog leaves it blank: a payer's id depends on the clearinghouse), and the filing limit the
clinic negotiated (180 days where the catalog's example is 90). Synthetic ids ("SBX" + a
number: the sandbox clearinghouse routes them). Idempotent: a payer that has an id keeps its
settings."""

from __future__ import annotations

from collections.abc import Sequence

from payers.models import Payer
from payers.services.payers import payer_update

EDI_PAYER_IDS = {
    "Medicare Part B": "SBX01",
    "State Medicaid (example)": "SBX02",
    "Medicaid MCO (example)": "SBX03",
    "Commercial PPO (example)": "SBX04",
    "Blue plan (example)": "SBX05",
}
CONTRACT_FILING_DAYS = 180  # the demo clinics bill weekly; their contracts give 180 days


def seed(*, payers: Sequence[Payer]) -> int:
    """Give the org's demo payers (call inside org_context) their EDI ids and filing limits."""
    changed = 0
    for payer in payers:
        if payer.edi_payer_id or payer.kind == Payer.Kind.SELF_PAY:
            continue
        ident = EDI_PAYER_IDS.get(payer.name) or f"SBX{90 + changed:02d}"
        payer_update(
            payer=payer,
            edi_payer_id=ident,
            timely_filing_days=max(payer.timely_filing_days, CONTRACT_FILING_DAYS),
        )
        changed += 1
    return changed

"""Demo billing identities: each demo facility bills under its organization's legal name, TIN
and a street address with ZIP+4, paid at a PO box; Summit's day programs bill State Medicaid
SUD claims under the separately enrolled IOP site's own NPI. Synthetic NPIs (valid check
digits), EINs and addresses. Idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from facilities.models import BillingProfile
from facilities.services import billing_profile_create

LEGAL = {
    "harbor-mh": {
        "billing_name": "Harbor Behavioral Health LLC",
        "address_line1": "200 Harbor Way",
        "address_line2": "Suite 300",
        "city": "Portland",
        "state": "OR",
        "postal_code": "972012045",
        "pay_to_address_line1": "PO Box 4410",
        "pay_to_city": "Portland",
        "pay_to_state": "OR",
        "pay_to_postal_code": "972084410",
    },
    "summit-sud": {
        "billing_name": "Summit Recovery Center Inc",
        "address_line1": "12 Ridge Rd",
        "city": "Bend",
        "state": "OR",
        "postal_code": "977013310",
        "pay_to_address_line1": "PO Box 7702",
        "pay_to_city": "Bend",
        "pay_to_state": "OR",
        "pay_to_postal_code": "977087702",
    },
}
# Summit Day Programs' IOP is enrolled with State Medicaid under its own Type-2 NPI.
MEDICAID_IOP = {"facility": "Summit Day Programs", "payer": "State Medicaid (example)"}
MEDICAID_IOP_NPI = "1555000045"


def seed(*, org: Any, facilities: Sequence[Any], payers: Sequence[Any]) -> int:
    """Billing profiles for the org's demo facilities (call inside org_context)."""
    legal = LEGAL.get(org.slug)
    if legal is None or BillingProfile.objects.exists():
        return 0
    made = 0
    for facility in facilities:
        billing_profile_create(
            facility=facility,
            npi=facility.npi,
            tin=facility.tin,
            taxonomy=facility.taxonomy,
            **legal,
        )
        made += 1
    site = next((f for f in facilities if f.name == MEDICAID_IOP["facility"]), None)
    medicaid = next((p for p in payers if p.name == MEDICAID_IOP["payer"]), None)
    if site is not None and medicaid is not None:
        billing_profile_create(
            facility=site,
            program="sud",
            payer=medicaid,
            npi=MEDICAID_IOP_NPI,
            tin=site.tin,
            taxonomy="261QR0405X",
            **{**legal, "billing_name": "Summit Recovery Center Inc - Day Programs"},
        )
        made += 1
    return made

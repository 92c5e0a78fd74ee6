"""Who bills whom: the billing provider's NPI, TIN, taxonomy and street address (loop 2010AA)
and the payer's EDI id, as the 837 and the clearinghouse's front-end edits need them."""

from __future__ import annotations

import re
from collections.abc import Iterator

from claims.scrub import Finding, Severity, edit
from claims.scrub.support import listing, url
from claims.snapshot import Address, ClaimSnapshot
from coding.codesets.npi import InvalidNpi, validate_npi
from credentialing.rules import TAXONOMY_RE

ERROR = Severity.ERROR


def _billing_url(snapshot: ClaimSnapshot) -> str:
    return url(snapshot.billing.fix_url, snapshot.claim_url)


def _billing(snapshot: ClaimSnapshot, code: str, message: str, fix: str) -> Finding:
    """A billing-identity finding; `message` without its final stop (the source follows)."""
    source = f" (from {snapshot.billing.source})" if snapshot.billing.source else ""
    return Finding(
        code=code,
        severity=ERROR,
        message=f"{message}{source}.",
        fix=fix,
        fix_url=_billing_url(snapshot),
    )


# Source: REFERENCE.md §4 "NPI" (Luhn check digit with prefix 80840; billing is Type 2 for
# groups) and §10 (2010AA NM1*85 with the NPI); check digit from coding.codesets.npi.
@edit("BILLING-NPI", "Billing provider NPI")
def billing_npi(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    npi = (snapshot.billing.npi or "").strip()
    if not npi:
        problem = "The billing provider has no NPI"
    else:
        try:
            validate_npi(npi)
            return
        except InvalidNpi as exc:
            problem = f"The billing provider's NPI is invalid: {exc}"
    yield _billing(
        snapshot, "BILLING-NPI", problem, "Enter the billing (group or facility) NPI from NPPES."
    )


# Source: REFERENCE.md §10 "837P": 2010AA REF*EI, the employer identification number (9 digits).
@edit("BILLING-TIN", "Billing provider tax id")
def billing_tin(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    tin = (snapshot.billing.tin or "").strip().replace("-", "")
    if tin.isascii() and tin.isdigit() and len(tin) == 9:
        return
    problem = (
        "The billing provider has no tax id (EIN)"
        if not tin
        else "The billing provider's tax id must be 9 digits"
    )
    yield _billing(snapshot, "BILLING-TIN", problem, "Enter the 9-digit EIN the payer has on file.")


# Source: REFERENCE.md §4 (PRV*BI taxonomy edited against enrollment; facility taxonomies) and
# §10 (2000A PRV*BI*PXC); code shape from credentialing.rules.
@edit("BILLING-TAXONOMY", "Billing provider taxonomy")
def billing_taxonomy(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    taxonomy = (snapshot.billing.taxonomy or "").strip().upper()
    if TAXONOMY_RE.match(taxonomy):
        return
    problem = (
        f"The billing provider's taxonomy {taxonomy!r} is malformed"
        if taxonomy
        else "The billing provider has no taxonomy code"
    )
    yield _billing(
        snapshot,
        "BILLING-TAXONOMY",
        problem,
        "Enter the NUCC taxonomy the billing provider is enrolled with (e.g. 261QM0801X).",
    )


# A post-office box, lock box or private mailbox, however it is spelled ("P.O. Box 12",
# "PO BOX", "Post Office Box", "Lockbox", "PMB 4", "Box 17"), but not "Boxwood Lane".
_PO_BOX = re.compile(
    r"\b(P\s*\.?\s*O\s*\.?\s*BOX|POST\s+OFFICE\s+BOX|LOCK\s*BOX|PMB\b|BOX\s+\d)", re.IGNORECASE
)


def is_po_box(address: Address) -> bool:
    return any(_PO_BOX.search(part or "") for part in (address.line1, address.line2))


def _address_gaps(address: Address) -> list[str]:
    fields = (("street", address.line1), ("city", address.city), ("state", address.state))
    gaps = [name for name, value in fields if not (value or "").strip()]
    if not (address.postal_code or "").strip():
        gaps.append("ZIP code")
    return gaps


def _zip_digits(address: Address) -> str:
    return (address.postal_code or "").strip().replace("-", "")


# Source: REFERENCE.md §10 "837P" (2010AA street address, no PO box); X12 RFI #1451 (x12.org:
# PO and lock boxes belong in the 2010AB pay-to loop) and Stedi's billing-address edit
# (stedi.com changelog, 2025-12-04); 5010 ZIP+4 for the billing provider
# (medicarepaymentandreimbursement.com "5010 Tip Of The Week - Nine Digit Zip Codes").
@edit("BILLING-ADDRESS", "Billing provider street address")
def billing_address(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    address = snapshot.billing.address
    gaps = _address_gaps(address)
    digits = _zip_digits(address)
    if gaps:
        problem = f"The billing provider's address has no {listing(gaps)}"
    elif not (digits.isascii() and digits.isdigit() and len(digits) in (5, 9)):
        problem = "The billing provider's ZIP code must be 5 or 9 digits"
    elif is_po_box(address):
        problem = "The billing provider's address is a PO box; the 837 needs a street address"
    else:
        return
    yield _billing(
        snapshot,
        "BILLING-ADDRESS",
        problem,
        "Enter the physical street address where care is given (a PO box goes in the pay-to "
        "address).",
    )


@edit("BILLING-ZIP4", "Billing provider ZIP+4")
def billing_zip4(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    digits = _zip_digits(snapshot.billing.address)
    if not snapshot.payer_edits.requires_zip4 or len(digits) != 5 or not digits.isdigit():
        return  # a missing or malformed ZIP is BILLING-ADDRESS's
    yield _billing(
        snapshot,
        "BILLING-ZIP4",
        "The billing provider's ZIP code has 5 digits; this payer needs the full ZIP+4",
        "Add the 4-digit extension (USPS ZIP code look-up) to the billing address.",
    )


# Source: REFERENCE.md §10 "837P" (2010BB payer with its id); the clearinghouse routes on it.
@edit("PAYER-ID-MISSING", "Payer EDI id")
def payer_id_missing(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    coverage = snapshot.coverage
    if coverage is None or (coverage.payer_id or "").strip():
        return
    yield Finding(
        code="PAYER-ID-MISSING",
        severity=ERROR,
        message=f"{coverage.payer_name or 'The payer'} has no EDI payer id, so the claim cannot "
        "be routed.",
        fix="Enter the payer's EDI id from the clearinghouse payer list on the payer's page.",
        fix_url=url(snapshot.payer_url, coverage.fix_url),
    )

"""Facilities (service locations with their Type-2 NPI, TIN and place of service) and their
billing profiles (who the claims name as billing provider, by program and payer)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from coding.codesets.npi import InvalidNpi, validate_npi
from coding.institutional import FACILITY_CLASS_RE
from coding.types import ProgramKind
from facilities.models import BillingProfile, Facility
from payers.services.codes import FORMAT_HINTS, TAXONOMY_RE
from rcm.fielderrors import FieldErrors, clean_text, model_errors, reject_unknown, save_guarded

FACILITY_FIELDS = (
    "name",
    "npi",
    "tin",
    "taxonomy",
    "address_line1",
    "city",
    "state",
    "postal_code",
    "pos",
    "bill_type",
    "is_active",
)
BILLING_PROFILE_FIELDS = (
    "facility",
    "program",
    "payer",
    "billing_name",
    "npi",
    "tin",
    "taxonomy",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "pay_to_address_line1",
    "pay_to_address_line2",
    "pay_to_city",
    "pay_to_state",
    "pay_to_postal_code",
    "is_active",
)
PAY_TO_FIELDS = tuple(f for f in BILLING_PROFILE_FIELDS if f.startswith("pay_to_"))
PROFILE_TEXT_FIELDS = tuple(
    f for f in BILLING_PROFILE_FIELDS if f not in ("facility", "payer", "is_active")
)
TIN_RE = re.compile(r"^\d{9}$")
STATE_RE = re.compile(r"^[A-Z]{2}$")
ZIP_PLUS_4_RE = re.compile(r"^\d{5}-?\d{4}$")
ZIP_RE = re.compile(r"^\d{5}(-?\d{4})?$")
# "PO Box", "P.O. Box", "P O Box", "POB 12", "Post Office Box": the billing provider's address
# must be a street address (837 2010AA N301: "the billing provider address must be a street
# address; post office box or lock box addresses are to be sent in the pay-to address loop").
PO_BOX_RE = re.compile(r"\b(p\.?\s*o\.?\s*b(ox)?\b|post\s+office\s+box|lock\s*box)", re.IGNORECASE)
PO_BOX_MESSAGE = (
    "The billing address must be a street address, not a PO box or lock box (837 2010AA); "
    "put a PO box in the pay-to address."
)


def normalize_tin(value: Any) -> str:
    """An EIN as 9 digits: "12-3456789" and "123456789" are the same number."""
    text = clean_text(value)
    return text.replace("-", "") if re.fullmatch(r"\d{2}-\d{7}", text) else text


def check_tin(errors: FieldErrors, field: str, tin: str, *, required: bool) -> None:
    if not tin:
        errors.require(not required, field, "Enter the 9-digit TIN (EIN).")
        return
    errors.require(
        bool(TIN_RE.match(tin)), field, "A TIN (EIN) is 9 digits, e.g. 12-3456789 or 123456789."
    )


def check_npi(errors: FieldErrors, field: str, npi: str) -> None:
    try:
        validate_npi(npi)
    except InvalidNpi as exc:
        errors.add(field, str(exc))


def _facility_errors(facility: Facility) -> FieldErrors:
    errors = FieldErrors()
    found = model_errors(facility, exclude=["org"])
    if found:
        errors.merge(found)
    if facility.npi:
        check_npi(errors, "npi", facility.npi)
    check_tin(errors, "tin", facility.tin, required=False)
    errors.require(
        len(facility.pos) == 2 and facility.pos.isdigit(),
        "pos",
        "Place of service is a 2-digit code (e.g. 11, 53, 57).",
    )
    if facility.bill_type:
        errors.require(
            FACILITY_CLASS_RE.match(facility.bill_type) is not None,
            "bill_type",
            "The facility type and classification: 2 digits (e.g. 13, 76, 86, 89).",
        )
    return errors


def _save(facility: Facility) -> Facility:
    facility.tin = normalize_tin(facility.tin)
    _facility_errors(facility).raise_if_any()
    return save_guarded(
        lambda: facility.save() or facility,
        field="name",
        message="A facility with this name already exists.",
    )


@transaction.atomic
def facility_create(*, actor: Any = None, **fields: Any) -> Facility:
    reject_unknown(fields, FACILITY_FIELDS, "facility_create")
    facility = Facility(**fields)
    facility.state = (facility.state or "").upper()
    facility.assign_active_org()
    return _save(facility)


@transaction.atomic
def facility_update(*, facility: Facility, actor: Any = None, **changes: Any) -> Facility:
    reject_unknown(changes, FACILITY_FIELDS, "facility_update")
    for name, value in changes.items():
        setattr(facility, name, value)
    return _save(facility)


# --- Billing profiles ------------------------------------------------------------------------


def _digits(value: str) -> str:
    return value.replace("-", "").replace(" ", "")


def _normalized_profile(profile: BillingProfile) -> None:
    for name in PROFILE_TEXT_FIELDS:
        setattr(profile, name, clean_text(getattr(profile, name)))
    profile.tin = normalize_tin(profile.tin)
    profile.taxonomy = profile.taxonomy.upper()
    for name in ("state", "pay_to_state"):
        setattr(profile, name, getattr(profile, name).upper())
    for name in ("postal_code", "pay_to_postal_code"):
        value = getattr(profile, name)
        if ZIP_RE.match(value):
            setattr(profile, name, _digits(value))


def _check_billing_address(profile: BillingProfile, errors: FieldErrors) -> None:
    for name in ("address_line1", "address_line2"):
        if PO_BOX_RE.search(getattr(profile, name)):
            errors.add(name, PO_BOX_MESSAGE)
    errors.require(bool(STATE_RE.match(profile.state)), "state", f"Enter {FORMAT_HINTS['state']}.")
    errors.require(
        bool(re.fullmatch(r"\d{9}", profile.postal_code)),
        "postal_code",
        "The billing provider's ZIP code must be ZIP+4: 9 digits, e.g. 97201-1234 (837 "
        "2010AA N403).",
    )


def _check_pay_to(profile: BillingProfile, errors: FieldErrors) -> None:
    """All blank (pay to the billing address) or a complete address."""
    if not any(getattr(profile, name) for name in PAY_TO_FIELDS):
        return
    for name in ("pay_to_address_line1", "pay_to_city", "pay_to_state", "pay_to_postal_code"):
        errors.require(
            bool(getattr(profile, name)),
            name,
            "Required for a pay-to address (leave every pay-to field blank to be paid at the "
            "billing address).",
        )
    if profile.pay_to_state:
        errors.require(
            bool(STATE_RE.match(profile.pay_to_state)),
            "pay_to_state",
            f"Enter {FORMAT_HINTS['state']}.",
        )
    if profile.pay_to_postal_code:
        errors.require(
            bool(re.fullmatch(r"\d{5}(\d{4})?", profile.pay_to_postal_code)),
            "pay_to_postal_code",
            "Enter a 5-digit ZIP code or ZIP+4.",
        )


def _check_scope(profile: BillingProfile, errors: FieldErrors) -> None:
    facility, payer = profile.facility if profile.facility_id else None, profile.payer
    errors.require(facility is not None, "facility", "Choose the facility.")
    errors.require(
        profile.program in ("", *(p.value for p in ProgramKind)),
        "program",
        "Choose a program (mental health or SUD), or any program.",
    )
    if facility is None or "program" in errors.errors:
        return
    clash = BillingProfile.objects.filter(
        facility=facility, program=profile.program, payer=payer
    ).exclude(pk=profile.pk)
    if clash.exists():
        errors.add(
            "payer",
            f"{facility.name} already has a billing profile for {profile.scope_label}; edit "
            "that one (or reactivate it) instead.",
        )


def _profile_errors(profile: BillingProfile) -> FieldErrors:
    errors = FieldErrors()
    _check_scope(profile, errors)
    check_npi(errors, "npi", profile.npi)
    check_tin(errors, "tin", profile.tin, required=True)
    errors.require(
        bool(TAXONOMY_RE.match(profile.taxonomy)),
        "taxonomy",
        f"A taxonomy code is {FORMAT_HINTS['taxonomy']}.",
    )
    _check_billing_address(profile, errors)
    _check_pay_to(profile, errors)
    found = model_errors(profile, exclude=["org", "facility", "payer", *errors.errors])
    if found:
        errors.merge(found)
    return errors


def _save_profile(profile: BillingProfile) -> BillingProfile:
    _normalized_profile(profile)
    _profile_errors(profile).raise_if_any()
    return save_guarded(
        lambda: profile.save() or profile,
        field="payer",
        message="This facility already has a billing profile for that program and payer.",
    )


@transaction.atomic
def billing_profile_create(*, actor: Any = None, **fields: Any) -> BillingProfile:
    """A billing profile for a facility (blank program or payer = any)."""
    reject_unknown(fields, BILLING_PROFILE_FIELDS, "billing_profile_create")
    profile = BillingProfile(**fields)
    profile.assign_active_org()
    return _save_profile(profile)


@transaction.atomic
def billing_profile_update(
    *, profile: BillingProfile, actor: Any = None, **changes: Any
) -> BillingProfile:
    reject_unknown(changes, BILLING_PROFILE_FIELDS, "billing_profile_update")
    for name, value in changes.items():
        setattr(profile, name, value)
    return _save_profile(profile)


@transaction.atomic
def billing_profile_deactivate(*, profile: BillingProfile, actor: Any = None) -> BillingProfile:
    """Stop billing under the profile (kept for history; claims fall back to the next one)."""
    profile.is_active = False
    profile.save(update_fields=["is_active"])
    return profile

"""Facilities (service locations with their Type-2 NPI and place of service)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from coding.codesets.npi import InvalidNpi, validate_npi
from coding.institutional import FACILITY_CLASS_RE
from facilities.models import Facility
from rcm.fielderrors import FieldErrors, model_errors, reject_unknown, save_guarded

FACILITY_FIELDS = (
    "name",
    "npi",
    "taxonomy",
    "address_line1",
    "city",
    "state",
    "postal_code",
    "pos",
    "bill_type",
    "is_active",
)


def _facility_errors(facility: Facility) -> FieldErrors:
    errors = FieldErrors()
    found = model_errors(facility, exclude=["org"])
    if found:
        errors.merge(found)
    if facility.npi:
        try:
            validate_npi(facility.npi)
        except InvalidNpi as exc:
            errors.add("npi", str(exc))
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

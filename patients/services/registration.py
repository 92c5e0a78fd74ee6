"""Patient registration and coverage: demographics (PHI encrypted), member ids, priorities."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from patients.models import Coverage, Patient, Session
from patients.services.episodes import check_no_claimed_sessions
from rcm.fielderrors import (
    FieldErrors,
    clean_text,
    model_errors,
    reject_unknown,
    save_guarded,
)
from rcm.tenancy import require_org

PATIENT_FIELDS = (
    "mrn",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "ssn",
    "address_line1",
    "city",
    "state",
    "postal_code",
    "phone",
    "email",
    "signature_on_file_date",
)
COVERAGE_FIELDS = (
    "payer",
    "member_id",
    "plan_name",
    "group_number",
    "priority",
    "relationship",
    "subscriber_first_name",
    "subscriber_last_name",
    "subscriber_date_of_birth",
    "subscriber_address_line1",
    "subscriber_city",
    "subscriber_state",
    "subscriber_postal_code",
    "subscriber_sex",
    "msp_type",
    "assignment_of_benefits",
    "effective_date",
    "end_date",
)
# What a coverage says about the subscriber and the claim beyond its payer, member id and dates:
# editable on a saved coverage (coverage_update).
SUBSCRIBER_FIELDS = (
    "subscriber_first_name",
    "subscriber_last_name",
    "subscriber_date_of_birth",
    "subscriber_address_line1",
    "subscriber_city",
    "subscriber_state",
    "subscriber_postal_code",
    "subscriber_sex",
)
COVERAGE_EDITABLE = (
    "plan_name",
    "group_number",
    "relationship",
    *SUBSCRIBER_FIELDS,
    "msp_type",
    "assignment_of_benefits",
)
MEMBER_ID_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,29}$")
POSTAL_RE = re.compile(r"^\d{5}(-?\d{4})?$")
MRN_FORMAT = "P{:06d}"
# SSA never issues area 000, 666 or 900-999, group 00 or serial 0000.
SSN_RE = re.compile(r"^(?!000|666|9\d\d)\d{3}(?!00)\d{2}(?!0000)\d{4}$")


# --- Patients ---------------------------------------------------------------------------


def _as_date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _normalized_demographics(data: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    dates = ("date_of_birth", "signature_on_file_date")
    out = {k: clean_text(v) for k, v in data.items() if k not in dates}
    out["state"] = out.get("state", "").upper()
    out["ssn"] = re.sub(r"\D", "", out.get("ssn", ""))
    out["phone"] = re.sub(r"\D", "", out.get("phone", ""))
    out["sex"] = out.get("sex") or Patient.Sex.UNKNOWN
    for name in dates:
        try:
            out[name] = _as_date(data.get(name))
        except ValueError:
            errors.add(name, "Enter a date as YYYY-MM-DD.")
            out[name] = None
    return out


def _check_demographics(values: Mapping[str, Any], errors: FieldErrors) -> None:
    for name in ("first_name", "last_name"):
        errors.require(bool(values.get(name)), name, "Required: enter the legal name.")
    dob = values.get("date_of_birth")
    if dob is not None:
        errors.require(dob <= timezone.localdate(), "date_of_birth", "Cannot be in the future.")
        errors.require(dob.year >= 1900, "date_of_birth", "Enter a year from 1900 on.")
    signed = values.get("signature_on_file_date")
    if signed is not None:
        errors.require(
            signed <= timezone.localdate(), "signature_on_file_date", "Cannot be in the future."
        )
        errors.require(signed.year >= 1900, "signature_on_file_date", "Enter a year from 1900 on.")
    ssn = values.get("ssn")
    if ssn:
        errors.require(bool(SSN_RE.match(ssn)), "ssn", "Enter a valid 9-digit SSN.")
    if values.get("phone"):
        errors.require(len(values["phone"]) == 10, "phone", "Enter a 10-digit phone number.")
    if values.get("postal_code"):
        errors.require(
            bool(POSTAL_RE.match(values["postal_code"])),
            "postal_code",
            "Enter a 5-digit or ZIP+4 postal code.",
        )
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors.add("email", "Enter a valid email address.")


def _patient_errors(patient: Patient, values: Mapping[str, Any], errors: FieldErrors) -> None:
    _check_demographics(values, errors)
    skip = ["org", *errors.errors] + ([] if values.get("mrn") else ["mrn"])
    found = model_errors(patient, exclude=skip)
    if found:
        errors.merge(found)
    if values.get("mrn"):
        clash = Patient.objects.filter(mrn=values["mrn"]).exclude(pk=patient.pk).exists()
        errors.require(not clash, "mrn", f"MRN {values['mrn']} is already used here.")


def _next_mrn() -> str:
    # One registration at a time per org picks the next number (released at commit).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('patients.mrn'), %s)", [require_org().pk]
        )
    n = Patient.objects.filter(mrn__regex=r"^P[0-9]{6,}$").count() + 1
    while Patient.objects.filter(mrn=MRN_FORMAT.format(n)).exists():
        n += 1
    return MRN_FORMAT.format(n)


@transaction.atomic
def patient_register(
    *, actor: Any, coverage: Mapping[str, Any] | None = None, **demographics: Any
) -> Patient:
    """Register a patient, with an optional first coverage, all or nothing. A blank MRN is
    assigned. Coverage errors come back as `coverage_<field>`."""
    reject_unknown(demographics, PATIENT_FIELDS, "patient_register")
    errors = FieldErrors()
    values = _normalized_demographics(demographics, errors)
    patient = Patient(**values)
    patient.assign_active_org()
    _patient_errors(patient, values, errors)
    cov = _coverage_build(patient, coverage, errors, prefix="coverage_") if coverage else None
    errors.raise_if_any()
    patient.mrn = patient.mrn or _next_mrn()
    save_guarded(patient.save, field="mrn", message=f"MRN {patient.mrn} is already used here.")
    if cov is not None:
        cov.patient = patient
        _coverage_save(cov, prefix="coverage_")
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, actor: Any, **changes: Any) -> Patient:
    reject_unknown(changes, PATIENT_FIELDS, "patient_update")
    errors = FieldErrors()
    values = _normalized_demographics(changes, errors)
    for name, value in values.items():
        if name in changes:
            setattr(patient, name, value)
    current = {name: getattr(patient, name) for name in PATIENT_FIELDS}
    _patient_errors(patient, current, errors)
    errors.raise_if_any()
    save_guarded(patient.save, field="mrn", message=f"MRN {patient.mrn} is already used here.")
    return patient


# --- Coverage ---------------------------------------------------------------------------


def _coverage_values(data: Mapping[str, Any], errors: FieldErrors, prefix: str) -> dict[str, Any]:
    values = {k: (clean_text(v) if isinstance(v, str) else v) for k, v in data.items()}
    values["member_id"] = re.sub(r"\s", "", clean_text(data.get("member_id"))).upper()
    try:
        values["priority"] = int(values.get("priority") or Coverage.Priority.PRIMARY)
    except (TypeError, ValueError):
        errors.add(prefix + "priority", "Choose primary, secondary or tertiary.")
        values["priority"] = Coverage.Priority.PRIMARY
    values["relationship"] = values.get("relationship") or Coverage.Relationship.SELF
    for name in ("subscriber_state", "subscriber_sex", "msp_type"):
        values[name] = clean_text(values.get(name)).upper()
    values["subscriber_postal_code"] = clean_text(values.get("subscriber_postal_code"))
    if values.get("assignment_of_benefits") is None:
        values["assignment_of_benefits"] = True
    for name in ("effective_date", "end_date", "subscriber_date_of_birth"):
        try:
            values[name] = _as_date(data.get(name))
        except ValueError:
            errors.add(prefix + name, "Enter a date as YYYY-MM-DD.")
            values[name] = None
    return values


def _check_coverage(values: Mapping[str, Any], errors: FieldErrors, prefix: str) -> None:
    payer = values.get("payer")
    if errors.require(payer is not None, prefix + "payer", "Choose the payer."):
        errors.require(payer.is_active, prefix + "payer", f"{payer.name} is inactive.")
    errors.require(
        bool(MEMBER_ID_RE.match(values["member_id"])),
        prefix + "member_id",
        "Member ID: 2-30 letters, digits or hyphens, as printed on the card.",
    )
    start, end = values.get("effective_date"), values.get("end_date")
    errors.require(start is not None, prefix + "effective_date", "Required.")
    if start and end:
        errors.require(end >= start, prefix + "end_date", "Cannot be before the effective date.")
    _check_subscriber(values, errors, prefix)


def _check_subscriber(values: Mapping[str, Any], errors: FieldErrors, prefix: str) -> None:
    if values["relationship"] != Coverage.Relationship.SELF:
        for name in ("subscriber_first_name", "subscriber_last_name", "subscriber_date_of_birth"):
            errors.require(
                bool(values.get(name)),
                prefix + name,
                "Required when the patient is not the subscriber.",
            )
    _check_subscriber_address(values, errors, prefix)
    _check_msp_type(values, errors, prefix)


def _check_subscriber_address(values: Mapping[str, Any], errors: FieldErrors, prefix: str) -> None:
    state, postal = values.get("subscriber_state"), values.get("subscriber_postal_code")
    if state:
        errors.require(
            bool(re.fullmatch(r"[A-Z]{2}", state)),
            prefix + "subscriber_state",
            "Enter a 2-letter state code (e.g. OR).",
        )
    if postal:
        errors.require(
            bool(POSTAL_RE.match(postal)),
            prefix + "subscriber_postal_code",
            "Enter a 5-digit or ZIP+4 postal code.",
        )
    sex = values.get("subscriber_sex")
    if sex:
        errors.require(
            sex in Patient.Sex.values, prefix + "subscriber_sex", "Choose F, M or U (unknown)."
        )


def _check_msp_type(values: Mapping[str, Any], errors: FieldErrors, prefix: str) -> None:
    """SBR05 goes on Medicare's coverage when Medicare pays second (or third)."""
    msp, payer = values.get("msp_type"), values.get("payer")
    if not msp:
        return
    if msp not in Coverage.MspType.values:
        listed = ", ".join(Coverage.MspType.values)
        errors.add(prefix + "msp_type", f"{msp!r} is not an MSP type; use one of {listed}.")
        return
    if payer is not None and payer.kind != "medicare":
        errors.add(
            prefix + "msp_type",
            f"An MSP type is for a Medicare coverage that pays second; {payer.name} is not "
            "Medicare.",
        )
    elif values.get("priority") == Coverage.Priority.PRIMARY:
        errors.add(
            prefix + "msp_type",
            "An MSP type says why Medicare pays second: not for a primary Medicare coverage.",
        )


def _overlap_message(patient: Patient, cov: Coverage) -> str | None:
    if patient.pk is None or cov.effective_date is None:
        return None
    last = cov.end_date or datetime.date.max
    clash = (
        Coverage.objects.select_related("payer")
        .filter(patient=patient, priority=cov.priority, effective_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=cov.effective_date))
        .exclude(pk=cov.pk)
        .first()
    )
    if clash is None:
        return None
    until = clash.end_date or "open-ended"
    return (
        f"Overlaps the {clash.get_priority_display().lower()} coverage with "
        f"{clash.payer.name} ({clash.effective_date} to {until}); end it first or "
        "choose another priority."
    )


def _coverage_build(
    patient: Patient, data: Mapping[str, Any], errors: FieldErrors, prefix: str = ""
) -> Coverage:
    reject_unknown(data, COVERAGE_FIELDS, "coverage")
    values = _coverage_values(data, errors, prefix)
    _check_coverage(values, errors, prefix)
    if values["relationship"] == Coverage.Relationship.SELF:
        values.update(_self_subscriber())
    cov = Coverage(patient=patient, **values)
    cov.assign_active_org()
    found = model_errors(
        cov, exclude=["org", "patient", "payer", *[k.removeprefix(prefix) for k in errors.errors]]
    )
    if found:
        errors.merge(found, prefix)
    overlap = _overlap_message(patient, cov)
    if overlap and not errors:
        errors.add(prefix + "priority", overlap)
    return cov


def _self_subscriber() -> dict[str, Any]:
    """The patient is the subscriber: the claim uses the patient's own name, address and sex."""
    blank: dict[str, Any] = {name: "" for name in SUBSCRIBER_FIELDS}
    return blank | {"subscriber_date_of_birth": None}


def _coverage_save(cov: Coverage, prefix: str = "") -> Coverage:
    message = (
        f"Overlaps another {cov.get_priority_display().lower()} coverage of this "
        "patient; end it first or choose another priority."
    )
    return save_guarded(lambda: cov.save() or cov, field=prefix + "priority", message=message)


@transaction.atomic
def coverage_add(*, patient: Patient, actor: Any = None, **data: Any) -> Coverage:
    """Add a coverage; an overlapping one of the same priority is a `priority` field error."""
    errors = FieldErrors()
    cov = _coverage_build(patient, data, errors)
    errors.raise_if_any()
    return _coverage_save(cov)


@transaction.atomic
def coverage_update(*, coverage: Coverage, actor: Any = None, **changes: Any) -> Coverage:
    """Edit what a coverage says beyond its payer, member id, priority and dates: plan, group,
    the subscriber (name, date of birth, address, sex), MSP type and assignment of benefits.
    A payer or member id change is a new coverage; dates change by ending it."""
    reject_unknown(changes, COVERAGE_EDITABLE, "coverage_update")
    errors = FieldErrors()
    current = {name: getattr(coverage, name) for name in COVERAGE_EDITABLE}
    data = {**current, **changes, "payer": coverage.payer, "priority": coverage.priority}
    values = _coverage_values(data, errors, "")
    _check_subscriber(values, errors, "")
    errors.raise_if_any()
    if values["relationship"] == Coverage.Relationship.SELF:
        values.update(_self_subscriber())
    for name in COVERAGE_EDITABLE:
        setattr(coverage, name, values[name])
    found = model_errors(coverage, exclude=["org", "patient", "payer"])
    if found:
        raise found
    coverage.save()
    return coverage


@transaction.atomic
def coverage_end(*, coverage: Coverage, end_date: datetime.date, actor: Any = None) -> Coverage:
    if end_date is None:
        raise ValidationError({"end_date": ["Required."]})
    if end_date < coverage.effective_date:
        raise ValidationError(
            {"end_date": [f"Cannot be before the effective date ({coverage.effective_date})."]}
        )
    errors = FieldErrors()
    check_no_claimed_sessions(
        Session.objects.filter(patient=coverage.patient_id, service_date__gt=end_date),
        "end_date",
        f"would leave services after {end_date} without this coverage",
        errors,
    )
    errors.raise_if_any()
    coverage.end_date = end_date
    save_guarded(
        lambda: coverage.save(update_fields=["end_date"]),
        field="end_date",
        message="Conflicts with another coverage of the same priority.",
    )
    return coverage

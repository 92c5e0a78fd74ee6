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
    "effective_date",
    "end_date",
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
    out = {k: clean_text(v) for k, v in data.items() if k != "date_of_birth"}
    out["state"] = out.get("state", "").upper()
    out["ssn"] = re.sub(r"\D", "", out.get("ssn", ""))
    out["phone"] = re.sub(r"\D", "", out.get("phone", ""))
    out["sex"] = out.get("sex") or Patient.Sex.UNKNOWN
    try:
        out["date_of_birth"] = _as_date(data.get("date_of_birth"))
    except ValueError:
        errors.add("date_of_birth", "Enter a date as YYYY-MM-DD.")
        out["date_of_birth"] = None
    return out


def _check_demographics(values: Mapping[str, Any], errors: FieldErrors) -> None:
    for name in ("first_name", "last_name"):
        errors.require(bool(values.get(name)), name, "Required: enter the legal name.")
    dob = values.get("date_of_birth")
    if dob is not None:
        errors.require(dob <= timezone.localdate(), "date_of_birth", "Cannot be in the future.")
        errors.require(dob.year >= 1900, "date_of_birth", "Enter a year from 1900 on.")
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
    if values["relationship"] != Coverage.Relationship.SELF:
        for name in ("subscriber_first_name", "subscriber_last_name", "subscriber_date_of_birth"):
            errors.require(
                bool(values.get(name)),
                prefix + name,
                "Required when the patient is not the subscriber.",
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
        values.update(
            subscriber_first_name="", subscriber_last_name="", subscriber_date_of_birth=None
        )
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

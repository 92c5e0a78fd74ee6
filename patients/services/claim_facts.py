"""What an episode tells an institutional claim (837I / UB-04): admission hour, type and point
of origin, discharge hour and status, attending and referring providers, occurrence and value
codes. Checked here for the admission, discharge and edit paths alike; `episode_update` edits
them on an existing episode."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from coding.codesets.npi import InvalidNpi, validate_npi
from patients.models import AdmissionSource, AdmissionType, EpisodeOfCare, PatientStatus
from rcm.fielderrors import FieldErrors, clean_text, reject_unknown, save_guarded

ADMISSION_FACTS = (
    "admission_hour",
    "admission_type",
    "admission_source",
    "attending_provider",
    "referring_provider_name",
    "referring_provider_npi",
    "occurrence_codes",
    "value_codes",
)
DISCHARGE_FACTS = ("discharge_hour", "patient_status")
CLAIM_FACTS = ADMISSION_FACTS + DISCHARGE_FACTS
# Occurrence and value codes are 2 letters or digits (NUBC); 837I carries up to 12 in each of
# two HI segments (BH occurrence, BE value), 24 in all.
UB_CODE_RE = re.compile(r"^[A-Z0-9]{2}$")
MAX_UB_CODES = 24
STILL_A_PATIENT = PatientStatus.STILL_A_PATIENT.value


def _hour(value: Any, field: str, errors: FieldErrors) -> int | None:
    if value in (None, ""):
        return None
    try:
        hour = int(str(value).strip())
    except ValueError:
        hour = -1
    if not 0 <= hour <= 23:
        errors.add(field, "An hour of the day: 0 to 23 (e.g. 14 for 2 pm).")
        return None
    return hour


def _code(value: Any) -> str:
    return clean_text(value).upper()


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _as_amount(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or abs(amount) >= 10**8:
        return None
    return amount


def _entries(value: Any, field: str, what: str, errors: FieldErrors) -> list[Any] | None:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, Mapping) for v in value):
        errors.add(field, f'A list of {what}, e.g. [{{"code": "11", ...}}].')
        return None
    if len(value) > MAX_UB_CODES:
        errors.add(field, f"At most {MAX_UB_CODES} (837I: 2 HI segments of 12).")
        return None
    return list(value)


def clean_occurrence_codes(value: Any, errors: FieldErrors) -> list[dict[str, str]]:
    """[{"code": "11", "date": "YYYY-MM-DD"}, ...] with each code and date checked."""
    field, out = "occurrence_codes", []
    entries = _entries(value, field, "occurrence codes with dates", errors)
    for n, entry in enumerate(entries or [], start=1):
        code, day = _code(entry.get("code")), _as_date(entry.get("date"))
        if not UB_CODE_RE.match(code):
            errors.add(
                field, f"Occurrence {n}: code {code!r} must be 2 letters or digits (e.g. 11)."
            )
        if day is None:
            errors.add(field, f"Occurrence {n}: enter its date as YYYY-MM-DD.")
        if UB_CODE_RE.match(code) and day is not None:
            item = {"code": code, "date": day.isoformat()}
            if item in out:
                errors.add(field, f"Occurrence {n}: {code} on {day} is listed twice.")
            out.append(item)
    return out


def clean_value_codes(value: Any, errors: FieldErrors) -> list[dict[str, str]]:
    """[{"code": "80", "amount": "12"}, ...]: each code once, amounts as decimals."""
    field, out = "value_codes", []
    entries = _entries(value, field, "value codes with amounts", errors)
    for n, entry in enumerate(entries or [], start=1):
        code, amount = _code(entry.get("code")), _as_amount(entry.get("amount"))
        if not UB_CODE_RE.match(code):
            errors.add(field, f"Value {n}: code {code!r} must be 2 letters or digits (e.g. 80).")
        if amount is None:
            errors.add(
                field,
                f"Value {n}: the amount {entry.get('amount')!r} must be a number with at most 2 "
                "decimal places (e.g. 12 or 125.50).",
            )
        if UB_CODE_RE.match(code) and amount is not None:
            if any(item["code"] == code for item in out):
                errors.add(field, f"Value {n}: code {code} is listed twice.")
            out.append({"code": code, "amount": format(amount, "f")})
    return out


def _check_choice(values: dict[str, Any], field: str, choices: Any, errors: FieldErrors) -> None:
    values[field] = _code(values.get(field))
    if values[field] and values[field] not in choices.values:
        listed = ", ".join(choices.values)
        errors.add(field, f"{values[field]!r} is not a code here; use one of {listed}.")


def _check_referring(values: dict[str, Any], errors: FieldErrors) -> None:
    values["referring_provider_name"] = clean_text(values.get("referring_provider_name"))
    npi = clean_text(values.get("referring_provider_npi"))
    values["referring_provider_npi"] = npi
    if len(values["referring_provider_name"]) > 60:
        errors.add("referring_provider_name", "At most 60 characters (837 NM103).")
    if npi:
        try:
            validate_npi(npi)
        except InvalidNpi as exc:
            errors.add("referring_provider_npi", str(exc))
        errors.require(
            bool(values["referring_provider_name"]),
            "referring_provider_name",
            "Enter the referring provider's name with their NPI.",
        )


def _check_attending(values: dict[str, Any], errors: FieldErrors) -> None:
    provider = values.get("attending_provider")
    if provider is not None and not provider.is_active:
        errors.add("attending_provider", f"{provider} is inactive.")


def clean_claim_facts(
    given: Mapping[str, Any], errors: FieldErrors, *, discharge_date: datetime.date | None
) -> dict[str, Any]:
    """The facts in `given` (any of CLAIM_FACTS), normalized; problems land on `errors`. The
    discharge hour needs a discharge date; status 30 (still a patient) needs none, any other
    status needs one."""
    values = dict(given)
    for field in ("admission_hour", "discharge_hour"):
        if field in values:
            values[field] = _hour(values[field], field, errors)
    for field, choices in (
        ("admission_type", AdmissionType),
        ("admission_source", AdmissionSource),
        ("patient_status", PatientStatus),
    ):
        if field in values:
            _check_choice(values, field, choices, errors)
    if {"referring_provider_name", "referring_provider_npi"} & set(values):
        _check_referring(values, errors)
    _check_attending(values, errors)
    if "occurrence_codes" in values:
        values["occurrence_codes"] = clean_occurrence_codes(values["occurrence_codes"], errors)
    if "value_codes" in values:
        values["value_codes"] = clean_value_codes(values["value_codes"], errors)
    _check_discharge_facts(values, errors, discharge_date)
    return values


def _check_discharge_facts(
    values: Mapping[str, Any], errors: FieldErrors, discharge_date: datetime.date | None
) -> None:
    if values.get("discharge_hour") is not None and discharge_date is None:
        errors.add("discharge_hour", "Only with a discharge date (the episode is still open).")
    status = values.get("patient_status")
    if status == STILL_A_PATIENT and discharge_date is not None:
        errors.add("patient_status", "30 means still a patient: not for a discharged episode.")
    elif status and status != STILL_A_PATIENT and discharge_date is None:
        errors.add(
            "patient_status",
            "A discharge status needs a discharge date; an open episode is 30 (still a patient).",
        )


@transaction.atomic
def episode_update(*, episode: EpisodeOfCare, actor: Any = None, **changes: Any) -> EpisodeOfCare:
    """Edit the claim facts of an episode (admission and discharge facts, attending and
    referring providers, occurrence and value codes); everything else has its own path."""
    reject_unknown(changes, CLAIM_FACTS, "episode_update")
    errors = FieldErrors()
    current = {name: getattr(episode, name) for name in CLAIM_FACTS}
    values = clean_claim_facts(
        {**current, **changes}, errors, discharge_date=episode.discharge_date
    )
    errors.raise_if_any()
    for name in changes:
        setattr(episode, name, values[name])
    return save_guarded(
        lambda: episode.save(update_fields=list(changes)) or episode,
        field="patient_status",
        message="These discharge facts do not fit the episode's dates.",
    )

"""Qualified service organization agreements (QSOAs) as pure rules over plain values (no ORM).

42 CFR 2.11 defines a qualified service organization as one that provides services to a Part 2
program (data processing, bill collecting, accounting, legal, population health management and
other professional services) under a written agreement in which it acknowledges that, in
receiving, storing, processing or otherwise dealing with patient records, it is fully bound by
Part 2, and undertakes to resist in judicial proceedings any effort to obtain access to patient
records except as Part 2 permits. Under §2.12(c)(4) communication between the program and its
QSO needs no patient consent. For a billing company the agreement is what lets its staff see
Part 2 records at all (rcm.tenancy.part2); its disclosures to payers still go through the
consent gate.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

Errors = dict[str, list[str]]

SERVICES: dict[str, str] = {
    "billing": "Billing and claims submission",
    "collections": "Bill collecting",
    "data_processing": "Data processing",
    "accounting": "Accounting",
    "legal": "Legal services",
    "population_health": "Population health management",
    "other_professional": "Other professional services",
}

MSG = {
    "counterparty": "Choose the billing company the agreement is with.",
    "counterparty_kind": "A QSO agreement here is with an outside billing company "
    "(an organization of kind billing company).",
    "counterparty_self": "An organization cannot be its own qualified service organization.",
    "services": "Tick the services the QSO provides (42 CFR 2.11: billing, collections ...).",
    "services_unknown": "Unknown service: {codes}.",
    "effective_on": "Give the date the agreement takes effect.",
    "ends_on": "The end date is the first day the agreement is no longer in force: it must "
    "fall after the effective date.",
    "qso_bound_by_part2": "42 CFR 2.11: the agreement must state that the QSO acknowledges it "
    "is fully bound by Part 2 in receiving, storing, processing or otherwise dealing with "
    "patient records.",
    "qso_resists_judicial_efforts": "42 CFR 2.11: the agreement must state that the QSO will "
    "resist in judicial proceedings any effort to obtain access to patient records except as "
    "Part 2 permits.",
    "document_reference": "Say where the signed agreement is kept (file name, document id "
    "or link).",
    "overlap": "An agreement with this billing company is already on file from {start} "
    "{until}; end it before recording a new one.",
    "end_date": "Give the date the agreement ends (the first day it is no longer in force).",
    "end_before_start": "An agreement cannot end before it takes effect ({start}).",
    "end_later": "The agreement already ends on {ends_on}; ending it can only bring that "
    "date forward.",
}
MAX_LENGTHS = {"document_reference": 300}


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def normalized_services(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    codes = {str(code).strip() for code in (value or []) if str(code).strip()}
    order = list(SERVICES)
    return sorted(codes, key=lambda c: (order.index(c) if c in order else len(order), c))


def in_force(
    *, effective_on: datetime.date, ends_on: datetime.date | None, on_date: datetime.date
) -> bool:
    """In force from `effective_on` up to (not including) `ends_on`."""
    return effective_on <= on_date and (ends_on is None or on_date < ends_on)


def overlaps(
    start: datetime.date,
    end: datetime.date | None,
    other_start: datetime.date,
    other_end: datetime.date | None,
) -> bool:
    """Whether two [start, end) periods share a day (None: open-ended)."""
    return (other_end is None or start < other_end) and (end is None or other_start < end)


def record_errors(
    data: Mapping[str, Any],
    *,
    counterparty_kind: str | None,
    counterparty_is_self: bool,
    existing: Iterable[tuple[datetime.date, datetime.date | None]],
) -> Errors:
    """Every element a QSOA must carry. `existing`: (effective_on, ends_on) of the org's other
    agreements with the same counterparty; periods may not overlap."""
    errors: Errors = {}
    _counterparty(errors, counterparty_kind, counterparty_is_self)
    _services(errors, data["services"])
    _dates(errors, data["effective_on"], data["ends_on"])
    for name in ("qso_bound_by_part2", "qso_resists_judicial_efforts"):
        if data[name] is not True:
            _add(errors, name, MSG[name])
    reference = data["document_reference"]
    if not reference:
        _add(errors, "document_reference", MSG["document_reference"])
    elif len(reference) > MAX_LENGTHS["document_reference"]:
        _add(errors, "document_reference", "Keep this under 300 characters.")
    if not errors:
        _overlap(errors, data["effective_on"], data["ends_on"], existing)
    return errors


def _counterparty(errors: Errors, kind: str | None, is_self: bool) -> None:
    if kind is None:
        _add(errors, "counterparty", MSG["counterparty"])
    elif is_self:
        _add(errors, "counterparty", MSG["counterparty_self"])
    elif kind != "billing_company":
        _add(errors, "counterparty", MSG["counterparty_kind"])


def _services(errors: Errors, services: list[str]) -> None:
    unknown = [code for code in services if code not in SERVICES]
    if not services:
        _add(errors, "services", MSG["services"])
    elif unknown:
        _add(errors, "services", MSG["services_unknown"].format(codes=", ".join(unknown)))


def _dates(errors: Errors, effective_on: Any, ends_on: Any) -> None:
    if effective_on is None:
        _add(errors, "effective_on", MSG["effective_on"])
    elif ends_on is not None and ends_on <= effective_on:
        _add(errors, "ends_on", MSG["ends_on"])


def _overlap(
    errors: Errors,
    effective_on: datetime.date,
    ends_on: datetime.date | None,
    existing: Iterable[tuple[datetime.date, datetime.date | None]],
) -> None:
    for start, end in existing:
        if overlaps(effective_on, ends_on, start, end):
            until = f"until {end}" if end else "with no end date"
            _add(errors, "effective_on", MSG["overlap"].format(start=start, until=until))
            return


def end_errors(
    *,
    effective_on: datetime.date,
    current_ends_on: datetime.date | None,
    ends_on: datetime.date | None,
) -> Errors:
    """Ending brings the end date forward (or sets one); never before the start. Ending on the
    effective date cancels an agreement that has not started."""
    errors: Errors = {}
    if ends_on is None:
        _add(errors, "ends_on", MSG["end_date"])
    elif ends_on < effective_on:
        _add(errors, "ends_on", MSG["end_before_start"].format(start=effective_on))
    elif current_ends_on is not None and ends_on > current_ends_on:
        _add(errors, "ends_on", MSG["end_later"].format(ends_on=current_ends_on))
    return errors

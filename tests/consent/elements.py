"""Shared test data: one complete, valid TPO consent, and each element it can be missing."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import time_machine
from django.utils import timezone

from consent.forms import TPO_PURPOSES, TPO_RECIPIENT_KINDS, TPO_RECIPIENTS


def today() -> datetime.date:
    return timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=n)


@contextmanager
def on(day: datetime.date, hour: int = 12, minute: int = 0) -> Iterator[None]:
    """Travel to `day` at `hour`:`minute` on the active org's clock."""
    zone = timezone.get_current_timezone()
    moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)
    with time_machine.travel(moment, tick=False):
        yield


def valid_elements(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict(
        kind="tpo",
        disclosing_party="Clinic A",
        information_scope="Diagnoses, dates and types of services, and claims data",
        information_categories=["attendance", "diagnoses", "services", "claims_payment"],
        recipient_kind="class",
        recipients=TPO_RECIPIENTS,
        recipient_kinds=TPO_RECIPIENT_KINDS,
        purpose="Treatment, payment, and health care operations",
        purposes=TPO_PURPOSES,
        revocation_rights_stated=True,
        expiration_event="None (TPO consent)",
        signer_name="Alex Rivera",
        signer_role="patient",
        signature_method="electronic",
        signed_on=days_ago(3),
        recipient_covered_entity=True,
        redisclosure_notice_stated=True,
        refusal_consequences_stated=True,
    )
    data.update(overrides)
    return data


# (keys left out, field that must carry the error, text the message must start with)
MISSING_ELEMENTS = [
    (["kind"], "kind", "Choose the consent type"),
    (["disclosing_party"], "disclosing_party", "Element 2:"),
    (["information_scope"], "information_scope", "Element 3:"),
    (["information_categories"], "information_categories", "Element 3:"),
    (["recipient_kind"], "recipient_kind", "Element 4:"),
    (["recipients"], "recipients", "Element 4:"),
    (["recipient_kinds"], "recipient_kinds", "Element 4: tick each kind of recipient"),
    (["purpose"], "purpose", "Element 5:"),
    (["revocation_rights_stated"], "revocation_rights_stated", "Element 6:"),
    (["expiration_event"], "expires_on", "Element 7:"),
    (["signer_name"], "signer_name", "Element 8:"),
    (["signer_role"], "signer_role", "Element 8:"),
    (["signature_method"], "signature_method", "Element 8:"),
    (["signed_on"], "signed_on", "Element 9:"),
    (["redisclosure_notice_stated"], "redisclosure_notice_stated", "Element 10:"),
    (["refusal_consequences_stated"], "refusal_consequences_stated", "Element 10:"),
]
MISSING_IDS = [case[1] for case in MISSING_ELEMENTS]


def without(keys: list[str], **overrides: Any) -> dict[str, Any]:
    data = valid_elements(**overrides)
    for key in keys:
        data.pop(key)
    return data


def as_post(data: dict[str, Any]) -> dict[str, str]:
    """Form encoding: ticked boxes send "on", unticked and empty values send nothing."""
    post = {}
    for key, value in data.items():
        if value is True:
            post[key] = "on"
        elif isinstance(value, list):
            post[key] = value
        elif value not in (None, False, ""):
            post[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return post

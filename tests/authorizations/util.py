"""Helpers for the authorization tests."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from tests import factories

TODAY = factories.TODAY


def program_day(ns: SimpleNamespace, day: dt.date = TODAY, **fields: Any) -> Any:
    """A completed IOP program day for the fixture's patient."""
    return factories.session(
        patient_obj=ns.patient,
        provider_obj=ns.provider,
        episode=ns.episode,
        kind="program_day",
        service_date=day,
        **fields,
    )

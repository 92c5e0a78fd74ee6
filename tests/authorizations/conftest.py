"""Shared rows for the authorization tests: one IOP patient in org A with an approved auth."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from tests import factories

TODAY = factories.TODAY


@pytest.fixture
def iop(in_org_a: Any) -> SimpleNamespace:
    """Patient on IOP since 2026-10-01 with coverage and a 10-day H0015 authorization."""
    pat = factories.patient()
    cov = factories.coverage(patient_obj=pat)
    ep = factories.episode(
        patient_obj=pat, program="sud", level="iop", admit_date=dt.date(2026, 10, 1)
    )
    auth = factories.authorization(
        coverage_obj=cov,
        episode=ep,
        level_of_care="iop",
        codes=["H0015"],
        unit_type="days",
        units_authorized=Decimal("10"),
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 11, 30),
    )
    prov = factories.provider()
    return SimpleNamespace(patient=pat, coverage=cov, episode=ep, auth=auth, provider=prov)

"""Units come off the authorization on the coverage billed on the date of service: the
patient's primary coverage in force that day (REFERENCE.md §14). An authorization on the
secondary coverage, or on a coverage that has ended, is never debited for a primary-billed
service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from authorizations.selectors import authorization_for_service
from authorizations.services import units_used
from tests import factories
from tests.authorizations.util import consume, one, program_day


def _iop_auth(coverage, **fields):
    return factories.authorization(
        coverage_obj=coverage,
        level_of_care="iop",
        codes=["H0015"],
        unit_type="days",
        units_authorized=Decimal("10"),
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 11, 30),
        **fields,
    )


def test_an_authorization_on_the_secondary_coverage_is_never_debited(iop):
    secondary = factories.coverage(patient_obj=iop.patient, priority=2)
    on_secondary = _iop_auth(secondary)
    entry = one(consume(program_day(iop), "H0015"))
    assert entry.authorization == iop.auth
    assert units_used(on_secondary) == 0


def test_with_only_a_secondary_authorization_the_primary_billed_service_debits_nothing(iop):
    iop.auth.delete()
    secondary = factories.coverage(patient_obj=iop.patient, priority=2)
    on_secondary = _iop_auth(secondary)
    assert consume(program_day(iop), "H0015") == []
    assert units_used(on_secondary) == 0


@pytest.fixture
def switched(iop):
    """The first primary coverage ended on 2026-10-31; a new primary starts 2026-11-01. The
    old coverage's authorization still runs to 2026-11-30 on paper."""
    iop.coverage.end_date = dt.date(2026, 10, 31)
    iop.coverage.save()
    iop.new_coverage = factories.coverage(
        patient_obj=iop.patient, effective_date=dt.date(2026, 11, 1)
    )
    iop.new_auth = _iop_auth(iop.new_coverage)
    return iop


@pytest.mark.parametrize(
    ("day", "debits"),
    [
        (dt.date(2026, 10, 30), "old"),
        (dt.date(2026, 10, 31), "old"),  # the old coverage's last day
        (dt.date(2026, 11, 1), "new"),  # the new coverage's first day
        (dt.date(2026, 11, 2), "new"),
    ],
)
def test_the_coverage_in_force_on_the_date_of_service_is_the_one_debited(switched, day, debits):
    entry = one(consume(program_day(switched, day), "H0015"))
    expected = switched.auth if debits == "old" else switched.new_auth
    assert entry.authorization == expected


def test_an_ended_coverage_is_never_debited_after_its_end(switched):
    switched.new_auth.delete()
    assert consume(program_day(switched, dt.date(2026, 11, 2)), "H0015") == []
    assert units_used(switched.auth) == 0


def test_the_service_selector_looks_only_at_the_billed_coverage(switched):
    find = dict(patient=switched.patient, level="iop", code="H0015")
    assert authorization_for_service(**find, on_date=dt.date(2026, 10, 31)) == switched.auth
    assert authorization_for_service(**find, on_date=dt.date(2026, 11, 1)) == switched.new_auth

"""A days authorization (residential, PHP, IOP per diem, withdrawal management) is consumed once
per day by the billed day, not once per session (REFERENCE.md §14): two program days, or a
session and a program day, on one date debit one day; cancelling one of them keeps the day
debited, cancelling the last gives it back. Residential is authorized by revenue code 1002
(REFERENCE.md §2, §14). Recorded through the sessions service, coded by the engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from authorizations.models import UnitLedgerEntry
from authorizations.services import units_used
from patients.services.clinical import session_correct, session_record, session_set_status
from tests import factories

DAY = dt.date(2026, 11, 2)
START = dt.datetime(2026, 11, 2, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def residential(in_org_a):
    payer = factories.payer(
        level_of_care_codes={
            "residential": {
                "hcpcs": "H0018",
                "revenue_code": "1002",
                "type_of_bill": "861",
                "pos": "55",
                "unit": "per_diem",
            }
        },
        auth_required_levels=["residential"],
    )
    patient = factories.patient()
    coverage = factories.coverage(patient_obj=patient, payer_obj=payer)
    episode = factories.episode(
        patient_obj=patient, level="residential", program="sud", admit_date=dt.date(2026, 10, 1)
    )
    auth = factories.authorization(
        coverage_obj=coverage,
        episode=episode,
        level_of_care="residential",
        codes=["1002"],
        unit_type="days",
        units_authorized=Decimal("14"),
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 11, 30),
    )
    return SimpleNamespace(
        patient=patient,
        episode=episode,
        auth=auth,
        provider=factories.provider(),
        facility=factories.facility(pos="55"),
    )


def _program_day(ns, day=DAY, **extra):
    return session_record(
        actor=None,
        patient=ns.patient,
        episode=ns.episode,
        kind="program_day",
        service_date=day,
        attended_minutes=360,
        rendering_provider=ns.provider,
        facility=ns.facility,
        **extra,
    )


def _individual(ns, minutes=55):
    return session_record(
        actor=None,
        patient=ns.patient,
        episode=ns.episode,
        kind="individual",
        starts_at=START,
        ends_at=START + dt.timedelta(minutes=minutes),
        rendering_provider=ns.provider,
        facility=ns.facility,
    )


def _debits(session):
    return list(
        UnitLedgerEntry.objects.filter(session=session)
        .order_by("id")
        .values_list("kind", "units", "service_date")
    )


def test_a_residential_day_is_debited_by_its_revenue_code(residential):
    day = _program_day(residential)
    entry = UnitLedgerEntry.objects.get(session=day)
    assert (entry.authorization, entry.units) == (residential.auth, Decimal("-1"))
    assert entry.memo == "H0018 (rev 1002) x 1: 1 day"


def test_two_program_day_sessions_on_one_date_debit_one_day(residential):
    first, second = _program_day(residential), _program_day(residential)
    assert units_used(residential.auth) == 1
    assert _debits(first) == [("consume", Decimal("-1.00"), DAY)] and _debits(second) == []


def test_program_days_on_two_dates_debit_two_days(residential):
    _program_day(residential)
    _program_day(residential, DAY + dt.timedelta(days=1))
    assert units_used(residential.auth) == 2


def test_a_session_the_authorization_does_not_list_is_not_debited_on_it(residential):
    _individual(residential)  # 90837, no revenue code: not "1002"
    assert units_used(residential.auth) == 0


def test_a_session_and_a_program_day_on_one_date_debit_one_day(residential):
    residential.auth.codes = ["1002", "90837"]
    residential.auth.save()
    _individual(residential)
    _program_day(residential)
    assert units_used(residential.auth) == 1


def test_cancelling_one_of_two_sessions_keeps_the_day_debited(residential):
    first, second = _program_day(residential), _program_day(residential)
    session_set_status(session=first, status="cancelled", actor=None)
    assert units_used(residential.auth) == 1
    assert [kind for kind, *_ in _debits(first)] == ["consume", "release"]
    assert _debits(second) == [("consume", Decimal("-1.00"), DAY)]  # the day passed over
    session_set_status(session=second, status="cancelled", actor=None)
    assert units_used(residential.auth) == 0


def test_cancelling_the_session_that_did_not_debit_the_day_changes_nothing(residential):
    first, second = _program_day(residential), _program_day(residential)
    session_set_status(session=second, status="cancelled", actor=None)
    assert units_used(residential.auth) == 1
    assert _debits(second) == [] and len(_debits(first)) == 1


def test_cancelling_the_only_session_of_the_day_gives_the_day_back(residential):
    day = _program_day(residential)
    session_set_status(session=day, status="cancelled", actor=None)
    assert units_used(residential.auth) == 0


def test_moving_the_debiting_session_to_another_date_leaves_both_days_debited(residential):
    first, second = _program_day(residential), _program_day(residential)
    later = DAY + dt.timedelta(days=1)
    session_correct(session=first, actor=None, reason="Was the next day", service_date=later)
    assert units_used(residential.auth) == 2
    open_days = sorted(e.service_date for e in UnitLedgerEntry.objects.filter(kind="consume"))
    assert open_days == [DAY, DAY, later]  # first's old day, second's takeover, first's new
    assert _debits(second) == [("consume", Decimal("-1.00"), DAY)]


def test_a_correction_of_the_debiting_session_that_keeps_its_day_keeps_its_debit(residential):
    first, second = _program_day(residential), _program_day(residential)
    session_correct(session=first, actor=None, reason="Stayed longer", attended_minutes=420)
    assert units_used(residential.auth) == 1
    assert _debits(second) == []

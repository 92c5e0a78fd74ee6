"""The units ledger: sessions and program days consume authorized units once, voids give them
back, and an authorization is never overdrawn or used outside its span."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from authorizations.models import UnitLedgerEntry
from authorizations.services import units_release_for_session, units_used
from patients.models import LevelOfCareSegment
from tests import factories
from tests.authorizations.util import TODAY, consume, one, program_day

ONE = Decimal("1")


def test_a_program_day_consumes_one_unit_of_the_matching_authorization(iop):
    entry = one(consume(program_day(iop), "H0015"))
    assert entry.authorization == iop.auth
    assert (entry.kind, entry.units, entry.service_date) == ("consume", Decimal("-1"), TODAY)
    assert units_used(iop.auth) == ONE


def test_consuming_the_same_session_twice_consumes_once(iop):
    day = program_day(iop)
    first = one(consume(day, "H0015"))
    second = one(consume(day, "h0015 "))
    assert second.pk == first.pk
    assert UnitLedgerEntry.objects.filter(session=day).count() == 1
    assert units_used(iop.auth) == ONE


def test_consumption_that_would_exhaust_the_authorization_is_refused(iop):
    iop.auth.units_authorized = Decimal("2")
    iop.auth.save()
    for offset in (0, 1):
        consume(program_day(iop, TODAY - dt.timedelta(days=offset)), "H0015")
    third = program_day(iop, TODAY - dt.timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        consume(third, "H0015")
    assert "units" in exc.value.message_dict
    assert not UnitLedgerEntry.objects.filter(session=third).exists()
    assert units_used(iop.auth) == Decimal("2")


def test_a_partial_overdraw_is_refused_too(iop):
    iop.auth.unit_type = "units_15"
    iop.auth.save()
    with pytest.raises(ValidationError, match="Not enough authorized units"):
        consume(program_day(iop), "H0015", units=11)  # 10 authorized


def test_releasing_a_voided_session_restores_its_units_once(iop):
    iop.auth.unit_type = "units_15"
    iop.auth.save()
    day = program_day(iop)
    consume(day, "H0015", units=3)
    released = units_release_for_session(session=day)
    again = units_release_for_session(session=day)
    assert [(r.kind, r.units) for r in released] == [("release", Decimal("3"))]
    assert [r.pk for r in again] == [r.pk for r in released]
    assert units_used(iop.auth) == Decimal("0")


def test_releasing_a_session_that_consumed_nothing_writes_nothing(iop):
    assert units_release_for_session(session=program_day(iop)) == []
    assert not UnitLedgerEntry.objects.exists()


def test_a_released_session_cannot_silently_consume_again(iop):
    day = program_day(iop)
    consume(day, "H0015")
    units_release_for_session(session=day)
    with pytest.raises(ValidationError, match="released"):
        consume(day, "H0015")


def test_a_service_after_the_authorized_span_is_refused(iop):
    late = program_day(iop, dt.date(2026, 12, 1))
    with pytest.raises(ValidationError) as exc:
        consume(late, "H0015")
    assert "outside the authorized span" in exc.value.message_dict["service_date"][0]


@pytest.mark.parametrize("units", [Decimal("0"), Decimal("-1")])
def test_zero_or_negative_units_are_refused(iop, units):
    with pytest.raises(ValidationError) as exc:
        consume(program_day(iop), "H0015", units=units)
    assert "units" in exc.value.message_dict


def test_a_cancelled_session_does_not_consume(iop):
    with pytest.raises(ValidationError) as exc:
        consume(program_day(iop, status="cancelled"), "H0015")
    assert "session" in exc.value.message_dict


def test_a_code_the_authorization_does_not_list_finds_no_authorization(iop):
    assert consume(program_day(iop), "90837") == []


def test_an_authorization_without_codes_covers_any_code_at_its_level(iop):
    iop.auth.codes = []
    iop.auth.save()
    entry = one(consume(program_day(iop), "S9480"))
    assert entry.authorization == iop.auth


@pytest.mark.parametrize("status", ["denied", "pended", "requested", "cancelled"])
def test_an_authorization_not_approved_is_never_consumed(iop, status):
    iop.auth.status = status
    iop.auth.save()
    assert consume(program_day(iop), "H0015") == []


def test_the_level_comes_from_the_episode_segment_on_the_service_date(iop):
    segment = iop.episode.segments.get()
    segment.end_date = dt.date(2026, 10, 31)
    segment.save()
    LevelOfCareSegment.objects.create(
        episode=iop.episode, level="outpatient", start_date=dt.date(2026, 11, 1)
    )
    in_iop = program_day(iop, dt.date(2026, 10, 20))
    stepped_down = program_day(iop, dt.date(2026, 11, 3))
    assert consume(in_iop, "H0015") != []
    assert consume(stepped_down, "H0015") == []


def test_another_patients_authorization_is_never_consumed(iop):
    other = factories.patient()
    factories.episode(patient_obj=other, level="iop", admit_date=dt.date(2026, 10, 1))
    session = factories.session(patient_obj=other, kind="program_day")
    assert consume(session, "H0015") == []
    assert units_used(iop.auth) == 0


def test_the_soonest_ending_authorization_is_used_first_then_the_next(iop):
    later = factories.authorization(
        coverage_obj=iop.coverage,
        level_of_care="iop",
        codes=["H0015"],
        unit_type="days",
        units_authorized=Decimal("5"),
        start_date=dt.date(2026, 10, 15),
        end_date=dt.date(2026, 12, 31),
    )
    iop.auth.units_authorized = ONE
    iop.auth.save()
    first = one(consume(program_day(iop), "H0015"))
    second = one(consume(program_day(iop, TODAY - dt.timedelta(days=1)), "H0015"))
    assert (first.authorization, second.authorization) == (iop.auth, later)


def test_the_database_refuses_a_consume_entry_with_a_positive_amount(iop):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UnitLedgerEntry.objects.create(
            authorization=iop.auth, kind="consume", units=ONE, service_date=TODAY
        )

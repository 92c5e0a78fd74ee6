"""A correction that changes what a session bills gives the old debit back and consumes the new
one; a correction that bills the same, or of a session that bills nothing, leaves the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from authorizations.models import UnitLedgerEntry
from authorizations.services import units_used
from patients.services.clinical import session_correct, session_record, session_set_status
from rcm.tenancy import org_context
from tests import factories

START = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def iop(org_a):
    """IOP patient with a 20-hour H0015 authorization (Oct-Dec) and an outpatient visit auth."""
    with org_context(org_a):
        patient = factories.patient()
        cov = factories.coverage(patient_obj=patient)
        episode = factories.episode(
            patient_obj=patient, level="iop", program="sud", admit_date=dt.date(2026, 10, 1)
        )
        hours = factories.authorization(
            coverage_obj=cov,
            episode=episode,
            level_of_care="iop",
            codes=["H0015"],
            unit_type="hours",
            units_authorized=Decimal("20"),
        )
        provider = factories.provider()
        facility = factories.facility(pos="57")
        yield {
            "patient": patient,
            "coverage": cov,
            "episode": episode,
            "hours": hours,
            "provider": provider,
            "facility": facility,
        }


def _day(ctx, minutes=200, **extra):
    return session_record(
        actor=None,
        patient=ctx["patient"],
        episode=ctx["episode"],
        kind="program_day",
        service_date=dt.date(2026, 11, 2),
        attended_minutes=minutes,
        rendering_provider=ctx["provider"],
        facility=ctx["facility"],
        **extra,
    )


def _ledger(session):
    return list(
        UnitLedgerEntry.objects.filter(session=session)
        .order_by("id")
        .values_list("kind", "units", "session_revision")
    )


def test_correcting_attended_minutes_releases_the_old_hours_and_consumes_the_new(iop):
    day = _day(iop)
    assert units_used(iop["hours"]) == Decimal("3.33")
    session_correct(session=day, actor=None, reason="Stayed all day", attended_minutes=240)
    assert units_used(iop["hours"]) == Decimal("4.00")
    assert _ledger(day) == [
        ("consume", Decimal("-3.33"), 0),
        ("release", Decimal("3.33"), 0),
        ("consume", Decimal("-4.00"), 1),
    ]


def test_two_corrections_in_a_row_leave_one_debit_of_the_last_value(iop):
    day = _day(iop)
    session_correct(session=day, actor=None, reason="First fix", attended_minutes=240)
    session_correct(session=day, actor=None, reason="Second fix", attended_minutes=180)
    assert units_used(iop["hours"]) == Decimal("3.00")


def test_a_correction_that_bills_the_same_leaves_the_ledger_alone(iop):
    day = _day(iop)
    other_site = factories.facility(pos="57")
    session_correct(session=day, actor=None, reason="Other site", facility=other_site)
    assert _ledger(day) == [("consume", Decimal("-3.33"), 0)]


def test_cancelling_after_a_correction_gives_back_the_corrected_debit(iop):
    day = _day(iop)
    other_site = factories.facility(pos="57")
    session_correct(session=day, actor=None, reason="Other site", facility=other_site)
    session_correct(session=day, actor=None, reason="Stayed all day", attended_minutes=240)
    session_set_status(session=day, status="cancelled", actor=None)
    assert units_used(iop["hours"]) == Decimal("0")


def test_a_correction_to_a_cancelled_session_consumes_nothing(iop):
    day = _day(iop)
    session_set_status(session=day, status="cancelled", actor=None)
    before = _ledger(day)
    session_correct(session=day, actor=None, reason="Minutes typo", attended_minutes=240)
    assert _ledger(day) == before and units_used(iop["hours"]) == Decimal("0")
    never = _day(iop, status="cancelled")
    session_correct(session=never, actor=None, reason="Minutes typo", attended_minutes=240)
    assert _ledger(never) == []


def test_moving_a_day_outside_the_authorized_span_gives_its_units_back(iop):
    day = _day(iop)
    session_correct(
        session=day, actor=None, reason="Was in January", service_date=dt.date(2027, 1, 5)
    )
    assert units_used(iop["hours"]) == Decimal("0")
    assert [kind for kind, *_ in _ledger(day)] == ["consume", "release"]


def test_a_visit_corrected_to_an_unauthorized_code_and_back_consumes_again(org_a):
    with org_context(org_a):
        patient = factories.patient()
        cov = factories.coverage(patient_obj=patient)
        episode = factories.episode(patient_obj=patient, admit_date=dt.date(2026, 10, 1))
        visits = factories.authorization(coverage_obj=cov, episode=episode, codes=["90837"])
        session = session_record(
            actor=None,
            patient=patient,
            kind="individual",
            starts_at=START,
            ends_at=START + dt.timedelta(minutes=53),
            rendering_provider=factories.provider(),
            facility=factories.facility(),
        )
        assert units_used(visits) == Decimal("1")
        later = START + dt.timedelta(minutes=40)
        session_correct(session=session, actor=None, reason="Ended early", ends_at=later)
        assert units_used(visits) == Decimal("0")  # 90834 is not what was authorized
        later = START + dt.timedelta(minutes=55)
        session_correct(session=session, actor=None, reason="No, it was 55", ends_at=later)
        assert units_used(visits) == Decimal("1")


def test_the_ledger_api_pairs_each_release_with_the_revision_it_gives_back(org_a, iop):
    from rest_framework.test import APIClient

    from rcm.models import ApiToken

    day = _day(iop)
    session_correct(session=day, actor=None, reason="Stayed all day", attended_minutes=240)
    _, raw = ApiToken.issue(user=factories.member(org_a, role="biller"), name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    rows = client.get(
        f"/api/o/{org_a.slug}/auth-ledger/", {"session__public_id": str(day.public_id)}
    ).json()["results"]
    assert sorted((r["kind"], r["session_revision"], r["units"]) for r in rows) == [
        ("consume", 0, "-3.33"),
        ("consume", 1, "-4.00"),
        ("release", 0, "3.33"),
    ]

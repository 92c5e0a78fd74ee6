""" "Does this service need an authorization, and is it covered?": the payer's levels, codes and
outpatient visits before authorization are used, not only stored. Visits are counted per
calendar year of service on the coverage billed (REFERENCE.md §6: "outpatient after N visits";
§14: the coverage billed on that date). The session page and API show the answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from authorizations.selectors import outpatient_visits_before, service_authorization
from patients.services.clinical import session_record
from rcm.models import PhiAccess
from tests import factories

DAY = dt.date(2026, 11, 2)


def _at(day: dt.date, hour: int = 17) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC)


@pytest.fixture
def blue(in_org_a):
    """A commercial plan that authorizes outpatient care after 3 visits a year and always
    needs one for 90791; the patient has had it since mid-2025."""
    payer = factories.payer(
        name="Blue plan",
        outpatient_visits_before_auth=3,
        auth_required_codes=["90791"],
        auth_required_levels=["iop"],
    )
    patient = factories.patient()
    coverage = factories.coverage(
        patient_obj=patient, payer_obj=payer, effective_date=dt.date(2025, 6, 1)
    )
    return SimpleNamespace(
        payer=payer,
        patient=patient,
        coverage=coverage,
        provider=factories.provider(),
        facility=factories.facility(pos="11"),
    )


def _visit(ns, day=DAY, hour=17, kind="individual", **fields):
    return factories.session(
        patient_obj=ns.patient,
        provider_obj=ns.provider,
        kind=kind,
        service_date=day,
        starts_at=_at(day, hour),
        ends_at=_at(day, hour) + dt.timedelta(minutes=55),
        facility=ns.facility,
        **fields,
    )


def _earlier_visits(ns, count):
    return [_visit(ns, dt.date(2026, 10, 5) + dt.timedelta(days=7 * n)) for n in range(count)]


@pytest.mark.parametrize(("earlier", "needed"), [(0, False), (2, False), (3, True), (5, True)])
def test_visits_one_to_n_of_the_year_need_none_and_visit_n_plus_one_does(blue, earlier, needed):
    _earlier_visits(blue, earlier)
    check = service_authorization(session=_visit(blue))
    assert check.needed is needed
    assert check.holds_claim is needed  # no authorization on file
    if needed:
        assert check.message.startswith("Needs authorization: yes, none covers it")
        assert "after the first 3 visits of the year; 3 or more" in " ".join(check.reasons)
    else:
        assert f"outpatient visit {earlier + 1} of the 3" in check.message


def test_visits_of_the_previous_year_cancelled_or_on_another_coverage_do_not_count(blue):
    _visit(blue, dt.date(2025, 12, 30))  # last calendar year
    _visit(blue, dt.date(2026, 10, 7), status="cancelled")
    _visit(blue, dt.date(2026, 10, 8), status="no_show")
    _earlier_visits(blue, 2)
    assert outpatient_visits_before(session=_visit(blue), coverage=blue.coverage, limit=3) == 2


def test_visits_billed_to_an_earlier_primary_coverage_do_not_count(blue):
    blue.coverage.effective_date = dt.date(2026, 7, 1)
    blue.coverage.save()
    factories.coverage(
        patient_obj=blue.patient, effective_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 6, 30)
    )
    for month in (3, 4, 5, 6):
        _visit(blue, dt.date(2026, month, 10))
    assert service_authorization(session=_visit(blue)).needed is False


def test_a_later_visit_on_the_same_day_is_the_next_visit(blue):
    _earlier_visits(blue, 2)
    morning, afternoon = _visit(blue, hour=15), _visit(blue, hour=20)
    assert service_authorization(session=morning).needed is False  # visit 3
    assert service_authorization(session=afternoon).needed is True  # visit 4


def test_program_level_services_are_not_outpatient_visits(blue):
    episode = factories.episode(
        patient_obj=blue.patient, level="iop", admit_date=dt.date(2026, 9, 1)
    )
    for n in range(4):
        _visit(blue, dt.date(2026, 10, 5) + dt.timedelta(days=n), episode=episode)
    assert outpatient_visits_before(session=_visit(blue), coverage=blue.coverage, limit=3) == 0


def test_a_code_on_the_payers_list_needs_an_authorization_at_the_first_visit(blue):
    evaluation = _visit(blue, kind="evaluation")
    check = service_authorization(session=evaluation)
    assert check.needed and check.lines[0].line.code == "90791" and check.lines[0].needed
    assert "Blue plan requires authorization for 90791" in check.reasons


def test_the_answer_names_the_authorization_that_covers_it_with_units_left(blue):
    _earlier_visits(blue, 3)
    auth = factories.authorization(
        coverage_obj=blue.coverage, codes=["90837"], units_authorized=Decimal("10")
    )
    session = session_record(
        actor=None,
        patient=blue.patient,
        kind="individual",
        starts_at=_at(DAY),
        ends_at=_at(DAY) + dt.timedelta(minutes=55),
        rendering_provider=blue.provider,
        facility=blue.facility,
    )
    check = service_authorization(session=session)
    assert (check.needed, check.covered, check.holds_claim) == (True, True, False)
    assert check.message == (
        f"Needs authorization: yes, covered by {auth.auth_number}, 9 of 10 visits left."
    )


def test_the_answer_says_a_tied_authorization_is_for_another_provider(blue):
    blue.payer.auth_tied_to_provider = True
    blue.payer.save()
    tied_to = factories.provider(last_name="Tied")
    _earlier_visits(blue, 3)
    factories.authorization(coverage_obj=blue.coverage, codes=["90837"], provider=tied_to)
    check = service_authorization(session=_visit(blue))
    assert check.holds_claim
    assert f"is tied to {tied_to}; 90837 is billed under {blue.provider}" in check.message


def test_a_payer_without_rules_needs_none(in_org_a):
    patient = factories.patient()
    factories.coverage(patient_obj=patient, payer_obj=factories.payer(auth_required_levels=[]))
    session = factories.session(patient_obj=patient, facility=factories.facility())
    check = service_authorization(session=session)
    assert (check.needed, check.holds_claim) == (False, False)
    assert check.message.startswith("Needs authorization: no (")


def _page(client, org, session):
    return client.get(f"/o/{org.slug}/patients/sessions/{session.public_id}/").content.decode()


def test_the_session_page_shows_the_answer(client, org_a, blue):
    _earlier_visits(blue, 3)
    session = _visit(blue)
    client.force_login(factories.member(org_a, role="biller"))
    html = _page(client, org_a, session)
    assert 'data-testid="session-authorization"' in html
    assert "Needs authorization: yes, none covers it" in html and "not covered" in html


def test_the_session_api_answers_and_logs_the_read(client, org_a, blue):
    _earlier_visits(blue, 3)
    auth = factories.authorization(coverage_obj=blue.coverage, codes=["90837"])
    session = _visit(blue)
    client.force_login(factories.member(org_a, role="biller"))
    body = client.get(f"/api/o/{org_a.slug}/sessions/{session.public_id}/authorization/").json()
    assert (body["needed"], body["covered"], body["holds_claim"]) == (True, True, False)
    line = body["lines"][0]
    assert (line["code"], line["authorization"], line["units_remaining"]) == (
        "90837",
        str(auth.public_id),
        "12.00",  # recorded by the factory: nothing consumed
    )
    assert "url" not in line
    assert PhiAccess.objects.filter(object_ids=[str(session.public_id)]).exists()


def test_leadership_cannot_read_a_sessions_authorization_answer(client, org_a, blue):
    session = _visit(blue)
    client.force_login(factories.member(org_a, role="leadership"))
    url = f"/api/o/{org_a.slug}/sessions/{session.public_id}/authorization/"
    assert client.get(url).status_code == 403


def test_a_cancelled_session_uses_no_units_and_holds_no_claim(client, org_a, blue):
    _earlier_visits(blue, 3)
    session = _visit(blue, status="cancelled")
    client.force_login(factories.member(org_a, role="biller"))
    body = client.get(f"/api/o/{org_a.slug}/sessions/{session.public_id}/authorization/").json()
    assert (body["needed"], body["holds_claim"]) == (True, False)
    assert body["message"].startswith("Cancelled: uses no authorized units.")

"""Fixes from the outside billing review of the program-day rules (REFERENCE.md §14): one per
diem a date, a census day needs no attended minutes, an IOP is never billed on POS 52, and a
peer specialist does not bill group counseling under H0005."""

from __future__ import annotations

import datetime

import pytest

from patients.coding_bridge import preview_for, prime_week_cache
from patients.models import Session
from patients.services.clinical import episode_admit, session_record
from payers.catalog import catalog_install
from tests import factories

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def payers(in_org_a):
    return {p.name: p for p, _ in catalog_install(org=in_org_a)}


def _admit(payer, program, level, facility_pos="57"):
    patient = factories.patient()
    factories.coverage(patient_obj=patient, payer_obj=payer)
    episode_admit(
        patient=patient,
        program=program,
        level=level,
        admit_date=DAY - datetime.timedelta(days=10),
        diagnoses=["F10.20" if program == "sud" else "F33.1"],
        facility=factories.facility(pos=facility_pos),
    )
    return patient


def _day(patient, **facts):
    base = dict(
        patient=patient,
        kind="program_day",
        service_date=DAY,
        rendering_provider=factories.provider(license_type="addiction_counselor"),
    )
    return session_record(actor=None, **{**base, **facts})


def test_a_second_program_day_on_one_date_bills_nothing(payers):
    patient = _admit(payers["State Medicaid (example)"], "sud", "iop")
    first = _day(patient, attended_minutes=200)
    second = _day(patient, attended_minutes=180)
    assert preview_for(session_like=first).billable
    again = preview_for(session_like=second)
    assert not again.billable and "bills one per diem a date" in again.errors[-1]
    cache = prime_week_cache([first, second], {})
    assert preview_for(session_like=second, week_cache=cache).billable is False
    assert preview_for(session_like=first, week_cache=cache).billable


def test_a_residential_day_is_recorded_without_attended_minutes(payers):
    patient = _admit(payers["Commercial PPO (example)"], "sud", "residential", "55")
    session = _day(patient)  # no attended_minutes
    assert session.attended_minutes is None
    assert preview_for(session_like=session).codes == ("H0018",)


def test_an_iop_day_at_a_facility_on_pos_52_is_refused(payers):
    patient = _admit(payers["State Medicaid (example)"], "mh", "iop", facility_pos="52")
    result = preview_for(session_like=_day(patient, attended_minutes=200))
    assert not result.billable and "place of service is 52" in result.errors[-1]


def test_a_peer_specialist_does_not_bill_h0005_group_counseling(in_org_a):
    from coding import Attendance, GroupBilling, PayerRules, ServiceFacts, code_service

    rules = PayerRules(
        accepted_licenses=frozenset({"peer_specialist", "lcsw"}),
        group=GroupBilling(mode="per_15min", code="H0005", modifiers=("HQ",)),
    )
    facts = ServiceFacts(
        kind="group", rendering_license="peer_specialist", attendees=(Attendance("p", 60),)
    )
    result = code_service(facts, rules)
    assert not result.billable and "cannot bill psychotherapy code 90853" in result.errors[0]


def test_the_second_day_is_the_one_recorded_later_even_if_cancelled_first_is_gone(payers):
    patient = _admit(payers["State Medicaid (example)"], "sud", "iop")
    first = _day(patient, attended_minutes=200)
    second = _day(patient, attended_minutes=180)
    Session.objects.filter(pk=first.pk).update(status="cancelled")
    assert preview_for(session_like=second).billable  # the live one now bills the day

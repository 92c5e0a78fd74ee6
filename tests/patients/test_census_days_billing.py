"""A residential stay through the bridge: each census day is billed once per diem with the
program's revenue code, the discharge day is not, and leave days follow the payer's rule
(REFERENCE.md §14)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from patients.coding_bridge import preview_for
from patients.models import Session
from patients.services.clinical import episode_admit, episode_discharge, leave_record
from payers.catalog import catalog_install
from tests import factories

ADMIT = datetime.date(2026, 3, 2)


@pytest.fixture
def stay(in_org_a):
    payer = next(
        p for p, _ in catalog_install(org=in_org_a) if p.name == "Commercial PPO (example)"
    )
    patient = factories.patient()
    factories.coverage(patient_obj=patient, payer_obj=payer, effective_date=ADMIT)
    episode = episode_admit(
        patient=patient, program="sud", level="residential", admit_date=ADMIT, diagnoses=["F10.20"]
    )
    return {
        "patient": patient,
        "episode": episode,
        "leader": factories.provider(license_type="addiction_counselor"),
    }


def _day(stay, day):
    return Session(
        patient=stay["patient"],
        episode=stay["episode"],
        kind="program_day",
        service_date=day,
        rendering_provider=stay["leader"],
    )


def test_a_residential_day_is_a_census_day_billed_by_the_program(stay):
    result = preview_for(session_like=_day(stay, ADMIT))
    assert result.billable, result.errors
    line = result.lines[0]
    assert (line.code, line.revenue_code, line.units) == ("H0018", "1002", 1)
    assert line.billed_provider.value == "facility"


def test_the_discharge_day_is_not_a_census_day(stay):
    discharge = ADMIT + datetime.timedelta(days=5)
    episode_discharge(episode=stay["episode"], discharge_date=discharge)
    assert preview_for(session_like=_day(stay, discharge - datetime.timedelta(days=1))).billable
    last = preview_for(session_like=_day(stay, discharge))
    assert not last.billable and "discharge day" in last.errors[0]


def test_a_leave_day_is_reported_not_billed_at_a_payer_that_does_not_pay_leave(stay):
    leave_record(
        episode=stay["episode"],
        start_date=ADMIT + datetime.timedelta(days=3),
        end_date=ADMIT + datetime.timedelta(days=4),
        reason="Family visit",
    )
    away = preview_for(session_like=_day(stay, ADMIT + datetime.timedelta(days=4)))
    assert not away.billable and "occurrence span 74" in away.errors[0]
    back = preview_for(session_like=_day(stay, ADMIT + datetime.timedelta(days=5)))
    assert back.billable


def test_a_leave_must_fall_inside_the_stay_and_not_overlap(stay):
    with pytest.raises(ValidationError) as refused:
        leave_record(episode=stay["episode"], start_date=ADMIT, end_date=ADMIT)
    assert "after the admission day" in refused.value.message_dict["start_date"][0]
    leave_record(
        episode=stay["episode"],
        start_date=ADMIT + datetime.timedelta(days=2),
        end_date=ADMIT + datetime.timedelta(days=3),
    )
    with pytest.raises(ValidationError) as overlap:
        leave_record(
            episode=stay["episode"],
            start_date=ADMIT + datetime.timedelta(days=3),
            end_date=ADMIT + datetime.timedelta(days=4),
        )
    assert "Overlaps another leave" in overlap.value.message_dict["start_date"][0]

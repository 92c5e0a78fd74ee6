"""What a submitted claim says does not change behind its back: a level change, discharge or
coverage end dated in the past is refused while a session it would affect is on a claim; a
corrected date keeps the session in its own program's episode; a correction that moves no time
is not refused because the org's zone changed since."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from patients.services.clinical import (
    coverage_end,
    episode_admit,
    episode_discharge,
    level_transition,
    session_correct,
    session_lock_for_claim,
    session_record,
)
from rcm.tenancy import org_context
from tests import factories

DAY = datetime.date(2026, 3, 2)
START = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def claimed(in_org_a):
    patient = factories.patient()
    coverage = factories.coverage(patient_obj=patient, effective_date=datetime.date(2026, 1, 1))
    episode = episode_admit(
        patient=patient,
        program="mh",
        level="outpatient",
        admit_date=datetime.date(2026, 1, 5),
        diagnoses=["F33.1"],
    )
    session = session_record(
        actor=None,
        patient=patient,
        kind="individual",
        rendering_provider=factories.provider(),
        facility=factories.facility(),
        starts_at=START,
        ends_at=START + datetime.timedelta(minutes=53),
    )
    session_lock_for_claim(sessions=[session], claim_reference="CLM-1", actor=None)
    return {"patient": patient, "coverage": coverage, "episode": episode, "session": session}


def test_a_level_change_dated_before_a_claimed_session_is_refused(claimed):
    with pytest.raises(ValidationError) as refused:
        level_transition(episode=claimed["episode"], new_level="iop", on_date=DAY)
    assert "2026-03-02 (claim CLM-1)" in refused.value.message_dict["on_date"][0]
    assert claimed["episode"].segments.count() == 1


def test_a_level_change_dated_after_the_claimed_session_is_allowed(claimed):
    result = level_transition(
        episode=claimed["episode"], new_level="iop", on_date=DAY + datetime.timedelta(days=1)
    )
    assert result.segment.level == "iop"


def test_a_discharge_dated_before_a_claimed_session_is_refused(claimed):
    with pytest.raises(ValidationError) as refused:
        episode_discharge(episode=claimed["episode"], discharge_date=datetime.date(2026, 2, 1))
    assert "claim CLM-1" in refused.value.message_dict["discharge_date"][0]
    episode_discharge(episode=claimed["episode"], discharge_date=DAY)  # the day itself is fine


def test_ending_the_coverage_before_a_claimed_session_is_refused(claimed):
    with pytest.raises(ValidationError) as refused:
        coverage_end(coverage=claimed["coverage"], end_date=datetime.date(2026, 2, 28))
    assert "claim CLM-1" in refused.value.message_dict["end_date"][0]
    assert coverage_end(coverage=claimed["coverage"], end_date=DAY).end_date == DAY


@pytest.fixture
def mh_and_sud(in_org_a):
    """Co-occurring disorders: an MH outpatient episode and a later SUD (Part 2) IOP episode."""
    patient = factories.patient()
    factories.coverage(patient_obj=patient, effective_date=datetime.date(2026, 1, 1))
    mh = episode_admit(
        patient=patient,
        program="mh",
        level="outpatient",
        admit_date=datetime.date(2026, 1, 5),
        diagnoses=["F33.1"],
    )
    sud = episode_admit(
        patient=patient,
        program="sud",
        level="iop",
        admit_date=datetime.date(2026, 2, 1),
        diagnoses=["F10.20"],
        part2_applies=True,
    )
    session = session_record(
        actor=None,
        patient=patient,
        episode=mh,
        kind="individual",
        rendering_provider=factories.provider(),
        facility=factories.facility(),
        starts_at=START,
        ends_at=START + datetime.timedelta(minutes=53),
    )
    return {"mh": mh, "sud": sud, "session": session}


def test_a_corrected_date_keeps_the_session_in_its_own_episode(mh_and_sud):
    moved = session_correct(
        session=mh_and_sud["session"],
        actor=None,
        reason="Wrong day",
        service_date=DAY + datetime.timedelta(days=1),
        starts_at=START + datetime.timedelta(days=1),
        ends_at=START + datetime.timedelta(days=1, minutes=53),
    )
    assert moved.episode == mh_and_sud["mh"]  # not the later-admitted SUD episode


def test_a_session_cannot_be_moved_into_another_programs_episode(mh_and_sud):
    mh_and_sud["mh"].discharge_date = datetime.date(2026, 3, 2)
    mh_and_sud["mh"].status = "discharged"
    mh_and_sud["mh"].save()
    later = datetime.timedelta(days=5)
    with pytest.raises(ValidationError) as refused:
        session_correct(
            session=mh_and_sud["session"],
            actor=None,
            reason="Wrong day",
            service_date=DAY + later,
            starts_at=START + later,
            ends_at=START + later + datetime.timedelta(minutes=53),
        )
    assert "no Mental health episode is in force" in refused.value.message_dict["service_date"][0]


def test_a_minutes_correction_survives_a_change_of_the_orgs_time_zone(org_a):
    with org_context(org_a):
        patient = factories.patient()
        late = datetime.datetime(2026, 3, 3, 4, 30, tzinfo=datetime.UTC)  # 23:30 in New York
    org_a.time_zone = "America/New_York"
    org_a.save()
    with org_context(org_a):
        session = session_record(
            actor=None,
            patient=patient,
            kind="individual",
            rendering_provider=factories.provider(),
            facility=factories.facility(),
            starts_at=late,
            ends_at=late + datetime.timedelta(minutes=53),
        )
        assert session.service_date == datetime.date(2026, 3, 2)
    org_a.time_zone = "Asia/Tokyo"
    org_a.save()
    with org_context(org_a):
        corrected = session_correct(
            session=session,
            actor=None,
            reason="Ended early",
            ends_at=late + datetime.timedelta(minutes=45),
        )
    assert corrected.minutes == 45 and corrected.service_date == datetime.date(2026, 3, 2)

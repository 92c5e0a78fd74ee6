"""One answer to "which level of care was this service under", used by coding, the
authorization ledger and (next) claims. Before, the ledger fell back to any segment of the
patient while coding said "none" for a session without an episode."""

from __future__ import annotations

import datetime

import pytest

from authorizations import consumption
from patients import coding_bridge
from patients.models import Session
from patients.selectors import service_level_of_care
from patients.services.clinical import episode_admit, level_transition
from tests import factories

ADMIT = datetime.date(2026, 10, 5)
STEP_DOWN = datetime.date(2026, 10, 19)


@pytest.fixture
def patient_in_php_then_iop(in_org_a):
    patient = factories.patient()
    factories.coverage(patient_obj=patient, payer_obj=factories.payer())
    episode = episode_admit(
        patient=patient, program="sud", level="php", admit_date=ADMIT, diagnoses=["F10.20"]
    )
    level_transition(episode=episode, new_level="iop", on_date=STEP_DOWN)
    return patient, episode


def _session(patient, episode, day):
    return Session(
        patient=patient,
        episode=episode,
        kind="individual",
        service_date=day,
        rendering_provider=factories.provider(),
    )


@pytest.mark.parametrize(
    ("day", "level"),
    [
        (ADMIT, "php"),
        (STEP_DOWN - datetime.timedelta(days=1), "php"),  # the last PHP day
        (STEP_DOWN, "iop"),  # the step-down day is IOP
        (STEP_DOWN + datetime.timedelta(days=30), "iop"),
        (ADMIT - datetime.timedelta(days=1), None),  # before admission
    ],
)
def test_a_session_of_the_episode_is_under_the_segment_in_force_that_day(
    patient_in_php_then_iop, day, level
):
    patient, episode = patient_in_php_then_iop
    assert service_level_of_care(session=_session(patient, episode, day)) == level


def test_a_session_without_an_episode_is_under_the_episode_in_force_on_its_date(
    patient_in_php_then_iop,
):
    patient, _ = patient_in_php_then_iop
    assert service_level_of_care(session=_session(patient, None, STEP_DOWN)) == "iop"
    before = ADMIT - datetime.timedelta(days=3)
    assert service_level_of_care(session=_session(patient, None, before)) is None


def test_a_session_of_a_discharged_episode_after_discharge_has_no_level(in_org_a):
    patient = factories.patient()
    episode = episode_admit(
        patient=patient, program="mh", level="iop", admit_date=ADMIT, diagnoses=["F33.1"]
    )
    episode.segments.update(end_date=ADMIT + datetime.timedelta(days=5))
    later = ADMIT + datetime.timedelta(days=6)
    assert service_level_of_care(session=_session(patient, episode, later)) is None


@pytest.mark.parametrize("with_episode", [True, False])
@pytest.mark.parametrize(
    "day", [ADMIT, STEP_DOWN, STEP_DOWN - datetime.timedelta(days=1), datetime.date(2026, 9, 1)]
)
def test_coding_and_the_authorization_ledger_agree_on_the_level(
    patient_in_php_then_iop, with_episode, day
):
    patient, episode = patient_in_php_then_iop
    session = _session(patient, episode if with_episode else None, day)
    expected = service_level_of_care(session=session)
    assert coding_bridge.level_for(session) == expected
    assert consumption.level_for(session) == expected

import datetime

import pytest
from django.core.exceptions import ValidationError

from patients.models import EpisodeDiagnosis, EpisodeOfCare, LevelOfCareSegment
from patients.services.clinical import (
    episode_admit,
    episode_discharge,
    level_transition,
    treatment_plan_create,
    treatment_plan_sign,
)
from tests import factories

ADMIT = datetime.date(2026, 10, 5)


def _admit(patient, **over):
    args = dict(
        patient=patient,
        program="sud",
        level="iop",
        asam_edition="3",
        asam_level="2.1",
        admit_date=ADMIT,
        diagnoses=["F10.20", "Z59.00"],
    )
    args.update(over)
    return episode_admit(**args)


def test_admission_creates_ranked_diagnoses_and_the_first_segment(in_org_a):
    facility = factories.facility()
    episode = _admit(factories.patient(), facility=facility, diagnoses=["f1020", "Z63.0"])
    assert episode.part2_applies is True  # SUD default
    assert [(d.rank, d.code) for d in episode.diagnoses.all()] == [(1, "F10.20"), (2, "Z63.0")]
    seg = episode.segments.get()
    assert (seg.level, seg.asam_level, seg.start_date, seg.end_date) == ("iop", "2.1", ADMIT, None)


def test_mental_health_admission_defaults_part2_off(in_org_a):
    episode = _admit(
        factories.patient(), program="mh", level="outpatient", asam_level="", diagnoses=["F32.1"]
    )
    assert episode.part2_applies is False


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("F3", "malformed"),
        ("F32.12345", "malformed"),
        ("X99.9", "unknown"),
        ("F32.Z9", "unknown"),
        ("F32", "not billable"),
    ],
)
def test_bad_icd10_codes_are_diagnosis_field_errors(in_org_a, code, words):
    with pytest.raises(ValidationError) as exc:
        _admit(factories.patient(), program="mh", diagnoses=["F41.1", code])
    messages = exc.value.message_dict["diagnoses"]
    assert any(words in m and m.startswith("Diagnosis 2") for m in messages), messages
    assert EpisodeOfCare.objects.count() == 0 and EpisodeDiagnosis.objects.count() == 0


def test_sud_episode_needs_a_substance_use_primary_and_z_codes_are_secondary(in_org_a):
    patient = factories.patient()
    with pytest.raises(ValidationError) as exc:
        _admit(patient, diagnoses=["F32.1"])
    assert "F10-F19" in exc.value.message_dict["diagnoses"][0]
    with pytest.raises(ValidationError) as exc:
        _admit(patient, program="mh", diagnoses=["Z59.00", "F32.1"])
    assert "Z code" in exc.value.message_dict["diagnoses"][0]


def test_asam_level_must_exist_in_its_edition(in_org_a):
    with pytest.raises(ValidationError) as exc:
        _admit(factories.patient(), asam_edition="4", asam_level="3.2-WM")
    assert "asam_level" in exc.value.message_dict


def test_transition_closes_the_open_segment_the_day_before_and_opens_the_next(in_org_a):
    episode = _admit(factories.patient())
    result = level_transition(
        episode=episode,
        new_level="outpatient",
        asam_edition="3",
        asam_level="1",
        on_date=datetime.date(2026, 11, 2),
    )
    old, new = episode.segments.order_by("start_date")
    assert old.end_date == datetime.date(2026, 11, 1) and new.start_date == datetime.date(
        2026, 11, 2
    )
    assert new.end_date is None and result.segment == new and result.closed == old


def test_transition_on_or_before_the_current_start_is_refused(in_org_a):
    episode = _admit(factories.patient())
    for day in (ADMIT, ADMIT - datetime.timedelta(days=3)):
        with pytest.raises(ValidationError) as exc:
            level_transition(
                episode=episode, new_level="php", asam_edition="3", asam_level="2.5", on_date=day
            )
        assert "on_date" in exc.value.message_dict
    assert LevelOfCareSegment.objects.count() == 1


def test_a_backdated_transition_overlapping_earlier_levels_is_an_on_date_error(in_org_a):
    episode = _admit(factories.patient(), level="residential", asam_level="3.5")
    level_transition(
        episode=episode,
        new_level="iop",
        asam_edition="3",
        asam_level="2.1",
        on_date=ADMIT + datetime.timedelta(days=14),
    )
    with pytest.raises(ValidationError) as exc:
        level_transition(
            episode=episode,
            new_level="outpatient",
            asam_edition="3",
            asam_level="1",
            on_date=ADMIT + datetime.timedelta(days=7),
        )
    message = exc.value.message_dict["on_date"][0]
    assert message.startswith("Overlaps another level-of-care segment of this episode (Resid")
    assert LevelOfCareSegment.objects.count() == 2


def test_a_transition_the_database_refuses_still_comes_back_as_a_field_error(in_org_a, monkeypatch):
    from patients.services import episodes

    episode = _admit(factories.patient())
    monkeypatch.setattr(episodes, "_check_transition", lambda *a: None)
    with pytest.raises(ValidationError) as exc:  # end before start: the check constraint
        level_transition(
            episode=episode, new_level="php", asam_edition="3", asam_level="2.5", on_date=ADMIT
        )
    assert "on_date" in exc.value.message_dict
    assert episode.segments.get().end_date is None


def test_transition_reports_whether_the_payer_needs_an_authorization(in_org_a):
    patient = factories.patient()
    payer = factories.payer(auth_required_levels=["php"])
    cov = factories.coverage(patient_obj=patient, payer_obj=payer)
    episode = _admit(patient)
    result = level_transition(
        episode=episode,
        new_level="php",
        asam_edition="3",
        asam_level="2.5",
        on_date=datetime.date(2026, 10, 20),
    )
    assert result.auth.needed and result.auth.action_needed
    auth = factories.authorization(
        coverage_obj=cov, level_of_care="outpatient", start_date=datetime.date(2026, 10, 1)
    )
    result = level_transition(
        episode=episode,
        new_level="outpatient",
        asam_edition="3",
        asam_level="1",
        on_date=datetime.date(2026, 11, 2),
    )
    assert not result.auth.needed and "does not require" in result.auth.message
    factories.authorization(coverage_obj=cov, level_of_care="php", status="approved")
    result = level_transition(
        episode=episode,
        new_level="php",
        asam_edition="3",
        asam_level="2.5",
        on_date=datetime.date(2026, 11, 20),
    )
    assert result.auth.needed and not result.auth.action_needed and auth.pk


def test_discharge_closes_the_open_segment(in_org_a):
    episode = _admit(factories.patient())
    with pytest.raises(ValidationError):
        episode_discharge(episode=episode, discharge_date=ADMIT - datetime.timedelta(days=1))
    episode_discharge(episode=episode, discharge_date=ADMIT + datetime.timedelta(days=30))
    assert episode.segments.get().end_date == ADMIT + datetime.timedelta(days=30)
    assert episode.status == "discharged"


def test_plan_review_date_comes_from_the_level_table_or_the_payer_rule(in_org_a):
    patient = factories.patient()
    episode = _admit(patient)
    plan = treatment_plan_create(
        episode=episode,
        effective_date=ADMIT,
        goals=[{"description": "Reduce drinking days", "diagnosis_codes": ["F10.20"]}],
    )
    assert (plan.level, plan.review_due_date) == ("iop", ADMIT + datetime.timedelta(days=30))
    payer = factories.payer(program_minimums={"iop": {"plan_review_days": 21}})
    factories.coverage(patient_obj=patient, payer_obj=payer, effective_date=ADMIT)
    plan = treatment_plan_create(
        episode=episode,
        effective_date=ADMIT,
        goals=[{"description": "Stable housing", "diagnosis_codes": ["Z59.00", "F10.20"]}],
    )
    assert plan.review_due_date == ADMIT + datetime.timedelta(days=21)
    assert plan.goals.get().diagnosis_codes == ["Z59.00", "F10.20"]


def test_plan_goals_must_link_to_the_episodes_diagnoses_and_signing_is_once(in_org_a):
    episode = _admit(factories.patient())
    with pytest.raises(ValidationError) as exc:
        treatment_plan_create(
            episode=episode,
            effective_date=ADMIT,
            goals=[{"description": "Sleep", "diagnosis_codes": ["F51.01"]}],
        )
    assert "not a diagnosis of this episode" in exc.value.message_dict["goals"][0]
    plan = treatment_plan_create(
        episode=episode,
        effective_date=ADMIT,
        goals=[{"description": "Sober days", "diagnosis_codes": ["F10.20"]}],
    )
    provider = factories.provider()
    treatment_plan_sign(plan=plan, signed_by=provider)
    assert plan.signed_at and plan.signed_by == provider
    with pytest.raises(ValidationError):
        treatment_plan_sign(plan=plan, signed_by=provider)

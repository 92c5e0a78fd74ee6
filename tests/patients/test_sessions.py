import datetime

import pytest
from django.core.exceptions import ValidationError

from patients.coding_bridge import coding_summary, preview_for, service_facts_for
from patients.models import GroupSession, Session
from patients.services.clinical import (
    episode_admit,
    group_session_record,
    session_assemble,
    session_record,
)
from tests import factories

DAY = datetime.date(2026, 11, 2)
START = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


def _at(minutes):
    return START + datetime.timedelta(minutes=minutes)


@pytest.fixture
def setting(in_org_a):
    """A covered outpatient MH patient, an LCSW and the clinic."""
    patient = factories.patient()
    payer = factories.payer()
    factories.coverage(patient_obj=patient, payer_obj=payer)
    facility = factories.facility(pos="11")
    episode_admit(
        patient=patient,
        program="mh",
        level="outpatient",
        admit_date=DAY,
        diagnoses=["F33.1"],
        facility=facility,
    )
    return {
        "patient": patient,
        "payer": payer,
        "facility": facility,
        "provider": factories.provider(),
    }


def _record(s, **facts):
    base = dict(
        patient=s["patient"],
        kind="individual",
        rendering_provider=s["provider"],
        starts_at=START,
        ends_at=_at(53),
    )
    base.update(facts)
    return session_record(actor=None, **base)


def test_a_53_minute_session_is_90837_at_the_clinic(setting):
    session = _record(setting)
    assert (
        session.service_date == DAY and session.episode and session.facility == setting["facility"]
    )
    result = preview_for(session_like=session)
    assert result.billable and result.codes == ("90837",)
    assert result.lines[0].pos == "11"
    assert result.reasons[0].startswith(f"payer {setting['payer'].name}")


def test_psychotherapy_under_16_minutes_is_saved_but_not_billable(setting):
    session = _record(setting, ends_at=_at(12))
    assert Session.objects.filter(pk=session.pk).exists()
    result = preview_for(session_like=session)
    assert not result.billable
    assert any("16" in e for e in result.errors), result.errors


def test_negative_minutes_and_end_before_start_are_refused(setting):
    with pytest.raises(ValidationError) as exc:
        _record(setting, ends_at=_at(-5))
    assert "ends_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _record(
            setting,
            kind="program_day",
            starts_at=None,
            ends_at=None,
            service_date=DAY,
            attended_minutes=-30,
        )
    assert exc.value.message_dict["attended_minutes"] == ["Minutes cannot be negative."]
    assert Session.objects.count() == 0


def test_kind_specific_facts_are_required(setting):
    with pytest.raises(ValidationError) as exc:
        _record(setting, kind="em_with_psychotherapy")
    assert {"em_code", "psychotherapy_minutes"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        _record(setting, kind="program_day", starts_at=None, ends_at=None, service_date=DAY)
    assert "attended_minutes" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _record(setting, kind="group")
    assert "group" in exc.value.message_dict


def test_associates_need_a_supervising_provider(setting):
    associate = factories.provider(license_type="associate", credentials="LPC-A")
    with pytest.raises(ValidationError) as exc:
        _record(setting, rendering_provider=associate)
    assert "supervising_provider" in exc.value.message_dict
    session = _record(
        setting, rendering_provider=associate, supervising_provider=setting["provider"]
    )
    assert session.supervising_provider == setting["provider"]


def test_audio_only_needs_a_documented_reason_and_codes_93_at_home(setting):
    with pytest.raises(ValidationError) as exc:
        _record(setting, modality="audio_only", patient_location="home", patient_state="OR")
    assert "audio_only_reason" in exc.value.message_dict
    factories.licensed(setting["provider"], "OR")
    session = _record(
        setting,
        modality="audio_only",
        patient_location="home",
        audio_only_reason="Patient has no video device",
        patient_state="OR",
    )
    line = preview_for(session_like=session).lines[0]
    assert (line.code, line.pos, line.modifiers) == ("90837", "10", ("93",))


def test_em_with_psychotherapy_uses_psychotherapy_minutes_for_the_add_on(setting):
    np = factories.provider(license_type="pmhnp", credentials="PMHNP-BC")
    session = _record(
        setting,
        kind="em_with_psychotherapy",
        rendering_provider=np,
        em_code="99214",
        psychotherapy_minutes=30,
        ends_at=_at(50),
    )
    assert preview_for(session_like=session).codes == ("99214", "90833")


def test_no_coverage_falls_back_to_self_pay_with_a_reason(in_org_a):
    patient = factories.patient()
    session = session_assemble(
        patient=patient,
        kind="individual",
        rendering_provider=factories.provider(),
        starts_at=START,
        ends_at=_at(40),
        facility=factories.facility(),
    )
    result = preview_for(session_like=session)
    assert result.codes == ("90834",)
    assert "self-pay" in result.reasons[0]


def test_an_unsaved_session_with_negative_time_previews_an_error_instead_of_raising(setting):
    session = session_assemble(
        patient=setting["patient"],
        kind="individual",
        rendering_provider=setting["provider"],
        starts_at=START,
        ends_at=_at(-10),
    )
    result = preview_for(session_like=session)
    assert not result.billable and "negative" in result.errors[0]
    assert coding_summary(result)["errors"]


def test_group_session_records_each_attendee_with_their_own_times(setting):
    other = factories.patient()
    group = group_session_record(
        actor=None,
        facilitator=setting["provider"],
        starts_at=START,
        ends_at=_at(90),
        facility=setting["facility"],
        topic="Coping skills",
        attendees=[
            {"patient": setting["patient"]},
            {"patient": other, "arrived_at": _at(20), "departed_at": _at(90)},
        ],
    )
    rows = {s.patient_id: s for s in group.attendees.all()}
    assert rows[setting["patient"].pk].minutes == 90 and rows[other.pk].minutes == 70
    facts = service_facts_for(rows[other.pk])
    assert facts.minutes == 70 and facts.attendees[0].minutes == 70
    assert preview_for(session_like=rows[other.pk]).codes == ("90853",)


def test_a_bad_attendee_saves_no_group_and_no_sessions(setting):
    with pytest.raises(ValidationError) as exc:
        group_session_record(
            actor=None,
            facilitator=setting["provider"],
            starts_at=START,
            ends_at=_at(60),
            facility=setting["facility"],
            attendees=[
                {"patient": setting["patient"], "arrived_at": _at(50), "departed_at": _at(10)}
            ],
        )
    assert exc.value.message_dict["attendees"] == ["Attendee 1: Departure must be after arrival."]
    assert GroupSession.objects.count() == 0 and Session.objects.count() == 0


def test_program_day_bills_the_payers_level_code_and_looks_at_the_week(in_org_a):
    patient = factories.patient()
    payer = factories.payer(
        program_minimums={"iop": {"min_hours_per_day": 3, "min_hours_per_week": 9}}
    )
    factories.coverage(patient_obj=patient, payer_obj=payer)
    episode_admit(
        patient=patient,
        program="sud",
        level="iop",
        asam_level="2.1",
        admit_date=DAY,
        diagnoses=["F11.20"],
        facility=factories.facility(),
    )
    provider = factories.provider()
    for offset in (0, 2):
        last = session_record(
            actor=None,
            patient=patient,
            kind="program_day",
            service_date=DAY + datetime.timedelta(days=offset),
            attended_minutes=180,
            rendering_provider=provider,
        )
    facts = service_facts_for(last)
    assert facts.week_minutes == (180, 180)
    result = preview_for(session_like=last)
    assert result.codes == ("H0015",) and result.lines[0].pos == "57"

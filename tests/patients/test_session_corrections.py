"""Correcting a recorded session: the recording rules apply to the whole corrected session, a
reason is required, nothing is half-saved, each correction appends one history row, a signed
note needs signing again, and a session on a claim is corrected only through a replacement."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.utils import ProgrammingError

from patients.models import Patient, Session, SessionCorrection
from patients.selectors import session_corrections
from patients.services.clinical import (
    episode_admit,
    group_session_record,
    session_correct,
    session_lock_for_claim,
    session_record,
    session_set_status,
    session_sign_note,
    session_unlock_from_claim,
)
from rcm.models import ChangeLog
from rcm.tenancy import org_context
from tests import factories

DAY = datetime.date(2026, 11, 2)
START = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


def _at(minutes, day=0):
    return START + datetime.timedelta(days=day, minutes=minutes)


@pytest.fixture
def setting(org_a):
    """A covered outpatient MH patient, an LCSW linked to a clinician sign-in, and the clinic."""
    clinician = factories.member(org_a, role="clinician")
    biller = factories.member(org_a, role="billing_manager")
    with org_context(org_a, actor_id=biller.pk):
        patient = factories.patient()
        factories.coverage(patient_obj=patient)
        facility = factories.facility(pos="11")
        episode = episode_admit(
            patient=patient,
            program="mh",
            level="outpatient",
            admit_date=DAY - datetime.timedelta(days=30),
            diagnoses=["F33.1"],
            facility=facility,
        )
        provider = factories.provider(user=clinician)
        yield {
            "org": org_a,
            "patient": patient,
            "facility": facility,
            "episode": episode,
            "provider": provider,
            "clinician": clinician,
            "biller": biller,
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


def _fresh(session):
    return Session.objects.get(pk=session.pk)


def test_a_correction_saves_the_new_end_and_one_history_row_with_who_and_why(setting):
    session = _record(setting)
    corrected = session_correct(
        session=session, actor=setting["biller"], reason="End time typo", ends_at=_at(45)
    )
    assert _fresh(session).ends_at == _at(45) and corrected.revision == 1
    row = SessionCorrection.objects.get(session=session)
    assert (row.actor, row.reason, row.revision) == (setting["biller"], "End time typo", 1)
    assert row.changes == {
        "ends_at": {"from": "2026-11-02T15:53:00+00:00", "to": "2026-11-02T15:45:00+00:00"}
    }


def test_the_database_history_names_the_user_who_corrected(setting):
    session = _record(setting)
    session_correct(session=session, actor=setting["biller"], reason="Typo", ends_at=_at(45))
    update = ChangeLog.objects.filter(
        table_name="patients_session", row_id=session.pk, op="UPDATE"
    ).get()
    assert update.actor_id == setting["biller"].pk
    assert update.new_data["revision"] == 1


def test_a_correction_is_checked_with_the_same_rules_as_recording(setting):
    session = _record(setting)
    with pytest.raises(ValidationError) as exc:
        session_correct(
            session=session,
            actor=None,
            reason="Fix",
            ends_at=_at(-5),
            modality="audio_only",
            kind="em_with_psychotherapy",
        )
    errors = exc.value.message_dict
    assert errors["ends_at"] == ["The end must be after the start."]
    assert {"audio_only_reason", "em_code", "psychotherapy_minutes"} <= set(errors)


def test_a_correction_with_one_bad_field_changes_nothing_and_writes_no_history(setting):
    session = _record(setting)
    history_before = ChangeLog.objects.filter(table_name="patients_session").count()
    with pytest.raises(ValidationError) as exc:
        session_correct(
            session=session,
            actor=setting["biller"],
            reason="Two fixes",
            ends_at=_at(45),  # fine on its own
            psychotherapy_minutes=-3,
        )
    assert set(exc.value.message_dict) == {"psychotherapy_minutes"}
    fresh = _fresh(session)
    assert (fresh.ends_at, fresh.psychotherapy_minutes, fresh.revision) == (_at(53), None, 0)
    assert not SessionCorrection.objects.exists()
    assert ChangeLog.objects.filter(table_name="patients_session").count() == history_before


def test_a_correction_needs_a_reason(setting):
    session = _record(setting)
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(ValidationError) as exc:
            session_correct(session=session, actor=None, reason=reason, ends_at=_at(45))
        assert list(exc.value.message_dict) == ["reason"]
    assert _fresh(session).ends_at == _at(53)


def test_patient_status_signature_episode_and_group_are_not_corrected(setting):
    session = _record(setting)
    other = factories.patient()
    with pytest.raises(ValidationError) as exc:
        session_correct(
            session=session,
            actor=None,
            reason="Wrong patient",
            patient=other,
            status="cancelled",
            note_signed_at=START,
            episode=None,
            group=None,
        )
    assert set(exc.value.message_dict) == {
        "patient",
        "status",
        "note_signed_at",
        "episode",
        "group",
    }
    assert "record the session for the right patient" in exc.value.message_dict["patient"][0]
    fresh = _fresh(session)
    assert (fresh.patient_id, fresh.status, fresh.note_signed_at) == (
        setting["patient"].pk,
        "completed",
        None,
    )


def test_the_rendering_provider_cannot_be_corrected_away(setting):
    session = _record(setting)
    with pytest.raises(ValidationError) as exc:
        session_correct(session=session, actor=None, reason="x", rendering_provider=None)
    assert exc.value.message_dict == {"rendering_provider": ["Required."]}


def test_a_field_a_session_does_not_have_is_a_programming_error(setting):
    session = _record(setting)
    with pytest.raises(TypeError, match="unexpected field"):
        session_correct(session=session, actor=None, reason="x", colour="blue")


def test_a_correction_that_changes_nothing_is_refused(setting):
    session = _record(setting)
    with pytest.raises(ValidationError, match="Nothing to correct"):
        session_correct(session=session, actor=None, reason="Same", ends_at=_at(53))
    assert not SessionCorrection.objects.exists()


def test_the_service_date_must_agree_with_the_start_and_moving_both_finds_the_episode(setting):
    session = _record(setting)
    with pytest.raises(ValidationError) as exc:
        session_correct(
            session=session, actor=None, reason="Date", service_date=DAY + datetime.timedelta(1)
        )
    assert "falls on 2026-11-02" in exc.value.message_dict["service_date"][0]
    before_admission = DAY - datetime.timedelta(days=40)
    moved = session_correct(
        session=session,
        actor=None,
        reason="Recorded on the wrong day",
        service_date=before_admission,
        starts_at=_at(0, day=-40),
        ends_at=_at(53, day=-40),
    )
    assert moved.service_date == before_admission and moved.episode is None
    changes = SessionCorrection.objects.get(session=session).changes
    assert changes["episode"] == {"from": setting["episode"].pk, "to": None}


def test_correcting_the_minutes_of_a_signed_note_clears_the_signature_for_re_signing(setting):
    session = session_sign_note(session=_record(setting), actor=setting["clinician"])
    signed_at = session.note_signed_at
    corrected = session_correct(
        session=session, actor=setting["biller"], reason="Ended earlier", ends_at=_at(40)
    )
    assert corrected.note_signed_at is None and _fresh(session).note_signed_at is None
    changes = SessionCorrection.objects.get(session=session).changes
    assert changes["note_signed_at"] == {
        "from": signed_at.astimezone(datetime.UTC).isoformat(),
        "to": None,
    }
    assert session_sign_note(session=session, actor=setting["clinician"]).note_signed_at


def test_correcting_only_the_billing_facility_keeps_the_signature(setting):
    session = session_sign_note(session=_record(setting), actor=setting["clinician"])
    other_site = factories.facility(pos="11")
    corrected = session_correct(
        session=session, actor=None, reason="Seen at the north site", facility=other_site
    )
    assert corrected.note_signed_at == session.note_signed_at
    assert "note_signed_at" not in SessionCorrection.objects.get(session=session).changes


def test_a_correction_made_from_a_stale_form_is_refused(setting):
    session = _record(setting)
    session_correct(session=session, actor=None, reason="First", ends_at=_at(45))
    with pytest.raises(ValidationError, match="Someone corrected this session"):
        session_correct(
            session=session, actor=None, reason="Second", expected_revision=0, ends_at=_at(50)
        )
    session_correct(
        session=session, actor=None, reason="Second", expected_revision=1, ends_at=_at(50)
    )
    assert list(
        SessionCorrection.objects.filter(session=session)
        .order_by("revision")
        .values_list("revision", flat=True)
    ) == [1, 2]


def test_a_group_attendee_corrects_arrival_and_departure_but_not_the_groups_times(setting):
    group = group_session_record(
        actor=None,
        facilitator=setting["provider"],
        starts_at=START,
        ends_at=_at(90),
        facility=setting["facility"],
        attendees=[{"patient": setting["patient"]}],
    )
    attendee = group.attendees.get()
    corrected = session_correct(
        session=attendee, actor=None, reason="Arrived late", arrived_at=_at(20)
    )
    assert corrected.minutes == 70
    with pytest.raises(ValidationError) as exc:
        session_correct(
            session=attendee, actor=None, reason="x", starts_at=_at(10), kind="individual"
        )
    assert {"starts_at", "kind"} <= set(exc.value.message_dict)


def test_a_session_that_was_not_a_group_cannot_become_one_by_correction(setting):
    session = _record(setting)
    with pytest.raises(ValidationError) as exc:
        session_correct(session=session, actor=None, reason="x", kind="group")
    assert "recorded with its group session" in exc.value.message_dict["kind"][0]


def test_a_past_session_of_a_since_deactivated_patient_stays_correctable(setting):
    session = _record(setting)
    Patient.objects.filter(pk=setting["patient"].pk).update(is_active=False)
    corrected = session_correct(session=_fresh(session), actor=None, reason="x", ends_at=_at(45))
    assert corrected.ends_at == _at(45)


def test_the_app_role_may_not_rewrite_or_delete_correction_history(setting):
    session_correct(session=_record(setting), actor=None, reason="x", ends_at=_at(45))
    for statement in (
        "UPDATE patients_sessioncorrection SET revision = 9",
        "DELETE FROM patients_sessioncorrection",
    ):
        with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(statement)


def test_the_history_names_the_user_the_providers_and_the_values(setting):
    session = _record(setting)
    associate = factories.provider(first_name="Ana", last_name="Ng", credentials="LPC-A")
    associate.license_type = "associate"
    associate.save()
    session_correct(
        session=session,
        actor=setting["biller"],
        reason="Seen by the associate",
        rendering_provider=associate,
        supervising_provider=setting["provider"],
    )
    (row,) = session_corrections(session=session)
    assert row.who == setting["biller"].username and row.reason == "Seen by the associate"
    shown = {c.label: (c.before, c.after) for c in row.changes}
    assert shown["Rendering provider"] == (str(setting["provider"]), "Ana Ng, LPC-A")
    assert shown["Supervising provider"] == ("—", str(setting["provider"]))


# --- Claim lock ---------------------------------------------------------------------------


def test_a_session_on_a_claim_is_corrected_only_through_a_replacement_claim(setting):
    session = _record(setting)
    session_lock_for_claim(sessions=[session], claim_reference="CLM-1001", actor=None)
    with pytest.raises(ValidationError) as exc:
        session_correct(session=session, actor=None, reason="Late fix", ends_at=_at(45))
    message = exc.value.messages[0]
    assert "claim CLM-1001" in message and "replacement claim (frequency code 7)" in message
    assert _fresh(session).ends_at == _at(53) and not SessionCorrection.objects.exists()


def test_a_session_on_a_claim_cannot_be_cancelled_or_marked_no_show(setting):
    session = _record(setting)
    session_lock_for_claim(sessions=[session], claim_reference="CLM-1002", actor=None)
    with pytest.raises(ValidationError, match="on claim CLM-1002: change its status"):
        session_set_status(session=session, status="cancelled", actor=None)
    assert _fresh(session).status == "completed"


def test_locking_is_idempotent_for_one_claim_and_refused_for_another(setting):
    session = _record(setting)
    first = session_lock_for_claim(sessions=[session], claim_reference="CLM-1", actor=None)
    again = session_lock_for_claim(sessions=[session], claim_reference="CLM-1", actor=None)
    assert first[0].claim_locked_at == again[0].claim_locked_at
    with pytest.raises(ValidationError, match="on claim CLM-1"):
        session_lock_for_claim(sessions=[session], claim_reference="CLM-2", actor=None)
    with pytest.raises(ValidationError, match="on claim CLM-1"):
        session_unlock_from_claim(sessions=[session], claim_reference="CLM-2", actor=None)
    with pytest.raises(ValidationError) as exc:
        session_lock_for_claim(sessions=[session], claim_reference=" ", actor=None)
    assert "claim_reference" in exc.value.message_dict


def test_only_a_completed_session_goes_on_a_claim(setting):
    session = _record(setting, status="no_show")
    with pytest.raises(ValidationError, match="only a completed session is billed"):
        session_lock_for_claim(sessions=[session], claim_reference="CLM-3", actor=None)
    assert _fresh(session).claim_locked_at is None


def test_a_replacement_unlocks_corrects_and_locks_under_the_new_claim(setting):
    session = _record(setting)
    session_lock_for_claim(sessions=[session], claim_reference="CLM-4", actor=None)
    with transaction.atomic():  # what the claims app does when it builds the replacement
        session_unlock_from_claim(sessions=[session], claim_reference="CLM-4", actor=None)
        session_correct(session=session, actor=None, reason="Payer asked", ends_at=_at(45))
        session_lock_for_claim(sessions=[session], claim_reference="CLM-4R", actor=None)
    fresh = _fresh(session)
    assert (fresh.ends_at, fresh.claim_reference) == (_at(45), "CLM-4R")
    assert session_unlock_from_claim(sessions=[session], claim_reference="CLM-4R", actor=None)
    assert session_unlock_from_claim(sessions=[session], claim_reference="CLM-4R", actor=None)


def test_the_database_refuses_a_lock_that_names_no_claim(setting):
    session = _record(setting)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=session.pk).update(claim_locked_at=START)

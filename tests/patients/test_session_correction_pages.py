"""The "Correct session" page: pre-filled in the current time zone, saved through
session_correct, 400 with field errors, 403 without the capability that records sessions, 404
for outsiders; the session page shows the history by name."""

import datetime

import pytest
from django.utils import timezone

from patients.models import Session, SessionCorrection
from patients.services.clinical import session_lock_for_claim
from rcm.models import PhiAccess
from rcm.tenancy import org_context
from tests import factories

START = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)  # see conftest `recorded`
CHICAGO = "America/Chicago"  # 15:00 UTC is 09:00 there on 2026-11-02 (CST)


@pytest.fixture
def clinic_in_chicago(org_a):
    """Pages show times on the org's clock (org_context activates its zone)."""
    org_a.time_zone = CHICAGO
    org_a.save(update_fields=["time_zone"])


def _url(org, session, suffix="correct/"):
    return f"/o/{org.slug}/patients/sessions/{session.public_id}/{suffix}"


def _login(client, org, role="billing_manager"):
    user = factories.member(org, role=role)
    client.force_login(user)
    return user


def _form(session, **over):
    def clock(moment):
        return f"{timezone.localtime(moment):%H:%M}" if moment else ""

    data = {
        "revision": session.revision,
        "kind": session.kind,
        "service_date": session.service_date.isoformat(),
        "start_time": clock(session.starts_at),
        "end_time": clock(session.ends_at),
        "modality": session.modality,
        "patient_location": session.patient_location,
        "facility": str(session.facility.public_id) if session.facility else "",
        "rendering_provider": str(session.rendering_provider.public_id),
        "reason": "Times were typed wrong",
    }
    data.update(over)
    return data


def _fresh(org, session):
    with org_context(org):
        return Session.objects.get(pk=session.pk)


def test_the_form_is_prefilled_with_the_saved_times_in_the_current_time_zone(
    client, org_a, recorded, clinic_in_chicago
):
    _login(client, org_a)
    with timezone.override(CHICAGO):
        page = client.get(_url(org_a, recorded["session"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="start_time" value="09:00"' in html and 'name="end_time" value="09:53"' in html
    assert 'name="revision" value="0"' in html
    with org_context(org_a):
        logged = PhiAccess.objects.get(path=_url(org_a, recorded["session"]))
    assert logged.object_ids == [str(recorded["session"].public_id)]


def test_a_correction_from_the_form_is_saved_and_the_detail_page_shows_who_what_and_why(
    client, org_a, recorded, clinic_in_chicago
):
    user = _login(client, org_a)
    session = recorded["session"]
    with timezone.override(CHICAGO):
        response = client.post(
            _url(org_a, session),
            _form(session, end_time="09:45", rendering_provider=str(recorded["other"].public_id)),
        )
        assert response.status_code == 302
        detail = client.get(_url(org_a, session, suffix="")).content.decode()
    fresh = _fresh(org_a, session)
    assert fresh.ends_at == START + datetime.timedelta(minutes=45)
    assert fresh.starts_at == START  # unchanged fields are not rewritten
    assert user.username in detail and "Times were typed wrong" in detail
    assert "End: 2026-11-02 09:53 → 2026-11-02 09:45" in detail
    assert "Rendering provider: Rita Moreno, LCSW → Omar Diaz, LPC" in detail


def test_a_bad_correction_is_a_400_with_the_field_error_and_saves_nothing(client, org_a, recorded):
    _login(client, org_a)
    session = recorded["session"]
    response = client.post(
        _url(org_a, session), _form(session, end_time="14:00", psychotherapy_minutes="20")
    )
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    fresh = _fresh(org_a, session)
    assert (fresh.ends_at, fresh.psychotherapy_minutes) == (session.ends_at, None)
    with org_context(org_a):
        assert not SessionCorrection.objects.exists()


def test_a_correction_without_a_reason_or_a_change_is_a_400(client, org_a, recorded):
    _login(client, org_a)
    session = recorded["session"]
    response = client.post(_url(org_a, session), _form(session, end_time="15:45", reason=""))
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = client.post(_url(org_a, session), _form(session))
    assert response.status_code == 400 and "Nothing to correct" in response.content.decode()


def test_a_form_opened_before_someone_elses_correction_is_refused(client, org_a, recorded):
    _login(client, org_a)
    session = recorded["session"]
    assert client.post(_url(org_a, session), _form(session, end_time="15:45")).status_code == 302
    stale = client.post(_url(org_a, session), _form(session, end_time="15:40"))
    assert stale.status_code == 400 and "Someone corrected this session" in stale.content.decode()


@pytest.mark.parametrize("role", ["biller", "leadership", "compliance"])
def test_roles_that_do_not_record_sessions_may_not_correct_them(client, org_a, recorded, role):
    _login(client, org_a, role)
    session = recorded["session"]
    assert client.get(_url(org_a, session)).status_code == 403
    assert client.post(_url(org_a, session), _form(session, end_time="15:45")).status_code == 403
    assert _fresh(org_a, session).revision == 0


def test_a_clinician_may_correct_a_session_like_they_record_one(client, org_a, recorded):
    _login(client, org_a, "clinician")
    session = recorded["session"]
    assert client.post(_url(org_a, session), _form(session, end_time="15:45")).status_code == 302


def test_an_outsider_gets_404_and_changes_nothing(client, org_a, org_b, recorded):
    _login(client, org_b, "admin")
    session = recorded["session"]
    assert client.get(_url(org_a, session)).status_code == 404
    assert client.post(_url(org_b, session), _form(session, end_time="15:45")).status_code == 404
    assert _fresh(org_a, session).revision == 0


def test_a_session_on_a_claim_is_not_corrected_here_and_the_pages_say_why(client, org_a, recorded):
    _login(client, org_a)
    session = recorded["session"]
    with org_context(org_a):
        session_lock_for_claim(sessions=[session], claim_reference="CLM-77", actor=None)
    detail = client.get(_url(org_a, session, suffix="")).content.decode()
    assert "CLM-77" in detail and 'data-testid="correct-session"' not in detail
    page = client.get(_url(org_a, session)).content.decode()
    assert "replacement claim (frequency code 7)" in page and "correction-form" not in page
    response = client.post(_url(org_a, session), _form(session, end_time="15:45"))
    assert response.status_code == 400 and "claim CLM-77" in response.content.decode()


def test_the_htmx_preview_shows_what_the_corrected_session_would_bill(client, org_a, recorded):
    _login(client, org_a)
    session = recorded["session"]
    response = client.post(
        _url(org_a, session), _form(session, end_time="15:40", reason=""), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "90834" in html and "<html" not in html
    assert "required" not in html  # the reason is asked for when saving, not while previewing
    assert _fresh(org_a, session).revision == 0

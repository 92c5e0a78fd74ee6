"""Changing a recorded session's status moves authorized units: a cancelled service gives them
back, a no-show that turns out completed consumes them. Pages and API both go through it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from authorizations.models import UnitLedgerEntry
from patients.models import Session
from patients.services.sessions import session_record, session_set_status, session_sign_note
from rcm.tenancy import org_context
from tests import factories


@pytest.fixture
def covered(org_a):
    with org_context(org_a):
        payer = factories.payer()
        patient = factories.patient()
        cov = factories.coverage(patient_obj=patient, payer_obj=payer)
        episode = factories.episode(patient_obj=patient, admit_date=dt.date(2026, 10, 1))
        auth = factories.authorization(
            coverage_obj=cov, episode=episode, codes=["90837"], units_authorized=Decimal("5")
        )
        provider = factories.provider()
        facility = factories.facility()
    return org_a, patient, episode, auth, provider, facility


def _record(ctx, status="completed"):
    _, patient, episode, _, provider, facility = ctx
    start = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)
    return session_record(
        actor=None,
        patient=patient,
        episode=episode,
        kind="individual",
        status=status,
        service_date=dt.date(2026, 11, 2),
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=55),
        rendering_provider=provider,
        facility=facility,
    )


def _balance(auth) -> Decimal:
    return sum((e.units for e in UnitLedgerEntry.objects.filter(authorization=auth)), Decimal(0))


@pytest.mark.django_db
def test_cancelling_a_completed_session_releases_its_units(covered):
    org, *_ = covered
    auth = covered[3]
    with org_context(org):
        session = _record(covered)
        assert _balance(auth) == Decimal("-1")
        session_set_status(session=session, status="cancelled", actor=None)
        assert _balance(auth) == Decimal("0")
        kinds = sorted(
            UnitLedgerEntry.objects.filter(session=session).values_list("kind", flat=True)
        )
        assert kinds == ["consume", "release"]


@pytest.mark.django_db
def test_a_no_show_later_completed_consumes_then(covered):
    org, *_ = covered
    with org_context(org):
        session = _record(covered, status="no_show")
        assert _balance(covered[3]) == 0
        session_set_status(session=session, status="completed", actor=None)
        assert _balance(covered[3]) == Decimal("-1")


@pytest.mark.django_db
def test_a_cancelled_session_cannot_be_revived_and_nothing_changes(covered):
    from django.core.exceptions import ValidationError

    org, *_ = covered
    with org_context(org):
        session = _record(covered)
        session_set_status(session=session, status="cancelled", actor=None)
        with pytest.raises(ValidationError) as err:
            session_set_status(session=session, status="completed", actor=None)
        assert "status" in err.value.message_dict
        assert Session.objects.get(pk=session.pk).status == "cancelled"


def _link(org, provider, role="clinician"):
    user = factories.member(org, role=role)
    with org_context(org):
        type(provider).objects.filter(pk=provider.pk).update(user=user)
    return user


@pytest.mark.django_db
def test_only_the_rendering_clinician_signs_the_note_and_only_once(covered):
    from django.core.exceptions import ValidationError

    org, *_ = covered
    someone_else = factories.member(org, role="clinician")
    clinician = _link(org, covered[4])
    with org_context(org):
        session = _record(covered)
        with pytest.raises(ValidationError, match="rendering or supervising"):
            session_sign_note(session=session, actor=someone_else)
        signed = session_sign_note(session=session, actor=clinician)
        assert signed.note_signed_at is not None
        with pytest.raises(ValidationError, match="already signed"):
            session_sign_note(session=session, actor=clinician)


@pytest.mark.django_db
def test_pages_and_api_change_status_for_those_who_record_sessions(client, covered):
    org, *_ = covered
    with org_context(org):
        session = _record(covered)
    base = f"/o/{org.slug}/patients/sessions/{session.public_id}"
    client.force_login(factories.member(org, role="biller"))
    assert client.post(f"{base}/status/", {"status": "cancelled"}).status_code == 403
    client.force_login(_link(org, covered[4]))
    page = client.get(f"{base}/")
    assert b"Update status" in page.content and b"Mark note signed" in page.content
    assert client.post(f"{base}/sign-note/").status_code == 302
    response = client.post(
        f"/api/o/{org.slug}/sessions/{session.public_id}/status/",
        {"status": "bogus"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "status" in response.json()
    response = client.post(
        f"/api/o/{org.slug}/sessions/{session.public_id}/status/",
        {"status": "cancelled"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    with org_context(org):
        assert _balance(covered[3]) == 0
        assert Session.objects.get(pk=session.pk).note_signed_at is not None

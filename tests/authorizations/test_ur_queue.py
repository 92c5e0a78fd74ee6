"""The UR work queue: most urgent first with due dates and reasons, filters, the roles that may
read and work it, and the actions (review outcome, assign, snooze, resolve), each recorded with
who and when, on the page (htmx) and through the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from authorizations.alerts import authorization_alerts
from authorizations.models import ConcurrentReview, PriorAuthorization, UrAlert, UrAlertEvent
from rcm.models import ApiToken
from rcm.tenancy import org_context
from tests import factories

TODAY = factories.TODAY
DAY = dt.timedelta(days=1)
QUEUE = "/o/clinic-a/authorizations/ur/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _auth(*, ends_in: int, payer=None, units: int = 14, **fields):
    pat = factories.patient()
    cov = factories.coverage(patient_obj=pat, payer_obj=payer or factories.payer())
    ep = factories.episode(patient_obj=pat, level="iop", admit_date=dt.date(2026, 9, 1))
    return factories.authorization(
        coverage_obj=cov,
        episode=ep,
        level_of_care="iop",
        codes=["H0015"],
        unit_type="days",
        units_authorized=Decimal(units),
        start_date=dt.date(2026, 10, 1),
        end_date=TODAY + ends_in * DAY,
        **fields,
    )


@pytest.fixture
def alerts(org_a):
    """Two expiring authorizations (ending in 6 and in 2 days) and one due for review, alerts
    raised for TODAY."""
    with org_context(org_a):
        blue = factories.payer(name="Blue")
        later = _auth(ends_in=6)
        soon = _auth(ends_in=2, payer=blue)
        review = _auth(ends_in=30, next_review_date=TODAY + DAY)
        authorization_alerts(TODAY)
        return {
            "later": UrAlert.objects.get(authorization=later),
            "soon": UrAlert.objects.get(authorization=soon),
            "review": UrAlert.objects.get(authorization=review),
            "blue": blue,
        }


def _login(client, org, role="intake", **kw):
    user = factories.member(org, role=role, part2_access=True, **kw)
    client.force_login(user)
    return user


def _rows(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('id="ur-alert-')[1:]]


def test_the_queue_lists_alerts_most_urgent_first_with_due_dates_and_reasons(client, org_a, alerts):
    _login(client, org_a)
    html = client.get(QUEUE).content.decode()
    # review due tomorrow: 35 + 36; expiring in 2 days: 30 + 32; expiring in 6 days: 30 + 16.
    order = [alerts["review"], alerts["soon"], alerts["later"]]
    assert _rows(html) == [str(a.public_id) for a in order]
    assert [a.urgency for a in order] == [71, 62, 46]
    assert "2026-11-04" in html and "due in 2 day(s): +32" in html
    assert "UR queue" in html  # the nav entry


def test_the_queue_filters_by_kind_payer_and_assignee(client, org_a, alerts):
    user = _login(client, org_a)
    html = client.get(QUEUE, {"kind": "review_due"}).content.decode()
    assert _rows(html) == [str(alerts["review"].public_id)]
    html = client.get(QUEUE, {"payer": str(alerts["blue"].public_id)}, **HTMX).content.decode()
    assert _rows(html) == [str(alerts["soon"].public_id)]
    with org_context(org_a):
        UrAlert.objects.filter(pk=alerts["later"].pk).update(assigned_to=user)
    assert _rows(client.get(QUEUE, {"assignee": "me"}).content.decode()) == [
        str(alerts["later"].public_id)
    ]
    assert len(_rows(client.get(QUEUE, {"assignee": "none"}).content.decode())) == 2
    assert client.get(QUEUE, {"payer": "not-a-uuid", "kind": "nonsense"}).status_code == 200


@pytest.mark.parametrize(
    ("role", "read", "act"),
    [
        ("intake", 200, 200),
        ("biller", 200, 200),
        ("billing_manager", 200, 200),
        ("clinician", 200, 403),
        ("leadership", 403, 403),
    ],
)
def test_roles_read_and_work_the_queue_as_their_capabilities_allow(
    client, org_a, alerts, role, read, act
):
    _login(client, org_a, role=role)
    assert client.get(QUEUE).status_code == read
    url = f"{QUEUE}{alerts['soon'].public_id}/assign/"
    assert client.post(url, {"assignee": "me"}, **HTMX).status_code == act


def test_an_outsider_gets_404_for_another_orgs_alert(client, org_a, org_b, alerts):
    _login(client, org_b, role="billing_manager")
    url = f"/o/clinic-b/authorizations/ur/{alerts['soon'].public_id}/resolve/"
    assert client.post(url, {"resolution": "x"}).status_code == 404
    with org_context(org_a):
        assert UrAlert.objects.get(pk=alerts["soon"].pk).status == "open"


def test_part2_alerts_are_withheld_from_the_queue_without_part2_access(client, org_a):
    with org_context(org_a):
        auth = _auth(ends_in=3)
        auth.episode.part2_applies = True
        auth.episode.program = "sud"
        auth.episode.save()
        authorization_alerts(TODAY)
    client.force_login(factories.member(org_a, role="biller", part2_access=False))
    assert _rows(client.get(QUEUE).content.decode()) == []
    _login(client, org_a, role="biller")
    assert len(_rows(client.get(QUEUE).content.decode())) == 1


def test_recording_more_days_extends_the_authorization_and_resolves_the_alert(
    client, org_a, alerts
):
    user = _login(client, org_a, role="billing_manager")
    alert = alerts["soon"]
    response = client.post(
        f"{QUEUE}{alert.public_id}/review/",
        {"outcome": "approved", "days_added": "7", "status": "open"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "left the queue" in html
    with org_context(org_a):
        auth = PriorAuthorization.objects.get(pk=alert.authorization_id)
        assert auth.end_date == TODAY + 9 * DAY and auth.units_authorized == Decimal("21")
        review = ConcurrentReview.objects.get(authorization=auth)
        assert (review.outcome, review.units_added, review.recorded_by) == ("approved", 7, user)
        alert.refresh_from_db()
        assert (alert.status, alert.resolved_by) == ("resolved", user)
        assert UrAlertEvent.objects.filter(alert=alert, action="review", actor=user).exists()
        # Tomorrow the authorization no longer ends within 7 days: nothing is raised again.
        assert authorization_alerts(TODAY + DAY)["created"] == 0


def test_a_new_auth_number_records_a_new_authorization_continuing_the_old_one(
    client, org_a, alerts
):
    _login(client, org_a)
    alert = alerts["soon"]
    client.post(
        f"{QUEUE}{alert.public_id}/review/",
        {"outcome": "approved", "days_added": "7", "auth_number": "NEW-77"},
        **HTMX,
    )
    with org_context(org_a):
        new = PriorAuthorization.objects.get(auth_number="NEW-77")
        old = PriorAuthorization.objects.get(pk=alert.authorization_id)
        assert (new.start_date, new.end_date) == (old.end_date + DAY, old.end_date + 7 * DAY)
        assert (new.units_authorized, new.level_of_care, new.coverage) == (7, "iop", old.coverage)
        assert UrAlert.objects.get(pk=alert.pk).status == "resolved"
        # The old one is continued: its expiry is not raised again.
        authorization_alerts(TODAY + DAY)
        assert not UrAlert.objects.filter(authorization=old, status="open").exists()


def test_a_denied_review_is_recorded_with_its_reason_and_points_to_the_denials_page(
    client, org_a, alerts
):
    _login(client, org_a)
    alert = alerts["review"]
    url = f"{QUEUE}{alert.public_id}/review/"
    html = client.post(url, {"outcome": "denied"}, **HTMX).content.decode()
    assert "Give the payer" in html  # a denial needs its reason
    html = client.post(
        url, {"outcome": "denied", "reason": "Medical necessity not met"}, follow=True
    ).content.decode()
    assert "Denials page" in html
    with org_context(org_a):
        review = ConcurrentReview.objects.get(authorization=alert.authorization)
        assert review.outcome == "denied" and "Medical necessity not met" in review.notes
        assert UrAlert.objects.get(pk=alert.pk).status == "resolved"


def test_snooze_needs_a_later_date_and_a_reason_and_hides_the_alert_until_then(
    client, org_a, alerts
):
    user = _login(client, org_a)
    alert = alerts["later"]
    url = f"{QUEUE}{alert.public_id}/snooze/"
    html = client.post(url, {"snoozed_until": "2000-01-01"}, **HTMX).content.decode()
    assert "Snooze until a date after today." in html and "Say why it can wait." in html
    until = (dt.date.today() + 3 * DAY).isoformat()
    client.post(url, {"snoozed_until": until, "snooze_reason": "Payer calls back Friday"}, **HTMX)
    with org_context(org_a):
        alert.refresh_from_db()
        assert (alert.status, alert.snoozed_until.isoformat()) == ("snoozed", until)
        event = UrAlertEvent.objects.get(alert=alert, action="snoozed")
        assert event.actor == user and "Payer calls back Friday" in event.message
    assert str(alert.public_id) not in _rows(client.get(QUEUE).content.decode())


def test_assign_and_resolve_are_recorded_with_who_and_when(client, org_a, alerts):
    user = _login(client, org_a)
    other = factories.member(org_a, role="biller", username="bo.biller")
    alert = alerts["later"]
    client.post(f"{QUEUE}{alert.public_id}/assign/", {"assignee": "bo.biller"}, **HTMX)
    outsider = factories.member(factories.organization(), role="biller", username="zed")
    html = client.post(
        f"{QUEUE}{alert.public_id}/assign/", {"assignee": outsider.username}, **HTMX
    ).content.decode()
    assert "Choose a member who works authorizations." in html
    client.post(f"{QUEUE}{alert.public_id}/resolve/", {"resolution": "Discharged"}, **HTMX)
    with org_context(org_a):
        alert.refresh_from_db()
        assert (alert.assigned_to, alert.status, alert.resolution) == (
            other,
            "resolved",
            "Discharged",
        )
        events = list(UrAlertEvent.objects.filter(alert=alert).order_by("pk"))
        assert [e.action for e in events] == ["raised", "assigned", "resolved"]
        assert all(e.created_at for e in events) and events[-1].actor == user


def _api(org, role="intake"):
    user = factories.member(org, role=role, part2_access=True)
    _, raw = ApiToken.issue(user=user, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_the_api_lists_the_queue_and_takes_the_same_actions(org_a, alerts):
    api = _api(org_a)
    base = f"/api/o/{org_a.slug}/ur-alerts/"
    body = api.get(base).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["id"] for r in rows][:1] == [str(alerts["review"].public_id)]
    assert rows[0]["reasons"] and rows[0]["due_date"] == "2026-11-03"
    soon = alerts["soon"].public_id
    assert api.post(f"{base}{soon}/assign/", {"assignee": "me"}, format="json").status_code == 200
    bad = api.post(f"{base}{soon}/snooze/", {"snooze_reason": "x"}, format="json")
    assert bad.status_code == 400 and "snoozed_until" in bad.json()
    done = api.post(
        f"{base}{soon}/review/", {"outcome": "approved", "days_added": 7}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert api.get(base, {"kind": "expiring"}).status_code == 200
    leader = _api(org_a, role="clinician")
    assert (
        leader.post(f"{base}{alerts['later'].public_id}/resolve/", {"resolution": "x"}).status_code
        == 403
    )

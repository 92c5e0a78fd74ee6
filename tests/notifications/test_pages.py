"""The notification centre, the header's unread count, the preferences page and the API: every
member has their own, nobody reaches another's, outsiders get 404."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification, NotificationPreference
from rcm.models import PhiAccess
from rcm.tenancy import org_context
from tests import factories
from tests.notifications.helpers import alert, member

pytestmark = pytest.mark.django_db
ROLES = ["admin", "billing_manager", "biller", "intake", "clinician", "leadership", "compliance"]


def _two_alerts(org, user):
    with org_context(org):
        older, newer = alert(org, users=[user])[0], alert(org, users=[user], dedupe_key="d2")[0]
    return older, newer


def test_the_header_shows_the_unread_count_with_one_query(client, org_a):
    biller = member(org_a)
    _two_alerts(org_a, biller)
    client.force_login(biller)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/o/{org_a.slug}/").content.decode()
    assert 'data-testid="unread-count">2<' in page
    counted = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
    assert len(counted) == 1 and "COUNT(" in counted[0]


def test_the_header_shows_no_count_without_unread_notifications(client, org_a):
    client.force_login(member(org_a))
    page = client.get(f"/o/{org_a.slug}/").content.decode()
    assert 'data-testid="notifications-link"' in page and "unread-count" not in page


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_a_notification_centre_and_preferences(client, org_a, role):
    client.force_login(member(org_a, role))
    assert client.get(f"/o/{org_a.slug}/notifications/").status_code == 200
    assert client.get(f"/o/{org_a.slug}/notifications/preferences/").status_code == 200


def test_the_centre_lists_unread_first_and_logs_the_read_of_their_bodies(client, org_a):
    biller = member(org_a)
    older, newer = _two_alerts(org_a, biller)
    with org_context(org_a):
        Notification.objects.filter(pk=newer.pk).update(read_at="2026-11-01T00:00Z")
    client.force_login(biller)
    page = client.get(f"/o/{org_a.slug}/notifications/").content.decode()
    assert page.index(str(older.public_id)) < page.index(str(newer.public_id))
    assert "Doe, Jane" in page
    with org_context(org_a):
        assert PhiAccess.objects.filter(user=biller, object_type="notifications.Notification")


def test_following_a_notification_marks_it_read_and_goes_to_its_item(client, org_a):
    biller = member(org_a)
    older, _ = _two_alerts(org_a, biller)
    client.force_login(biller)
    response = client.get(f"/o/{org_a.slug}/notifications/{older.public_id}/")
    assert response.status_code == 302 and response["Location"] == f"/o/{org_a.slug}/denials/"
    with org_context(org_a):
        older.refresh_from_db()
        assert older.read_at is not None
    page = client.get(f"/o/{org_a.slug}/").content.decode()
    assert 'data-testid="unread-count">1<' in page


def test_mark_one_read_and_mark_all_read(client, org_a):
    biller = member(org_a)
    older, newer = _two_alerts(org_a, biller)
    client.force_login(biller)
    base = f"/o/{org_a.slug}/notifications/"
    assert client.post(f"{base}{older.public_id}/read/").status_code == 302
    with org_context(org_a):
        assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert client.post(f"{base}read-all/").status_code == 302
    with org_context(org_a):
        assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_another_members_notification_answers_404(client, org_a):
    biller, other = member(org_a), member(org_a)
    older, _ = _two_alerts(org_a, biller)
    client.force_login(other)
    base = f"/o/{org_a.slug}/notifications/{older.public_id}/"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}read/").status_code == 404
    client.post(f"/o/{org_a.slug}/notifications/read-all/")
    with org_context(org_a):
        assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_outsiders_get_404_from_the_centre_and_its_items(client, org_a, org_b):
    biller = member(org_a)
    older, _ = _two_alerts(org_a, biller)
    client.force_login(factories.member(org_b, role="admin"))
    assert client.get(f"/o/{org_a.slug}/notifications/").status_code == 404
    assert client.get(f"/o/{org_a.slug}/notifications/{older.public_id}/").status_code == 404
    assert client.get(f"/o/{org_b.slug}/notifications/{older.public_id}/").status_code == 404


def test_preferences_are_saved_per_kind_and_a_bad_email_choice_is_refused(client, org_a):
    biller = member(org_a)
    client.force_login(biller)
    url = f"/o/{org_a.slug}/notifications/preferences/"
    page = client.get(url).content.decode()
    assert "Denial appeal deadline near" in page and "License expiring" in page
    response = client.post(url, {"email_denial_deadline": "daily_digest", "email_caqh_due": "off"})
    assert response.status_code == 302
    with org_context(org_a):
        pref = NotificationPreference.objects.get(user=biller, kind="denial_deadline")
        assert (pref.in_app, pref.email) == (False, "daily_digest")
    bad = client.post(url, {"email_denial_deadline": "hourly"})
    assert bad.status_code == 400 and "Choose one of" in bad.content.decode()
    with org_context(org_a):
        pref.refresh_from_db()
        assert pref.email == "daily_digest"


def test_the_api_lists_the_callers_notifications_and_marks_them_read(client, org_a):
    biller, other = member(org_a), member(org_a)
    older, newer = _two_alerts(org_a, biller)
    with org_context(org_a):
        alert(org_a, users=[other])
    client.force_login(biller)
    api = f"/api/o/{org_a.slug}/notifications/"
    rows = client.get(api).json()["results"]
    assert {r["id"] for r in rows} == {str(older.public_id), str(newer.public_id)}
    done = client.post(f"{api}{older.public_id}/read/").json()
    assert done["read_at"] is not None
    assert len(client.get(f"{api}?unread=1").json()["results"]) == 1
    assert client.post(f"{api}read-all/").json() == {"marked": 1}
    assert client.post(api, {}, content_type="application/json").status_code == 405

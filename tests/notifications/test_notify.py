"""notify(): each alert once per member, to the members named or whose role has the capability,
never to a member who may not see Part 2 records when it is about them, delivered as each member
prefers (in the app, email at once, daily digest), with no PHI in any email."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from notifications.models import Notification
from notifications.selectors import notifications_of, unread_count
from notifications.services import preferences_set
from rcm.models import Membership
from rcm.permissions import Cap
from rcm.tenancy import org_context
from tests import factories
from tests.notifications.helpers import alert, member

pytestmark = pytest.mark.django_db


def test_the_same_alert_is_delivered_to_a_member_only_once(org_a):
    biller = member(org_a)
    with org_context(org_a):
        first = alert(org_a, users=[biller])
        again = alert(org_a, users=[biller], capability=Cap.WORK_CLAIMS)
        other = alert(org_a, users=[biller], dedupe_key="d2")
        assert (len(first), len(again), len(other)) == (1, 0, 1)
        assert Notification.objects.filter(user=biller).count() == 2


def test_the_database_refuses_a_second_copy_of_an_alert(org_a):
    biller = member(org_a)
    with org_context(org_a):
        alert(org_a, users=[biller])
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(user=biller, kind="review_due", title="t", dedupe_key="d1")


def test_every_active_member_whose_role_has_the_capability_is_notified(org_a, org_b):
    biller, manager, admin = member(org_a), member(org_a, "billing_manager"), member(org_a, "admin")
    clinician = member(org_a, "clinician")
    gone = member(org_a)
    outsider = member(org_b, "admin")
    with org_context(org_a):
        Membership.objects.filter(user=gone).update(is_active=False)
        rows = alert(org_a, capability=Cap.WORK_CLAIMS, users=[clinician, outsider])
        notified = {n.user_id for n in rows}
    assert notified == {biller.pk, manager.pk, admin.pk, clinician.pk}
    assert gone.pk not in notified and outsider.pk not in notified


def test_nobody_named_and_no_capability_notifies_nobody(org_a):
    member(org_a)
    with org_context(org_a):
        assert alert(org_a) == []


def test_a_part2_alert_is_not_even_created_for_a_member_without_part2_access(org_a):
    allowed = member(org_a, part2_access=True)
    withheld = member(org_a)
    with org_context(org_a):
        rows = alert(org_a, capability=Cap.WORK_CLAIMS, part2=True)
        assert [n.user_id for n in rows] == [allowed.pk]
        assert not Notification.objects.filter(user=withheld).exists()


def test_a_member_who_loses_part2_access_no_longer_sees_the_part2_alert(org_a):
    biller = member(org_a, part2_access=True)
    with org_context(org_a):
        alert(org_a, users=[biller], part2=True)
        alert(org_a, users=[biller], dedupe_key="plain")
    with org_context(org_a, actor_id=biller.pk, part2_access=False):
        assert unread_count(user=biller) == 1
        assert [n.dedupe_key for n in notifications_of(user=biller)] == ["plain"]


def test_a_url_outside_the_org_or_a_missing_dedupe_key_is_refused(org_a):
    biller = member(org_a)
    with org_context(org_a):
        with pytest.raises(ValueError, match="inside the active org"):
            alert(org_a, users=[biller], url="https://evil.example/")
        with pytest.raises(ValueError, match="dedupe_key"):
            alert(org_a, users=[biller], dedupe_key="")
        with pytest.raises(ValueError, match="Unknown notification kind"):
            alert(org_a, users=[biller], kind="nonsense")


def test_with_in_app_off_the_alert_stays_out_of_the_centre_and_with_both_off_nothing_is_made(
    org_a, mailoutbox, django_capture_on_commit_callbacks
):
    biller = member(org_a)
    with org_context(org_a):
        preferences_set(actor=biller, choices={"denial_deadline": (False, "immediate")})
        with django_capture_on_commit_callbacks(execute=True):
            (row,) = alert(org_a, users=[biller])
        assert row.in_app is False
        assert unread_count(user=biller) == 0 and not notifications_of(user=biller).exists()
        preferences_set(actor=biller, choices={"review_due": (False, "off")})
        assert alert(org_a, users=[biller], kind="review_due", dedupe_key="r1") == []
    assert len(mailoutbox) == 1


def test_an_immediate_email_has_the_title_and_link_but_never_the_body_or_phi_in_the_subject(
    org_a, mailoutbox, django_capture_on_commit_callbacks
):
    biller = member(org_a)
    with org_context(org_a):
        with django_capture_on_commit_callbacks(execute=True):
            (row,) = alert(org_a, users=[biller])  # denial_deadline: immediate by default
        row.refresh_from_db()
        assert row.emailed_at is not None
    (mail,) = mailoutbox
    assert mail.to == [biller.email]
    assert mail.subject == "[BH RCM] Denial appeal deadline near"
    assert "Appeal deadline near" in mail.body and f"/o/{org_a.slug}/denials/" in mail.body
    assert "Doe" not in mail.body + mail.subject and "$150" not in mail.body


def test_a_digest_kind_sends_no_email_at_once(
    org_a, mailoutbox, django_capture_on_commit_callbacks
):
    biller = member(org_a)
    with org_context(org_a):
        with django_capture_on_commit_callbacks(execute=True):
            (row,) = alert(org_a, users=[biller], kind="license_expiring")
    assert row.email == "daily_digest" and mailoutbox == []


def test_a_rolled_back_alert_sends_no_email(org_a, mailoutbox, django_capture_on_commit_callbacks):
    biller = member(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), org_context(org_a):
            alert(org_a, users=[biller])
            raise RuntimeError("the caller's transaction fails")
    assert mailoutbox == []
    with org_context(org_a):
        assert not Notification.objects.exists()


def test_members_of_another_org_never_see_the_alerts(org_a, org_b):
    biller = member(org_a)
    factories.member(org_b, role="biller")
    with org_context(org_a):
        alert(org_a, users=[biller])
    with org_context(org_b):
        assert not Notification.objects.exists()

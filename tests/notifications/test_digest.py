"""The nightly email_digest job: one email per member per day with their unread digest
notifications (titles and links only), never twice for a day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from notifications.jobs import email_digest
from notifications.models import EmailDigest, Notification
from rcm.jobs import run_job
from rcm.models import Membership
from rcm.tenancy import org_context
from tests.notifications.helpers import alert, member

pytestmark = pytest.mark.django_db
DAY = dt.date.today()


def test_a_member_gets_one_digest_a_day_through_run_job(
    org_a, mailoutbox, django_capture_on_commit_callbacks
):
    biller, manager = member(org_a), member(org_a, "billing_manager")
    with org_context(org_a), django_capture_on_commit_callbacks(execute=True):
        alert(org_a, users=[biller, manager], kind="license_expiring", title="License expiring")
        alert(org_a, users=[biller], kind="caqh_due", title="CAQH due", dedupe_key="c")
        alert(org_a, users=[biller], kind="review_due", dedupe_key="r")  # immediate
    assert len(mailoutbox) == 1  # review_due, at once
    mailoutbox.clear()
    with org_context(org_a), django_capture_on_commit_callbacks(execute=True):
        first = run_job("email_digest", key=DAY.isoformat())
        again = run_job("email_digest", key=DAY.isoformat())
        direct = email_digest(DAY)
    assert (first["created"], first["updated"], first["emails"], first["skipped"]) == (2, 3, 2, 0)
    assert again["skipped"] == 1 and direct["created"] == 0
    assert len(mailoutbox) == 2
    (mail,) = [m for m in mailoutbox if m.to == [biller.email]]
    assert "License expiring" in mail.body and "CAQH due" in mail.body
    assert "Doe" not in mail.body and "Doe" not in mail.subject
    assert mail.body.count(f"/o/{org_a.slug}/denials/") == 2


def test_the_next_day_digest_has_only_new_unread_notifications(
    org_a, mailoutbox, django_capture_on_commit_callbacks
):
    biller = member(org_a)
    with org_context(org_a), django_capture_on_commit_callbacks(execute=True):
        alert(org_a, users=[biller], kind="license_expiring", title="First")
        run_job("email_digest", key=DAY.isoformat())
        alert(org_a, users=[biller], kind="license_expiring", title="Second", dedupe_key="2")
        alert(org_a, users=[biller], kind="license_expiring", title="Read", dedupe_key="3")
        Notification.objects.filter(title="Read").update(read_at="2026-01-01T00:00Z")
        nxt = run_job("email_digest", key=(DAY + dt.timedelta(days=1)).isoformat())
    assert nxt["updated"] == 1
    assert [("First" in m.body, "Second" in m.body, "Read" in m.body) for m in mailoutbox] == [
        (True, False, False),
        (False, True, False),
    ]


def test_the_digest_leaves_out_part2_alerts_of_a_member_who_lost_access(
    org_a, mailoutbox, django_capture_on_commit_callbacks
):
    biller = member(org_a, part2_access=True)
    with org_context(org_a), django_capture_on_commit_callbacks(execute=True):
        alert(org_a, users=[biller], kind="license_expiring", title="Part 2 item", part2=True)
        alert(org_a, users=[biller], kind="license_expiring", title="Plain", dedupe_key="p")
        Membership.objects.filter(user=biller).update(part2_access=False)
        email_digest(DAY)
    (mail,) = mailoutbox
    assert "Plain" in mail.body and "Part 2 item" not in mail.body


def test_the_digest_runs_from_the_command_line(org_a):
    biller = member(org_a)
    with org_context(org_a):
        alert(org_a, users=[biller], kind="license_expiring")
    call_command("run_job", "email_digest", "--org", org_a.slug)
    with org_context(org_a):
        assert EmailDigest.objects.get(user=biller).count == 1

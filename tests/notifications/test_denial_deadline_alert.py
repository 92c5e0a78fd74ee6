"""A denial near its appeal deadline (the deadline_near signal of reprioritize_denials) notifies
its assignee and the billing managers once, and withholds a Part 2 denial's alert from members
without Part 2 access."""

from __future__ import annotations

import datetime as dt

import pytest

from denials.models import Denial
from notifications.models import Notification
from rcm.jobs import run_job
from rcm.tenancy import org_context
from tests.denials.work import denied
from tests.notifications.helpers import member

pytestmark = pytest.mark.django_db


def _near(org, assignee, *, part2=False):
    with org_context(org):
        denial = denied()
        Denial.objects.filter(pk=denial.pk).update(assigned_to=assignee, part2=part2)
        day = denial.appeal_deadline - dt.timedelta(days=3)
        run_job("reprioritize_denials", key=day.isoformat())
        run_job("reprioritize_denials", key=(day + dt.timedelta(days=1)).isoformat())
    return denial


def test_the_assignee_and_billing_managers_are_told_once_when_an_appeal_deadline_nears(org_a):
    biller, other_biller = member(org_a, part2_access=True), member(org_a)
    manager, admin = member(org_a, "billing_manager"), member(org_a, "admin")
    denial = _near(org_a, biller)
    with org_context(org_a):
        rows = list(Notification.objects.filter(kind="denial_deadline"))
        control_number = denial.claim.control_number
        last_name = str(denial.claim.patient.last_name)
    notified = {n.user_id for n in rows}
    assert notified == {biller.pk, manager.pk}
    assert other_biller.pk not in notified and admin.pk not in notified
    n = rows[0]
    assert n.url == f"/o/{org_a.slug}/denials/{denial.public_id}/"
    assert control_number in n.body and last_name in n.body
    assert control_number not in n.title and last_name not in n.title


def test_a_part2_denials_alert_goes_only_to_members_with_part2_access(org_a):
    biller = member(org_a, part2_access=True)
    manager = member(org_a, "billing_manager")
    _near(org_a, biller, part2=True)
    with org_context(org_a):
        assert [n.user_id for n in Notification.objects.all()] == [biller.pk]
        assert manager.pk not in Notification.objects.values_list("user_id", flat=True)

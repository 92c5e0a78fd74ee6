"""A biller sees two unread notifications counted in the header, opens the notification centre,
follows one to its denial queue, and the count drops to one."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from notifications.services import notify
from rcm.tenancy import org_context
from tests import factories
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_biller_follows_a_notification_and_the_unread_count_drops(committed_db, page):
    org = factories.organization(slug="northside", name="Northside Recovery")
    biller = factories.member(org, role="biller", username="nia.biller")
    with org_context(org):
        for key, title in [("a", "Appeal deadline near: Acme denial"), ("b", "CAQH due")]:
            notify(
                kind="caqh_due",
                title=title,
                body="",
                url=f"/o/{org.slug}/denials/",
                users=[biller],
                dedupe_key=key,
            )
    page.goto("/login/")
    page.fill("input[name=username]", "nia.biller")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/northside/")
    assert page.locator("[data-testid=unread-count]").inner_text() == "2"

    page.click("[data-testid=notifications-link]")
    page.wait_for_url("**/o/northside/notifications/")
    assert page.locator("[data-testid=notification-row].unread").count() == 2
    screenshot(page, "notification-centre")
    page.locator("[data-testid=notification-link]", has_text="CAQH due").click()
    page.wait_for_url("**/o/northside/denials/")
    assert page.locator("[data-testid=unread-count]").inner_text() == "1"
    with org_context(org):
        assert Notification.objects.get(dedupe_key="b").read_at is not None
        assert Notification.objects.get(dedupe_key="a").read_at is None

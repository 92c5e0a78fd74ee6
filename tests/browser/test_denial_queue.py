"""A biller works the denial queue in a real browser: "Next denial" opens the most urgent one
(assigned to them), a small one is written off at once, the next one is appealed and its letter
is shown with the claim's facts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from denials.models import Denial, DenialSettings
from rcm.tenancy import org_context
from tests import factories
from tests.browser.conftest import screenshot
from tests.denials.work import denied

pytestmark = pytest.mark.browser


def _login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/eastside/")


def test_a_biller_takes_the_next_denial_writes_one_off_and_appeals_another(committed_db, page):
    org = factories.organization(slug="eastside", name="Eastside Recovery")
    factories.member(org, role="biller", username="dee.biller", part2_access=True)
    with org_context(org):
        DenialSettings.objects.create(write_off_approval_threshold=Decimal("100.00"))
        big = denied(carc="50", amount="900.00")
        small = denied(carc="50", amount="60.00")
    _login(page, "dee.biller")
    page.click("nav >> text=Denials")
    page.wait_for_url("**/o/eastside/denials/")
    rows = page.locator("[data-testid=denial-row]")
    assert rows.count() == 2
    assert big.claim.control_number in rows.first.inner_text()

    page.click("[data-testid=next-denial]")
    page.wait_for_url(f"**/denials/{big.public_id}/")
    assert "(you)" in page.locator("[data-testid=denial-assignee]").inner_text()
    page.click("[data-testid=appeal]")
    page.wait_for_url("**/denials/appeals/**")
    letter = page.locator("[data-testid=appeal-letter]").inner_text()
    assert "CARC 50" in letter and "90837" in letter and "LOCUS" in letter
    screenshot(page, "denial-appeal-letter")

    page.goto("/o/eastside/denials/")
    page.click("[data-testid=next-denial]")
    page.wait_for_url(f"**/denials/{small.public_id}/")
    page.fill("#wo-reason", "Below the cost of working it")
    page.click("[data-testid=write-off]")
    page.wait_for_selector("text=Written off")
    with org_context(org):
        assert Denial.objects.get(pk=small.pk).status == Denial.Status.WRITTEN_OFF
        assert Denial.objects.get(pk=big.pk).status == Denial.Status.APPEALED

"""Intake checks a patient's eligibility in a real browser: "Check eligibility" queues the check
(a real Celery worker asks the sandbox payer) and the card appears in place, without a reload."""

from __future__ import annotations

import pytest

from claims import tasks
from rcm.tenancy import org_context
from tests import factories
from tests.browser.conftest import screenshot
from tests.claims.test_worker_submission import worker_queue  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_intake_checks_eligibility_and_sees_the_card_appear_without_a_reload(
    page,
    worker_queue,  # noqa: F811
    monkeypatch,
):
    org = factories.organization(slug="summit", name="Summit Recovery Center")
    factories.member(org, role="intake", username="intake.ivy", part2_access=True)
    with org_context(org):
        factories.clearinghouse_account()
        factories.facility(npi=factories.type2_npi())
        coverage = factories.coverage(member_id="MEM500001")
    # The live server runs in this process: its task goes to the test's worker queue.
    task = tasks.run_eligibility_check
    monkeypatch.setattr(
        task, "delay", lambda *args: task.apply_async(args=list(args), queue=worker_queue)
    )
    page.goto("/login/")
    page.fill("input[name=username]", "intake.ivy")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/summit/")
    page.goto(f"/o/summit/patients/{coverage.patient.public_id}/")
    card = page.locator("[data-testid=eligibility-card]")
    assert "Not checked yet" in card.inner_text()
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    page.click("[data-testid=check-eligibility]")
    page.wait_for_selector("[data-testid=eligibility-services]", timeout=30000)
    text = card.inner_text()
    assert "Active" in text and "$25.00 per visit" in text and "unknown" in text
    assert page.evaluate("window.__sameDocument") is True
    screenshot(page, "eligibility-card")

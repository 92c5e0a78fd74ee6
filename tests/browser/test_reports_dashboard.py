"""Leadership opens Reports in a real browser: the Chart.js charts draw (vendored script, data
from a json_script element, nothing inline under the strict CSP), and a figure in the A/R table
drills down to the claims behind it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests import factories
from tests.browser.conftest import screenshot
from tests.denials.test_reports import build_book

pytestmark = pytest.mark.browser


@pytest.fixture
def summit(committed_db):
    with time_machine.travel(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC), tick=True):
        org = factories.organization(slug="summit", name="Summit Recovery")
        factories.member(org, role="leadership", username="lee.lead")
        book = build_book(org)
        yield book


def test_leadership_sees_the_charts_and_drills_down_from_the_aging_table(page, summit):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto("/login/")
    page.fill("input[name=username]", "lee.lead")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/summit/")
    page.click("nav.sidenav >> text=Reports")
    page.wait_for_url("**/o/summit/reports/")
    for chart in ("chart-aging", "chart-denials", "chart-collections"):
        page.locator(f"#{chart}[data-rendered='1']").wait_for()
    assert page.evaluate("() => Object.keys(window.Chart.instances).length") == 3
    assert not problems, problems
    assert "$300.00" in page.inner_text("[data-testid=aging-total]")
    screenshot(page, "reports-dashboard")
    row = page.locator("[data-testid=ar-aging] tr[data-payer='Alpha Health']")
    row.locator("[data-testid=aging-cell]").nth(4).click()  # over 120 days
    page.wait_for_url("**/o/summit/reports/claims/?**")
    assert page.inner_text("[data-testid=drill-count]").startswith("1 claims")
    assert page.locator(f"tr[data-claim='{summit.c2.control_number}']").count() == 1
    screenshot(page, "reports-drill-down")

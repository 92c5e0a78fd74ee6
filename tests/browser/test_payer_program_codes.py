"""Codes by program in a real browser: a billing manager changes the SUD group code of the
State Medicaid starter payer on its edit page and reads it back on the detail page."""

from __future__ import annotations

import pytest

from payers.catalog import catalog_install
from tests import factories
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def medicaid(committed_db):
    org = factories.organization(slug="harbor", name="Harbor Counseling")
    factories.member(org, role="billing_manager", username="billing.bo")
    installed = {p.name: p for p, _ in catalog_install(org=org, names=["State Medicaid (example)"])}
    return installed["State Medicaid (example)"]


def test_a_billing_manager_edits_the_sud_group_code_and_sees_it_on_the_detail_page(page, medicaid):
    page.goto("/login/")
    page.fill("input[name=username]", "billing.bo")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/harbor/")
    page.goto(f"/o/harbor/payers/{medicaid.public_id}/")
    page.click("[data-testid=payer-edit]")
    sud = page.locator("[data-testid=program-codes-sud]")
    code = sud.get_by_label("SUD Group: code", exact=True)
    assert code.input_value() == "H0005"
    code.fill("h0047")
    sud.get_by_label("SUD Group: modifiers", exact=True).fill("HQ, HF")
    screenshot(page, "payer-program-codes-form")
    page.click("[data-testid=payer-save]")
    page.wait_for_url(f"**/payers/{medicaid.public_id}/")
    group = page.inner_text("[data-testid=program-code-sud-any-group]")
    assert "H0047" in group and "HQ HF" in group and "per 15 minutes attended" in group
    assert "Group: 90853" in page.inner_text("[data-testid=program-codes-mh-independent]")
    screenshot(page, "payer-program-codes-detail")

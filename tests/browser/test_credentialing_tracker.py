"""A billing manager opens the credentialing tracker in a real browser from the nav, finds the
gap holding the most revenue at the top (a clinician billed to a payer they are not enrolled
with), and follows its amount to exactly the claims it holds in the held queue."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from rcm.tenancy import org_context
from tests import factories
from tests.browser.conftest import screenshot
from tests.claims import builders

pytestmark = pytest.mark.browser


@pytest.fixture
def gaps(committed_db) -> SimpleNamespace:
    org = factories.organization(slug="harbor", name="Harbor Counseling")
    factories.member(org, role="billing_manager", username="max.manager")
    with org_context(org):
        payer = factories.payer(name="Harbor Health Plan")
        big = factories.licensed(factories.provider(first_name="Noor", last_name="Haddad"), "IL")
        small = factories.licensed(factories.provider(first_name="Ray", last_name="Tran"), "IL")

        def held(provider, amount: str):
            return builders.claim(
                payer=payer,
                rendering=provider,
                status="held",
                hold_codes=["PROVIDER-CANNOT-BILL"],
                lines=[{"code": "90834", "charge": Decimal(amount)}],
            )

        top = [held(big, "400.00"), held(big, "350.00")]
        held(small, "150.00")
    return SimpleNamespace(org=org, top=[c.control_number for c in top])


def test_a_billing_manager_follows_the_largest_gap_to_its_held_claims(page, gaps):
    page.goto("/login/")
    page.fill("input[name=username]", "max.manager")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/harbor/")
    page.get_by_role("link", name="Credentialing tracker").click()
    page.wait_for_url("**/claims/credentialing-tracker/")
    first = page.get_by_test_id("pair-row").first
    assert "Noor Haddad" in first.inner_text()
    assert "$750.00" in first.get_by_test_id("held").inner_text()
    screenshot(page, "credentialing-tracker")
    first.get_by_test_id("held-link").click()
    page.wait_for_url("**/claims/?*queue=held*")
    rows = page.get_by_test_id("queue-row")
    found = sorted(rows.nth(i).get_attribute("data-claim") for i in range(rows.count()))
    assert found == sorted(gaps.top)

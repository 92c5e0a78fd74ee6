"""A person logs in, switches between two orgs, sees each org's home page, and logs out."""

from __future__ import annotations

from rcm.models import Membership
from rcm.tenancy import org_context
from tests import factories
from tests.browser.conftest import screenshot


def test_a_billing_company_user_logs_in_switches_org_and_logs_out(page):
    clinic = factories.organization(slug="harbor", name="Harbor Behavioral Health")
    program = factories.organization(slug="summit", name="Summit Recovery Center")
    user = factories.member(clinic, role="biller", username="bc.biller")
    with org_context(program):
        Membership.objects.create(user=user, role="biller")

    page.goto("/login/")
    page.fill("input[name=username]", "bc.biller")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/orgs/")
    page.click('main a:has-text("Harbor Behavioral Health")')
    page.wait_for_url("**/o/harbor/")
    assert page.inner_text("[data-testid=org-name]") == "Harbor Behavioral Health"

    page.click("[data-testid=org-switcher] summary")
    page.click("[data-testid=org-switcher] a[data-org=summit]")
    page.wait_for_url("**/o/summit/")
    assert page.inner_text("[data-testid=org-name]") == "Summit Recovery Center"
    assert "Biller" in page.inner_text("[data-testid=current-user]")
    screenshot(page, "org-home-after-switch")

    page.click("[data-testid=logout]")
    page.wait_for_url("**/login/")
    page.goto("/o/summit/")
    assert "/login/" in page.url


def test_a_user_cannot_open_an_org_they_do_not_belong_to(page):
    factories.organization(slug="harbor", name="Harbor Behavioral Health")
    other = factories.organization(slug="elsewhere", name="Elsewhere")
    factories.member(other, role="admin", username="outsider")
    page.goto("/login/")
    page.fill("input[name=username]", "outsider")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/elsewhere/")
    response = page.goto("/o/harbor/")
    assert response.status == 404

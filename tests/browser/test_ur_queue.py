"""A UR coordinator (intake) works an expiring authorization in a real browser: the nightly job
put it in the UR queue; they record the payer's approval of 7 more days under a new
authorization number, and the alert leaves the queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from authorizations.alerts import authorization_alerts
from authorizations.models import PriorAuthorization, UrAlert
from rcm.tenancy import org_context
from tests import factories
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser
DAY = dt.timedelta(days=1)


def test_a_ur_coordinator_records_seven_more_days_and_the_alert_leaves_the_queue(
    committed_db, page
):
    org = factories.organization(slug="eastside", name="Eastside Recovery")
    factories.member(org, role="intake", username="ivy.intake", part2_access=True)
    today = timezone.localdate()
    with org_context(org):
        pat = factories.patient(first_name="Jordan", last_name="Vale")
        cov = factories.coverage(patient_obj=pat, effective_date=today - 90 * DAY)
        ep = factories.episode(patient_obj=pat, level="iop", admit_date=today - 20 * DAY)
        auth = factories.authorization(
            coverage_obj=cov,
            episode=ep,
            level_of_care="iop",
            codes=["H0015"],
            unit_type="days",
            units_authorized=Decimal("12"),
            start_date=today - 20 * DAY,
            end_date=today + 3 * DAY,
            auth_number="OLD-100",
        )
        authorization_alerts(today)
        alert = UrAlert.objects.get(kind="expiring")

    page.goto("/login/")
    page.fill("input[name=username]", "ivy.intake")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/eastside/")
    page.click("nav >> text=UR queue")
    page.wait_for_url("**/o/eastside/authorizations/ur/")
    row = page.locator(f"#ur-alert-{alert.public_id}")
    assert "Authorization expiring" in row.inner_text()
    assert "OLD-100" in row.inner_text()
    row.locator("summary").click()
    form = row.locator("[data-testid=ur-review-form]")
    form.locator("select[name=outcome]").select_option("approved")
    form.locator("input[name=days_added]").fill("7")
    form.locator("input[name=auth_number]").fill("NEW-200")
    form.locator("button[type=submit]").click()
    done = page.locator(f"#ur-alert-{alert.public_id} [data-testid=ur-done]")
    done.wait_for()
    assert "NEW-200" in done.inner_text() and "left the queue" in done.inner_text()
    screenshot(page, "ur-queue-review-recorded")

    page.reload()
    assert page.locator(f"#ur-alert-{alert.public_id}").count() == 0
    with org_context(org):
        new = PriorAuthorization.objects.get(auth_number="NEW-200")
        assert (new.start_date, new.end_date) == (auth.end_date + DAY, auth.end_date + 7 * DAY)
        assert UrAlert.objects.get(pk=alert.pk).status == "resolved"

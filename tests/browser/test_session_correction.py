"""Correcting a session in a real browser: the form opens with the saved values, the live
preview follows the new end time, and the detail page lists the correction with its author."""

from __future__ import annotations

import datetime

import pytest

from patients.services.clinical import episode_admit, session_record
from rcm.tenancy import org_context
from tests import factories
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

START = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def recorded(committed_db):
    org = factories.organization(slug="harbor", name="Harbor Counseling")
    factories.member(org, role="billing_manager", username="billing.bo")
    with org_context(org):
        patient = factories.patient()
        factories.coverage(patient_obj=patient)
        facility = factories.facility(name="Harbor Main", pos="11")
        episode_admit(
            patient=patient,
            program="mh",
            level="outpatient",
            admit_date=START.date(),
            diagnoses=["F41.1"],
            facility=facility,
        )
        return session_record(
            actor=None,
            patient=patient,
            kind="individual",
            starts_at=START,
            ends_at=START + datetime.timedelta(minutes=53),
            rendering_provider=factories.provider(first_name="Kim", last_name="Ito"),
        )


def test_a_billing_manager_corrects_the_end_time_and_sees_it_in_the_history(page, recorded):
    page.goto("/login/")
    page.fill("input[name=username]", "billing.bo")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/harbor/")
    page.goto(f"/o/harbor/patients/sessions/{recorded.public_id}/")
    page.click("[data-testid=correct-session]")
    assert page.input_value("#id_end_time") == "15:53"
    page.fill("#id_end_time", "15:40")
    preview = page.locator("[data-testid=coding-preview]")
    preview.locator("[data-testid=code]", has_text="90834").wait_for()
    page.fill("#id_reason", "Session ended early; the end time was mistyped")
    screenshot(page, "session-correction-form")
    page.click("[data-testid=correction-submit]")
    page.wait_for_url(f"**/patients/sessions/{recorded.public_id}/")
    history = page.inner_text("[data-testid=session-corrections]")
    assert "billing.bo" in history and "15:53 → 2026-11-02 15:40" in history
    assert "mistyped" in history
    assert "90834" in page.inner_text("[data-testid=coding-preview]")
    screenshot(page, "session-correction-history")

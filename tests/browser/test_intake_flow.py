"""Intake in a real browser: register a patient with coverage, record a Part 2 consent, admit
to IOP, and record a session while the live preview shows what would be billed."""

from __future__ import annotations

import datetime

import pytest

from rcm.tenancy import org_context
from tests import factories
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def clinic(committed_db):
    org = factories.organization(slug="summit", name="Summit Recovery Center")
    factories.member(org, role="intake", username="intake.amy", part2_access=True)
    with org_context(org):
        payer = factories.payer(name="Cascade Health Plan", auth_required_levels=["iop", "php"])
        facility = factories.facility(name="Summit Day Programs", pos="57")
        provider = factories.provider(first_name="Riley", last_name="Okafor")
    return {"org": org, "payer": payer, "facility": facility, "provider": provider}


def _login(page) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", "intake.amy")
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/summit/")


def _register(page, clinic) -> None:
    page.goto("/o/summit/patients/new/")
    page.fill("#id_first_name", "Testy")
    page.fill("#id_last_name", "Browserton")
    page.fill("#id_date_of_birth", "1990-05-01")
    page.select_option("#id_coverage-payer", label="Cascade Health Plan")
    page.fill("#id_coverage-member_id", "CHP-55501")
    page.fill("#id_coverage-effective_date", "2026-01-01")
    page.click("[data-testid=register-submit]")
    page.wait_for_selector("[data-testid=patient-name]")
    assert page.inner_text("[data-testid=patient-name]") == "Browserton, Testy"
    assert "CHP-55501" in page.inner_text("[data-testid=coverages]")


def _consent(page) -> None:
    page.click("[data-testid=consent-link]")
    page.click("[data-testid=tpo-preset]")
    page.fill("#id_signer_name", "Testy Browserton")
    page.select_option("#id_signature_method", "electronic")
    for name in (
        "revocation_rights_stated",
        "redisclosure_notice_stated",
        "refusal_consequences_stated",
    ):
        page.check(f"input[name={name}]")
    page.click("[data-testid=save-consent]")
    page.wait_for_url("**/consent/*/")


def _admit(page, patient_url: str, today: datetime.date) -> None:
    page.goto(patient_url)
    assert "Active" in page.inner_text("[data-testid=consents]")
    page.click("[data-testid=admit-link]")
    page.select_option("#id_program", "sud")
    page.select_option("#id_level", "iop")
    page.fill("#id_asam_level", "2.1")
    page.fill("#id_admit_date", today.isoformat())
    page.fill("#id_dx_1", "F10.20")
    page.fill("#id_dx_2", "Z59.00")
    page.click("[data-testid=admit-submit]")
    page.wait_for_selector("[data-testid=segments]")
    assert "Intensive outpatient" in page.inner_text("[data-testid=segments]")
    assert "requires prior authorization" in page.inner_text("[data-testid=current-auth]")


def _session(page, patient_url: str, clinic) -> None:
    page.goto(patient_url)
    page.click("[data-testid=session-link]")
    page.fill("#id_start_time", "15:00")
    page.fill("#id_end_time", "15:53")
    page.select_option("#id_rendering_provider", label=str(clinic["provider"]))
    page.select_option("#id_facility", label="Summit Day Programs")
    preview = page.locator("[data-testid=coding-preview]")
    preview.locator("[data-testid=code]", has_text="90837").wait_for()
    assert "Would bill" in preview.inner_text()
    screenshot(page, "intake-session-preview")
    page.fill("#id_end_time", "15:12")
    page.locator("[data-testid=coding-preview]", has_text="Not billable").wait_for()
    page.fill("#id_end_time", "15:53")
    preview.locator("[data-testid=code]", has_text="90837").wait_for()
    page.click("[data-testid=session-submit]")
    page.wait_for_url("**/patients/sessions/*/")
    assert "90837" in page.inner_text("[data-testid=coding-preview]")


def _transition_preview(page, patient_url: str, today: datetime.date) -> None:
    page.goto(patient_url)
    page.click("[data-testid=episodes] a")
    page.click("[data-testid=transition-link]")
    page.fill("#id_on_date", (today + datetime.timedelta(days=7)).isoformat())
    page.select_option("#id_new_level", "php")
    page.locator("[data-testid=auth-preview]", has_text="New authorization needed").wait_for()
    page.select_option("#id_new_level", "outpatient")
    page.locator("[data-testid=auth-preview]", has_text="No authorization needed").wait_for()


def test_intake_registers_consents_admits_and_previews_a_session(page, clinic):
    today = datetime.date.today()
    _login(page)
    _register(page, clinic)
    patient_url = page.url
    _consent(page)
    _admit(page, patient_url, today)
    _session(page, patient_url, clinic)
    screenshot(page, "intake-session-saved")
    _transition_preview(page, patient_url, today)
    page.goto(patient_url)
    assert "90837" not in page.inner_text("[data-testid=sessions]")  # codes live on the claim
    screenshot(page, "intake-patient-detail")

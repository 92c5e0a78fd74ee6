"""A biller works the held queue in a real browser: the claim the builder held for an unsigned
note is taken with "n", its finding's fix link leads to the session, the clinician signs the
note, the biller re-scrubs from the claim page, finds the claim in the ready queue, selects it
with "x" and submits it with "s"; the sandbox clearinghouse accepts it (999 and 277CA, fetched
as the beat schedule would) and the claim waits for payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from claims.acks import responses_poll
from claims.models import ChargemasterEntry, Claim, SubmissionBatch
from claims.services import claims_build
from claims.submission import batch_send
from credentialing.services import enrollment_upsert
from patients.models import EpisodeDiagnosis
from rcm.tenancy import org_context
from tests import factories
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

TODAY = factories.TODAY


@pytest.fixture
def held(committed_db) -> SimpleNamespace:
    """Harbor: a completed 53-minute session with its note unsigned, built into a held claim."""
    org = factories.organization(slug="harbor", name="Harbor Counseling")
    factories.member(org, role="biller", username="bea.biller", part2_access=True)
    kim = factories.member(org, role="clinician", username="kim.ito", part2_access=True)
    with org_context(org):
        site = factories.facility(
            name="Harbor Main",
            npi="1234567893",
            taxonomy="261QM0801X",
            tin="123456789",
            postal_code="627011234",
        )
        payer = factories.payer(name="Harbor Health Plan", timely_filing_days=365)
        ChargemasterEntry.objects.create(
            code="90837", amount=Decimal("200.00"), effective_from=dt.date(2026, 1, 1)
        )
        factories.clearinghouse_account()  # the sandbox
        patient = factories.patient(
            first_name="Dana",
            last_name="Whitfield",
            address_line1="12 Elm Road",
            city="Springfield",
            state="IL",
            postal_code="62701",
        )
        factories.coverage(patient_obj=patient, payer_obj=payer, member_id="MEM000001")
        episode = factories.episode(patient_obj=patient, facility=site)
        EpisodeDiagnosis.objects.create(episode=episode, rank=1, code="F33.1")
        provider = factories.licensed(
            factories.provider(first_name="Kim", last_name="Ito", user=kim), state="IL"
        )
        enrollment_upsert(
            provider=provider, payer=payer, status="enrolled", effective_date=dt.date(2026, 1, 1)
        )
        session = factories.session(
            patient_obj=patient, provider_obj=provider, facility=site, episode=episode
        )
        claims_build(through=TODAY, org_slug=org.slug)
        claim = Claim.objects.get()
    return SimpleNamespace(org=org, claim=claim, session=session)


def _login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/harbor/")


def _logout(page) -> None:
    page.click("[data-testid=logout]")
    page.wait_for_url("**/login/")


def test_a_biller_takes_a_held_claim_gets_it_fixed_rescrubs_and_finds_it_ready(page, held):
    claim = held.claim
    assert claim.status == "held" and claim.hold_codes == ["NOTE-UNSIGNED"], claim.hold_codes

    _login(page, "bea.biller")
    page.click("nav.sidenav >> text=Claims")
    page.wait_for_url("**/o/harbor/claims/")
    assert page.inner_text("[data-testid=count-held]") == "1"
    row = page.locator(f"[data-testid=queue-row][data-claim='{claim.control_number}']")
    assert "NOTE-UNSIGNED" in row.inner_text() and "Whitfield, Dana" in row.inner_text()
    page.keyboard.press("j")
    assert "current" in (row.get_attribute("class") or "")
    screenshot(page, "claims-held-queue")
    page.keyboard.press("n")  # next claim: the most urgent held one, assigned to me
    page.wait_for_url(f"**/claims/{claim.public_id}/?queue=held")
    assert "(you)" in page.inner_text("[data-testid=claim-assignee]")
    finding = page.locator("[data-testid=finding][data-code=NOTE-UNSIGNED]")
    assert "no signed progress note" in finding.inner_text()
    screenshot(page, "claims-held-claim")
    finding.locator("[data-testid=fix-link]").click()
    page.wait_for_url(f"**/patients/sessions/{held.session.public_id}/")
    verdict = page.inner_text("[data-testid=billing-verdict]")
    assert verdict.startswith(f"Held on claim {claim.control_number}")
    _logout(page)

    _login(page, "kim.ito")  # the clinician signs the note with her own sign-in
    page.goto(f"/o/harbor/patients/sessions/{held.session.public_id}/")
    page.click("text=Mark note signed")
    page.locator(".messages", has_text="Note marked as signed").wait_for()
    _logout(page)

    _login(page, "bea.biller")
    page.goto(f"/o/harbor/patients/sessions/{held.session.public_id}/")
    page.click("[data-testid=session-claim-link]")
    page.wait_for_url(f"**/claims/{claim.public_id}/")
    page.click("[data-testid=action-scrub]")
    page.locator(".messages", has_text="Re-scrubbed: 0 error(s)").wait_for()
    assert page.inner_text("[data-testid=claim-status]") == "Ready to submit"
    history = page.inner_text("[data-testid=claim-history]")
    assert "bea.biller" in history and "Released" in history
    screenshot(page, "claims-ready-claim")

    page.goto("/o/harbor/claims/?queue=ready")
    assert page.inner_text("[data-testid=count-ready]") == "1"
    assert page.inner_text("[data-testid=count-held]") == "0"
    page.keyboard.press("j")
    page.keyboard.press("x")
    box = page.locator(f"[data-claim='{claim.control_number}'] input[type=checkbox]")
    assert box.is_checked()
    screenshot(page, "claims-ready-queue")
    page.keyboard.press("s")  # submit the selected claims
    page.locator(".messages", has_text="Submitted 1 claim(s) in 1 batch(es)").wait_for()
    assert page.inner_text("[data-testid=count-submitted]") == "1"

    with org_context(held.org):  # what the worker and the beat schedule do in the background
        batch = SubmissionBatch.objects.get()
        assert batch_send(batch_id=batch.pk).status == "sent"
        responses_poll()
    page.goto("/o/harbor/claims/?queue=awaiting_payment")
    assert page.inner_text("[data-testid=count-awaiting_payment]") == "1"
    page.click(f"[data-claim='{claim.control_number}'] a[data-open]")
    assert page.inner_text("[data-testid=claim-status]") == "Accepted, awaiting payment"
    kinds = page.locator("[data-testid=claim-event]").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)"
    )
    assert kinds[-3:] == ["queued", "submitted", "accepted"]
    screenshot(page, "claims-accepted-claim")

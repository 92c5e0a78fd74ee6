"""The session page asks the claims app (through patients.answers) which claim bills the session:
once the scrubber has held it, the page says so instead of "Would bill", with the findings."""

from __future__ import annotations

import pytest

from rcm.tenancy import org_context
from tests import factories
from tests.claims import claimdata

pytestmark = pytest.mark.usefixtures("on_today")


def _session_page(client, org, session) -> str:
    response = client.get(f"/o/{org.slug}/patients/sessions/{session.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_held_claim_shows_its_findings_on_the_session_page_not_would_bill(client, org_a):
    client.force_login(factories.member(org_a, role="biller"))
    with org_context(org_a):
        claim = claimdata.claim(
            control_number="R0000000042",
            hold_codes=("NOTE-UNSIGNED",),
            findings=(
                {"code": "BILLING-ZIP4", "severity": "warning", "message": "No ZIP+4"},
                {
                    "code": "OTHER-LINE",
                    "severity": "error",
                    "message": "About another line",
                    "line_number": 9,
                },
            ),
        )
        session = claim.services.get().session
    html = _session_page(client, org_a, session)
    assert "Would bill" not in html
    assert "Held on claim R0000000042 (held by the scrubber)" in html
    assert 'data-code="NOTE-UNSIGNED"' in html and 'href="/fix/NOTE-UNSIGNED/"' in html
    assert 'data-code="BILLING-ZIP4"' in html  # about the whole claim
    assert "OTHER-LINE" not in html  # about another session's line
    assert f'href="/o/{org_a.slug}/claims/{claim.public_id}/"' in html


@pytest.mark.django_db
def test_a_ready_claim_says_billed_and_a_session_on_no_claim_says_would_bill(client, org_a):
    client.force_login(factories.member(org_a, role="clinician"))
    with org_context(org_a):
        claim = claimdata.claim(status="ready", control_number="R0000000043")
        on_claim = claim.services.get().session
        loose = factories.session(status="completed")
    html = _session_page(client, org_a, on_claim)
    assert "Billed on claim R0000000043 (ready to submit)" in html
    assert "nothing on this session" in html
    assert "/claims/" not in html  # a clinician does not work claims: no link
    html = _session_page(client, org_a, loose)
    assert 'data-testid="session-claim"' not in html and "on claim" not in html


@pytest.mark.django_db
def test_a_cancelled_claim_lets_go_of_the_session(client, org_a):
    client.force_login(factories.member(org_a, role="biller"))
    with org_context(org_a):
        claim = claimdata.claim(status="cancelled")
        link = claim.services.select_related("session").get()
        link.active = False
        link.save()
    html = _session_page(client, org_a, link.session)
    assert 'data-testid="session-claim"' not in html and "on claim" not in html

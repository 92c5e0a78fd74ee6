"""A biller uploads a payer's 835 in a real browser: the posting summary shows what it read and
posted (a paid claim, a denied line, a claim the org does not know), the exceptions it raised
are listed, and resolving one from the exceptions queue takes a note."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from types import SimpleNamespace

import pytest

from claims.models import Claim
from denials.models import PostingException
from rcm.tenancy import org_context
from tests import factories
from tests.browser.conftest import screenshot
from tests.claims import builders
from tests.denials import era
from tests.denials.era import adj, clp, line_of

pytestmark = pytest.mark.browser


@pytest.fixture
def world(committed_db, tmp_path) -> SimpleNamespace:
    org = factories.organization(slug="harbor", name="Harbor Counseling")
    factories.member(org, role="biller", username="bea.biller", part2_access=True)
    with org_context(org):
        claim = builders.claim(
            status=Claim.Status.ACCEPTED,
            lines=[
                {"code": "90834", "charge": Decimal("150.00")},
                {"code": "90837", "charge": Decimal("200.00")},
            ],
        )
        first, second = claim.lines.order_by("number")
        ours = clp(
            claim,
            (
                line_of(first, "100.00", adj("CO", "45", "30.00"), adj("PR", "3", "20.00")),
                line_of(second, "0", adj("CO", "197", "200.00"), remarks=("N54",)),
            ),
        )
        stranger = dataclasses.replace(
            clp(
                claim,
                (line_of(first, "60.00", adj("CO", "45", "90.00")),),
                position=2,
                charge=Decimal("150.00"),
            ),
            patient_control_number="R0000099999",
        )
        path = tmp_path / "era-2026-11-20.835"
        path.write_bytes(era.file_of(era.remittance((ours, stranger), trace="BROWSER-1")))
    return SimpleNamespace(org=org, claim=claim, path=path)


def _login(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/harbor/")


def test_a_biller_uploads_an_835_sees_the_summary_and_resolves_an_exception(page, world):
    _login(page, "bea.biller")
    page.goto("/o/harbor/denials/remittances/")
    page.set_input_files("input[name=files]", str(world.path))
    with page.expect_navigation():
        page.click("[data-testid=upload-form] button[type=submit]")
    summary = page.locator("[data-testid=posting-summary]")
    summary.wait_for()
    assert "2 (1 matched, 1 not found)" in page.inner_text("[data-testid=summary-claims]")
    assert page.inner_text("[data-testid=summary-denials]").strip() == "1"
    exceptions = page.inner_text("[data-testid=upload-exceptions]")
    assert "R0000099999" in exceptions and "Claim not found" in exceptions
    screenshot(page, "remittance-upload-summary")
    with page.expect_navigation():
        page.click("[data-testid=remittances] a")
    body = page.inner_text("body")
    assert world.claim.control_number in body and "197" in body
    page.goto("/o/harbor/denials/exceptions/")
    row = page.locator("[data-testid=exception-row]").first
    row.locator("textarea, input[name=note]").first.fill("Not our patient: returned to payer")
    with page.expect_navigation():
        row.locator("button").first.click()
    with org_context(world.org):
        resolved = PostingException.objects.get(status="resolved")
        assert resolved.resolved_by is not None and resolved.resolution
        world.claim.refresh_from_db()
        assert world.claim.status == Claim.Status.PAID
        assert world.claim.balance == Decimal("200.00")  # the denied line stays in AR

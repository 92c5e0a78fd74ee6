"""The credentialing tracker page (claims/credentialing-tracker/): the revenue each gap holds
(held claims with a credentialing finding, per rendering provider and payer) summed and sorted
largest first, each amount linking to exactly those claims in the queue; Part 2 claims counted
only for members with Part 2 access; billing managers and admins only; a fixed number of
queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.selectors.credentialing import credentialing_tracker
from credentialing import services
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders

TODAY = factories.TODAY
CANNOT_BILL = ["PROVIDER-CANNOT-BILL"]


def _held(payer: Any, provider: Any, amount: str, codes: list[str] = CANNOT_BILL, **kw: Any) -> Any:
    return builders.claim(
        payer=payer,
        rendering=provider,
        status=kw.pop("status", "held"),
        hold_codes=codes,
        lines=[{"code": "90834", "charge": Decimal(amount)}],
        **kw,
    )


def _world(org: Any) -> dict[str, Any]:
    """Acme: Ana holds 300 (two claims), Ben 500. Noise: a claim held for an unsigned note, a
    ready claim, and another payer's held claim for Ana (100)."""
    with org_context(org):
        acme = factories.payer(name="Acme Health")
        blue = factories.payer(name="Blue Plan")
        ana = factories.licensed(factories.provider(first_name="Ana", last_name="Adams"), "IL")
        ben = factories.licensed(factories.provider(first_name="Ben", last_name="Brown"), "IL")
        services.enrollment_upsert(
            provider=ana, payer=blue, status="enrolled", effective_date=dt.date(2026, 1, 1)
        )
        claims = {
            "ana1": _held(acme, ana, "100.00"),
            "ana2": _held(acme, ana, "200.00"),
            "ben_claim": _held(acme, ben, "500.00"),
            "ana_blue": _held(blue, ana, "100.00"),
            "note": _held(acme, ana, "999.00", codes=["NOTE-UNSIGNED"]),
            "ready": _held(acme, ben, "888.00", codes=[], status="ready"),
        }
    return {"acme": acme, "blue": blue, "ana": ana, "ben": ben, **claims}


def _row(tracker: Any, provider: Any, payer: Any) -> Any:
    return next(r for r in tracker.pairs if r.provider == provider and r.payer == payer)


def test_revenue_held_is_summed_per_provider_and_payer_from_credentialing_holds_only(org_a):
    w = _world(org_a)
    with org_context(org_a):
        tracker = credentialing_tracker(today=TODAY)
        ana, ben = _row(tracker, w["ana"], w["acme"]), _row(tracker, w["ben"], w["acme"])
        assert (ana.held, ana.held_claims) == (Decimal("300.00"), 2)
        assert (ben.held, ben.held_claims) == (Decimal("500.00"), 1)
        assert _row(tracker, w["ana"], w["blue"]).held == Decimal("100.00")
        assert tracker.total_held == Decimal("900.00")


def test_the_gap_holding_the_most_revenue_comes_first(org_a):
    _world(org_a)
    with org_context(org_a):
        tracker = credentialing_tracker(today=TODAY)
    held = [(r.provider.first_name, r.payer.name, r.held) for r in tracker.pairs if r.held]
    assert held == [
        ("Ben", "Acme Health", Decimal("500.00")),
        ("Ana", "Acme Health", Decimal("300.00")),
        ("Ana", "Blue Plan", Decimal("100.00")),
    ]
    ben = tracker.pairs[0]
    assert ben.gaps and ben.blocked  # not enrolled with Acme
    assert ben.status == "Not enrolled"


def test_the_tracker_lists_licenses_caqh_and_recredentialing_coming_due(org_a):
    with org_context(org_a):
        acme = factories.payer(name="Acme Health")
        cy = factories.provider(first_name="Cy", caqh_attested_on=TODAY - dt.timedelta(days=125))
        services.license_add(
            provider=cy,
            state="IL",
            number="L-9",
            issued_on=TODAY - dt.timedelta(days=600),
            expires_on=TODAY + dt.timedelta(days=20),
        )
        services.enrollment_upsert(
            provider=cy,
            payer=acme,
            status="enrolled",
            effective_date=dt.date(2024, 1, 1),
            recredential_due=TODAY + dt.timedelta(days=45),
        )
        tracker = credentialing_tracker(today=TODAY)
    assert [r.due_on for r in tracker.licenses] == [TODAY + dt.timedelta(days=20)]
    assert [r.due_on for r in tracker.caqh] == [TODAY - dt.timedelta(days=5)]
    assert [(r.due_on, r.payer) for r in tracker.recredentialing] == [
        (TODAY + dt.timedelta(days=45), acme)
    ]


def test_the_tracker_runs_a_fixed_number_of_queries_whatever_the_number_of_providers(org_a):
    def count() -> int:
        with org_context(org_a), CaptureQueriesContext(connection) as ctx:
            credentialing_tracker(today=TODAY)
        return len(ctx.captured_queries)

    _world(org_a)
    few = count()
    with org_context(org_a):
        acme = factories.payer(name="Cedar Care")
        for n in range(6):
            p = factories.licensed(factories.provider(first_name=f"P{n}"), "IL")
            services.enrollment_upsert(
                provider=p, payer=acme, status="enrolled", effective_date=dt.date(2026, 1, 1)
            )
            _held(acme, p, "50.00")
    assert count() == few


@pytest.mark.usefixtures("on_today")
def test_a_billing_manager_follows_an_amount_to_exactly_the_held_claims(client, org_a):
    w = _world(org_a)
    client.force_login(factories.member(org_a, role="billing_manager"))
    page = client.get(f"/o/{org_a.slug}/claims/credentialing-tracker/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("$500.00") < html.index("$300.00") < html.index("$100.00")
    ben = next(link for row, link in page.context["rows"] if row.provider == w["ben"])
    query = parse_qs(urlparse(ben).query)
    assert query["queue"] == ["held"] and query["edit_code"] == CANNOT_BILL
    queue = client.get(ben)
    assert queue.status_code == 200
    assert [c.pk for c in queue.context["page"].rows] == [w["ben_claim"].pk]
    ana = next(
        link
        for row, link in page.context["rows"]
        if row.provider == w["ana"] and row.payer == w["acme"]
    )
    rows = client.get(ana).context["page"].rows
    assert sorted(c.pk for c in rows) == sorted([w["ana1"].pk, w["ana2"].pk])


@pytest.mark.usefixtures("on_today")
def test_part2_claims_count_only_for_members_with_part2_access(client, org_a):
    w = _world(org_a)
    with org_context(org_a):
        _held(w["acme"], w["ben"], "700.00", part2=True)
    client.force_login(factories.member(org_a, role="billing_manager"))
    without = client.get(f"/o/{org_a.slug}/claims/credentialing-tracker/")
    assert "$1200.00" not in without.content.decode()
    assert next(r for r, _ in without.context["rows"] if r.provider == w["ben"]).held == Decimal(
        "500.00"
    )
    client.force_login(factories.member(org_a, role="billing_manager", part2_access=True))
    granted = client.get(f"/o/{org_a.slug}/claims/credentialing-tracker/")
    assert next(r for r, _ in granted.context["rows"] if r.provider == w["ben"]).held == Decimal(
        "1200.00"
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("billing_manager", 200),
        ("biller", 403),
        ("intake", 403),
        ("clinician", 403),
        ("leadership", 403),
        ("compliance", 403),
    ],
)
def test_only_billing_managers_and_admins_open_the_tracker(client, org_a, role, status):
    client.force_login(factories.member(org_a, role=role))
    assert client.get(f"/o/{org_a.slug}/claims/credentialing-tracker/").status_code == status


def test_a_member_of_another_org_gets_404_and_sees_nothing_of_ours(client, org_a, org_b):
    _world(org_a)
    client.force_login(factories.member(org_b, role="admin"))
    assert client.get(f"/o/{org_a.slug}/claims/credentialing-tracker/").status_code == 404
    own = client.get(f"/o/{org_b.slug}/claims/credentialing-tracker/")
    assert own.status_code == 200 and own.context["tracker"].total_held == 0


def test_the_nav_shows_the_tracker_to_billing_managers_not_to_billers(client, org_a):
    client.force_login(factories.member(org_a, role="billing_manager"))
    assert "Credentialing tracker" in client.get(f"/o/{org_a.slug}/").content.decode()
    client.force_login(factories.member(org_a, role="biller"))
    assert "Credentialing tracker" not in client.get(f"/o/{org_a.slug}/").content.decode()

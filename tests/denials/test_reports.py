"""The leadership dashboard's figures (denials.reports), its pages, CSV, API and the cross-org
A/R page, on claims paid and denied through post_835. Benchmarks and formulas: REFERENCE.md §13.

The book, on 2026-12-15 (org clock UTC):
- c1 payer P1, DOS 11-02 (43 days), sent 11-03 (42 days), $150: paid 80, CO-45 50, PR-2 20
  -> open 0, not A/R
- c2 payer P1, DOS 08-01 (136 days), sent 10-01 (75 days), $200: denied CO-197 -> open 200
- c3 payer P2, DOS 12-01 (14 days), sent 12-02, $100: no remittance yet -> open 100; rejected
  once by the clearinghouse (not a clean claim)
- c4 payer P2, ready (never sent), $300: not A/R
- c5 payer P2, DOS 11-02, sent 11-03, $150: paid 100, CO-45 50 -> open 0, not A/R
- c6 payer P1, a Part 2 claim, DOS 11-02, sent 11-03, $500: no remittance -> open 500
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine

from claims.models import Claim, ClaimEvent
from denials import reports
from denials.posting import post_835
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders
from tests.denials import era
from tests.denials.era import adj, clp, line_of

M = Decimal
TODAY = dt.date(2026, 12, 15)
API = "/api/o/clinic-a/"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 15, 12, tzinfo=dt.UTC), tick=True):
        yield


def _sent(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)


def _claim(payer, charge: str, dos: dt.date, sent: dt.date | None, **kw):
    status = kw.pop("status", Claim.Status.ACCEPTED)
    return builders.claim(
        payer=payer,
        status=status,
        lines=[{"code": "90834", "charge": M(charge), "service_date": dos}],
        submitted_at=_sent(sent) if sent else None,
        **kw,
    )


def build_book(org) -> SimpleNamespace:
    with org_context(org):
        p1 = factories.payer(name="Alpha Health")
        p2 = factories.payer(name="Beta Care")
        c1 = _claim(p1, "150.00", dt.date(2026, 11, 2), dt.date(2026, 11, 3))
        c2 = _claim(p1, "200.00", dt.date(2026, 8, 1), dt.date(2026, 10, 1))
        c3 = _claim(p2, "100.00", dt.date(2026, 12, 1), dt.date(2026, 12, 2), status="submitted")
        c4 = _claim(p2, "300.00", dt.date(2026, 12, 1), None, status="ready")
        c5 = _claim(p2, "150.00", dt.date(2026, 11, 2), dt.date(2026, 11, 3))
        c6 = _claim(p1, "500.00", dt.date(2026, 11, 2), dt.date(2026, 11, 3), part2=True)
        ClaimEvent.objects.create(claim=c3, kind="rejected", message="999 rejected")
        (l1,) = c1.lines.all()
        (l2,) = c2.lines.all()
        (l5,) = c5.lines.all()
        remit = era.remittance(
            (
                clp(
                    c1,
                    (line_of(l1, "80.00", adj("CO", "45", "50.00"), adj("PR", "2", "20.00")),),
                    position=1,
                ),
                clp(c2, (line_of(l2, "0", adj("CO", "197", "200.00")),), status="4", position=2),
                clp(c5, (line_of(l5, "100.00", adj("CO", "45", "50.00")),), position=3),
            ),
            trace="AR-1",
        )
        summary = post_835(content=era.file_of(remit), file_name="ar.835", actor=None)
        assert summary.matched == 3 and summary.denials == 1
    return SimpleNamespace(p1=p1, p2=p2, c1=c1, c2=c2, c3=c3, c4=c4, c5=c5, c6=c6)


@pytest.fixture
def book(org_a) -> SimpleNamespace:
    return build_book(org_a)


def _cells(row) -> dict[str, tuple[M, int]]:
    return {k: (row.amounts[k], row.counts[k]) for k in row.amounts if row.counts[k]}


def test_open_ar_is_aged_by_payer_by_date_of_service_and_by_submission_date(org_a, book):
    with org_context(org_a):
        by_dos = reports.ar_aging(basis="service")
        by_sent = reports.ar_aging(basis="submission")
    alpha, beta = by_dos["payers"]
    assert alpha.payer == "Alpha Health" and beta.payer == "Beta Care"
    assert _cells(alpha) == {"31-60": (M("500.00"), 1), "120+": (M("200.00"), 1)}
    assert _cells(beta) == {"0-30": (M("100.00"), 1)}
    assert by_dos["overall"].total == M("800.00") and by_dos["overall"].count == 3
    alpha, beta = by_sent["payers"]
    assert _cells(alpha) == {"31-60": (M("500.00"), 1), "61-90": (M("200.00"), 1)}
    assert _cells(beta) == {"0-30": (M("100.00"), 1)}
    assert by_sent["overall"].total == M("800.00")


def test_a_member_without_part2_access_counts_no_part2_claim(org_a, book):
    with org_context(org_a, part2_access=False):
        aging = reports.ar_aging()
        summary = reports.ar_summary()
        listed = set(reports.claims_for("ar").values_list("control_number", flat=True))
    assert aging["overall"].total == M("300.00") and summary["ar"] == M("300.00")
    assert book.c6.control_number not in listed and len(listed) == 2


def test_days_in_ar_and_the_share_over_90_days_follow_reference_13(org_a, book):
    with org_context(org_a):
        summary = reports.ar_summary()
    # Charges of sent claims with a first date of service in the last 90 days: c1 150 + c3 100
    # + c5 150 + c6 500 = 900, i.e. $10.00 a day; open A/R 800 -> 80 days.
    assert summary["charges_90d"] == M("900.00")
    assert summary["average_daily_charges"] == M("10.00")
    assert summary["days_in_ar"] == 80.0
    assert summary["ar_over_90"] == M("200.00") and summary["ar_over_90_share"] == 25.0


def test_denial_clean_claim_first_pass_and_net_collection_rates(org_a, book):
    with org_context(org_a):
        rates = reports.rates()
        by_payer = reports.denial_rates_by_payer()
        by_cause = reports.denial_rates_by_root_cause()
        denied = list(reports.claims_for("first_denied").values_list("pk", flat=True))
    assert (rates["adjudicated"], rates["first_denied"]) == (3, 1)
    assert rates["initial_denial_rate"] == 33.3 and denied == [book.c2.pk]
    assert [(r["payer"], r["adjudicated"], r["denied"], r["rate"]) for r in by_payer] == [
        ("Alpha Health", 2, 1, 50.0),
        ("Beta Care", 1, 0, 0.0),
    ]
    assert [(r["root_cause"], r["denied"]) for r in by_cause] == [("authorization", 1)]
    assert (rates["submitted"], rates["clean"], rates["clean_claim_rate"]) == (5, 4, 80.0)
    assert (rates["first_pass"], rates["first_pass_resolution_rate"]) == (2, 66.7)
    # Payments 80 + 0 + 100 over charges 500 less contractual 100.
    assert rates["payments"] == M("180.00") and rates["net_collection_rate"] == 45.0


def test_collections_are_summed_by_month_and_week_of_the_payment_date(org_a, book):
    with org_context(org_a):
        months = reports.collections(period="month")
        weeks = reports.collections(period="week")
    assert [(r["period"], r["paid"], r["claims"]) for r in months] == [
        (dt.date(2026, 11, 1), M("180.00"), 3)
    ]
    assert [(r["period"], r["paid"]) for r in weeks] == [(dt.date(2026, 11, 16), M("180.00"))]


def test_the_aging_api_and_the_claims_api_balances_reconcile_to_the_cent(client, org_a, book):
    user = factories.member(org_a, role="admin", username="ada.admin", part2_access=True)
    client.force_login(user)
    for basis, param in (("service", "dos_bucket"), ("submission", "bucket")):
        aging = client.get(API + "reports/ar-aging/", {"basis": basis})
        assert aging.status_code == 200, aging.content
        body = aging.json()
        listed = client.get(API + "claims/", {"queue": "ar", "per_page": 200}).json()
        balances = sum(M(row["balance"]) for row in listed["results"])
        assert balances == M(body["overall"]["amount"])
        assert listed["count"] == body["overall"]["count"]
        for bucket in body["overall"]["buckets"]:
            rows = client.get(
                API + "claims/", {"queue": "ar", param: bucket["key"], "per_page": 200}
            ).json()["results"]
            assert sum((M(r["balance"]) for r in rows), M(0)) == M(bucket["amount"]), bucket
            assert len(rows) == bucket["count"]
        for payer in body["payers"]:
            rows = client.get(
                API + "claims/", {"queue": "ar", "payer": payer["id"], "per_page": 200}
            ).json()["results"]
            assert sum((M(r["balance"]) for r in rows), M(0)) == M(payer["amount"])
    one = next(r for r in listed["results"] if r["control_number"] == book.c2.control_number)
    assert (one["paid_amount"], one["denied_amount"], one["balance"]) == (
        "0.00",
        "200.00",
        "200.00",
    )
    assert client.get(API + "reports/ar-aging/", {"basis": "x"}).status_code == 400


def test_a_biller_may_not_read_the_aging_api_or_the_dashboard(client, org_a, book):
    user = factories.member(org_a, role="biller", username="bo.biller")
    client.force_login(user)
    assert client.get(API + "reports/ar-aging/").status_code == 403
    assert client.get("/o/clinic-a/reports/").status_code == 403


def test_leadership_sees_the_dashboard_and_every_figure_drills_down_to_its_claims(
    client, org_a, book
):
    user = factories.member(org_a, role="leadership", username="lee.lead")
    client.force_login(user)
    page = client.get("/o/clinic-a/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="report-data"' in html and "chart.umd.min.js" in html and "js/reports.js" in html
    assert "<script>" not in html  # no inline script (strict CSP)
    assert "$300.00" in html  # leadership has no Part 2 access: c6 is withheld
    drill = client.get(
        "/o/clinic-a/reports/claims/",
        {"metric": "ar", "payer": str(book.p1.public_id), "bucket": "120+", "basis": "service"},
    )
    assert drill.status_code == 200
    text = drill.content.decode()
    assert book.c2.control_number in text and book.c1.control_number not in text
    assert "1 claims" in text
    denied = client.get("/o/clinic-a/reports/claims/", {"metric": "first_denied"})
    assert book.c2.control_number in denied.content.decode()
    assert client.get("/o/clinic-a/reports/claims/", {"metric": "nope"}).status_code == 404


def test_each_table_exports_as_csv(client, org_a, book):
    user = factories.member(org_a, role="billing_manager", username="bm", part2_access=True)
    client.force_login(user)
    response = client.get("/o/clinic-a/reports/csv/", {"table": "ar-aging", "basis": "submission"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["payer", "0-30", "31-60", "61-90", "91-120", "120+", "total", "claims"]
    assert rows[-1][0] == "All payers"
    for table in ("denials-by-payer", "denials-by-root-cause", "collections", "kpis"):
        response = client.get("/o/clinic-a/reports/csv/", {"table": table})
        assert response.status_code == 200 and response.content.count(b"\n") >= 2, table
    assert client.get("/o/clinic-a/reports/csv/", {"table": "secrets"}).status_code == 404


def test_a_member_of_several_orgs_sees_each_org_and_the_total_across_them(client, org_a, org_b):
    build_book(org_a)
    user = factories.member(org_a, role="billing_manager", username="multi", part2_access=False)
    with org_context(org_b):
        from rcm.models import Membership

        Membership.objects.create(user=user, role="biller")
        payer = factories.payer(name="Gamma")
        _claim(payer, "75.00", dt.date(2026, 12, 1), dt.date(2026, 12, 2))
    outsider_org = factories.organization(slug="elsewhere", name="Elsewhere")
    with org_context(outsider_org):
        _claim(factories.payer(name="Other"), "999.00", dt.date(2026, 12, 1), dt.date(2026, 12, 2))
    client.force_login(user)
    page = client.get("/reports/ar/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Clinic A" in html and "$300.00" in html  # no Part 2 access in clinic A
    assert "$75.00" in html and "$375.00" in html  # org B and the total
    assert "Elsewhere" not in html and "999.00" not in html
    rows = list(csv.reader(io.StringIO(client.get("/reports/ar/?format=csv").content.decode())))
    assert rows[-1][0] == "Total" and rows[-1][-1] == "375.00"

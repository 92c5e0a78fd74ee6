"""Chargemaster pages and API: billers read, billing managers and admins write, everyone else
gets 403, another org's entries answer 404; bad input is a field error and saves nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claims.models import ChargemasterEntry
from rcm.tenancy import org_context
from tests import factories

pytestmark = pytest.mark.django_db
PAGES = "/o/clinic-a/claims/chargemaster/"
API = "/api/o/clinic-a/chargemaster/"
HEADER = "code,revenue_code,modifiers,description,amount,effective_from\n"


@pytest.fixture
def login(org_a: Any) -> Any:
    def make(role: str) -> Client:
        client = Client()
        client.force_login(factories.member(org_a, role=role))
        return client

    return make


def _entries(org: Any) -> list[ChargemasterEntry]:
    with org_context(org):
        return list(ChargemasterEntry.objects.order_by("code", "effective_from"))


# --- Pages --------------------------------------------------------------------------------------


def test_a_manager_adds_edits_and_end_dates_a_charge(org_a, login):
    manager = login("billing_manager")
    form = {"code": "90837", "amount": "180", "effective_from": "2026-01-01", "is_active": "on"}
    response = manager.post(f"{PAGES}new/", {**form, "modifiers": "95, gt"})
    assert response.status_code == 302
    (entry,) = _entries(org_a)
    assert entry.modifiers == ["95", "GT"]
    edit = f"{PAGES}{entry.public_id}/edit/"
    assert manager.post(edit, {**form, "amount": "185", "modifiers": "95 GT"}).status_code == 302
    assert (
        manager.post(f"{PAGES}{entry.public_id}/end/", {"effective_to": "2026-12-31"}).status_code
        == 302
    )
    (entry,) = _entries(org_a)
    assert (entry.amount, entry.effective_to) == (Decimal("185.00"), dt.date(2026, 12, 31))


def test_the_list_filters_by_code_or_revenue_code(org_a, login):
    with org_context(org_a):
        factories.charge(code="90837")
        factories.charge(code="H0015", amount=Decimal("300"))
        factories.charge(code="", revenue_code="1002", amount=Decimal("700"))
    biller = login("biller")
    page = biller.get(PAGES, {"code": "h00"}).text
    assert "H0015" in page and "90837" not in page
    assert "700.00" in biller.get(PAGES, {"code": "1002"}).text
    assert "charge-new" not in page  # billers read only


def test_an_overlapping_charge_is_a_field_error_on_the_form_and_nothing_is_saved(org_a, login):
    with org_context(org_a):
        factories.charge()
    manager = login("admin")
    form = {"code": "90837", "amount": "190", "effective_from": "2026-05-01", "is_active": "on"}
    response = manager.post(f"{PAGES}new/", form)
    assert response.status_code == 400
    assert "Overlaps the 90837 charge" in response.context["form"].errors["effective_from"][0]
    assert len(_entries(org_a)) == 1
    superseded = manager.post(f"{PAGES}new/", {**form, "supersede": "on"})
    assert superseded.status_code == 302
    assert [e.effective_to for e in _entries(org_a)] == [dt.date(2026, 4, 30), None]


def test_csv_import_from_the_page_is_all_or_nothing(org_a, login):
    manager = login("billing_manager")
    bad = HEADER + "90837,,,ok,200,2026-01-01\n90834,,,bad,abc,2026-01-01\n"
    upload = SimpleUploadedFile("cdm.csv", bad.encode(), content_type="text/csv")
    response = manager.post(f"{PAGES}import/", {"file": upload})
    assert response.status_code == 400
    assert any(p.startswith("Row 3, amount:") for p in response.context["problems"])
    assert "Nothing was imported" in response.text and not _entries(org_a)
    good = SimpleUploadedFile("cdm.csv", (HEADER + "90837,,,ok,200,2026-01-01\n").encode())
    assert manager.post(f"{PAGES}import/", {"file": good}).status_code == 302
    assert len(_entries(org_a)) == 1


@pytest.mark.parametrize("role", ["biller", "intake", "clinician", "leadership", "compliance"])
def test_roles_without_payer_rules_cannot_write_the_chargemaster(org_a, login, role):
    with org_context(org_a):
        entry = factories.charge()
    client = login(role)
    expected_read = 200 if role == "biller" else 403
    assert client.get(PAGES).status_code == expected_read
    for url in (f"{PAGES}new/", f"{PAGES}import/", f"{PAGES}{entry.public_id}/edit/"):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(f"{PAGES}{entry.public_id}/end/", {"effective_to": "2026-02-01"}).status_code
        == 403
    )
    assert _entries(org_a)[0].effective_to is None


def test_the_chargemaster_is_in_the_navigation_for_those_who_work_claims(org_a, login):
    assert "Chargemaster" in login("biller").get("/o/clinic-a/").text
    assert "Chargemaster" not in login("clinician").get("/o/clinic-a/").text


def test_another_orgs_charge_answers_404_on_the_pages(org_a, org_b, login):
    with org_context(org_b):
        theirs = factories.charge()
    manager = login("admin")
    assert manager.get(f"{PAGES}{theirs.public_id}/edit/").status_code == 404
    assert (
        manager.post(f"{PAGES}{theirs.public_id}/end/", {"effective_to": "2026-02-01"}).status_code
        == 404
    )
    assert manager.get(PAGES).status_code == 200 and "999" not in manager.get(PAGES).text
    assert _entries(org_b)[0].effective_to is None


# --- API ----------------------------------------------------------------------------------------


def _post(client: Client, path: str, data: Any) -> Any:
    return client.post(f"{API}{path}", data, content_type="application/json")


def test_the_api_creates_lists_updates_and_end_dates(org_a, login):
    manager = login("billing_manager")
    created = _post(
        manager,
        "",
        {"code": "h0005", "modifiers": ["hq"], "amount": "28", "effective_from": "2026-01-01"},
    )
    assert created.status_code == 201, created.json()
    row = created.json()
    assert (row["code"], row["modifiers"], row["amount"]) == ("H0005", ["HQ"], "28.00")
    listed = manager.get(API, {"code": "H00", "on": "2026-03-01"}).json()["results"]
    assert [r["id"] for r in listed] == [row["id"]]
    patched = manager.patch(f"{API}{row['id']}/", {"amount": "30"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["amount"] == "30.00"
    ended = _post(manager, f"{row['id']}/end/", {"effective_to": "2026-06-30"})
    assert ended.status_code == 200 and ended.json()["effective_to"] == "2026-06-30"
    assert manager.get(API, {"on": "2026-07-01"}).json()["results"] == []


def test_bad_api_input_is_a_400_by_field_and_saves_nothing(org_a, login):
    manager = login("admin")
    with org_context(org_a):
        factories.charge()
    for body, field in (
        ({"code": "<script>", "amount": "1", "effective_from": "2026-01-01"}, "code"),
        ({"code": "90834", "amount": "abc", "effective_from": "2026-01-01"}, "amount"),
        (
            {
                "code": "90834",
                "modifiers": "toolong",
                "amount": "1",
                "effective_from": "2026-01-01",
            },
            "modifiers",
        ),
        ({"code": "90837", "amount": "190", "effective_from": "2026-02-01"}, "effective_from"),
    ):
        response = _post(manager, "", body)
        assert response.status_code == 400 and field in response.json(), (body, response.json())
    assert len(_entries(org_a)) == 1


def test_the_api_imports_a_csv_all_or_nothing(org_a, login):
    manager = login("billing_manager")
    bad = _post(manager, "import/", {"csv": HEADER + "90837,,,x,abc,2026-01-01\n"})
    assert bad.status_code == 400 and bad.json()["csv"][0].startswith("Row 2, amount:")
    upload = SimpleUploadedFile("cdm.csv", (HEADER + "90837,,,x,200,2026-01-01\n").encode())
    good = manager.post(f"{API}import/", {"file": upload})
    assert good.status_code == 201 and good.json() == {"created": 1, "superseded": 0}
    assert _post(manager, "import/", {}).status_code == 400


def test_the_api_answers_what_a_line_would_be_charged(org_a, login):
    with org_context(org_a):
        entry = factories.charge(code="H0015", amount=Decimal("300"))
        factories.charge(code="H0015", modifiers=["HQ"], amount=Decimal("320"))
    biller = login("biller")
    got = biller.get(f"{API}charge/", {"code": "H0015", "modifiers": "TF", "date": "2026-02-01"})
    assert got.json() == {"amount": "300.00", "entry": str(entry.public_id)}
    hq = biller.get(f"{API}charge/", {"code": "H0015", "modifiers": "HQ", "date": "2026-02-01"})
    assert hq.json()["amount"] == "320.00"
    none = biller.get(f"{API}charge/", {"code": "H0015", "date": "2025-02-01"})
    assert none.json() == {"amount": None, "entry": None}
    assert biller.get(f"{API}charge/", {"code": "H0015"}).status_code == 400


def test_api_roles_and_other_orgs(org_a, org_b, login):
    with org_context(org_b):
        theirs = factories.charge()
    biller, clinician, manager = login("biller"), login("clinician"), login("admin")
    assert biller.get(API).status_code == 200
    assert clinician.get(API).status_code == 403
    body = {"code": "90834", "amount": "1", "effective_from": "2026-01-01"}
    assert _post(biller, "", body).status_code == 403
    assert _post(biller, "import/", {"csv": HEADER}).status_code == 403
    assert manager.get(f"{API}{theirs.public_id}/").status_code == 404
    assert (
        _post(manager, f"{theirs.public_id}/end/", {"effective_to": "2026-02-01"}).status_code
        == 404
    )
    assert manager.delete(f"{API}{theirs.public_id}/").status_code in (404, 405)
    assert _entries(org_b)[0].effective_to is None

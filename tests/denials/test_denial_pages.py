"""Denial pages and API: the work queue, next denial, one denial, actions (versioned), appeal
letter and PDF, parity packet; who may do what; Part 2 denials withheld without access."""

from __future__ import annotations

from decimal import Decimal

import pytest

from denials.models import Appeal, Denial, DenialSettings, ParityEscalation
from rcm.tenancy import org_context
from tests import factories
from tests.denials.work import denied

M = Decimal


def _url(org, rest: str = "") -> str:
    return f"/o/{org.slug}/denials/{rest}"


def _api(org, rest: str = "") -> str:
    return f"/api/o/{org.slug}/denials/{rest}"


def _fresh(org, denial):
    with org_context(org):
        return Denial.objects.get(pk=denial.pk)


@pytest.fixture
def biller(client, org_a):
    user = factories.member(org_a, role="biller", part2_access=True)
    client.force_login(user)
    return user


def test_the_queue_lists_open_denials_by_priority_with_their_reasons_and_filters(
    client, org_a, biller
):
    with org_context(org_a):
        small = denied(carc="50", amount="80.00")
        big = denied(carc="197", amount="800.00")
    html = client.get(_url(org_a)).content.decode()
    assert html.index(big.claim.control_number) < html.index(small.claim.control_number)
    assert big.priority_reasons[0] in html
    html = client.get(_url(org_a), {"root_cause": "authorization"}).content.decode()
    assert big.claim.control_number in html and small.claim.control_number not in html
    html = client.get(_url(org_a), {"amount_max": "100"}, HTTP_HX_REQUEST="true").content.decode()
    assert small.claim.control_number in html and big.claim.control_number not in html
    assert "<h1>" not in html  # the htmx partial
    assert client.get(_url(org_a), {"root_cause": "nonsense"}).status_code == 400


def test_next_denial_opens_the_top_one_assigned_to_me(client, org_a, biller):
    with org_context(org_a):
        denied(amount="80.00")
        big = denied(amount="800.00")
    response = client.post(_url(org_a, "next/"))
    assert response.status_code == 302 and str(big.public_id) in response["Location"]
    assert _fresh(org_a, big).assigned_to == biller
    page = client.get(response["Location"]).content.decode()
    assert "CO-50" in page and big.claim.control_number in page and "The 835 lines" in page


def test_writing_off_and_appealing_from_the_detail_page(client, org_a, biller):
    with org_context(org_a):
        DenialSettings.objects.create(write_off_approval_threshold=M("500"))
        d = denied(amount="150.00")
        other = denied(amount="150.00")
    url = _url(org_a, f"{d.public_id}/write_off/")
    assert client.post(url, {"version": d.version, "reason": ""}).status_code == 400
    assert client.post(url, {"version": d.version + 5, "reason": "x"}).status_code == 409
    assert client.post(url, {"version": d.version, "reason": "tiny"}).status_code == 302
    assert _fresh(org_a, d).status == Denial.Status.WRITTEN_OFF
    response = client.post(_url(org_a, f"{other.public_id}/appeal/"), {"version": other.version})
    assert response.status_code == 302 and "/appeals/" in response["Location"]
    letter = client.get(response["Location"]).content.decode()
    assert "CARC 50" in letter and "90837" in letter
    with org_context(org_a):
        appeal = Appeal.objects.get(denial=other)
    pdf = client.get(_url(org_a, f"appeals/{appeal.public_id}/pdf/"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    done = client.post(
        _url(org_a, f"appeals/{appeal.public_id}/outcome/"),
        {"outcome": "overturned", "version": appeal.version},
    )
    assert done.status_code == 302
    assert _fresh(org_a, other).status == Denial.Status.RECOVERED


def test_a_biller_cannot_approve_a_write_off_but_a_billing_manager_can(client, org_a, biller):
    with org_context(org_a):
        DenialSettings.objects.create(write_off_approval_threshold=M("10"))
        d = denied(amount="150.00")
    client.post(_url(org_a, f"{d.public_id}/write_off/"), {"reason": "uncollectable"})
    assert _fresh(org_a, d).status == Denial.Status.WRITE_OFF_PENDING
    assert client.post(_url(org_a, f"{d.public_id}/approve_write_off/")).status_code == 403
    client.force_login(factories.member(org_a, role="billing_manager", part2_access=True))
    assert client.post(_url(org_a, f"{d.public_id}/approve_write_off/")).status_code == 302
    assert _fresh(org_a, d).status == Denial.Status.WRITTEN_OFF


def test_the_parity_packet_names_the_regulator_and_asks_for_the_nqtl_analysis(
    client, org_a, biller
):
    with org_context(org_a):
        payer = factories.payer(
            parity_comparators={
                "plan_funding": "fully_insured",
                "medsurg_auth_required_levels": ["inpatient"],
            }
        )
        d = denied(carc="197", payer=payer, level="iop", program="sud")
    detail = client.get(_url(org_a, f"{d.public_id}/")).content.decode()
    assert "prior authorization for med/surg care only at inpatient" in detail
    response = client.post(_url(org_a, f"{d.public_id}/escalate/"), {"version": d.version})
    assert response.status_code == 302
    packet = client.get(response["Location"]).content.decode()
    assert "State department of insurance" in packet
    assert "2590.712(d)" in packet and "Consolidated Appropriations Act, 2021" in packet
    with org_context(org_a):
        esc = ParityEscalation.objects.get(denial=d)
    client.post(_url(org_a, f"parity/{esc.public_id}/update/"), {"status": "filed"})
    with org_context(org_a):
        assert ParityEscalation.objects.get(pk=esc.pk).status == "filed"


@pytest.mark.parametrize("role", ["leadership", "clinician", "intake"])
def test_roles_that_do_not_work_claims_cannot_see_or_act_on_denials(client, org_a, role):
    with org_context(org_a):
        d = denied()
    client.force_login(factories.member(org_a, role=role))
    assert client.get(_url(org_a)).status_code == 403
    assert client.get(_url(org_a, f"{d.public_id}/")).status_code == 403
    assert client.post(_url(org_a, f"{d.public_id}/write_off/"), {"reason": "x"}).status_code == 403
    assert client.post(_url(org_a, "next/")).status_code == 403
    assert client.get(_api(org_a)).status_code == 403
    assert client.post(_api(org_a, f"{d.public_id}/appeal/")).status_code == 403
    assert _fresh(org_a, d).status == Denial.Status.OPEN


def test_part2_denials_are_withheld_from_billers_without_part2_access(client, org_a):
    with org_context(org_a):
        mh = denied(amount="90.00")
        sud = denied(amount="900.00", part2=True)
        assert sud.part2
    client.force_login(factories.member(org_a, role="biller", part2_access=False))
    html = client.get(_url(org_a)).content.decode()
    assert mh.claim.control_number in html and sud.claim.control_number not in html
    assert client.get(_url(org_a, f"{sud.public_id}/")).status_code == 404
    assert client.get(_api(org_a, f"{sud.public_id}/")).status_code == 404
    response = client.post(_url(org_a, "next/"))
    assert str(mh.public_id) in response["Location"]
    assert _fresh(org_a, sud).assigned_to_id is None


def test_other_orgs_denials_are_not_found(client, org_a, org_b):
    with org_context(org_a):
        d = denied()
    client.force_login(factories.member(org_b, role="biller", part2_access=True))
    assert client.get(f"/o/{org_b.slug}/denials/{d.public_id}/").status_code == 404
    assert client.get(f"/api/o/{org_b.slug}/denials/{d.public_id}/").status_code == 404
    assert client.get(_url(org_a)).status_code == 404


def test_the_api_lists_hands_out_and_acts_with_versions(client, org_a, biller):
    with org_context(org_a):
        DenialSettings.objects.create(write_off_approval_threshold=M("1000"))
        d = denied(amount="300.00")
    rows = client.get(_api(org_a)).json()
    assert [r["id"] for r in rows] == [str(d.public_id)]
    got = client.post(_api(org_a, "next/"), content_type="application/json").json()
    assert got["id"] == str(d.public_id) and got["assigned_to"] == biller.username
    stale = client.post(
        _api(org_a, f"{d.public_id}/write-off/"),
        {"version": 1, "reason": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    client.force_login(factories.member(org_a, role="biller", part2_access=True))
    assert client.post(_api(org_a, "next/")).status_code == 204  # the only one is taken
    client.force_login(biller)
    appeal = client.post(
        _api(org_a, f"{d.public_id}/appeal/"),
        {"version": got["version"]},
        content_type="application/json",
    )
    assert appeal.status_code == 201 and "CARC 50" in appeal.json()["letter"]
    outcome = client.post(
        f"/api/o/{org_a.slug}/appeals/{appeal.json()['id']}/outcome/",
        {"outcome": "partial", "amount_recovered": "100.00"},
        content_type="application/json",
    )
    assert outcome.status_code == 200
    back = client.get(_api(org_a, f"{d.public_id}/")).json()
    assert back["status"] == "open" and back["amount"] == "200.00"


def test_only_managers_set_the_write_off_threshold(client, org_a, biller):
    assert client.get(_url(org_a, "settings/")).status_code == 403
    client.force_login(factories.member(org_a, role="billing_manager"))
    assert (
        client.post(_url(org_a, "settings/"), {"write_off_approval_threshold": "-1"}).status_code
        == 400
    )
    assert (
        client.post(_url(org_a, "settings/"), {"write_off_approval_threshold": "75"}).status_code
        == 302
    )
    with org_context(org_a):
        assert DenialSettings.objects.get().write_off_approval_threshold == M("75.00")

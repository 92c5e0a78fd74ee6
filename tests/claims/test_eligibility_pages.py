"""Eligibility on the pages and in the API: the patient page's panel (each coverage's card,
unknown figures as "unknown" with the reason), the "Check eligibility" button (intake; it queues
the task and the region polls until the card arrives), the coverage's history (PHI access
recorded, changes highlighted); roles, other orgs (404) and Part 2 (withheld)."""

from __future__ import annotations

import pytest

from claims.eligibility import eligibility_check_request, eligibility_check_send
from claims.models import EligibilityCheck
from rcm.models import PhiAccess
from rcm.tenancy import org_context
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


def _coverage(org, member_id="MEM300001", part2=False):
    from claims.models import ClearinghouseAccount

    with org_context(org):
        if not ClearinghouseAccount.objects.exists():
            factories.clearinghouse_account()
            factories.facility(npi=factories.type2_npi())
        coverage = factories.coverage(member_id=member_id)
        if part2:
            factories.episode(patient_obj=coverage.patient, program="sud", part2_applies=True)
        return coverage


def _answered(org, coverage):
    with org_context(org):
        return eligibility_check_request(coverage=coverage, actor=None, source="manual")


def _login(client, org, role, part2_access=True):
    user = factories.member(org, role=role, part2_access=part2_access)
    client.force_login(user)
    return user


def _patient_url(org, coverage):
    return f"/o/{org.slug}/patients/{coverage.patient.public_id}/"


def _history_url(org, coverage):
    return f"/o/{org.slug}/claims/eligibility/coverage/{coverage.public_id}/"


def test_the_patient_page_shows_the_latest_card_with_unknowns_and_their_reasons(client, org_a):
    coverage = _coverage(org_a)
    _answered(org_a, coverage)
    _login(client, org_a, "intake")
    html = client.get(_patient_url(org_a, coverage)).content.decode()
    assert "<h2>Eligibility</h2>" in html and 'data-testid="eligibility-card"' in html
    assert "Active" in html and "2026-01-01 to 2026-12-31" in html
    assert "$25.00 per visit" in html and "20%" in html
    assert 'title="the payer returned no substance abuse copay' in html
    assert "CAQH CORE makes AI discretionary" in html  # the reason, shown below the card
    assert 'data-testid="check-eligibility"' in html
    assert "$0.00" not in html


def test_the_carve_out_administrator_and_phone_are_on_the_card(client, org_a):
    coverage = _coverage(org_a, "MEM300007")
    _answered(org_a, coverage)
    _login(client, org_a, "biller")
    html = client.get(_patient_url(org_a, coverage)).content.decode()
    assert "SANDBOX BEHAVIORAL HEALTH ADMINISTRATOR" in html and "8005550177" in html
    assert 'data-testid="check-eligibility"' not in html  # billers read, intake asks


def test_the_button_queues_a_check_and_the_region_polls_until_the_card_arrives(
    client, org_a, django_capture_on_commit_callbacks
):
    coverage = _coverage(org_a)
    _login(client, org_a, "intake")
    url = f"/o/{org_a.slug}/claims/eligibility/coverage/{coverage.public_id}/check/"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and len(queued) == 1  # the task, after commit
    html = response.content.decode()
    with org_context(org_a):
        check = EligibilityCheck.objects.get()
    assert check.status == "queued" and check.source == "manual"
    assert 'hx-trigger="every 1s"' in html and str(check.public_id) in html
    poll = f"/o/{org_a.slug}/claims/eligibility/checks/{check.public_id}/"
    assert 'hx-trigger="every 1s"' in client.get(poll).content.decode()
    with org_context(org_a):
        eligibility_check_send(check=check)  # what the worker does
    done = client.get(poll).content.decode()
    assert "every 1s" not in done and "$25.00 per visit" in done
    with org_context(org_a):
        assert PhiAccess.objects.filter(object_ids__contains=[str(check.public_id)]).exists()


@pytest.mark.parametrize(("role", "status"), [("intake", 200), ("admin", 200), ("biller", 403),
                                              ("clinician", 403), ("leadership", 403)])  # fmt: skip
def test_only_roles_that_edit_patients_may_ask(client, org_a, role, status):
    coverage = _coverage(org_a)
    _login(client, org_a, role)
    url = f"/o/{org_a.slug}/claims/eligibility/coverage/{coverage.public_id}/check/"
    assert client.post(url).status_code == status


@pytest.mark.parametrize(("role", "status"), [("biller", 200), ("intake", 200),
                                              ("leadership", 403)])  # fmt: skip
def test_the_history_page_is_for_roles_that_see_patients(client, org_a, role, status):
    coverage = _coverage(org_a)
    _login(client, org_a, role)
    assert client.get(_history_url(org_a, coverage)).status_code == status


def test_the_history_lists_each_check_with_its_changes_and_records_phi_access(client, org_a):
    coverage = _coverage(org_a)
    _answered(org_a, coverage)
    with org_context(org_a):
        coverage.member_id = "MEM300008"
        coverage.save()
    second = _answered(org_a, coverage)
    user = _login(client, org_a, "biller")
    html = client.get(_history_url(org_a, coverage)).content.decode()
    assert html.count('data-testid="eligibility-check"') == 2
    assert "Inactive" in html and "<mark>status</mark>: active → <strong>inactive</strong>" in html
    with org_context(org_a):
        logged = PhiAccess.objects.filter(user=user, path=_history_url(org_a, coverage)).get()
        assert str(second.public_id) in logged.object_ids


def test_another_orgs_coverage_and_check_answer_404(client, org_a, org_b):
    coverage = _coverage(org_b)
    check = _answered(org_b, coverage)
    _login(client, org_a, "admin")
    assert client.get(_history_url(org_a, coverage)).status_code == 404
    assert client.post(f"{_history_url(org_a, coverage)}check/").status_code == 404
    assert (
        client.get(f"/o/{org_a.slug}/claims/eligibility/checks/{check.public_id}/").status_code
        == 404
    )


def test_a_part2_patients_checks_are_withheld_from_members_without_part2_access(client, org_a):
    coverage = _coverage(org_a, part2=True)
    check = _answered(org_a, coverage)
    _login(client, org_a, "biller", part2_access=False)
    assert client.get(_history_url(org_a, coverage)).status_code == 404
    assert (
        client.get(f"/o/{org_a.slug}/claims/eligibility/checks/{check.public_id}/").status_code
        == 404
    )
    listed = client.get("/api/o/clinic-a/eligibility-checks/").json()
    assert str(check.public_id) not in str(listed)
    client.logout()
    _login(client, org_a, "biller", part2_access=True)
    assert client.get(_history_url(org_a, coverage)).status_code == 200


def test_the_api_lists_a_coverages_checks_and_queues_a_new_one(client, org_a):
    coverage = _coverage(org_a)
    other = _coverage(org_a, "MEM300002")
    _answered(org_a, coverage)
    _answered(org_a, other)
    _login(client, org_a, "intake")
    listed = client.get(
        "/api/o/clinic-a/eligibility-checks/", {"coverage": str(coverage.public_id)}
    )
    assert listed.status_code == 200
    rows = listed.json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    assert (
        len(rows) == 1 and rows[0]["status"] == "answered" and rows[0]["card"]["status"] == "active"
    )
    made = client.post(
        "/api/o/clinic-a/eligibility-checks/",
        {"coverage": str(coverage.public_id), "service_types": ["30", "MH"]},
        content_type="application/json",
    )
    assert made.status_code == 202 and made.json()["status"] == "queued"
    bad = client.post(
        "/api/o/clinic-a/eligibility-checks/",
        {"coverage": str(coverage.public_id), "service_types": ["ZZ"]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "service_types" in bad.json()

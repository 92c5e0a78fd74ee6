"""REST endpoints: validation as 400 field errors with nothing saved, filters, roles, gaps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from credentialing import services
from credentialing.models import License, PayerEnrollment, Provider
from rcm.tenancy import org_context
from tests import factories

BASE = "/api/o/clinic-a"
NEW = dict(
    first_name="Dana",
    last_name="Reyes",
    npi="1234567893",
    taxonomy="1041C0700X",
    license_type="lcsw",
    credentials="LCSW",
)


def count(org, model) -> int:
    with org_context(org):
        return model.objects.count()


def test_billing_manager_creates_a_provider(org_a, manager_client):
    response = manager_client.post(f"{BASE}/providers/", NEW, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["npi"] == "1234567893" and body["supervisor"] is None
    with org_context(org_a):
        assert str(Provider.objects.get().public_id) == body["id"]


def test_a_bad_npi_gets_a_400_with_a_field_error_and_saves_nothing(org_a, manager_client):
    response = manager_client.post(
        f"{BASE}/providers/", {**NEW, "npi": "1234567890"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "bad check digit" in response.json()["npi"][0]
    assert count(org_a, Provider) == 0


def test_a_supervision_cycle_is_refused_through_the_api(org_a, manager_client):
    with org_context(org_a):
        top = factories.provider(license_type="psychologist")
        below = factories.provider(supervisor=top)
    response = manager_client.patch(
        f"{BASE}/providers/{top.public_id}/",
        {"supervisor": str(below.public_id)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "circular" in response.json()["supervisor"][0]
    with org_context(org_a):
        assert Provider.objects.get(pk=top.pk).supervisor_id is None


def test_another_orgs_provider_is_not_a_valid_supervisor(org_a, org_b, manager_client):
    with org_context(org_b):
        foreign = factories.provider()
    response = manager_client.post(
        f"{BASE}/providers/",
        {**NEW, "license_type": "associate", "supervisor": str(foreign.public_id)},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "supervisor" in response.json()
    assert count(org_a, Provider) == 0


def test_enrolled_without_an_effective_date_gets_a_400(org_a, manager_client):
    with org_context(org_a):
        provider, payer = factories.provider(), factories.payer()
    response = manager_client.post(
        f"{BASE}/enrollments/",
        {"provider": str(provider.public_id), "payer": str(payer.public_id), "status": "enrolled"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "effective date" in response.json()["effective_date"][0]
    assert count(org_a, PayerEnrollment) == 0


def test_posting_an_enrollment_twice_updates_the_same_record(org_a, manager_client):
    with org_context(org_a):
        provider, payer = factories.provider(), factories.payer()
    data = {
        "provider": str(provider.public_id),
        "payer": str(payer.public_id),
        "status": "submitted",
    }
    first = manager_client.post(f"{BASE}/enrollments/", data, content_type="application/json")
    second = manager_client.post(
        f"{BASE}/enrollments/",
        {**data, "status": "enrolled", "effective_date": "2026-10-01"},
        content_type="application/json",
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["status"] == "enrolled"
    patched = manager_client.patch(
        f"{BASE}/enrollments/{first.json()['id']}/",
        {"recredential_due": "2029-10-01"},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["status"] == "enrolled"


def test_a_license_with_expiry_before_issue_gets_a_400(org_a, manager_client):
    with org_context(org_a):
        provider = factories.provider()
    response = manager_client.post(
        f"{BASE}/licenses/",
        {
            "provider": str(provider.public_id),
            "state": "IL",
            "number": "149.1",
            "issued_on": "2026-05-01",
            "expires_on": "2026-04-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "after the issue date" in response.json()["expires_on"][0]
    assert count(org_a, License) == 0


def test_a_license_cannot_move_to_another_provider(org_a, manager_client):
    with org_context(org_a):
        lic = services.license_add(
            provider=factories.provider(), state="IL", number="1", expires_on=dt.date(2028, 1, 1)
        )
        other = factories.provider()
    response = manager_client.patch(
        f"{BASE}/licenses/{lic.public_id}/",
        {"provider": str(other.public_id)},
        content_type="application/json",
    )
    assert response.status_code == 400 and "provider" in response.json()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Abel", "Baker", "Cole"}),
        ("?license_type=psychiatrist", {"Baker"}),
        ("?is_active=false", {"Cole"}),
        ("?search=abe", {"Abel"}),
        ("?npi=1234567893", {"Abel"}),
    ],
)
def test_the_provider_list_filters(org_a, manager_client, query, expected):
    with org_context(org_a):
        factories.provider(last_name="Abel", npi="1234567893")
        factories.provider(last_name="Baker", license_type="psychiatrist", taxonomy="2084P0800X")
        factories.provider(last_name="Cole", is_active=False)
    response = manager_client.get(f"{BASE}/providers/{query}")
    assert response.status_code == 200
    assert {row["last_name"] for row in response.json()["results"]} == expected


def test_the_license_list_filters_by_provider(org_a, manager_client):
    with org_context(org_a):
        mine, other = factories.provider(), factories.provider()
        services.license_add(provider=mine, state="IL", number="1", expires_on=dt.date(2028, 1, 1))
        services.license_add(provider=other, state="IL", number="2", expires_on=dt.date(2028, 1, 1))
    response = manager_client.get(f"{BASE}/licenses/?provider={mine.public_id}")
    assert [row["number"] for row in response.json()["results"]] == ["1"]


def test_the_gaps_endpoint_lists_issues_with_severity(org_a, manager_client):
    with org_context(org_a):
        provider = factories.provider(last_name="Nolicense", caqh_attested_on=dt.date(2026, 10, 1))
    response = manager_client.get(f"{BASE}/providers/gaps/?as_of=2026-11-02")
    assert response.status_code == 200
    (row,) = response.json()
    assert row["provider"]["id"] == str(provider.public_id)
    assert row["severity"] == "block"
    assert row["issues"][0]["code"] == "no_active_license"
    assert manager_client.get(f"{BASE}/providers/gaps/?as_of=nope").status_code == 400


def test_a_biller_can_read_but_not_write_providers(org_a, biller_client):
    with org_context(org_a):
        provider = factories.provider()
    assert biller_client.get(f"{BASE}/providers/").status_code == 200
    assert biller_client.get(f"{BASE}/providers/gaps/").status_code == 200
    assert (
        biller_client.post(f"{BASE}/providers/", NEW, content_type="application/json").status_code
        == 403
    )
    assert (
        biller_client.patch(
            f"{BASE}/providers/{provider.public_id}/",
            {"first_name": "X"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert count(org_a, Provider) == 1


def test_billing_manager_records_a_caqh_attestation(org_a, manager_client):
    with org_context(org_a):
        provider = factories.provider()
    response = manager_client.patch(
        f"{BASE}/providers/{provider.public_id}/",
        {"caqh_attested_on": "2026-10-01", "caqh_id": "16000001"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["caqh_attested_on"] == "2026-10-01"
    future = manager_client.patch(
        f"{BASE}/providers/{provider.public_id}/",
        {"caqh_attested_on": "2999-01-01"},
        content_type="application/json",
    )
    assert future.status_code == 400 and "future" in future.json()["caqh_attested_on"][0]


def test_providers_cannot_be_deleted_only_deactivated(org_a, manager_client):
    with org_context(org_a):
        provider = factories.provider()
    response = manager_client.delete(f"{BASE}/providers/{provider.public_id}/")
    assert response.status_code == 405
    assert count(org_a, Provider) == 1


def test_another_orgs_provider_answers_404(org_a, org_b, manager_client):
    with org_context(org_b):
        foreign = factories.provider()
    assert manager_client.get(f"{BASE}/providers/{foreign.public_id}/").status_code == 404


def test_the_openapi_schema_documents_the_credentialing_endpoints(client, db):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "providers/",
        "providers/{public_id}/",
        "providers/gaps/",
        "licenses/",
        "enrollments/{public_id}/",
    ):
        assert f"/api/o/{{org_slug}}/{path}" in paths
    params = {p["name"] for p in paths["/api/o/{org_slug}/providers/"]["get"]["parameters"]}
    assert {"license_type", "is_active", "search", "supervisor"} <= params


# --- Dated history ---------------------------------------------------------------------------


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture
def lic(org_a):
    with org_context(org_a):
        return services.license_add(
            provider=factories.provider(),
            state="IL",
            number="149.1",
            issued_on=d("2024-07-01"),
            expires_on=d("2026-06-30"),
        )


def test_a_license_reads_its_periods_status_changes_and_todays_status(org_a, biller_client, lic):
    with org_context(org_a):
        services.license_renew(license=lic, starts_on=d("2026-08-01"), expires_on=d("2028-06-30"))
        services.license_status_change(
            license=lic, status="suspended", effective_on=d("2025-01-10"), note="Order 7"
        )
        services.license_status_change(license=lic, status="active", effective_on=d("2025-02-10"))
    body = biller_client.get(f"{BASE}/licenses/{lic.public_id}/").json()
    assert (body["status"], body["issued_on"], body["expires_on"]) == (
        "active",
        "2026-08-01",
        "2028-06-30",
    )
    assert [(p["starts_on"], p["expires_on"]) for p in body["periods"]] == [
        ("2024-07-01", "2026-06-30"),
        ("2026-08-01", "2028-06-30"),
    ]
    assert [(c["status"], c["effective_on"], c["note"]) for c in body["status_changes"]] == [
        ("suspended", "2025-01-10", "Order 7"),
        ("active", "2025-02-10", ""),
    ]


def test_a_renewal_is_recorded_through_the_api_and_a_bad_one_gets_a_400(org_a, manager_client, lic):
    url = f"{BASE}/licenses/{lic.public_id}/renew/"
    overlapping = manager_client.post(
        url,
        {"starts_on": "2026-06-01", "expires_on": "2028-06-30"},
        content_type="application/json",
    )
    assert overlapping.status_code == 400
    assert "must start after the previous one" in overlapping.json()["starts_on"][0]
    on_time = manager_client.post(
        url, {"expires_on": "2028-06-30"}, content_type="application/json"
    )
    assert on_time.status_code == 200
    assert [p["starts_on"] for p in on_time.json()["periods"]] == ["2024-07-01", "2026-07-01"]


def test_a_status_change_is_recorded_through_the_api(org_a, manager_client, lic):
    url = f"{BASE}/licenses/{lic.public_id}/status/"
    missing = manager_client.post(url, {"status": "revoked"}, content_type="application/json")
    assert missing.status_code == 400 and "effective_on" in missing.json()
    future = manager_client.post(
        url, {"status": "revoked", "effective_on": "2999-01-01"}, content_type="application/json"
    )
    assert future.status_code == 200
    assert future.json()["status"] == "active"  # a revocation recorded ahead is not in effect yet
    with org_context(org_a):
        assert License.objects.get(pk=lic.pk).status_on(d("2999-01-01")) == "revoked"


def test_patching_the_status_records_a_change_from_the_date_given(org_a, manager_client, lic):
    response = manager_client.patch(
        f"{BASE}/licenses/{lic.public_id}/",
        {"status": "suspended", "status_effective_on": "2026-01-05"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status_changes"][0]["effective_on"] == "2026-01-05"


def test_the_license_list_filters_by_status_today_and_latest_expiry(org_a, manager_client, lic):
    with org_context(org_a):
        other = services.license_add(
            provider=factories.provider(), state="WI", number="2", expires_on=d("2030-01-01")
        )
        services.license_status_change(
            license=other, status="suspended", effective_on=d("2026-01-01")
        )

    def numbers(query: str) -> list[str]:
        rows = manager_client.get(f"{BASE}/licenses/{query}").json()["results"]
        return [row["number"] for row in rows]

    assert numbers("?status=suspended") == ["2"]
    assert numbers("?status=active") == ["149.1"]
    assert numbers("?expires_before=2027-01-01") == ["149.1"]


def test_a_re_enrollment_through_the_api_adds_a_period(org_a, manager_client):
    with org_context(org_a):
        provider, payer = factories.provider(), factories.payer()
    data = {"provider": str(provider.public_id), "payer": str(payer.public_id)}

    def post(body: dict) -> Any:
        return manager_client.post(
            f"{BASE}/enrollments/", {**data, **body}, content_type="application/json"
        )

    post({"status": "terminated", "effective_date": "2024-01-01", "end_date": "2025-06-30"})
    response = post({"status": "enrolled", "effective_date": "2025-09-01"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["effective_date"], body["end_date"]) == ("2025-09-01", None)
    assert [(p["effective_date"], p["end_date"]) for p in body["periods"]] == [
        ("2024-01-01", "2025-06-30"),
        ("2025-09-01", None),
    ]


def test_a_biller_cannot_record_renewals_or_status_changes(org_a, biller_client, lic):
    for action, body in (
        ("renew", {"expires_on": "2028-06-30"}),
        ("status", {"status": "revoked", "effective_on": "2026-01-01"}),
    ):
        response = biller_client.post(
            f"{BASE}/licenses/{lic.public_id}/{action}/", body, content_type="application/json"
        )
        assert response.status_code == 403
    with org_context(org_a):
        assert (lic.periods.count(), lic.status_changes.count()) == (1, 0)


def test_the_openapi_schema_documents_the_license_history_actions(client, db):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert "/api/o/{org_slug}/licenses/{public_id}/renew/" in paths
    assert "/api/o/{org_slug}/licenses/{public_id}/status/" in paths


def test_the_license_list_reads_history_in_the_same_number_of_queries_for_any_count(
    org_a, manager_client, lic
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(f"{BASE}/licenses/").status_code == 200
        return len(captured)

    one = queries()
    with org_context(org_a):
        for n in range(8):
            more = services.license_add(
                provider=factories.provider(),
                state="WI",
                number=f"W{n}",
                expires_on=d("2027-01-01"),
            )
            services.license_renew(license=more, expires_on=d("2029-01-01"))
            services.license_status_change(
                license=more, status="suspended", effective_on=d("2026-01-01")
            )
    assert queries() == one

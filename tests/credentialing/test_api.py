"""REST endpoints: validation as 400 field errors with nothing saved, filters, roles, gaps."""

from __future__ import annotations

import datetime as dt

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

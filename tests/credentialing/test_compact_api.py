"""Compact privileges through the API: recorded, ended and corrected with 400 field errors and
nothing saved on bad input; billing managers write, billers read; documented in the schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from credentialing import services
from credentialing.models import CompactPrivilege, License
from rcm.tenancy import org_context
from tests import factories

BASE = "/api/o/clinic-a"
URL = f"{BASE}/compact-privileges/"


def count(org) -> int:
    with org_context(org):
        return CompactPrivilege.objects.count()


@pytest.fixture
def today(org_a) -> dt.date:
    with org_context(org_a):
        return timezone.localdate()  # the clinic's today: `standing` reads it


@pytest.fixture
def psychologist(org_a, today):
    with org_context(org_a):
        provider = factories.provider(license_type="psychologist", taxonomy="103TC0700X")
        home = services.license_add(
            provider=provider,
            state="OR",
            number="PSY 1",
            issued_on=today - dt.timedelta(days=700),
            expires_on=today + dt.timedelta(days=400),
        )
    return provider, home


def body_for(psychologist, today, **fields) -> dict:
    provider, home = psychologist
    return {
        "provider": str(provider.public_id),
        "home_license": str(home.public_id),
        "compact": "psypact",
        "state": "WA",
        "number": "7001",
        "effective_on": str(today - dt.timedelta(days=30)),
        "expires_on": str(today + dt.timedelta(days=335)),
        **fields,
    }


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_a_billing_manager_records_a_privilege_and_reads_its_standing(
    org_a, manager_client, psychologist, today
):
    response = post(manager_client, URL, body_for(psychologist, today))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["compact"], body["state"], body["status"], body["standing"]) == (
        "psypact",
        "WA",
        "active",
        "in effect",
    )
    assert body["home_license"] == str(psychologist[1].public_id)
    assert count(org_a) == 1


def test_a_compact_that_does_not_cover_the_license_type_gets_a_400(
    org_a, manager_client, psychologist, today
):
    response = post(manager_client, URL, body_for(psychologist, today, compact="counseling"))
    assert response.status_code == 400
    assert "Counseling Compact covers LPC/LMHC licenses only" in response.json()["compact"][0]
    assert count(org_a) == 0


def test_another_orgs_license_is_not_a_valid_home_license(
    org_a, org_b, manager_client, psychologist, today
):
    with org_context(org_b):
        foreign = services.license_add(
            provider=factories.provider(license_type="psychologist"),
            state="OR",
            number="X",
            expires_on=today + dt.timedelta(days=10),
        )
    body = body_for(psychologist, today, home_license=str(foreign.public_id))
    response = post(manager_client, URL, body)
    assert response.status_code == 400 and "home_license" in response.json()
    assert count(org_a) == 0


def test_an_ended_privilege_can_be_recorded_in_one_go_or_not_at_all(
    org_a, manager_client, psychologist, today
):
    ended = body_for(psychologist, today, status="revoked", ended_on=str(today))
    response = post(manager_client, URL, ended)
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["ended_on"]) == ("revoked", str(today))
    too_late = body_for(
        psychologist,
        today,
        state="ID",
        status="revoked",
        ended_on=str(today + dt.timedelta(days=999)),
    )
    refused = post(manager_client, URL, too_late)
    assert refused.status_code == 400 and "cannot end after" in refused.json()["ended_on"][0]
    assert count(org_a) == 1  # the record of the refused one was rolled back with it


def test_a_privilege_is_ended_through_the_end_action(org_a, manager_client, psychologist, today):
    created = post(manager_client, URL, body_for(psychologist, today)).json()
    url = f"{URL}{created['id']}/end/"
    yesterday = str(today - dt.timedelta(days=1))
    response = post(manager_client, url, {"ended_on": yesterday, "status": "revoked"})
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["standing"]) == ("revoked", "revoked")
    bad = post(manager_client, url, {"ended_on": "2020-01-01"})
    assert bad.status_code == 400 and "before it takes effect" in bad.json()["ended_on"][0]


def test_patch_corrects_a_privilege_but_cannot_move_it_to_another_provider(
    org_a, manager_client, psychologist, today
):
    created = post(manager_client, URL, body_for(psychologist, today)).json()
    url = f"{URL}{created['id']}/"
    fixed = manager_client.patch(url, {"number": "7002"}, content_type="application/json")
    assert fixed.status_code == 200 and fixed.json()["number"] == "7002"
    with org_context(org_a):
        other = factories.provider(license_type="psychologist")
    moved = manager_client.patch(
        url, {"provider": str(other.public_id)}, content_type="application/json"
    )
    assert moved.status_code == 400 and "provider" in moved.json()
    assert manager_client.delete(url).status_code == 405  # ended or corrected, never deleted


def test_a_biller_reads_privileges_but_cannot_write_them(org_a, biller_client, psychologist, today):
    provider, home = psychologist
    with org_context(org_a):
        privilege = services.privilege_record(
            provider=provider,
            home_license=home,
            compact="psypact",
            state="WA",
            number="7001",
            effective_on=today,
        )
    listed = biller_client.get(f"{URL}?provider={provider.public_id}&state=WA")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [str(privilege.public_id)]
    assert biller_client.get(f"{URL}?state=ID").json()["results"] == []
    assert post(biller_client, URL, body_for(psychologist, today, state="ID")).status_code == 403
    url = f"{URL}{privilege.public_id}/"
    assert post(biller_client, f"{url}end/", {"ended_on": str(today)}).status_code == 403
    patch = biller_client.patch(url, {"number": "1"}, content_type="application/json")
    assert patch.status_code == 403
    assert count(org_a) == 1


def test_a_home_license_under_a_privilege_cannot_be_deleted_through_the_api(
    org_a, manager_client, psychologist, today
):
    assert post(manager_client, URL, body_for(psychologist, today)).status_code == 201
    home = psychologist[1]
    response = manager_client.delete(f"{BASE}/licenses/{home.public_id}/")
    assert response.status_code == 400
    assert "home license of a compact privilege" in response.json()["non_field_errors"][0]
    with org_context(org_a):
        assert License.objects.filter(pk=home.pk).exists()


def test_the_privilege_list_runs_the_same_number_of_queries_for_any_count(
    org_a, manager_client, psychologist, today
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(URL).status_code == 200
        return len(captured)

    post(manager_client, URL, body_for(psychologist, today))
    one = queries()
    for n in range(6):
        with org_context(org_a):
            provider = factories.provider(license_type="lpc", taxonomy="101YP2500X")
            home = services.license_add(
                provider=provider, state="ID", number=f"LPC{n}", expires_on=today
            )
            services.license_renew(license=home, expires_on=today + dt.timedelta(days=700))
        body = body_for((provider, home), today, compact="counseling", number=f"C{n}")
        assert post(manager_client, URL, body).status_code == 201
    assert queries() == one


def test_the_openapi_schema_documents_the_compact_privilege_endpoints(client, db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for path in ("compact-privileges/", "compact-privileges/{public_id}/"):
        assert f"/api/o/{{org_slug}}/{path}" in paths
    assert "post" in paths["/api/o/{org_slug}/compact-privileges/{public_id}/end/"]
    assert "delete" not in paths["/api/o/{org_slug}/compact-privileges/{public_id}/"]
    params = {
        p["name"] for p in paths["/api/o/{org_slug}/compact-privileges/"]["get"]["parameters"]
    }
    assert {"provider", "compact", "state", "status"} <= params
    fields = schema["components"]["schemas"]["CompactPrivilege"]["properties"]
    assert {"home_license", "compact", "effective_on", "expires_on", "standing"} <= set(fields)

"""Billing profiles and the facility TIN in the API: create, update, list, filters, the billing
identity a claim would carry, field-keyed errors, roles and other orgs (404)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from facilities.models import BillingProfile
from rcm.tenancy import org_context
from tests import factories
from tests.facilities.conftest import API, NPI, profile_data

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", data, content_type="application/json")


def _patch(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.patch(f"{API}{path}", data, content_type="application/json")


@pytest.fixture
def site(org_a):
    with org_context(org_a):
        return factories.facility(name="Harbor Main")


def test_profiles_are_created_listed_filtered_and_updated(org_a, site, manager):
    with org_context(org_a):
        payer = factories.payer(name="Acme")
    body = profile_data(facility=str(site.public_id), payer=str(payer.public_id), program="sud")
    created = _post(manager, "billing-profiles/", body)
    assert created.status_code == 201, created.json()
    row = created.json()
    assert (row["payer"], row["program"], row["tin"]) == (str(payer.public_id), "sud", "123456789")
    any_payer = _post(manager, "billing-profiles/", {**body, "payer": None, "program": ""})
    assert any_payer.status_code == 201, any_payer.json()
    listed = manager.get(
        f"{API}billing-profiles/?facility={site.public_id}&payer={payer.public_id}"
    )
    assert [r["id"] for r in listed.json()["results"]] == [row["id"]]
    changed = _patch(
        manager, f"billing-profiles/{row['id']}/", {"is_active": False, "city": "Bend"}
    )
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    with org_context(org_a):
        assert BillingProfile.objects.get(public_id=row["id"]).city == "Bend"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"npi": "1234567890"}, "npi"),
        ({"tin": "12345678"}, "tin"),
        ({"postal_code": "97201"}, "postal_code"),
        ({"address_line1": "PO Box 5"}, "address_line1"),
        ({"program": "xyz"}, "program"),
        ({"facility": "not-a-uuid"}, "facility"),
    ],
)
def test_bad_profiles_are_refused_by_field_and_nothing_is_saved(
    org_a, site, manager, changes, field
):
    body = {**profile_data(facility=str(site.public_id)), **changes}
    response = _post(manager, "billing-profiles/", body)
    assert response.status_code == 400 and field in response.json(), response.json()
    with org_context(org_a):
        assert not BillingProfile.objects.exists()


def test_a_second_profile_for_the_same_scope_is_a_400(org_a, site, manager):
    body = profile_data(facility=str(site.public_id))
    assert _post(manager, "billing-profiles/", body).status_code == 201
    again = _post(manager, "billing-profiles/", body)
    assert again.status_code == 400 and "already has a billing profile" in again.json()["payer"][0]


def test_the_billing_identity_answers_for_a_program_and_payer(org_a, site, biller):
    with org_context(org_a):
        payer = factories.payer()
        profile = factories.billing_profile(site, payer=payer, npi=NPI)
    url = f"{API}facilities/{site.public_id}/billing-identity/"
    got = biller.get(f"{url}?program=mh&payer={payer.public_id}").json()
    assert got["npi"] == NPI and str(profile.public_id) in got["source"]
    assert got["pay_to"] is None
    assert biller.get(url).json()["source"] == "facility"
    assert biller.get(f"{url}?program=xx").status_code == 400
    assert biller.get(f"{url}?payer=nope").status_code == 400


def test_the_facility_tin_is_read_and_written(org_a, site, manager):
    response = _patch(manager, f"facilities/{site.public_id}/", {"tin": "12-3456789"})
    assert response.status_code == 200 and response.json()["tin"] == "123456789"
    bad = _patch(manager, f"facilities/{site.public_id}/", {"tin": "123"})
    assert bad.status_code == 400 and "tin" in bad.json()


def test_a_biller_reads_profiles_but_cannot_write(org_a, site, biller):
    with org_context(org_a):
        profile = factories.billing_profile(site)
    assert biller.get(f"{API}billing-profiles/").status_code == 200
    body = profile_data(facility=str(site.public_id))
    assert _post(biller, "billing-profiles/", body).status_code == 403
    assert (
        _patch(biller, f"billing-profiles/{profile.public_id}/", {"city": "X"}).status_code == 403
    )


def test_profiles_are_never_deleted_through_the_api(org_a, site, manager):
    with org_context(org_a):
        profile = factories.billing_profile(site)
    assert manager.delete(f"{API}billing-profiles/{profile.public_id}/").status_code == 405


def test_another_orgs_profile_facility_and_payer_are_404_or_invalid(org_a, org_b, site, manager):
    with org_context(org_b):
        theirs = factories.billing_profile()
        their_payer = factories.payer()
    assert manager.get(f"{API}billing-profiles/{theirs.public_id}/").status_code == 404
    assert (
        _patch(manager, f"billing-profiles/{theirs.public_id}/", {"city": "X"}).status_code == 404
    )
    url = f"{API}facilities/{theirs.facility.public_id}/billing-identity/"
    assert manager.get(url).status_code == 404
    for ref in (
        {"facility": str(theirs.facility.public_id)},
        {"payer": str(their_payer.public_id)},
    ):
        body = {**profile_data(facility=str(site.public_id)), **ref}
        response = _post(manager, "billing-profiles/", body)
        assert response.status_code == 400 and set(ref) <= set(response.json())
    with org_context(org_a):
        assert not BillingProfile.objects.exists()

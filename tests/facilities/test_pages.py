"""Facility pages: the facility page lists its billing profiles; billing managers add, edit
and deactivate them; other roles read (403 on the forms); another org's rows answer 404."""

from __future__ import annotations

import pytest

from facilities.models import BillingProfile, Facility
from rcm.tenancy import org_context
from tests import factories
from tests.facilities.conftest import PAGES, profile_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(org_a):
    with org_context(org_a):
        return factories.facility(name="Harbor Main", tin="123456789")


def test_the_facility_page_shows_the_tin_and_the_billing_profiles(org_a, site, biller):
    with org_context(org_a):
        payer = factories.payer(name="Acme Health")
        factories.billing_profile(site, payer=payer, program="sud", billing_name="Harbor SUD LLC")
    page = biller.get(f"{PAGES}{site.public_id}/")
    assert page.status_code == 200
    assert "123456789" in page.text and "Harbor SUD LLC" in page.text and "Acme Health" in page.text
    assert "billing-profile-new" not in page.text  # a biller reads, never edits


def test_a_manager_adds_a_profile_from_the_facility_page(org_a, site, manager):
    with org_context(org_a):
        payer = factories.payer(name="Acme Health")
    assert "billing-profile-new" in manager.get(f"{PAGES}{site.public_id}/").text
    data = profile_data(program="mh", payer=str(payer.public_id), is_active="on")
    response = manager.post(f"{PAGES}{site.public_id}/billing-profiles/new/", data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/facilities/{site.public_id}/")
    with org_context(org_a):
        profile = BillingProfile.objects.get()
    assert (profile.facility_id, profile.payer_id, profile.program) == (site.pk, payer.pk, "mh")
    assert profile.postal_code == "972011234"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"npi": "1234567890"}, "npi"),
        ({"tin": "1234"}, "tin"),
        ({"postal_code": "97201"}, "postal_code"),
        ({"address_line1": "P.O. Box 12"}, "address_line1"),
    ],
)
def test_a_bad_profile_gets_a_field_error_and_saves_nothing(org_a, site, manager, changes, field):
    data = profile_data(**changes)
    response = manager.post(f"{PAGES}{site.public_id}/billing-profiles/new/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    with org_context(org_a):
        assert not BillingProfile.objects.exists()


def test_a_manager_edits_and_deactivates_a_profile(org_a, site, manager):
    with org_context(org_a):
        profile = factories.billing_profile(site)
    url = f"{PAGES}billing-profiles/{profile.public_id}/edit/"
    form = manager.get(url)
    assert form.status_code == 200 and profile.billing_name in form.text
    response = manager.post(url, profile_data(billing_name="Renamed LLC", is_active="on"))
    assert response.status_code == 302
    assert (
        manager.post(f"{PAGES}billing-profiles/{profile.public_id}/deactivate/").status_code == 302
    )
    with org_context(org_a):
        fresh = BillingProfile.objects.get(pk=profile.pk)
    assert (fresh.billing_name, fresh.is_active) == ("Renamed LLC", False)
    assert (
        manager.get(f"{PAGES}billing-profiles/{profile.public_id}/deactivate/").status_code == 405
    )


def test_the_tin_is_on_the_facility_form(org_a, site, manager):
    data = {
        "name": "Harbor Main",
        "tin": "98-7654321",
        "address_line1": "1 Main St",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "pos": "11",
        "is_active": "on",
    }
    assert manager.post(f"{PAGES}{site.public_id}/edit/", data).status_code == 302
    bad = manager.post(f"{PAGES}{site.public_id}/edit/", {**data, "tin": "98765"})
    assert bad.status_code == 400 and "tin" in bad.context["form"].errors
    with org_context(org_a):
        assert Facility.objects.get(pk=site.pk).tin == "987654321"


@pytest.mark.parametrize("role", ["biller", "intake", "clinician", "leadership", "compliance"])
def test_roles_without_payer_rules_cannot_add_edit_or_deactivate(org_a, site, login, role):
    with org_context(org_a):
        profile = factories.billing_profile(site)
    client = login(role)
    assert client.get(f"{PAGES}{site.public_id}/").status_code == 200
    assert client.get(f"{PAGES}{site.public_id}/billing-profiles/new/").status_code == 403
    assert (
        client.post(f"{PAGES}{site.public_id}/billing-profiles/new/", profile_data()).status_code
        == 403
    )
    assert client.get(f"{PAGES}billing-profiles/{profile.public_id}/edit/").status_code == 403
    assert (
        client.post(f"{PAGES}billing-profiles/{profile.public_id}/deactivate/").status_code == 403
    )
    with org_context(org_a):
        assert BillingProfile.objects.get(pk=profile.pk).is_active


def test_another_orgs_facility_and_profile_answer_404(org_a, org_b, manager):
    with org_context(org_b):
        theirs = factories.billing_profile()
    for url in (
        f"{PAGES}{theirs.facility.public_id}/",
        f"{PAGES}{theirs.facility.public_id}/billing-profiles/new/",
        f"{PAGES}billing-profiles/{theirs.public_id}/edit/",
    ):
        assert manager.get(url).status_code == 404, url
    deactivate = f"{PAGES}billing-profiles/{theirs.public_id}/deactivate/"
    assert manager.post(deactivate).status_code == 404
    with org_context(org_b):
        assert BillingProfile.objects.get(pk=theirs.pk).is_active


def test_another_orgs_payer_cannot_be_chosen(org_a, org_b, site, manager):
    with org_context(org_b):
        payer = factories.payer()
    data = profile_data(payer=str(payer.public_id))
    response = manager.post(f"{PAGES}{site.public_id}/billing-profiles/new/", data)
    assert response.status_code == 400 and "payer" in response.context["form"].errors

"""Provider pages: everyone with access can view; only billing managers and admins edit; bad
input shows field errors with status 400 and saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from credentialing import services
from credentialing.models import License, PayerEnrollment, Provider
from rcm.tenancy import org_context
from tests import factories

BASE = "/o/clinic-a/credentialing"
FORM = dict(
    first_name="Dana",
    last_name="Reyes",
    npi="1234567893",
    taxonomy="1041C0700X",
    license_type="lcsw",
    credentials="LCSW",
    is_active="on",
)


@pytest.fixture
def provider(org_a):
    with org_context(org_a):
        p = factories.provider(last_name="Okafor", caqh_attested_on=dt.date(2026, 5, 1))
        services.license_add(
            provider=p,
            state="IL",
            number="149.0001",
            expires_on=dt.date(2020, 1, 1),
            issued_on=dt.date(2018, 1, 1),
        )
    return p


def count(org, model) -> int:
    with org_context(org):
        return model.objects.count()


def test_the_provider_list_shows_npi_supervisor_and_a_gap_badge(org_a, biller_client, provider):
    with org_context(org_a):
        factories.provider(last_name="Mentee", license_type="associate", supervisor=provider)
    response = biller_client.get(f"{BASE}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert provider.npi in html and "Okafor" in html
    assert 'class="badge bad"' in html and "blocking" in html
    assert "New provider" not in html  # billers cannot add providers


def test_the_provider_list_answers_htmx_with_just_the_table(biller_client, provider):
    response = biller_client.get(f"{BASE}/?search=okaf", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<table class="grid" id="provider-rows">')
    assert "Okafor" in html and "<html" not in html


def test_the_detail_page_shows_licenses_enrollments_caqh_and_gaps(org_a, biller_client, provider):
    with org_context(org_a):
        payer = factories.payer(name="Acme Health")
        services.enrollment_upsert(provider=provider, payer=payer, status="submitted")
    response = biller_client.get(f"{BASE}/{provider.public_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "149.0001" in html and "Acme Health" in html and "Submitted (pending)" in html
    assert "License IL 149.0001 expired on Jan 1, 2020." in html
    assert "May 1, 2026" in html  # CAQH last attestation
    assert "/edit/" not in html  # no edit links for a biller


def test_the_gaps_page_lists_providers_with_issues(biller_client, provider):
    response = biller_client.get(f"{BASE}/gaps/?as_of=2026-11-02")
    assert response.status_code == 200
    assert "expired on Jan 1, 2020" in response.content.decode()
    assert biller_client.get(f"{BASE}/gaps/?as_of=garbage").status_code == 200


@pytest.mark.parametrize(
    "route", ["new/", "{id}/edit/", "{id}/licenses/new/", "{id}/enrollments/new/", "{id}/caqh/"]
)
def test_a_biller_gets_403_on_every_edit_route(biller_client, provider, route):
    url = f"{BASE}/{route.format(id=provider.public_id)}"
    assert biller_client.get(url).status_code == 403
    assert biller_client.post(url, FORM).status_code == 403


def test_a_biller_cannot_change_a_provider_by_posting(org_a, biller_client, provider):
    biller_client.post(f"{BASE}/{provider.public_id}/edit/", {**FORM, "last_name": "Changed"})
    with org_context(org_a):
        assert Provider.objects.get(pk=provider.pk).last_name == "Okafor"


def test_a_billing_manager_adds_a_provider(org_a, manager_client):
    assert manager_client.get(f"{BASE}/new/").status_code == 200
    response = manager_client.post(f"{BASE}/new/", FORM)
    assert response.status_code == 302
    with org_context(org_a):
        created = Provider.objects.get()
    assert response["Location"] == f"{BASE}/{created.public_id}/"
    assert created.is_active and created.npi == "1234567893"


def test_a_bad_npi_in_the_form_shows_a_field_error_and_saves_nothing(org_a, manager_client):
    response = manager_client.post(f"{BASE}/new/", {**FORM, "npi": "1234567890"})
    assert response.status_code == 400
    assert "bad check digit" in response.context["form"].errors["npi"][0]
    assert "bad check digit" in response.content.decode()
    assert count(org_a, Provider) == 0


def test_garbage_in_every_form_field_never_500s(org_a, manager_client, provider):
    junk = {
        name: "x" * 300
        for name in (
            "first_name",
            "npi",
            "taxonomy",
            "license_type",
            "supervisor",
            "caqh_attested_on",
            "state",
            "number",
            "expires_on",
            "payer",
            "status",
            "attested_on",
        )
    }
    for route in (
        "new/",
        f"{provider.public_id}/edit/",
        f"{provider.public_id}/licenses/new/",
        f"{provider.public_id}/enrollments/new/",
        f"{provider.public_id}/caqh/",
    ):
        assert manager_client.post(f"{BASE}/{route}", junk).status_code == 400, route


def test_a_billing_manager_edits_a_provider_and_a_cycle_is_refused(org_a, manager_client, provider):
    with org_context(org_a):
        mentee = factories.provider(last_name="Mentee", supervisor=provider)
    url = f"{BASE}/{provider.public_id}/edit/"
    assert manager_client.get(url).status_code == 200
    refused = manager_client.post(
        url, {**FORM, "npi": provider.npi, "supervisor": str(mentee.public_id)}
    )
    assert refused.status_code == 400
    assert "circular" in refused.context["form"].errors["supervisor"][0]
    saved = manager_client.post(url, {**FORM, "npi": provider.npi, "first_name": "Ada"})
    assert saved.status_code == 302
    with org_context(org_a):
        assert Provider.objects.get(pk=provider.pk).first_name == "Ada"


def test_a_billing_manager_adds_and_renews_a_license(org_a, manager_client, provider):
    url = f"{BASE}/{provider.public_id}/licenses/new/"
    bad = manager_client.post(
        url,
        {
            "state": "IL",
            "number": "7",
            "status": "active",
            "issued_on": "2026-06-01",
            "expires_on": "2026-05-01",
        },
    )
    assert bad.status_code == 400 and "expires_on" in bad.context["form"].errors
    ok = manager_client.post(
        url, {"state": "wi", "number": "7", "status": "active", "expires_on": "2028-05-01"}
    )
    assert ok.status_code == 302
    with org_context(org_a):
        lic = License.objects.get(number="7")
    assert lic.state == "WI" and lic.license_type == provider.license_type
    renew = manager_client.post(
        f"{BASE}/licenses/{lic.public_id}/edit/",
        {"state": "WI", "number": "7", "status": "active", "expires_on": "2030-05-01"},
    )
    assert renew.status_code == 302
    with org_context(org_a):
        assert License.objects.get(pk=lic.pk).expires_on == dt.date(2030, 5, 1)


def test_the_enrollment_form_refuses_enrolled_without_an_effective_date(
    org_a, manager_client, provider
):
    with org_context(org_a):
        payer = factories.payer()
    url = f"{BASE}/{provider.public_id}/enrollments/new/"
    response = manager_client.post(url, {"payer": str(payer.public_id), "status": "enrolled"})
    assert response.status_code == 400
    assert "effective date" in response.context["form"].errors["effective_date"][0]
    assert count(org_a, PayerEnrollment) == 0
    ok = manager_client.post(
        url, {"payer": str(payer.public_id), "status": "enrolled", "effective_date": "2026-10-01"}
    )
    assert ok.status_code == 302
    prefilled = manager_client.get(f"{url}?payer={payer.public_id}")
    assert prefilled.context["form"].initial["status"] == "enrolled"


def test_a_billing_manager_records_a_caqh_attestation(org_a, manager_client, provider):
    response = manager_client.post(
        f"{BASE}/{provider.public_id}/caqh/", {"attested_on": "2026-10-15"}
    )
    assert response.status_code == 302
    with org_context(org_a):
        saved = Provider.objects.get(pk=provider.pk)
    assert saved.caqh_attested_on == dt.date(2026, 10, 15) and saved.caqh_id == provider.caqh_id


def test_another_orgs_provider_answers_404_on_every_route(org_b, manager_client):
    with org_context(org_b):
        foreign = factories.provider()
    for route in ("", "edit/", "licenses/new/", "enrollments/new/", "caqh/"):
        assert manager_client.get(f"{BASE}/{foreign.public_id}/{route}").status_code == 404

"""Provider pages: everyone with access can view; only billing managers and admins edit; bad
input shows field errors with status 400 and saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from credentialing import services
from credentialing.models import License, LicensePeriod, PayerEnrollment, Provider
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
            "starts_on",
            "effective_on",
            "status_effective_on",
        )
    }
    lic = license_of(org_a, provider)
    for route in (
        "new/",
        f"{provider.public_id}/edit/",
        f"{provider.public_id}/licenses/new/",
        f"{provider.public_id}/enrollments/new/",
        f"{provider.public_id}/caqh/",
        f"licenses/{lic.public_id}/edit/",
        f"licenses/{lic.public_id}/renew/",
        f"licenses/{lic.public_id}/status/",
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


# --- Dated history ---------------------------------------------------------------------------


def license_of(org, provider) -> License:
    with org_context(org):
        return License.objects.get(provider=provider)


def test_the_detail_page_shows_license_and_enrollment_history(org_a, biller_client, provider):
    with org_context(org_a):
        lic = License.objects.get(provider=provider)
        services.license_renew(
            license=lic, starts_on=dt.date(2020, 3, 1), expires_on=dt.date(2022, 1, 1)
        )
        services.license_status_change(
            license=lic, status="suspended", effective_on=dt.date(2021, 5, 1), note="Order 9"
        )
        services.license_status_change(
            license=lic, status="active", effective_on=dt.date(2021, 6, 1)
        )
        payer = factories.payer(name="Acme Health")
        services.enrollment_upsert(
            provider=provider,
            payer=payer,
            status="terminated",
            effective_date=dt.date(2024, 1, 1),
            end_date=dt.date(2025, 6, 30),
        )
        services.enrollment_upsert(
            provider=provider, payer=payer, status="enrolled", effective_date=dt.date(2025, 9, 1)
        )
    html = biller_client.get(f"{BASE}/{provider.public_id}/").content.decode()
    for text in (
        "Issued: valid Jan 1, 2018 – Jan 1, 2020",
        "Renewed late: valid Mar 1, 2020 – Jan 1, 2022; not covered Jan 2, 2020 – Feb 29, 2020",
        "Suspended from May 1, 2021 — Order 9",
        "Reinstated (active) from Jun 1, 2021",
        "Enrolled: Jan 1, 2024 – Jun 30, 2025",
        "Re-enrolled: Sep 1, 2025 – open-ended; not enrolled Jul 1, 2025 – Aug 31, 2025",
    ):
        assert text in html, text
    assert "Record renewal" not in html  # billers only read


def test_a_billing_manager_records_a_late_renewal_on_the_page(org_a, manager_client, provider):
    url = f"{BASE}/licenses/{license_of(org_a, provider).public_id}/renew/"
    page = manager_client.get(url)
    assert page.status_code == 200 and "Issued: valid Jan 1, 2018" in page.content.decode()
    bad = manager_client.post(url, {"starts_on": "2019-06-01", "expires_on": "2022-01-01"})
    assert bad.status_code == 400
    assert "must start after the previous one" in bad.context["form"].errors["starts_on"][0]
    ok = manager_client.post(url, {"starts_on": "2020-02-01", "expires_on": "2022-01-01"})
    assert ok.status_code == 302 and ok["Location"] == f"{BASE}/{provider.public_id}/"
    with org_context(org_a):
        starts = list(
            LicensePeriod.objects.order_by("expires_on").values_list("starts_on", flat=True)
        )
    assert starts == [dt.date(2018, 1, 1), dt.date(2020, 2, 1)]


def test_a_billing_manager_records_a_suspension_on_the_page(org_a, manager_client, provider):
    lic = license_of(org_a, provider)
    url = f"{BASE}/licenses/{lic.public_id}/status/"
    with org_context(org_a):
        clinic_today = timezone.localdate()  # the clinic's date, in its time zone
    assert manager_client.get(url).context["form"].initial["effective_on"] == clinic_today
    same = manager_client.post(url, {"status": "active", "effective_on": "2019-01-01"})
    assert same.status_code == 400 and "already active" in same.context["form"].errors["status"][0]
    ok = manager_client.post(
        url, {"status": "suspended", "effective_on": "2019-01-01", "note": "Order 3"}
    )
    assert ok.status_code == 302
    with org_context(org_a):
        assert License.objects.get(pk=lic.pk).status_on(dt.date(2018, 12, 31)) == "active"
        assert License.objects.get(pk=lic.pk).status_on(dt.date(2019, 1, 1)) == "suspended"


@pytest.mark.parametrize("route", ["edit/", "renew/", "status/"])
def test_a_biller_gets_403_on_every_license_route(org_a, biller_client, provider, route):
    url = f"{BASE}/licenses/{license_of(org_a, provider).public_id}/{route}"
    assert biller_client.get(url).status_code == 403
    assert biller_client.post(url, {"expires_on": "2030-01-01"}).status_code == 403


def test_another_orgs_provider_answers_404_on_every_route(org_b, manager_client):
    with org_context(org_b):
        foreign = factories.provider()
    for route in ("", "edit/", "licenses/new/", "enrollments/new/", "caqh/"):
        assert manager_client.get(f"{BASE}/{foreign.public_id}/{route}").status_code == 404

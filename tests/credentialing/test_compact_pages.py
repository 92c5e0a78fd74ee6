"""Compact privileges on the provider pages: listed with where each stands today; billing
managers add, correct and end them through forms that show the services' field errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from credentialing import services
from credentialing.models import CompactPrivilege
from rcm.tenancy import org_context
from tests import factories

BASE = "/o/clinic-a/credentialing"


@pytest.fixture
def today(org_a) -> dt.date:
    with org_context(org_a):
        return timezone.localdate()


@pytest.fixture
def counselor(org_a, today):
    with org_context(org_a):
        provider = factories.provider(
            last_name="Haddad", license_type="lpc", taxonomy="101YP2500X", credentials="LPC"
        )
        home = services.license_add(
            provider=provider,
            state="AZ",
            number="LPC-19",
            issued_on=today - dt.timedelta(days=700),
            expires_on=today + dt.timedelta(days=400),
        )
    return provider, home


@pytest.fixture
def privilege(org_a, counselor, today):
    provider, home = counselor
    with org_context(org_a):
        return services.privilege_record(
            provider=provider,
            home_license=home,
            compact="counseling",
            state="MN",
            number="CC-MN-88",
            effective_on=today - dt.timedelta(days=100),
            expires_on=today + dt.timedelta(days=20),
        )


def form(counselor, today, **fields) -> dict:
    return {
        "compact": "counseling",
        "state": "mn",
        "number": "CC-MN-88",
        "home_license": str(counselor[1].public_id),
        "effective_on": str(today - dt.timedelta(days=10)),
        "expires_on": str(today + dt.timedelta(days=355)),
        **fields,
    }


def test_the_detail_page_lists_privileges_with_their_standing_and_gap(
    org_a, biller_client, counselor, privilege
):
    html = biller_client.get(f"{BASE}/{counselor[0].public_id}/").content.decode()
    assert 'data-testid="privileges"' in html
    assert "Counseling Compact (privilege to practice)" in html and "CC-MN-88" in html
    assert "AZ LPC-19" in html and "in effect" in html
    assert "Counseling Compact privilege in MN (CC-MN-88) expires on" in html  # the gap
    assert "/privileges/" not in html  # no add, correct or end links for a biller


def test_a_billing_manager_adds_a_privilege_on_the_page(org_a, manager_client, counselor, today):
    url = f"{BASE}/{counselor[0].public_id}/privileges/new/"
    page = manager_client.get(url)
    assert page.status_code == 200
    assert "AZ LPC-19 (LPC)" in page.content.decode()  # the home license choices
    refused = manager_client.post(url, form(counselor, today, compact="psypact"))
    assert refused.status_code == 400
    assert (
        "PSYPACT covers psychologist licenses only" in refused.context["form"].errors["compact"][0]
    )
    ok = manager_client.post(url, form(counselor, today))
    assert ok.status_code == 302 and ok["Location"] == f"{BASE}/{counselor[0].public_id}/"
    with org_context(org_a):
        saved = CompactPrivilege.objects.get()
    assert (saved.state, saved.home_license_id) == ("MN", counselor[1].pk)


def test_a_billing_manager_ends_and_corrects_a_privilege_on_the_pages(
    org_a, manager_client, privilege, today
):
    end_url = f"{BASE}/privileges/{privilege.public_id}/end/"
    assert manager_client.get(end_url).context["form"].initial["ended_on"] == today
    bad = manager_client.post(end_url, {"status": "revoked", "ended_on": "2001-01-01"})
    assert bad.status_code == 400 and "ended_on" in bad.context["form"].errors
    ok = manager_client.post(end_url, {"status": "revoked", "ended_on": str(today)})
    assert ok.status_code == 302
    edit_url = f"{BASE}/privileges/{privilege.public_id}/edit/"
    initial = manager_client.get(edit_url).context["form"].initial
    assert (initial["status"], initial["ended_on"]) == ("revoked", today)
    reopened = manager_client.post(
        edit_url,
        {
            **form((None, privilege.home_license), today, number="CC-MN-89"),
            "effective_on": str(privilege.effective_on),
            "status": "active",
        },
    )
    assert reopened.status_code == 302
    with org_context(org_a):
        saved = CompactPrivilege.objects.get()
    assert (saved.number, saved.status, saved.ended_on) == ("CC-MN-89", "active", None)


@pytest.mark.parametrize(
    "route", ["{provider}/privileges/new/", "privileges/{p}/edit/", "privileges/{p}/end/"]
)
def test_a_biller_gets_403_on_every_privilege_route(biller_client, privilege, route):
    url = f"{BASE}/{route.format(provider=privilege.provider.public_id, p=privilege.public_id)}"
    assert biller_client.get(url).status_code == 403
    assert biller_client.post(url, {"ended_on": "2026-01-01"}).status_code == 403


def test_garbage_in_the_privilege_forms_never_500s(manager_client, privilege):
    junk = {
        name: "x" * 300
        for name in (
            "compact",
            "state",
            "number",
            "home_license",
            "effective_on",
            "expires_on",
            "status",
            "ended_on",
            "note",
        )
    }
    for route in (
        f"{privilege.provider.public_id}/privileges/new/",
        f"privileges/{privilege.public_id}/edit/",
        f"privileges/{privilege.public_id}/end/",
    ):
        assert manager_client.post(f"{BASE}/{route}", junk).status_code == 400, route


def test_another_orgs_privilege_answers_404(org_b, manager_client, today):
    with org_context(org_b):
        provider = factories.provider(license_type="lcsw")
        home = services.license_add(
            provider=provider, state="IL", number="1", expires_on=today + dt.timedelta(days=9)
        )
        foreign = services.privilege_record(
            provider=provider,
            home_license=home,
            compact="social_work",
            state="WI",
            number="SW1",
            effective_on=today,
        )
    for route in ("edit/", "end/"):
        assert (
            manager_client.get(f"{BASE}/privileges/{foreign.public_id}/{route}").status_code == 404
        )

"""The Part 2 access rule in the platform layer (rcm.tenancy.part2): no access by default, the
admin's grant, and for a billing company's staff an agreement in force (42 CFR 2.11,
2.12(c)(4)) answered by the app that owns agreements; with no app answering, it fails closed."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from rcm.models import Membership
from rcm.tenancy import org_context, part2
from rcm.tenancy.part2 import AgreementStatus, part2_access_allowed
from tests import factories

IN_FORCE = AgreementStatus(company="Keystone", in_force=True)
ENDED = AgreementStatus(company="Other", in_force=False, last_ended_on=datetime.date(2026, 5, 1))


@pytest.mark.parametrize(
    ("granted", "agreements", "allowed"),
    [
        (False, [], False),  # the default: nobody until an admin grants it
        (True, [], True),  # the program's own staff
        (True, [IN_FORCE], True),
        (False, [IN_FORCE], False),
        (True, [ENDED], False),
        (True, [IN_FORCE, ENDED], False),  # works for two companies: both need one
    ],
)
def test_access_needs_the_grant_and_an_agreement_with_every_company(granted, agreements, allowed):
    """42 CFR 2.13(a) (need to know) and 2.11 (QSOA) as one rule."""
    assert part2_access_allowed(granted=granted, agreements=agreements) is allowed


@pytest.mark.django_db
def test_without_an_app_answering_a_billing_companys_member_is_refused(org_a, monkeypatch):
    """42 CFR 2.11, failing closed: no registered agreement check, no agreement in force."""
    company = factories.billing_company()
    monkeypatch.setattr(part2, "_checks", {})
    with org_context(org_a):
        factories.qso_agreement(company)
        status = part2.agreement_status(company=company, on_date=datetime.date(2026, 6, 1))
    assert status == AgreementStatus(company=company.name, in_force=False)


@pytest.mark.django_db
def test_a_membership_has_no_part2_access_by_default_even_when_written_by_raw_sql(org_a):
    """42 CFR 2.13(a): no access until granted; the default is in the model and the database."""
    made = factories.member(org_a, role="admin")
    raw_user = factories.user()
    with org_context(org_a):
        assert Membership.objects.get(user=made).part2_access is False
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO rcm_membership (org_id, user_id, role, is_active, created_at) "
                "VALUES (%s, %s, 'biller', true, now())",
                [org_a.pk, raw_user.pk],
            )
        assert Membership.objects.get(user=raw_user).part2_access is False


@pytest.mark.django_db
def test_the_members_page_shows_each_billing_company_agreement_and_until_when(client, org_a):
    """42 CFR 2.11: admins see whose access rests on which agreement, and until when."""
    keystone = factories.billing_company(name="Keystone Billing Partners")
    other = factories.billing_company(name="Other Billing LLC")
    biller = factories.member(org_a, role="biller", username="keystone.biller", part2_access=True)
    stale = factories.member(org_a, role="biller", username="other.biller", part2_access=True)
    factories.member(org_a, role="clinician", username="own.clinician", part2_access=True)
    for company, user in ((keystone, biller), (other, stale)):
        with org_context(company):
            Membership.objects.create(user=user, role="biller")
    with org_context(org_a):
        factories.qso_agreement(keystone, ends_on=datetime.date(2099, 1, 1))
        factories.qso_agreement(
            other, effective_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 6, 1)
        )
    client.force_login(factories.member(org_a, role="admin"))
    html = client.get(f"/o/{org_a.slug}/members/").content.decode()

    def cell(name: str, user: str) -> str:
        return html.split(f'data-testid="{name}-{user}">')[1].split("</td>")[0]

    assert "Keystone Billing Partners" in cell("agreements", "keystone.biller")
    assert "QSOA in force" in cell("agreements", "keystone.biller")
    assert "until 2099-01-01" in cell("agreements", "keystone.biller")
    assert "Yes" in cell("access", "keystone.biller")
    assert "No QSOA in force" in cell("agreements", "other.biller")
    assert "(ended 2025-06-01)" in cell("agreements", "other.biller")
    assert "No" in cell("access", "other.biller")
    assert "this program" in cell("agreements", "own.clinician")
    assert "Yes" in cell("access", "own.clinician")


@pytest.mark.django_db
def test_the_memberships_api_says_whether_access_holds_today_and_why(client, org_a):
    """42 CFR 2.11: the grant alone is not access for a billing company's staff."""
    keystone = factories.billing_company(name="Keystone Billing Partners")
    biller = factories.member(org_a, role="biller", username="keystone.biller", part2_access=True)
    with org_context(keystone):
        Membership.objects.create(user=biller, role="biller")
    client.force_login(factories.member(org_a, role="admin"))
    rows = client.get(f"/api/o/{org_a.slug}/memberships/").json()["results"]
    row = next(r for r in rows if r["username"] == "keystone.biller")
    assert (row["part2_access"], row["part2_access_today"]) == (True, False)
    assert row["agreements"] == [
        {
            "company": "Keystone Billing Partners",
            "in_force": False,
            "until": None,
            "last_ended_on": None,
        }
    ]

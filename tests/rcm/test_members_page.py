"""Admins see the org's members and grant or withhold Part 2 access; others can't."""

from __future__ import annotations

import pytest

from rcm.models import Membership
from rcm.tenancy import org_context
from tests import factories


@pytest.mark.django_db
def test_an_admin_withholds_and_grants_part2_access_from_the_members_page(client, org_a):
    biller = factories.member(org_a, role="biller", username="outside.biller")
    client.force_login(factories.member(org_a, role="admin"))
    page = client.get(f"/o/{org_a.slug}/members/")
    assert page.status_code == 200 and b"outside.biller" in page.content
    with org_context(org_a):
        membership = Membership.objects.get(user=biller)
    url = f"/o/{org_a.slug}/members/{membership.public_id}/part2/"
    assert client.post(url, {}).status_code == 302  # unchecked box: withheld
    with org_context(org_a):
        assert Membership.objects.get(pk=membership.pk).part2_access is False
    client.post(url, {"part2_access": "on"})
    with org_context(org_a):
        assert Membership.objects.get(pk=membership.pk).part2_access is True
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_only_admins_manage_members(client, org_a):
    client.force_login(factories.member(org_a, role="billing_manager"))
    assert client.get(f"/o/{org_a.slug}/members/").status_code == 403

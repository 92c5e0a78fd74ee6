"""On the demo: a billing manager builds the claims from the queue page, then every queue, a
claim page and its 837 render (the pages read real built and scrubbed claims, not test rows)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from claims.models import Claim
from claims.selectors import QUEUES
from rcm.models import Membership, Organization
from rcm.tenancy import org_context

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


def test_the_demo_builds_claims_and_every_queue_renders_them(client, capsys):
    call_command("seed_demo", "--patients", "2", "--today", "2026-11-02")
    capsys.readouterr()
    org = Organization.objects.get(slug="harbor-mh")
    with org_context(org):
        manager = Membership.objects.filter(role="billing_manager").select_related("user").first()
    client.force_login(manager.user)
    built = client.post(f"/o/{org.slug}/claims/build/", follow=True)
    assert built.status_code == 200 and "Built " in built.content.decode()
    with org_context(org):
        claims = list(Claim.objects.order_by("pk"))
    assert claims
    for queue in QUEUES:
        assert client.get(f"/o/{org.slug}/claims/", {"queue": queue}).status_code == 200
    claim = claims[0]
    page = client.get(f"/o/{org.slug}/claims/{claim.public_id}/")
    assert page.status_code == 200 and claim.control_number in page.content.decode()
    assert client.get(f"/o/{org.slug}/claims/{claim.public_id}/837/").status_code == 200
    again = client.post(f"/o/{org.slug}/claims/build/", follow=True)
    assert "No completed session is waiting for a claim" in again.content.decode()

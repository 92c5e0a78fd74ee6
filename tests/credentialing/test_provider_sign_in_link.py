"""A provider can be linked to the clinician's own sign-in: a member of the org, one provider
per sign-in."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from credentialing.services import provider_update
from rcm.tenancy import org_context
from tests import factories


@pytest.mark.django_db
def test_a_provider_links_to_a_member_once_and_never_to_an_outsider(org_a, org_b):
    member = factories.member(org_a, role="clinician")
    outsider = factories.member(org_b, role="clinician")
    with org_context(org_a):
        first, second = factories.provider(), factories.provider()
        assert provider_update(provider=first, user=member).user == member
        with pytest.raises(ValidationError) as err:
            provider_update(provider=second, user=member)
        assert "already linked" in str(err.value.message_dict["user"])
        with pytest.raises(ValidationError) as err:
            provider_update(provider=second, user=outsider)
        assert "active member" in str(err.value.message_dict["user"])


@pytest.mark.django_db
def test_the_api_links_by_username_and_refuses_another_orgs_user(client, org_a, org_b):
    manager = factories.member(org_a, role="billing_manager")
    clinician = factories.member(org_a, role="clinician", username="dr.vale")
    factories.member(org_b, role="clinician", username="dr.elsewhere")
    with org_context(org_a):
        provider = factories.provider()
    client.force_login(manager)
    url = f"/api/o/{org_a.slug}/providers/{provider.public_id}/"
    bad = client.patch(url, {"user": "dr.elsewhere"}, content_type="application/json")
    assert bad.status_code == 400 and "user" in bad.json()
    ok = client.patch(url, {"user": "dr.vale"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["user"] == "dr.vale"
    with org_context(org_a):
        provider.refresh_from_db()
    assert provider.user == clinician

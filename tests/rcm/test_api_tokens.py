"""Users issue and revoke their own API tokens; tokens are shown once and stored hashed."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from rcm.models import ApiToken
from tests import factories


@pytest.mark.django_db
def test_a_user_creates_a_token_sees_it_once_uses_it_and_revokes_it(client, org_a):
    user = factories.member(org_a, role="biller")
    client.force_login(user)
    page = client.post("/account/api-tokens/", {"name": "nightly export"})
    raw = page.context["new_token"]
    assert raw.startswith("rcm_") and raw.encode() in page.content
    assert raw.encode() not in client.get("/account/api-tokens/").content  # shown once
    token = ApiToken.objects.get(user=user)
    assert token.digest == ApiToken.digest_of(raw)
    api = f"/api/o/{org_a.slug}/patients/"
    assert client.session and client.logout() is None
    assert client.get(api, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    client.force_login(user)
    client.post("/account/api-tokens/", {"revoke": str(token.public_id)})
    client.logout()
    assert client.get(api, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


@pytest.mark.django_db
def test_bad_token_requests_get_a_400_and_nobody_revokes_anothers_token(client, org_a):
    owner = factories.member(org_a)
    token, _ = ApiToken.issue(user=owner, name="mine")
    client.force_login(factories.member(org_a))
    assert client.post("/account/api-tokens/", {"name": ""}).status_code == 400
    assert client.post("/account/api-tokens/", {"revoke": str(token.public_id)}).status_code == 400
    assert client.post("/account/api-tokens/", {"revoke": "not-a-uuid"}).status_code == 400
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.django_db
def test_the_command_issues_a_token_for_an_active_user(org_a):
    user = factories.member(org_a)
    out = io.StringIO()
    call_command("issue_api_token", user.username, "--name", "ci", stdout=out)
    assert ApiToken.objects.get(user=user).digest == ApiToken.digest_of(out.getvalue().strip())
    with pytest.raises(CommandError):
        call_command("issue_api_token", "nobody")

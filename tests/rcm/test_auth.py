"""Login, sessions, lockout, CSRF, API authentication and the schema."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session as DjangoSession
from django.test import Client
from django.utils import timezone

from rcm.middleware import SESSION_STARTED
from rcm.models import ApiToken
from tests import factories


def _login(client: Client, username: str, password: str = factories.PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_login_issues_a_new_session_key_and_logout_ends_the_session(client, org_a):
    user = factories.member(org_a, role="biller")
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    response = _login(client, user.username)
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert client.get(f"/o/{org_a.slug}/").status_code == 200
    client.post("/logout/")
    assert not DjangoSession.objects.filter(session_key=after).exists()
    assert client.get(f"/o/{org_a.slug}/").status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_shows_an_error_not_a_500(client, org_a):
    user = factories.member(org_a)
    response = _login(client, user.username, "wrong")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_passwords_are_hashed_with_argon2_in_every_real_environment():
    from rcm.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_idle_timeout_defaults_to_fifteen_minutes_renewed_by_each_request():
    assert settings.SESSION_COOKIE_AGE == 900
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.django_db
def test_an_idle_session_past_its_expiry_is_logged_out(client, org_a):
    user = factories.member(org_a)
    _login(client, user.username)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    DjangoSession.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    assert client.get(f"/o/{org_a.slug}/").status_code == 302


@pytest.mark.django_db
def test_a_session_older_than_the_absolute_timeout_is_logged_out(client, org_a):
    user = factories.member(org_a)
    _login(client, user.username)
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS - 5
    session.save()
    response = client.get(f"/o/{org_a.slug}/")
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get(f"/o/{org_a.slug}/").status_code == 302  # and stays logged out


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_even_for_the_right_password(client, org_a):
    user = factories.member(org_a)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, user.username, "not-the-password")
    response = _login(client, user.username)
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_posts_without_a_csrf_token_are_refused(org_a):
    user = factories.member(org_a)
    client = Client(enforce_csrf_checks=True)
    assert _login(client, user.username).status_code == 403


@pytest.mark.django_db
def test_the_api_requires_authentication(client, org_a):
    response = client.get(f"/api/o/{org_a.slug}/memberships/")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_bearer_token_authenticates_and_a_revoked_one_does_not(client, org_a):
    user = factories.member(org_a, role="admin")
    token, raw = ApiToken.issue(user=user, name="ci")
    assert ApiToken.objects.get(pk=token.pk).digest != raw  # stored hashed
    url = f"/api/o/{org_a.slug}/memberships/"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer rcm_forged").status_code == 401


@pytest.mark.django_db
def test_a_valid_token_of_a_non_member_gets_404(client, org_a, org_b):
    outsider = factories.member(org_b, role="admin")
    _, raw = ApiToken.issue(user=outsider, name="ci")
    response = client.get(f"/api/o/{org_a.slug}/memberships/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_openapi_schema_and_docs_page_are_served(client, org_a):
    client.force_login(factories.member(org_a))
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/o/{org_slug}/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp

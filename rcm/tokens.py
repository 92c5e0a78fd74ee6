"""Personal API tokens: issued to a user (not an org; the org is in each API URL and the
user's membership is checked there), shown once, stored hashed, revocable."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from rcm.models import ApiToken

MAX_ACTIVE_TOKENS = 10


def api_token_issue(*, user: Any, name: str) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError(
            {"name": ["Name the token (1-100 characters), e.g. 'billing export'."]}
        )
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError({"name": [f"At most {MAX_ACTIVE_TOKENS} active tokens; revoke one."]})
    if active.filter(name=name).exists():
        raise ValidationError({"name": ["You already have an active token with this name."]})
    return ApiToken.issue(user=user, name=name)


def api_token_revoke(*, user: Any, public_id: Any) -> ApiToken:
    token = ApiToken.objects.filter(user=user, public_id=public_id, revoked_at__isnull=True).first()
    if token is None:
        raise ValidationError({"token": ["No such active token."]})
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_tokens_of(*, user: Any) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created_at"))

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions


class HashedTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer rcm_...` (or `Token rcm_...`); tokens are stored hashed."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        from rcm.models import ApiToken

        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() not in self.keywords:
            return None
        raw = header[1].decode(errors="replace")
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return "Bearer"


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = "rcm.api.auth.HashedTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "Personal API token (rcm_...)"}

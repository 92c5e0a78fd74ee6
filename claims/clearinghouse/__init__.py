"""Clearinghouse adapters, one interface (claims.clearinghouse.base) and a registry by name:
`sandbox` (built-in simulated clearinghouse and payer), `sftp` and `folder`. The org's
`ClearinghouseAccount` says which one it uses and carries its settings and credentials."""

from __future__ import annotations

from typing import Any

from claims.clearinghouse import folder, sandbox, sftp  # noqa: F401 - registers the adapters
from claims.clearinghouse.base import (
    Adapter,
    AuthenticationFailed,
    ClearinghouseError,
    ConfigurationError,
    TransportError,
    adapter_class,
    register,
    registered,
)

__all__ = [
    "Adapter",
    "AuthenticationFailed",
    "ClearinghouseError",
    "ConfigurationError",
    "NoClearinghouseAccount",
    "TransportError",
    "account_for_org",
    "adapter_for",
    "register",
    "registered",
]


class NoClearinghouseAccount(ConfigurationError):
    pass


def account_for_org() -> Any:
    """The active org's active clearinghouse account."""
    from claims.models import ClearinghouseAccount

    account = ClearinghouseAccount.objects.filter(is_active=True).first()
    if account is None:
        raise NoClearinghouseAccount(
            "This organization has no active clearinghouse account: set one up first."
        )
    return account


def adapter_for(account: Any) -> Adapter:
    """The adapter the account names, built with its settings."""
    return adapter_class(account.adapter)(account)

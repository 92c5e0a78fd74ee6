"""What every clearinghouse adapter does, and how it fails.

An adapter is built for one org's `ClearinghouseAccount` and does three things:

- `send(batch)` delivers the batch's 837 file and returns the remote reference (a path, a
  tracking id) kept on the batch;
- `fetch()` returns the response files waiting (999, 277CA; later 835, 277, 271) as
  `(name, bytes)`, oldest first, without removing them;
- `done(names)` removes or archives fetched files once they are safely imported, so a crash
  between fetching and importing loses nothing (imports are idempotent by content hash).

Failures are `ClearinghouseError`s whose text is safe to store on the batch and show to a
biller: it names hosts, folders and file names, never patient data or secrets. A
`TransportError` (connection refused or dropped, timeout) is worth retrying; the others
(refused login, wrong settings, host key mismatch) are not until someone fixes the account.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

MAX_REASON = 500


class ClearinghouseError(Exception):
    """A send or fetch failed; the message carries no PHI and no secret."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str) -> None:
        super().__init__(message[:MAX_REASON])


class TransportError(ClearinghouseError):
    """The network or the far side failed for now (refused, dropped, timed out): retry."""

    retryable = True


class AuthenticationFailed(ClearinghouseError):
    """The clearinghouse refused the account's login: fix the credentials, then resend."""


class ConfigurationError(ClearinghouseError):
    """The account's settings cannot work (missing folder, no host, host key mismatch)."""


class Adapter(ABC):
    """One org's connection to its clearinghouse (see the module docstring)."""

    name: ClassVar[str]
    # done() writes to the database (the sandbox's mailbox): it belongs in the import's
    # transaction. Otherwise it touches the far side and runs once the import has committed.
    done_in_transaction: ClassVar[bool] = False

    def __init__(self, account: Any, settings: Mapping[str, Any] | None = None) -> None:
        self.account = account
        self.settings: dict[str, Any] = dict(
            settings if settings is not None else (getattr(account, "settings", None) or {})
        )

    @abstractmethod
    def send(self, batch: Any) -> str:
        """Deliver `batch.content` as `batch.file_name`; the remote reference."""

    @abstractmethod
    def fetch(self) -> list[tuple[str, bytes]]:
        """The response files waiting, oldest (by name) first."""

    def send_status_request(self, content: str) -> str | None:
        """Send a 276 claim status request; the 277 when the channel answers at once (real
        time), None when the answer will come with fetch(). Adapters without a claim status
        channel refuse (the follow-up job counts the claims it could not ask about)."""
        raise ConfigurationError(f"The {self.name} clearinghouse has no claim status channel.")

    def done(self, names: Sequence[str]) -> None:  # noqa: B027 - optional for an adapter
        """Remove or archive fetched files (their import is committed)."""

    def setting(self, key: str, default: Any = None, *, required: bool = False) -> Any:
        value = self.settings.get(key, default)
        if required and value in (None, ""):
            raise ConfigurationError(
                f"The {self.name} clearinghouse account has no '{key}' setting."
            )
        return value


_REGISTRY: dict[str, type[Adapter]] = {}


def register(cls: type[Adapter]) -> type[Adapter]:
    """Class decorator: make an adapter available by its `name`."""
    _REGISTRY[cls.name] = cls
    return cls


def registered() -> dict[str, type[Adapter]]:
    return dict(_REGISTRY)


def adapter_class(name: str) -> type[Adapter]:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigurationError(f"No clearinghouse adapter is called '{name}'.") from None


AdapterFactory = Callable[[Any], Adapter]

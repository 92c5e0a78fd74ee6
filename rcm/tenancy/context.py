"""The active organization. It becomes active only through `org_context` (used by the request
middleware, the Celery task decorator and management commands). Leaving the context restores
whatever was active before, in Python and in the database session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from rcm.models import Organization


class NoActiveOrg(RuntimeError):
    """Raised when tenant data is touched with no organization active (fails closed)."""


@dataclass(frozen=True)
class _State:
    org: Organization
    actor_id: int | None
    part2_access: bool = True


_state: ContextVar[_State | None] = ContextVar("rcm_org_state", default=None)


def current_org() -> Organization | None:
    state = _state.get()
    return state.org if state else None


def current_org_id() -> int | None:
    state = _state.get()
    return state.org.pk if state else None


def current_actor_id() -> int | None:
    state = _state.get()
    return state.actor_id if state else None


def current_part2_access() -> bool:
    """Whether the active member may see 42 CFR Part 2 records (system work may)."""
    state = _state.get()
    return state.part2_access if state else True


def require_org() -> Organization:
    org = current_org()
    if org is None:
        raise NoActiveOrg("No organization is active; tenant data cannot be read or written.")
    return org


def _set_db(name: str, value: int | None) -> None:
    with connection.cursor() as cursor:
        # set_config(..., true) is SET LOCAL: it ends with the transaction.
        cursor.execute(
            "SELECT set_config(%s, %s, true)", [name, "" if value is None else str(value)]
        )


@contextmanager
def org_context(
    org: Organization,
    *,
    actor_id: int | None = None,
    part2_access: bool | Callable[[], bool] = True,
) -> Iterator[Organization]:
    """Activate `org` for the ORM and for row-level security, inside one transaction, with the
    org's time zone as the current one (local dates of service, "today").
    `part2_access=False` hides Part 2 records from the ORM (see TenantModel.part2_path). A
    callable is asked once the org is active (its rows, its today), with Part 2 records withheld
    while it decides (rcm.tenancy.part2)."""
    previous = _state.get()
    decide = part2_access if callable(part2_access) else None
    initial = False if decide is not None else bool(part2_access)
    token = _state.set(_State(org=org, actor_id=actor_id, part2_access=initial))
    try:
        with transaction.atomic(), timezone.override(org.zone):
            _set_db("rcm.org_id", org.pk)
            _set_db("rcm.actor_id", actor_id)
            if decide is not None:
                _state.set(_State(org=org, actor_id=actor_id, part2_access=bool(decide())))
            try:
                yield org
            finally:
                _restore_db(previous)
    finally:
        _state.reset(token)


def _restore_db(previous: _State | None) -> None:
    if connection.needs_rollback or connection.connection is None:
        return
    try:
        _set_db("rcm.org_id", previous.org.pk if previous else None)
        _set_db("rcm.actor_id", previous.actor_id if previous else None)
    except DatabaseError:
        transaction.set_rollback(True)  # aborted transaction: it rolls back, settings with it


@contextmanager
def user_db_context(user_id: int) -> Iterator[None]:
    """Let row-level security show a user's own memberships (before any org is active)."""
    with transaction.atomic():
        _set_db("rcm.user_id", user_id)
        try:
            yield
        finally:
            if not connection.needs_rollback:
                _set_db("rcm.user_id", None)

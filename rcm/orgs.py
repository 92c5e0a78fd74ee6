"""Organizations: creation (with the clinic's time zone) and the settings admins may change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from rcm.errors import FieldErrors
from rcm.models import ChangeLog, Organization
from rcm.tenancy import org_context
from rcm.timezones import validate_time_zone

SETTINGS_FIELDS = ("time_zone",)


def _check_zone(name: str, errors: FieldErrors) -> None:
    try:
        validate_time_zone(name)
    except ValidationError as exc:
        errors.add("time_zone", exc.messages[0])


@transaction.atomic
def organization_create(*, slug: str, name: str, time_zone: str, kind: str) -> Organization:
    """A new tenant. The time zone is required: it decides every date of service."""
    errors = FieldErrors()
    _check_zone(time_zone, errors)
    errors.require(kind in Organization.Kind.values, "kind", f"Unknown kind {kind!r}.")
    errors.require(
        not Organization.objects.filter(slug=slug).exists(), "slug", "That slug is taken."
    )
    org = Organization(slug=slug, name=name, time_zone=time_zone, kind=kind)
    try:
        org.full_clean(exclude=["time_zone"])
    except ValidationError as exc:
        errors.merge(exc)
    errors.raise_if_any()
    org.save()
    return org


@transaction.atomic
def organization_update_settings(*, org: Organization, actor: Any, **changes: Any) -> Organization:
    """Change the org's settings (admins). The change is written to the change history, since
    the organizations table has no trigger of its own."""
    errors = FieldErrors()
    for unknown in sorted(set(changes) - set(SETTINGS_FIELDS)):
        errors.add(unknown, "Not a setting that can be changed here.")
    if "time_zone" in changes:
        _check_zone(str(changes["time_zone"]), errors)
    errors.raise_if_any()
    locked = Organization.objects.select_for_update().get(pk=org.pk)
    old = {f: getattr(locked, f) for f in changes}
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.save(update_fields=list(changes) or None)
    if changes and old != changes:
        _record_change(locked, old, changes, actor)
    return locked


def _record_change(org: Organization, old: dict, new: dict, actor: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        (txid,) = cursor.fetchone()
    with org_context(org, actor_id=getattr(actor, "pk", None)):
        ChangeLog.objects.create(
            table_name=Organization._meta.db_table,
            row_id=org.pk,
            op="UPDATE",
            old_data=old,
            new_data=new,
            actor_id=getattr(actor, "pk", None),
            txid=txid,
            changed_at=timezone.now(),
        )


def org_by_slug(slug: str) -> Organization:
    """The org a management command works in (`--org SLUG`); CommandError when there is none."""
    from django.core.management.base import CommandError

    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise CommandError(f"No organization with the slug {slug!r}.")
    return org

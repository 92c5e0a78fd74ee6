"""Writes: deliver a notification to members (in the app and by email), mark read, preferences.

`notify` is the one entry point other apps use. The title and the url never carry PHI (the url
names public ids only); the body may name a patient, so it is encrypted and never emailed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from notifications.kinds import EMAIL_CHOICES, IMMEDIATE, OFF, Kind, kind_named
from notifications.models import Notification, NotificationPreference
from rcm.members import part2_access_of
from rcm.models import Membership
from rcm.permissions import CAPABILITIES, Cap
from rcm.tenancy import require_org

EMAIL_MODES = {value for value, _ in EMAIL_CHOICES}


def notify(
    *,
    kind: str,
    title: str,
    body: str,
    url: str,
    users: Iterable[Any] | None = None,
    capability: Cap | str | None = None,
    part2: bool = False,
    dedupe_key: str,
) -> list[Notification]:
    """Notify `users` and every active member whose role has `capability`, each once per
    `dedupe_key`. Part 2 alerts skip members without Part 2 access; each member's preference
    for the kind decides in-app and email delivery. Returns the notifications created now."""
    spec = kind_named(kind)
    _check(title=title, url=url, dedupe_key=dedupe_key)
    created = []
    members = _recipients(users, capability)
    chosen = {
        p.user_id: (p.in_app, p.email)
        for p in NotificationPreference.objects.filter(
            kind=spec.code, user_id__in=[m.user_id for m in members]
        )
    }
    for membership in members:
        if part2 and not may_see_part2(membership):
            continue  # 42 CFR Part 2: not even created for a member who may not see it
        in_app, email = chosen.get(membership.user_id, (spec.in_app, spec.email))
        if not in_app and email == OFF:
            continue
        row = Notification(
            user_id=membership.user_id,
            kind=kind,
            title=title,
            body=body,
            url=url,
            part2=part2,
            in_app=in_app,
            email=email,
            dedupe_key=dedupe_key,
        )
        if _create_once(row):
            created.append((row, membership.user))
    _email_at_once(spec, [(n, u) for n, u in created if n.email == IMMEDIATE])
    return [n for n, _ in created]


def _check(*, title: str, url: str, dedupe_key: str) -> None:
    org = require_org()
    if not dedupe_key:
        raise ValueError("notify() needs a dedupe_key: the same alert is delivered once")
    if url and not url.startswith(f"/o/{org.slug}/"):
        raise ValueError("a notification's url is a path inside the active org")
    if not title or len(title) > 200:
        raise ValueError("a notification's title is 1 to 200 characters")


def _recipients(users: Iterable[Any] | None, capability: Cap | str | None) -> list[Membership]:
    user_ids = {getattr(u, "pk", u) for u in users or () if u is not None}
    match = Q(user_id__in=user_ids)
    if capability is not None:
        match |= Q(role__in=[r.value for r in CAPABILITIES[Cap(capability)]])
    if not user_ids and capability is None:
        return []
    # Only the org's active members: a user named here who is not one is never notified.
    return list(
        Membership.objects.filter(match, is_active=True).select_related("user").order_by("pk")
    )


def _create_once(row: Notification) -> bool:
    """Insert unless this member already has this alert (the unique dedupe constraint)."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return False
    return True


def may_see_part2(membership: Membership) -> bool:
    """The member's Part 2 access today (no agreement looked up without the admin's grant)."""
    return membership.part2_access and part2_access_of(membership).allowed


def link_of(url: str) -> str:
    return settings.RCM_BASE_URL.rstrip("/") + url if url else settings.RCM_BASE_URL


def _email_at_once(spec: Kind, rows: list[tuple[Notification, Any]]) -> None:
    """Titles and links only; the subject is the kind's label (never PHI). Sent once the
    transaction commits, so a rolled-back alert sends nothing."""
    messages = [
        EmailMessage(
            subject=f"[BH RCM] {spec.label}",
            body=f"{n.title}\n\n{link_of(n.url)}\n",
            to=[user.email],
        )
        for n, user in rows
        if user.email
    ]
    if not messages:
        return
    Notification.objects.filter(pk__in=[n.pk for n, _ in rows]).update(emailed_at=timezone.now())
    transaction.on_commit(lambda: get_connection().send_messages(messages))


def notification_mark_read(*, notification: Notification, actor: Any) -> Notification:
    if notification.user_id != actor.pk:
        raise ValidationError({"notification": ["This notification is someone else's."]})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_set(*, actor: Any, choices: dict[str, tuple[bool, str]]) -> None:
    """`choices`: kind -> (in_app, email). Unknown kinds or email modes are refused."""
    errors = {}
    for code, (_, email) in choices.items():
        try:
            kind_named(code)
        except ValueError as exc:
            errors[code] = [str(exc)]
        if email not in EMAIL_MODES:
            errors[f"email_{code}"] = [f"Choose one of {', '.join(sorted(EMAIL_MODES))}."]
    if errors:
        raise ValidationError(errors)
    for code, (in_app, email) in choices.items():
        NotificationPreference.objects.update_or_create(
            user=actor, kind=code, defaults={"in_app": in_app, "email": email}
        )

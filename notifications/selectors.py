"""Reads: a member's notifications (unread first) and their unread count."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from notifications.kinds import KINDS, Kind
from notifications.models import Notification, NotificationPreference


def notifications_of(*, user: Any) -> QuerySet[Notification]:
    """In-app notifications of `user` in the active org: unread first, newest first."""
    is_read = ExpressionWrapper(Q(read_at__isnull=False), output_field=BooleanField())
    return (
        Notification.objects.filter(user=user, in_app=True)
        .annotate(is_read=is_read)
        .order_by("is_read", "-created_at", "-pk")
    )


def unread_count(*, user: Any) -> int:
    """One COUNT on the partial unread index."""
    return Notification.objects.filter(user=user, in_app=True, read_at__isnull=True).count()


def preferences_of(*, user: Any) -> list[tuple[Kind, bool, str]]:
    """Every kind with the member's choice, or the kind's defaults where none was made."""
    chosen = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for kind in KINDS.values():
        pref = chosen.get(kind.code)
        rows.append((kind, pref.in_app, pref.email) if pref else (kind, kind.in_app, kind.email))
    return rows

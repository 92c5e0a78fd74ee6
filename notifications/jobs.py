"""`email_digest` (nightly): one email per member per day listing their unread notifications
whose delivery is the daily digest, titles and links only (no PHI in email). A member's digest
for a day is a row unique per member and day (EmailDigest), and each notification goes into
one digest at most, so running the job again for the day sends nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from notifications.kinds import DAILY_DIGEST
from notifications.models import EmailDigest, Notification
from notifications.services import link_of, may_see_part2
from rcm.jobs import Job
from rcm.models import Membership


def email_digest(today: dt.date) -> dict[str, Any]:
    counts = {"created": 0, "updated": 0, "emails": 0}
    pending = defaultdict(list)
    rows = Notification.objects.select_for_update().filter(
        email=DAILY_DIGEST, digest__isnull=True, read_at__isnull=True, created_at__date__lte=today
    )
    for n in rows.order_by("created_at", "pk"):
        pending[n.user_id].append(n)
    members = Membership.objects.filter(user_id__in=pending, is_active=True).select_related("user")
    messages = []
    for membership in members:
        items = _visible(membership, pending[membership.user_id])
        if not items:
            continue
        user = membership.user
        digest, created = EmailDigest.objects.get_or_create(
            user=user, day=today, defaults={"count": len(items), "sent_to": user.email}
        )
        if not created:
            continue  # this member's digest for the day is already out
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(digest=digest)
        counts["created"] += 1
        counts["updated"] += len(items)
        if user.email:
            messages.append(_message(today, user.email, items))
    counts["emails"] = len(messages)
    if messages:
        transaction.on_commit(lambda: get_connection().send_messages(messages))
    return counts


def _visible(membership: Membership, items: list[Notification]) -> list[Notification]:
    """Part 2 alerts stay out of the digest of a member who has lost Part 2 access."""
    if any(n.part2 for n in items) and not may_see_part2(membership):
        return [n for n in items if not n.part2]
    return items


def _message(today: dt.date, to: str, items: list[Notification]) -> EmailMessage:
    lines = [f"- {n.title}\n  {link_of(n.url)}" for n in items]
    body = f"Your unread notifications ({len(items)}):\n\n" + "\n".join(lines) + "\n"
    return EmailMessage(
        subject=f"[BH RCM] Daily digest for {today.isoformat()}: {len(items)} notification(s)",
        body=body,
        to=[to],
    )


JOBS = [
    Job(
        "email_digest",
        email_digest,
        "nightly",
        "One email per member with the day's unread digest notifications (titles and links)",
    )
]

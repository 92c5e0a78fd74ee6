"""In-app notifications, their email delivery and each member's preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from notifications.kinds import EMAIL_CHOICES, KIND_CHOICES, OFF
from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel


class EmailDigest(TenantModel):
    """The one daily digest email a member gets for a day (unique per member and day)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    sent_to = models.EmailField(blank=True)  # empty: the member has no address, nothing sent
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "user", "day"], name="uniq_digest_user_day")
        ]


class Notification(TenantModel):
    """One alert for one member. The title and url carry no PHI (the url names public ids only);
    the body may name a patient and is encrypted. Part 2 alerts are created only for members
    with Part 2 access, and hidden again from a member who loses it."""

    part2_path = "part2"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    title = models.CharField(max_length=200)
    body = EncryptedTextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    part2 = models.BooleanField(default=False)
    # Delivery chosen when it was created (the member's preference then).
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=12, choices=EMAIL_CHOICES, default=OFF)
    emailed_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        EmailDigest, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The same alert is never delivered twice to a member.
            models.UniqueConstraint(
                fields=["org", "user", "dedupe_key"], name="uniq_notification_dedupe"
            ),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="/o/"), name="notification_url_in_org"
            ),
        ]
        indexes = [
            models.Index(
                fields=["org", "user", "created_at"],
                condition=Q(read_at__isnull=True, in_app=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["org", "user", "-created_at"], name="notification_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class NotificationPreference(TenantModel):
    """A member's choice for one kind; without a row the kind's defaults apply (kinds.KINDS)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=12, choices=EMAIL_CHOICES, default=OFF)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "user", "kind"], name="uniq_notif_pref_kind")
        ]

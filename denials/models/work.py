"""Denial work beyond the denial itself: appeals (one row per level), parity escalations, and
the org's denial settings (the write-off approval threshold)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from denials.models.denial import Denial
from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel

ZERO = Decimal("0")


class DenialSettings(TenantModel):
    """One per org. Write-offs at or under the threshold happen at once; above it a billing
    manager approves them."""

    write_off_approval_threshold = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("100.00")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org"], name="denial_settings_one_per_org"),
            models.CheckConstraint(
                condition=Q(write_off_approval_threshold__gte=0),
                name="denial_settings_threshold_not_negative",
            ),
        ]


class Appeal(TenantModel):
    part2_path = "part2"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        OVERTURNED = "overturned", "Overturned"
        UPHELD = "upheld", "Upheld"
        PARTIAL = "partial", "Partly overturned"

    denial = models.ForeignKey(Denial, on_delete=models.PROTECT, related_name="appeals")
    level = models.PositiveSmallIntegerField()
    level_name = models.CharField(max_length=80)
    deadline = models.DateField(null=True, blank=True)
    filed_on = models.DateField(null=True, blank=True)
    letter = EncryptedTextField(blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    amount_recovered = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    decided_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    part2 = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "denial", "level"], name="appeal_one_per_level"),
            models.CheckConstraint(condition=Q(level__gte=1), name="appeal_level_positive"),
            models.CheckConstraint(
                condition=Q(amount_recovered__gte=0), name="appeal_recovered_not_negative"
            ),
        ]
        ordering = ["denial", "level"]


class ParityEscalation(TenantModel):
    part2_path = "part2"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        FILED = "filed", "Filed"
        RESOLVED = "resolved", "Resolved"

    denial = models.ForeignKey(Denial, on_delete=models.PROTECT, related_name="escalations")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    regulator = models.CharField(max_length=24)  # denials.parity REGULATORS key
    findings = models.JSONField(default=list, blank=True)  # denials.parity.Finding as dicts
    filed_on = models.DateField(null=True, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    resolution = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    part2 = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]

"""Denials: each denied or partly denied claim or line from a remittance, classified by root
cause (denials.codes), with the appeal deadline from the payer's window and a priority that
explains itself; and their append-only history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from denials.codes import ROOT_CAUSES
from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel

ZERO = Decimal("0")


class Denial(TenantModel):
    part2_path = "part2"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CORRECTED = "corrected", "Corrected claim sent"
        APPEALED = "appealed", "In appeal"
        ESCALATED = "escalated", "Parity escalation"
        WRITE_OFF_PENDING = "wo_pending", "Write-off awaiting approval"
        WRITTEN_OFF = "written_off", "Written off"
        RECOVERED = "recovered", "Recovered"
        REVERSED = "reversed", "Reversed by the payer"
        CLOSED = "closed", "Closed (appeals exhausted)"

    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="denials")
    claim_line = models.ForeignKey(
        "claims.ClaimLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claim_payment = models.ForeignKey(
        "denials.ClaimPayment", on_delete=models.PROTECT, related_name="denials"
    )
    payer = models.ForeignKey("payers.Payer", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(max_length=2)
    carc = models.CharField(max_length=5)
    rarcs = ArrayField(models.CharField(max_length=8), default=list, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    root_cause = models.CharField(max_length=24, choices=[(c, c) for c in ROOT_CAUSES])
    action = models.CharField(max_length=24)  # denials.codes ACTIONS
    recoverability = models.DecimalField(max_digits=3, decimal_places=2)
    parity_relevant = models.BooleanField(default=False)
    explanation = models.JSONField(default=list, blank=True)  # classification reasons
    denied_on = models.DateField()
    appeal_deadline = models.DateField(null=True, blank=True)
    priority = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    priority_reasons = models.JSONField(default=list, blank=True)
    prioritized_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    part2 = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="denial_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["org", "status", "-priority"], name="denial_queue_idx"),
            models.Index(fields=["org", "claim"], name="denial_claim_idx"),
        ]
        ordering = ["-priority", "pk"]


OPEN_DENIAL_STATUSES = (
    Denial.Status.OPEN,
    Denial.Status.CORRECTED,
    Denial.Status.APPEALED,
    Denial.Status.ESCALATED,
    Denial.Status.WRITE_OFF_PENDING,
)


class DenialEvent(TenantModel):
    """Append-only history of a denial (who, when, what, why)."""

    part2_path = "part2"
    append_only = True

    denial = models.ForeignKey(Denial, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=11, blank=True)
    to_status = models.CharField(max_length=11, blank=True)
    message = models.CharField(max_length=500, blank=True)  # system text, no PHI
    note = EncryptedTextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    part2 = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["denial", "created_at", "pk"]

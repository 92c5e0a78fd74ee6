"""Submission batches: one 837 interchange sent (or to be sent) through the org's
clearinghouse adapter, and the claims it carries."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel


class SubmissionBatch(TenantModel):
    # A batch carrying a Part 2 claim is a Part 2 record (withheld like its claims).
    part2_path = "part2"

    class Status(models.TextChoices):
        BUILT = "built", "Built, not sent"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent, awaiting acknowledgment"
        FAILED = "failed", "Sending failed"
        ACCEPTED = "accepted", "Accepted (999)"
        PARTIAL = "partial", "Partly accepted (999)"
        REJECTED = "rejected", "Rejected (999)"

    kind = models.CharField(max_length=4)  # Claim.Kind
    adapter = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BUILT)
    interchange_control_number = models.PositiveIntegerField()
    group_control_number = models.PositiveIntegerField()
    file_name = models.CharField(max_length=120)
    content = EncryptedTextField()  # the 837: PHI
    content_sha256 = models.CharField(max_length=64)
    claim_count = models.PositiveIntegerField(default=0)
    total_charge = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    part2 = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    remote_reference = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "interchange_control_number"], name="uniq_batch_isa13"
            ),
            models.UniqueConstraint(fields=["org", "file_name"], name="uniq_batch_file_name"),
            models.CheckConstraint(
                condition=Q(interchange_control_number__lte=999_999_999),
                name="batch_isa13_nine_digits",
            ),
        ]
        ordering = ["-created_at"]


class BatchClaim(TenantModel):
    """Which claims a batch carried (a claim resent after a rejection is in several)."""

    part2_path = "claim__part2"

    batch = models.ForeignKey(SubmissionBatch, on_delete=models.CASCADE, related_name="items")
    claim = models.ForeignKey("claims.Claim", on_delete=models.PROTECT, related_name="batch_items")
    transaction_control_number = models.CharField(max_length=9)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "batch", "claim"], name="uniq_batch_claim"),
        ]

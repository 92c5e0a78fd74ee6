"""Eligibility checks (270 out, 271 back): one row per question asked about a coverage, with
the answer kept whole (the 271, encrypted) and read into the behavioral-health benefit card
(edi.benefits, stored as JSON, encrypted: both name the member and are PHI). The rows are the
coverage's history: never overwritten by a later check."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel


class EligibilityCheck(TenantModel):
    # Like the patient: members without Part 2 access never see a Part 2 patient's checks.
    part2_path = "patient__episodes__part2_applies"

    class Source(models.TextChoices):
        MANUAL = "manual", "Asked by a person"
        NIGHTLY = "nightly", "Before a visit (nightly job)"
        MONTHLY = "monthly", "Monthly re-verification"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent, waiting for the answer"
        ANSWERED = "answered", "Answered"
        REJECTED = "rejected", "Rejected by the payer"
        FAILED = "failed", "Failed to send"
        REFUSED = "refused", "Refused: no Part 2 consent"

    coverage = models.ForeignKey(
        "patients.Coverage", on_delete=models.CASCADE, related_name="eligibility_checks"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="eligibility_checks"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The day the job (or person) asked on, in the org's zone: nightly/monthly runs are unique
    # per coverage and day.
    run_on = models.DateField()
    source = models.CharField(max_length=8, choices=Source.choices)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.QUEUED)
    service_date = models.DateField()  # DTP*291: the date asked about
    service_types = models.JSONField(default=list)  # the EQ codes sent
    sud_withheld = models.BooleanField(default=False)  # AI/AJ/AK left out: no Part 2 consent
    trace_number = models.CharField(max_length=50, blank=True)
    response_271 = EncryptedTextField(blank=True)
    card_json = EncryptedTextField(blank=True)  # the benefit card (claims.eligibility.card_data)
    changes_json = EncryptedTextField(blank=True)  # what changed since the last answer
    active = models.BooleanField(null=True)  # None: no answer, rejected, or unknown
    coverage_begin = models.DateField(null=True, blank=True)
    coverage_end = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Why it failed, was refused or rejected, or what was left out: never PHI.
    reason = models.CharField(max_length=500, blank=True)
    disclosure = models.ForeignKey(
        "consent.Disclosure", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "coverage", "run_on"],
                condition=Q(source__in=["nightly", "monthly"]),
                name="uniq_scheduled_eligibility_check_per_day",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["failed", "refused", "rejected"]) | ~Q(reason=""),
                name="eligibility_check_failure_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["coverage", "-requested_at"])]
        ordering = ["-requested_at", "-pk"]

    @property
    def card(self) -> dict[str, Any] | None:
        return json.loads(self.card_json) if self.card_json else None

    @property
    def changes(self) -> list[dict[str, str]]:
        return json.loads(self.changes_json) if self.changes_json else []

    @property
    def done(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.SENT)

    def __str__(self) -> str:
        return f"eligibility check {self.public_id} ({self.status})"

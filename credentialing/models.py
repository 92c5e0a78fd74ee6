"""Providers (clinicians), licenses, payer enrollments and CAQH attestation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from coding.types import LICENSE_CHOICES
from rcm.tenancy.models import TenantModel


class Provider(TenantModel):
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    credentials = models.CharField(max_length=40, blank=True, help_text="e.g. LCSW, MD, PMHNP-BC")
    npi = models.CharField("Type-1 NPI", max_length=10)
    taxonomy = models.CharField(max_length=10)
    license_type = models.CharField(max_length=30, choices=LICENSE_CHOICES)
    supervisor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supervisees"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The clinician's own sign-in: they sign their notes and plans with it",
    )
    caqh_id = models.CharField("CAQH ProView id", max_length=20, blank=True)
    caqh_attested_on = models.DateField("CAQH last attestation", null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "npi"], name="uniq_provider_npi"),
            models.UniqueConstraint(
                fields=["org", "user"], condition=Q(user__isnull=False), name="uniq_provider_user"
            ),
            models.CheckConstraint(
                condition=Q(npi__regex=r"^[0-9]{10}$"), name="provider_npi_ten_digits"
            ),
            models.CheckConstraint(
                condition=Q(taxonomy__regex=r"^[0-9]{3}[0-9A-Z]{6}X$"),
                name="provider_taxonomy_format",
            ),
            models.CheckConstraint(
                condition=Q(supervisor__isnull=True) | ~Q(supervisor=F("id")),
                name="provider_not_own_supervisor",
            ),
        ]
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        suffix = f", {self.credentials}" if self.credentials else ""
        return f"{self.first_name} {self.last_name}{suffix}"


class License(TenantModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        REVOKED = "revoked", "Revoked"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="licenses")
    state = models.CharField(max_length=2)
    number = models.CharField(max_length=40)
    license_type = models.CharField(max_length=30, choices=LICENSE_CHOICES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "state", "number"], name="uniq_license_number"),
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True) | Q(expires_on__gt=F("issued_on")),
                name="license_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=Q(state__regex=r"^[A-Z]{2}$"), name="license_state_code"
            ),
        ]


class PayerEnrollment(TenantModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        SUBMITTED = "submitted", "Submitted (pending)"
        ENROLLED = "enrolled", "Enrolled"
        DENIED = "denied", "Denied"
        TERMINATED = "terminated", "Terminated"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="enrollments")
    payer = models.ForeignKey("payers.Payer", on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    submitted_on = models.DateField(null=True, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    recredential_due = models.DateField(null=True, blank=True)
    payer_provider_id = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "provider", "payer"], name="uniq_enrollment"),
            models.CheckConstraint(
                condition=~Q(status="enrolled") | Q(effective_date__isnull=False),
                name="enrolled_has_effective_date",
            ),
            models.CheckConstraint(
                condition=Q(recredential_due__isnull=True)
                | Q(effective_date__isnull=True)
                | Q(recredential_due__gt=F("effective_date")),
                name="enrollment_recredential_after_effective",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(effective_date__isnull=True)
                | Q(end_date__gte=F("effective_date")),
                name="enrollment_ends_after_effective",
            ),
        ]

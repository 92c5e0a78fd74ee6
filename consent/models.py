"""42 CFR Part 2 consents (every §2.31 element) and the accounting of disclosures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel


class Part2Consent(TenantModel):
    class Kind(models.TextChoices):
        TPO = "tpo", "Treatment, payment and health care operations (TPO)"
        SPECIFIC = "specific", "Specific disclosure"
        COUNSELING_NOTES = "counseling_notes", "SUD counseling notes (separate consent)"

    class RecipientKind(models.TextChoices):
        NAMED = "named", "Named recipient"
        CLASS = "class", "Class of recipients"

    class SignerRole(models.TextChoices):
        PATIENT = "patient", "Patient"
        GUARDIAN = "guardian", "Parent or guardian"
        REPRESENTATIVE = "representative", "Authorized representative"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE,
                                related_name="part2_consents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # (2) who may use or disclose
    disclosing_party = models.CharField(max_length=200)
    # (3) what information, specifically
    information_scope = models.TextField()
    # (4) recipients, named or by class
    recipient_kind = models.CharField(max_length=6, choices=RecipientKind.choices)
    recipients = models.TextField()
    # (5) purpose
    purpose = models.CharField(max_length=300)
    # (6) right to revoke in writing, how, and the reliance exception
    revocation_rights_stated = models.BooleanField(default=False)
    # (7) expiration: a date, or an event / "end of treatment" / "none" (TPO only)
    expires_on = models.DateField(null=True, blank=True)
    expiration_event = models.CharField(max_length=200, blank=True)
    # (8) signature; (9) date signed
    signer_name = EncryptedTextField()
    signer_role = models.CharField(max_length=16, choices=SignerRole.choices,
                                   default=SignerRole.PATIENT)
    signature_method = models.CharField(max_length=12, choices=[("wet", "Wet signature"),
                                        ("electronic", "Electronic signature")])
    signed_on = models.DateField()
    # (10) TPO to covered entities: HIPAA redisclosure statement and consequences of refusal
    redisclosure_notice_stated = models.BooleanField(default=False)
    refusal_consequences_stated = models.BooleanField(default=False)
    revoked_on = models.DateField(null=True, blank=True)
    revocation_method = models.CharField(max_length=12, blank=True,
                                         choices=[("written", "In writing"),
                                                  ("electronic", "Electronically")])
    revoked_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                            null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=False) | ~Q(expiration_event=""),
                name="consent_has_expiration"),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | ~Q(revocation_method=""),
                name="revocation_has_method"),
        ]
        ordering = ["-signed_on"]


class Disclosure(TenantModel):
    """Accounting of disclosures (§2.25): every release of Part 2 records, under which consent."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT,
                                related_name="part2_disclosures")
    consent = models.ForeignKey(Part2Consent, on_delete=models.PROTECT, related_name="disclosures")
    recipient = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    description = models.CharField(max_length=300, help_text="What was disclosed (no PHI text)")
    channel = models.CharField(max_length=30, help_text="e.g. 837P claim, 278, appeal letter")
    reference = models.CharField(max_length=60, blank=True, help_text="e.g. claim number")
    disclosed_at = models.DateTimeField(auto_now_add=True)
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, related_name="+")

    class Meta:
        ordering = ["-disclosed_at"]

"""42 CFR Part 2 consents (every §2.31 element) and the accounting of disclosures."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from consent.qso_rules import SERVICES as QSO_SERVICES
from consent.qso_rules import in_force as qso_in_force
from consent.rules import (
    CONSENT,
    CONSENT_PURPOSES,
    CONSENT_RECIPIENT_KINDS,
    COUNSELING_NOTES,
    INFORMATION_CATEGORIES,
    LEGAL_BASES,
    OTHER_RECIPIENT,
    TPO_PURPOSES,
    category_labels,
)
from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel


class Part2Consent(TenantModel):
    part2_path = "__all__"

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

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="part2_consents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # (2) who may use or disclose
    disclosing_party = models.CharField(max_length=200)
    # (3) what information, specifically: the consent's own words, and the same scope as data
    # (consent.rules.INFORMATION_CATEGORIES) that the gate compares every disclosure with.
    # Consents recorded before the categories existed have none and release nothing.
    information_scope = models.TextField()
    information_categories = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    # (4) recipients, named or by class
    recipient_kind = models.CharField(max_length=6, choices=RecipientKind.choices)
    recipients = models.TextField()
    # The same recipients as data (consent.rules.CONSENT_RECIPIENT_KINDS), which the gate decides
    # from; the words above are what the patient signed. Recorded without them: releases nothing.
    recipient_kinds = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    # §2.31(a)(4)(iii): a recipient is a HIPAA covered entity or business associate receiving
    # the records for treatment, payment or health care operations (any kind of consent).
    recipient_covered_entity = models.BooleanField(default=False)
    # (5) purpose
    purpose = models.CharField(max_length=300)
    # The same purposes as data (consent.rules.CONSENT_PURPOSES), which the gate decides from.
    purposes = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    # (6) right to revoke in writing, how, and the reliance exception
    revocation_rights_stated = models.BooleanField(default=False)
    # (7) expiration: a date, or an event / "end of treatment" / "none" (TPO only)
    expires_on = models.DateField(null=True, blank=True)
    expiration_event = models.CharField(max_length=200, blank=True)
    # (8) signature; (9) date signed
    signer_name = EncryptedTextField()
    signer_role = models.CharField(
        max_length=16, choices=SignerRole.choices, default=SignerRole.PATIENT
    )
    signature_method = models.CharField(
        max_length=12, choices=[("wet", "Wet signature"), ("electronic", "Electronic signature")]
    )
    signed_on = models.DateField()
    # (10) HIPAA redisclosure statement (TPO consents, and any consent whose recipient is a
    # covered entity or business associate receiving for TPO), consequences of refusal (TPO)
    redisclosure_notice_stated = models.BooleanField(default=False)
    refusal_consequences_stated = models.BooleanField(default=False)
    revoked_on = models.DateField(null=True, blank=True)
    revocation_method = models.CharField(
        max_length=12,
        blank=True,
        choices=[("written", "In writing"), ("electronic", "Electronically")],
    )
    revoked_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=False) | ~Q(expiration_event=""),
                name="consent_has_expiration",
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | ~Q(revocation_method=""),
                name="revocation_has_method",
            ),
            # The rule's elements as database invariants too (services give the friendly errors).
            models.CheckConstraint(
                condition=Q(kind__in=["tpo", "specific", "counseling_notes"]),
                name="consent_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(recipient_kind__in=["named", "class"]),
                name="consent_recipient_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(signature_method__in=["wet", "electronic"]),
                name="consent_signature_method_valid",
            ),
            models.CheckConstraint(
                condition=~Q(disclosing_party="")
                & ~Q(information_scope="")
                & ~Q(recipients="")
                & ~Q(purpose="")
                & ~Q(signer_name=""),
                name="consent_required_text_present",
            ),
            models.CheckConstraint(
                condition=Q(revocation_rights_stated=True), name="consent_states_revocation_rights"
            ),
            models.CheckConstraint(
                condition=~Q(kind="tpo")
                | Q(redisclosure_notice_stated=True, refusal_consequences_stated=True),
                name="consent_tpo_states_redisclosure_and_refusal",
            ),
            models.CheckConstraint(
                condition=Q(recipient_covered_entity=False) | Q(redisclosure_notice_stated=True),
                name="consent_covered_entity_recipient_states_redisclosure",
            ),
            models.CheckConstraint(
                condition=Q(information_categories__contained_by=list(INFORMATION_CATEGORIES)),
                name="consent_categories_known",
            ),
            # SUD counseling notes: their own consent, never combined with another (§2.31(b)).
            models.CheckConstraint(
                condition=Q(kind="counseling_notes")
                | ~Q(information_categories__contains=[COUNSELING_NOTES]),
                name="consent_notes_only_in_a_notes_consent",
            ),
            models.CheckConstraint(
                condition=~Q(kind="counseling_notes")
                | Q(information_categories__contained_by=[COUNSELING_NOTES]),
                name="consent_notes_consent_releases_notes_only",
            ),
            models.CheckConstraint(
                condition=Q(purposes__contained_by=list(CONSENT_PURPOSES)),
                name="consent_purposes_known",
            ),
            models.CheckConstraint(
                condition=Q(recipient_kinds__contained_by=list(CONSENT_RECIPIENT_KINDS)),
                name="consent_recipient_kinds_known",
            ),
            # A TPO consent is for treatment, payment and operations, all three (none: recorded
            # before purposes were data, and it releases nothing).
            models.CheckConstraint(
                condition=~Q(kind="tpo")
                | Q(purposes=[])
                | Q(
                    purposes__contains=list(TPO_PURPOSES), purposes__contained_by=list(TPO_PURPOSES)
                ),
                name="consent_tpo_purposes_are_tpo",
            ),
            # SUD counseling notes are never sent to payers (REFERENCE §8).
            models.CheckConstraint(
                condition=~Q(kind="counseling_notes")
                | (
                    ~Q(purposes__contains=["payment"])
                    & ~Q(recipient_kinds__contains=["health_plan"])
                ),
                name="consent_notes_never_for_payment",
            ),
            # Other individuals or organizations are covered by name only.
            models.CheckConstraint(
                condition=Q(recipient_kind="named")
                | ~Q(recipient_kinds__contains=[OTHER_RECIPIENT]),
                name="consent_other_recipients_named",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("signed_on")),
                name="consent_expires_after_signing",
            ),
            # Revocation is prospective: never dated before the signature.
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=F("signed_on")),
                name="consent_revoked_after_signing",
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=False) | Q(revocation_method=""),
                name="revocation_method_needs_date",
            ),
        ]
        ordering = ["-signed_on"]

    def state_on(self, on_date: datetime.date) -> str:
        """'valid', 'revoked', 'expired' or 'not_yet_signed' on `on_date` (consent.rules), with
        an 'end of treatment' expiry resolved to the discharge date."""
        from consent.selectors import consent_state_of

        return consent_state_of(self, on_date=on_date)


class RecipientRevocation(TenantModel):
    """Partial revocation: the patient revokes a consent for one of its named recipients only
    (SAMHSA FAQ; in writing or electronically, prospective, like a whole revocation)."""

    part2_path = "__all__"

    consent = models.ForeignKey(
        Part2Consent, on_delete=models.CASCADE, related_name="recipient_revocations"
    )
    recipient = models.CharField(max_length=200, help_text="As named on the consent")
    revoked_on = models.DateField()
    method = models.CharField(
        max_length=12, choices=[("written", "In writing"), ("electronic", "Electronically")]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "consent", "recipient"], name="uniq_recipient_revocation"
            ),
            models.CheckConstraint(
                condition=Q(method__in=["written", "electronic"]) & ~Q(recipient=""),
                name="recipient_revocation_valid",
            ),
        ]
        ordering = ["revoked_on", "id"]


class Disclosure(TenantModel):
    """Accounting of disclosures (§2.25): every release of Part 2 records, with its legal basis
    (the consent it was made under, or the section that allows it without consent)."""

    part2_path = "__all__"

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="part2_disclosures"
    )
    # The legal basis (consent.rules.LEGAL_BASES): a consent checked by the gate, or a section
    # that allows disclosure without consent (medical emergency, audit, court order ...).
    legal_basis = models.CharField(
        max_length=24, choices=list(LEGAL_BASES.items()), default=CONSENT
    )
    consent = models.ForeignKey(
        Part2Consent,
        on_delete=models.PROTECT,
        related_name="disclosures",
        null=True,
        blank=True,
    )
    # Without consent: what the section asks to be documented (nature of the emergency, the
    # court order's docket and date, the audit ...). No PHI text.
    basis_detail = models.CharField(max_length=300, blank=True)
    recipient = models.CharField(max_length=200)
    # §2.25 / 45 CFR 164.528(b)(2): the recipient's name and, when known, address.
    recipient_address = models.CharField(max_length=300, blank=True)
    purpose = models.CharField(max_length=300)
    description = models.CharField(max_length=300, help_text="What was disclosed (no PHI text)")
    # What the disclosure carried, in the consent's terms (consent.rules.INFORMATION_CATEGORIES).
    information_categories = ArrayField(models.CharField(max_length=20))
    channel = models.CharField(max_length=30, help_text="e.g. 837P claim, 278, appeal letter")
    reference = models.CharField(max_length=60, blank=True, help_text="e.g. claim number")
    # §2.32: which of the two statements went with the disclosure, and the explanation of the
    # consent's scope sent with it (§2.32(b)), exactly as sent.
    notice_statement = models.PositiveSmallIntegerField(
        choices=[(1, "Statement 1 (42 CFR 2.32(a)(1))"), (2, "Statement 2 (42 CFR 2.32(a)(2))")],
        null=True,
        blank=True,
    )
    scope_explanation = models.TextField(blank=True)
    disclosed_at = models.DateTimeField(auto_now_add=True)
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(recipient="") & ~Q(purpose="") & ~Q(description="") & ~Q(channel=""),
                name="disclosure_required_text_present",
            ),
            models.CheckConstraint(
                condition=Q(legal_basis__in=list(LEGAL_BASES)),
                name="disclosure_legal_basis_valid",
            ),
            # With consent: the consent, the §2.32 statement and scope explanation it carried.
            # Without: no consent, no notice, and the basis documented.
            models.CheckConstraint(
                condition=(
                    Q(legal_basis=CONSENT, consent__isnull=False, notice_statement__in=[1, 2])
                    & ~Q(scope_explanation="")
                )
                | (
                    ~Q(legal_basis=CONSENT)
                    & Q(consent__isnull=True, notice_statement__isnull=True)
                    & ~Q(basis_detail="")
                ),
                name="disclosure_consent_and_notice_or_basis",
            ),
            models.CheckConstraint(
                condition=Q(information_categories__len__gt=0)
                & Q(information_categories__contained_by=list(INFORMATION_CATEGORIES)),
                name="disclosure_says_what_it_carried",
            ),
        ]
        ordering = ["-disclosed_at"]

    @property
    def category_labels(self) -> list[str]:
        return category_labels(self.information_categories)


class QualifiedServiceAgreement(TenantModel):
    """A qualified service organization agreement (42 CFR 2.11, 2.12(c)(4)) between this program
    and an outside billing company. While one is in force, the company's staff who are members
    here may see Part 2 records, if an admin has also granted them access (rcm.tenancy.part2).
    Ending it ends their access without anyone touching the grant."""

    counterparty = models.ForeignKey("rcm.Organization", on_delete=models.PROTECT, related_name="+")
    services = ArrayField(models.CharField(max_length=24))
    effective_on = models.DateField()
    # The first day the agreement is no longer in force; blank: until it is ended.
    ends_on = models.DateField(null=True, blank=True)
    # The two statements §2.11 requires in the written agreement.
    qso_bound_by_part2 = models.BooleanField(default=False)
    qso_resists_judicial_efforts = models.BooleanField(default=False)
    document_reference = models.CharField(
        max_length=300, help_text="Where the signed agreement is kept: file name, id or link"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(qso_bound_by_part2=True, qso_resists_judicial_efforts=True),
                name="qsoa_states_both_2_11_undertakings",
            ),
            models.CheckConstraint(
                condition=Q(services__len__gt=0) & Q(services__contained_by=list(QSO_SERVICES)),
                name="qsoa_services_known",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("effective_on")),
                name="qsoa_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~Q(counterparty=F("org")), name="qsoa_counterparty_is_another_org"
            ),
            models.CheckConstraint(
                condition=~Q(document_reference=""), name="qsoa_document_reference_present"
            ),
        ]
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"QSOA with {self.counterparty} from {self.effective_on}"

    def in_force_on(self, on_date: datetime.date) -> bool:
        return qso_in_force(effective_on=self.effective_on, ends_on=self.ends_on, on_date=on_date)

    @property
    def service_labels(self) -> list[str]:
        return [QSO_SERVICES.get(code, code) for code in self.services]

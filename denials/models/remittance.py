"""Remittances received (835 files and the payments in them), what was posted to each claim and
line, provider-level adjustments, the exceptions a biller resolves, and the patient's ledger.

Every row carries `part2` (copied from the claim it posts to) so members without Part 2 access
never see postings to Part 2 claims; a file is Part 2 when any claim it pays is."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel

ZERO = Decimal("0")


def money(**kwargs):  # noqa: ANN201 - a field factory
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class RemittanceFile(TenantModel):
    """An 835 file received: kept encrypted, imported once (sha256 unique per org)."""

    part2_path = "part2"

    class Status(models.TextChoices):
        POSTED = "posted", "Posted"
        REFUSED = "refused", "Refused"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Uploaded"
        COMMAND = "command", "Command line"
        CLEARINGHOUSE = "clearinghouse", "Clearinghouse"

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    content = EncryptedTextField()  # names patients: PHI
    source = models.CharField(max_length=13, choices=Source.choices, default=Source.UPLOAD)
    status = models.CharField(max_length=8, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)  # why refused; no PHI
    summary = models.JSONField(default=dict, blank=True)  # counts and totals, no PHI
    part2 = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "sha256"], name="uniq_remit_file_sha256"),
            models.CheckConstraint(
                condition=Q(status="posted") | ~Q(reason=""), name="remit_refusal_has_reason"
            ),
        ]
        ordering = ["-received_at", "-pk"]


class Remittance(TenantModel):
    """One 835 transaction: one payment (or advice) from one payer to one payee."""

    part2_path = "part2"

    file = models.ForeignKey(RemittanceFile, on_delete=models.PROTECT, related_name="remittances")
    payer = models.ForeignKey(
        "payers.Payer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payer_name = models.CharField(max_length=120, blank=True)
    payer_key = models.CharField(max_length=80)  # N1*PR id, else REF*2U, else TRN03, else name
    trace_number = models.CharField(max_length=80, blank=True)  # TRN02 (check / EFT number)
    handling_code = models.CharField(max_length=2)  # BPR01: I pay + advice, H advice only
    payment_method = models.CharField(max_length=3, blank=True)  # ACH, CHK, NON, BOP, FWT
    total_paid = money()
    payment_date = models.DateField(null=True, blank=True)
    payee_npi = models.CharField(max_length=10, blank=True)
    claim_count = models.PositiveIntegerField(default=0)
    provider_adjustment_total = money(default=ZERO)  # sum of PLB amounts, signed as in the file
    balanced = models.BooleanField(default=True)
    part2 = models.BooleanField(default=False)
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # The same payment posts once, whichever file it arrives in (payer + TRN02).
            models.UniqueConstraint(
                fields=["org", "payer_key", "trace_number"],
                condition=~Q(trace_number=""),
                name="uniq_remittance_payer_trace",
            ),
        ]
        ordering = ["-payment_date", "-pk"]


class ClaimPayment(TenantModel):
    """A CLP: the payer's adjudication of one claim in one remittance (reversals, CLP02=22,
    carry negative amounts so sums net)."""

    part2_path = "part2"

    remittance = models.ForeignKey(Remittance, on_delete=models.PROTECT, related_name="claims")
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    patient_control_number = models.CharField(max_length=38)
    status_code = models.CharField(max_length=2)  # CLP02
    charge = money()
    paid = money()
    patient_responsibility = money(default=ZERO)
    payer_claim_number = models.CharField(max_length=50, blank=True)
    reversal = models.BooleanField(default=False)
    position = models.PositiveIntegerField()
    payment_date = models.DateField(null=True, blank=True)
    remarks = ArrayField(models.CharField(max_length=8), default=list, blank=True)  # MOA/MIA
    details = EncryptedTextField(blank=True)  # the member as the payer names them: PHI
    part2 = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["org", "claim"], name="claim_payment_claim_idx")]
        ordering = ["remittance", "position"]


class LinePayment(TenantModel):
    """An SVC: one service line's adjudication."""

    part2_path = "part2"

    claim_payment = models.ForeignKey(ClaimPayment, on_delete=models.CASCADE, related_name="lines")
    claim_line = models.ForeignKey(
        "claims.ClaimLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    procedure_code = models.CharField(max_length=48)
    modifiers = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    revenue_code = models.CharField(max_length=4, blank=True)
    charge = money()
    paid = money()
    allowed = money(null=True, blank=True)
    units = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    service_date = models.DateField(null=True, blank=True)
    line_control_number = models.CharField(max_length=50, blank=True)
    remarks = ArrayField(models.CharField(max_length=8), default=list, blank=True)  # LQ*HE
    position = models.PositiveIntegerField()
    part2 = models.BooleanField(default=False)

    class Meta:
        ordering = ["claim_payment", "position"]


class Adjustment(TenantModel):
    """One CAS reason: group (CO, PR, OA, PI, CR), CARC, amount (signed), on the claim or a
    line; `kind` says how posting treated it."""

    part2_path = "part2"

    class Kind(models.TextChoices):
        CONTRACTUAL = "contractual", "Contractual (provider absorbs)"
        PATIENT = "patient", "Patient responsibility"
        DENIAL = "denial", "Denial"
        OTHER = "other", "Other (informational, reversal)"

    claim_payment = models.ForeignKey(
        ClaimPayment, on_delete=models.CASCADE, related_name="adjustments"
    )
    line_payment = models.ForeignKey(
        LinePayment, on_delete=models.CASCADE, null=True, blank=True, related_name="adjustments"
    )
    group = models.CharField(max_length=2)
    reason = models.CharField(max_length=5)
    amount = money()
    quantity = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    kind = models.CharField(max_length=11, choices=Kind.choices)
    part2 = models.BooleanField(default=False)

    class Meta:
        ordering = ["claim_payment", "pk"]


class ProviderAdjustment(TenantModel):
    """A PLB pair: money taken back or added at the provider level (WO overpayment recovery, L6
    interest, FB forwarding balance, 72 authorized return...). Positive reduces the payment."""

    part2_path = "part2"

    remittance = models.ForeignKey(
        Remittance, on_delete=models.CASCADE, related_name="provider_adjustments"
    )
    provider_identifier = models.CharField(max_length=50)
    reason_code = models.CharField(max_length=2)
    reference = models.CharField(max_length=80, blank=True)
    amount = money()
    fiscal_period_date = models.DateField(null=True, blank=True)
    part2 = models.BooleanField(default=False)


class PostingException(TenantModel):
    """Something posting could not settle by itself: a claim the org does not know, a line that
    matched nothing, an overpayment or takeback, a file that does not balance."""

    part2_path = "part2"

    class Kind(models.TextChoices):
        UNMATCHED_CLAIM = "unmatched_claim", "Claim not found"
        UNMATCHED_LINE = "unmatched_line", "Service line not matched"
        OVERPAYMENT = "overpayment", "Overpayment"
        TAKEBACK = "takeback", "Takeback / provider adjustment"
        REVERSAL = "reversal", "Payment reversed"
        BALANCE = "balance", "Does not balance"
        NOT_OUR_CLAIM = "not_our_claim", "Payer says not our claim"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="exceptions")
    claim_payment = models.ForeignKey(
        ClaimPayment, on_delete=models.CASCADE, null=True, blank=True, related_name="exceptions"
    )
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    message = models.CharField(max_length=500)  # no PHI: control numbers, codes, amounts
    amount = money(default=ZERO)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    resolution = EncryptedTextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    part2 = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["org", "status", "kind"], name="posting_exc_queue_idx")]
        ordering = ["status", "-created_at", "pk"]


class PatientLedgerEntry(TenantModel):
    """The patient's account: their share from remittances (PR), payments they made, and
    adjustments. The balance is the sum of `amount` (positive: the patient owes)."""

    part2_path = "part2"

    class Kind(models.TextChoices):
        RESPONSIBILITY = "responsibility", "Patient responsibility (from the payer)"
        PAYMENT = "payment", "Patient payment"
        ADJUSTMENT = "adjustment", "Adjustment"

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    claim_payment = models.ForeignKey(
        ClaimPayment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    reason = models.CharField(max_length=80, blank=True)  # e.g. "PR-1 deductible"
    amount = money()
    posted_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    part2 = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["org", "patient"], name="patient_ledger_idx")]
        ordering = ["patient", "posted_on", "pk"]

"""Claims, their lines, the services they bill, the scrubber's findings and the claim's
append-only history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel

ZERO = Decimal("0")


class Claim(TenantModel):
    """One claim to one payer: an 837P (professional) or an 837I (institutional) claim."""

    # A claim of a Part 2 episode is a Part 2 record: withheld from members without access.
    part2_path = "part2"

    class Kind(models.TextChoices):
        PROFESSIONAL = "837p", "Professional (837P)"
        INSTITUTIONAL = "837i", "Institutional (837I)"

    class Status(models.TextChoices):
        HELD = "held", "Held by the scrubber"
        READY = "ready", "Ready to submit"
        ON_HOLD = "on_hold", "Held by a biller"
        QUEUED = "queued", "In a batch being sent"
        SUBMITTED = "submitted", "Submitted, awaiting acknowledgment"
        ACCEPTED = "accepted", "Accepted, awaiting payment"
        REJECTED = "rejected", "Rejected"
        PAID = "paid", "Paid"
        DENIED = "denied", "Denied"
        REPLACED = "replaced", "Replaced"
        VOIDED = "voided", "Voided"
        CANCELLED = "cancelled", "Cancelled before submission"

    class Frequency(models.TextChoices):
        ORIGINAL = "1", "Original (admit through discharge)"
        INTERIM_FIRST = "2", "Interim, first claim"
        INTERIM_CONTINUING = "3", "Interim, continuing claim"
        INTERIM_LAST = "4", "Interim, last claim"
        REPLACEMENT = "7", "Replacement of a prior claim"
        VOID = "8", "Void of a prior claim"

    control_number = models.CharField(
        "Patient control number", max_length=20, help_text="CLM01: no PHI, unique"
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    frequency = models.CharField(max_length=1, choices=Frequency.choices, default="1")
    original = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="successors"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    coverage = models.ForeignKey("patients.Coverage", on_delete=models.PROTECT, related_name="+")
    payer = models.ForeignKey("payers.Payer", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        "patients.EpisodeOfCare", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    program = models.CharField(max_length=3, blank=True)
    level = models.CharField(max_length=24, blank=True)
    rendering_provider = models.ForeignKey(
        "credentialing.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supervising_provider = models.ForeignKey(
        "credentialing.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attending_provider = models.ForeignKey(
        "credentialing.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The billing provider as built (facilities.selectors.billing_identity_for), kept so the
    # 837 written later says what was scrubbed.
    billing = models.JSONField(default=dict)
    service_from = models.DateField()
    service_to = models.DateField()
    place_of_service = models.CharField(max_length=2, blank=True)
    type_of_bill = models.CharField(max_length=3, blank=True)
    diagnoses = ArrayField(models.CharField(max_length=8), default=list)
    condition_codes = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    occurrence_codes = models.JSONField(default=list, blank=True)  # [{"code", "date"}]
    occurrence_spans = models.JSONField(default=list, blank=True)  # [{"code", "from", "to"}]
    value_codes = models.JSONField(default=list, blank=True)  # [{"code", "amount"}]
    total_charge = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    # Money after remittances (kept by denials.posting, netting reversals): what the payers
    # paid, contractual adjustments (not denials), the patient's share moved to the patient,
    # amounts written off, and the open insurance balance: charge - paid - contractual -
    # patient share - written off (denied amounts stay in it until recovered or written off).
    paid_amount = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    contractual_amount = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    patient_amount = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    written_off_amount = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    denied_amount = models.DecimalField(max_digits=12, decimal_places=2, default=ZERO)
    balance = models.GeneratedField(
        expression=F("total_charge")
        - F("paid_amount")
        - F("contractual_amount")
        - F("patient_amount")
        - F("written_off_amount"),
        output_field=models.DecimalField(max_digits=12, decimal_places=2),
        db_persist=True,
    )
    remitted_at = models.DateField(null=True, blank=True)  # the last remittance's payment date
    prior_auth_number = models.CharField(max_length=50, blank=True)
    delay_reason = models.CharField("Delay reason (CLM20)", max_length=2, blank=True)
    payer_claim_number = models.CharField(max_length=50, blank=True)
    # A secondary (or tertiary) claim names the claim whose adjudication it carries, and keeps
    # that adjudication as the 837's COB data (loops 2320/2330/2430), filled by denials from
    # the remittance rows: {"payers": [{"coverage_id", "paid", "patient_liability",
    # "adjudicated_on", "adjustments": [[group, reason, amount]], "lines": {"<line number>":
    # {"paid", "units", "code", "modifiers", "revenue_code", "adjustments"}}}]}.
    primary_claim = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="secondaries"
    )
    cob = models.JSONField(default=dict, blank=True)
    part2 = models.BooleanField(default=False)
    # Optimistic locking: every change bumps it; a write carrying an older version is refused.
    version = models.PositiveIntegerField(default=1)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # Error findings' edit codes (queue filter "held by edit") and counts, from the last scrub.
    hold_codes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    scrubbed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    rejection = models.TextField(blank=True)  # the acknowledgment's reason, in plain words
    batch = models.ForeignKey(
        "claims.SubmissionBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="latest_claims",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "control_number"], name="uniq_claim_pcn"),
            models.CheckConstraint(
                condition=Q(service_to__gte=F("service_from")), name="claim_period_in_order"
            ),
            models.CheckConstraint(
                condition=~Q(frequency__in=["7", "8"]) | Q(original__isnull=False),
                name="claim_replacement_names_original",
            ),
            models.CheckConstraint(condition=Q(total_charge__gte=0), name="claim_charge_positive"),
            # One live secondary per primary (a cancelled or voided one lets a new one be built).
            models.UniqueConstraint(
                fields=["org", "primary_claim"],
                condition=Q(primary_claim__isnull=False) & ~Q(status__in=["cancelled", "voided"]),
                name="uniq_live_secondary_per_primary",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "status", "service_from"], name="claim_queue_idx"),
            models.Index(fields=["org", "patient", "service_from"], name="claim_patient_idx"),
            # Open A/R (denials.reports): claims with a balance, by payer and age, covering.
            models.Index(
                fields=["org", "payer", "service_from"],
                include=["status", "balance", "submitted_at"],
                condition=Q(balance__gt=0),
                name="claim_ar_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.control_number

    @property
    def is_institutional(self) -> bool:
        return self.kind == self.Kind.INSTITUTIONAL


# Statuses in which a claim still bills its services (a session is on at most one such claim).
ACTIVE_STATUSES = (
    Claim.Status.HELD,
    Claim.Status.READY,
    Claim.Status.ON_HOLD,
    Claim.Status.QUEUED,
    Claim.Status.SUBMITTED,
    Claim.Status.ACCEPTED,
    Claim.Status.REJECTED,
    Claim.Status.PAID,
    Claim.Status.DENIED,
)
# Statuses in which the claim can still be changed before it leaves (no replacement needed).
UNSENT_STATUSES = (Claim.Status.HELD, Claim.Status.READY, Claim.Status.ON_HOLD)
# Statuses at which the payer has it: changes go through a replacement (7) or a void (8).
SENT_STATUSES = (
    Claim.Status.SUBMITTED,
    Claim.Status.ACCEPTED,
    Claim.Status.PAID,
    Claim.Status.DENIED,
)


class ClaimLine(TenantModel):
    part2_path = "claim__part2"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField()
    control_number = models.CharField("Line control number (REF*6R)", max_length=30)
    service_date = models.DateField()
    service_date_to = models.DateField(null=True, blank=True)
    code = models.CharField(max_length=5, blank=True)
    modifiers = ArrayField(models.CharField(max_length=2), default=list, blank=True, size=4)
    revenue_code = models.CharField(max_length=4, blank=True)
    units = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_kind = models.CharField(max_length=2, default="UN")  # UN units, DA days
    charge = models.DecimalField(max_digits=10, decimal_places=2, default=ZERO)
    charge_source = models.CharField(max_length=20, blank=True)
    pos = models.CharField(max_length=2, blank=True)
    pointers = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True, size=4)
    rendering_provider = models.ForeignKey(
        "credentialing.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(
        "patients.Session", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    authorization = models.ForeignKey(
        "authorizations.PriorAuthorization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "claim", "number"], name="uniq_claim_line_number"
            ),
            models.UniqueConstraint(
                fields=["org", "control_number"], name="uniq_claim_line_control"
            ),
            models.CheckConstraint(condition=Q(units__gt=0), name="claim_line_units_positive"),
            models.CheckConstraint(condition=Q(charge__gte=0), name="claim_line_charge_positive"),
            models.CheckConstraint(
                condition=Q(modifiers__len__lte=4), name="claim_line_at_most_4_modifiers"
            ),
            models.CheckConstraint(
                condition=~Q(code="") | ~Q(revenue_code=""), name="claim_line_has_a_code"
            ),
        ]
        ordering = ["claim", "number"]


class ClaimService(TenantModel):
    """A session (service or program day) a claim bills. A session is billed by at most one
    active claim; a replaced, voided or cancelled claim lets go of its sessions."""

    part2_path = "claim__part2"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="services")
    session = models.ForeignKey("patients.Session", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "session"],
                condition=Q(active=True),
                name="uniq_active_claim_per_session",
            ),
            models.UniqueConstraint(fields=["org", "claim", "session"], name="uniq_claim_session"),
        ]


class ClaimFinding(TenantModel):
    """One finding of the claim's last scrub (replaced at each scrub; the events keep the
    history of holds and releases)."""

    part2_path = "claim__part2"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="findings")
    code = models.CharField(max_length=40)
    severity = models.CharField(max_length=8)
    message = models.TextField()
    fix = models.TextField(blank=True)
    fix_url = models.CharField(max_length=300, blank=True)
    line_number = models.PositiveSmallIntegerField(null=True, blank=True)
    service_public_id = models.CharField(max_length=36, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "-severity", "line_number", "code"]


class ClaimEvent(TenantModel):
    """Append-only history of a claim: who did what, when, why, and the status it moved
    between (the database refuses updates and deletes for the app role)."""

    part2_path = "claim__part2"
    append_only = True

    class Kind(models.TextChoices):
        BUILT = "built", "Built"
        SCRUBBED = "scrubbed", "Scrubbed"
        HELD = "held", "Held"
        RELEASED = "released", "Released"
        ASSIGNED = "assigned", "Assigned"
        NOTE = "note", "Note"
        QUEUED = "queued", "Queued for submission"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        REPLACED = "replaced", "Replaced"
        VOIDED = "voided", "Voided"
        CANCELLED = "cancelled", "Cancelled"
        CHANGED = "changed", "Changed"
        REMITTED = "remitted", "Remittance posted"
        DENIED = "denied", "Denied"
        WRITTEN_OFF = "written_off", "Written off"
        SECONDARY = "secondary", "Secondary claim built"
        STATUS_CHECK = "status_check", "Claim status answered (276/277)"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    message = models.CharField(max_length=500, blank=True)  # system text, no PHI
    note = EncryptedTextField(blank=True)  # a person's words: may name clinical detail
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "created_at", "pk"]


class SavedQueueFilter(TenantModel):
    """A biller's saved filter on a claim queue."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)
    queue = models.CharField(max_length=20)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "user", "name"], name="uniq_saved_filter")
        ]
        ordering = ["name"]

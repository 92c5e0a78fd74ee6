"""Prior authorizations, concurrent reviews and the units ledger that services consume."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Func, Q

from patients.models import LevelOfCare
from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel


class Criteria(models.TextChoices):
    ASAM = "asam", "ASAM"
    LOCUS = "locus", "LOCUS"
    CALOCUS = "calocus", "CALOCUS-CASII"
    ECSII = "ecsii", "ECSII"
    INTERQUAL = "interqual", "InterQual BH"
    MCG = "mcg", "MCG BH"
    PROPRIETARY = "proprietary", "Plan proprietary"


class CodesAreTokens(Func):
    """True when every element of a text array is CODE[:MOD[:MOD...]] (at most 4 modifiers)."""

    template = (
        "(array_to_string(%(expressions)s, ' ') ~ "
        "'^([0-9A-Z]{4,5}(:[0-9A-Z]{2}){0,4}( [0-9A-Z]{4,5}(:[0-9A-Z]{2}){0,4})*)?$')"
    )
    output_field = models.BooleanField()


class PriorAuthorization(TenantModel):
    part2_path = "coverage__patient__episodes__part2_applies"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PENDED = "pended", "Pended"
        APPROVED = "approved", "Approved"
        PARTIAL = "partial", "Partially approved"
        MODIFIED = "modified", "Modified"
        DENIED = "denied", "Denied"
        CANCELLED = "cancelled", "Cancelled"

    class UnitType(models.TextChoices):
        VISITS = "visits", "Visits/sessions"
        DAYS = "days", "Days"
        UNITS_15 = "units_15", "15-minute units"
        HOURS = "hours", "Hours"

    coverage = models.ForeignKey(
        "patients.Coverage", on_delete=models.PROTECT, related_name="authorizations"
    )
    episode = models.ForeignKey(
        "patients.EpisodeOfCare",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="authorizations",
    )
    level_of_care = models.CharField(max_length=24, choices=LevelOfCare.choices)
    asam_level = models.CharField(max_length=8, blank=True)
    # Authorized services as tokens: a CPT/HCPCS code or a revenue code, then any required
    # modifiers after colons ("90837", "H0015:HQ", "1002"); none = any code at its level.
    # Matching: authorizations.rules (REFERENCE.md §6, §14).
    codes = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    unit_type = models.CharField(max_length=10, choices=UnitType.choices)
    units_authorized = models.DecimalField(max_digits=8, decimal_places=2)
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    auth_number = models.CharField(max_length=50, blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    criteria = models.CharField(max_length=12, choices=Criteria.choices, blank=True)
    provider = models.ForeignKey(
        "credentialing.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Rendering provider the authorization is tied to, if any (checked against "
        "the provider a service is billed under when the payer ties them)",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="auth_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(units_authorized__gte=0), name="auth_units_not_negative"
            ),
            # The token grammar (a 4-5 character code, up to four 2-character modifiers); the
            # code sets themselves are checked by the service with a message.
            models.CheckConstraint(
                condition=CodesAreTokens(F("codes")), name="auth_codes_are_tokens"
            ),
            # The same payer number twice on one coverage is a double entry, not two auths.
            models.UniqueConstraint(
                fields=["org", "coverage", "auth_number"],
                condition=~Q(auth_number=""),
                name="uniq_auth_number_per_coverage",
            ),
        ]
        indexes = [models.Index(fields=["org", "end_date"], name="auth_org_end_idx")]
        ordering = ["-start_date"]


class ConcurrentReview(TenantModel):
    part2_path = "authorization__coverage__patient__episodes__part2_applies"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved (extended)"
        PARTIAL = "partial", "Partially approved"
        DENIED = "denied", "Denied"
        STEP_DOWN = "step_down", "Step-down required"

    authorization = models.ForeignKey(
        PriorAuthorization, on_delete=models.CASCADE, related_name="reviews"
    )
    review_date = models.DateField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    units_added = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    new_end_date = models.DateField(null=True, blank=True)
    next_review_date = models.DateField(null=True, blank=True)
    criteria = models.CharField(max_length=12, choices=Criteria.choices, blank=True)
    reviewer = models.CharField(max_length=120, blank=True)
    notes = EncryptedTextField(blank=True)  # utilization-review call notes are PHI
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(units_added__gte=0), name="review_units_not_negative"
            )
        ]
        ordering = ["-review_date"]


class UnitLedgerEntry(TenantModel):
    """Append-style ledger: services consume units, releases give them back. Idempotent by
    (authorization, session, session revision, kind): a correction of a session is a new
    revision, whose debit follows the release of the old one."""

    part2_path = "authorization__coverage__patient__episodes__part2_applies"

    class Kind(models.TextChoices):
        CONSUME = "consume", "Consumed by a service"
        RELEASE = "release", "Released (service voided)"
        ADJUST = "adjust", "Manual adjustment"

    authorization = models.ForeignKey(
        PriorAuthorization, on_delete=models.PROTECT, related_name="ledger"
    )
    session = models.ForeignKey(
        "patients.Session",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="auth_ledger",
    )
    session_revision = models.PositiveIntegerField(
        default=0, help_text="The session's revision this entry debits or releases"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    units = models.DecimalField(
        max_digits=8, decimal_places=2, help_text="Negative consumes, positive releases"
    )
    service_date = models.DateField()
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "authorization", "session", "session_revision", "kind"],
                condition=Q(session__isnull=False),
                name="uniq_ledger_session_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="adjust")
                | Q(kind="consume", units__lt=0)
                | Q(kind="release", units__gt=0),
                name="ledger_sign_matches_kind",
            ),
        ]


class UrAlert(TenantModel):
    """A utilization-review alert the nightly job `authorization_alerts` raised
    (authorizations.alerts): one per condition and subject (an authorization, a session or a
    level-of-care segment) per day, and never a second open one for the same condition: the job
    updates the open alert instead. Worked from the UR queue (authorizations.ur)."""

    part2_path = "patient__episodes__part2_applies"

    class Kind(models.TextChoices):
        EXPIRING = "expiring", "Authorization expiring"
        UNITS = "units", "Units or days running out"
        REVIEW_DUE = "review_due", "Concurrent review due"
        UNAUTHORIZED_SERVICE = "unauth_service", "Service without an authorization"
        LEVEL_CHANGE = "level_change", "Level of care without an authorization"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SNOOZED = "snoozed", "Snoozed"
        RESOLVED = "resolved", "Resolved"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # What the alert is about, as "<model>:<pk>": the key of the once-a-day constraint.
    subject = models.CharField(max_length=40)
    authorization = models.ForeignKey(
        PriorAuthorization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ur_alerts",
    )
    session = models.ForeignKey(
        "patients.Session", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    segment = models.ForeignKey(
        "patients.LevelOfCareSegment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    payer = models.ForeignKey(
        "payers.Payer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField()
    urgency = models.PositiveIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)  # system text: why, and the score
    detail = models.JSONField(default=dict, blank=True)  # figures (projection, thresholds)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    snoozed_until = models.DateField(null=True, blank=True)
    snooze_reason = models.CharField(max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=300, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_on = models.DateField()
    last_seen_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "subject", "created_on"], name="uniq_ur_alert_per_day"
            ),
            # Never two unresolved alerts for one condition: the job updates the open one.
            models.UniqueConstraint(
                fields=["org", "kind", "subject"],
                condition=Q(status__in=["open", "snoozed"]),
                name="uniq_ur_alert_unresolved",
            ),
            models.CheckConstraint(
                condition=Q(status="snoozed", snoozed_until__isnull=False) | ~Q(status="snoozed"),
                name="ur_alert_snooze_has_date",
            ),
        ]
        indexes = [models.Index(fields=["org", "status", "-urgency"], name="ur_alert_queue_idx")]
        ordering = ["-urgency", "due_date", "pk"]


class UrAlertEvent(TenantModel):
    """Append-only history of a UR alert: raised, updated by the job, assigned, snoozed,
    review recorded, resolved (who and when)."""

    part2_path = "alert__patient__episodes__part2_applies"
    append_only = True

    alert = models.ForeignKey(UrAlert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.CharField(max_length=300, blank=True)  # system text
    note = EncryptedTextField(blank=True)  # what the coordinator wrote (PHI)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["alert", "created_at", "pk"]

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

"""Payers: one contract per org, with its rules as data (edited by billing managers), and
the fee schedule of expected rates."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from coding.types import LICENSE_CHOICES
from rcm.tenancy.models import TenantModel


class Payer(TenantModel):
    """One payer contract in one org, with its rules as data (edited by billing managers)."""

    class Kind(models.TextChoices):
        MEDICARE = "medicare", "Medicare"
        MEDICAID = "medicaid", "Medicaid (state FFS)"
        MEDICAID_MCO = "medicaid_mco", "Medicaid MCO"
        MEDICARE_ADVANTAGE = "medicare_advantage", "Medicare Advantage"
        COMMERCIAL = "commercial", "Commercial"
        SELF_PAY = "self_pay", "Self-pay"

    class Rounding(models.TextChoices):
        CMS_8_MINUTE = "cms_8_minute", "CMS 8-minute rule"
        CPT_MIDPOINT = "cpt_midpoint", "CPT midpoint"
        STATE_TABLE = "state_table", "State table"

    name = models.CharField(max_length=120)
    edi_payer_id = models.CharField("EDI payer id", max_length=20, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    claim_filing_indicator = models.CharField(
        max_length=2, help_text="SBR09: MB Medicare B, MC Medicaid, HM HMO, CI commercial, BL BCBS"
    )
    timely_filing_days = models.PositiveIntegerField(default=365)
    appeal_window_days = models.PositiveIntegerField(default=180)
    rounding_rule = models.CharField(
        max_length=20, choices=Rounding.choices, default=Rounding.CPT_MIDPOINT
    )
    # State tables: {"count_unit_at": 15} or {"bands": [[15, 1], [30, 2]]}; optional "max_units".
    rounding_params = models.JSONField(default=dict, blank=True)
    # {"home_pos": "10", "other_site_pos": "02", "use_facility_pos": false,
    #  "video_modifier": "95", "audio_only_modifier": "93", "audio_only_allowed": true}
    telehealth = models.JSONField(default=dict, blank=True)
    accepted_license_types = ArrayField(
        models.CharField(max_length=30, choices=LICENSE_CHOICES), default=list, blank=True
    )
    pays_under_supervisor = models.BooleanField(default=False)
    supervision_modifiers = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    # Incident-to / billing under a supervisor: which supervisor licences the payer pays under
    # (blank = any licence it accepts) and at which places of service (blank = anywhere).
    supervisor_license_types = ArrayField(
        models.CharField(max_length=30, choices=LICENSE_CHOICES), default=list, blank=True
    )
    supervision_places_of_service = ArrayField(
        models.CharField(max_length=2), default=list, blank=True
    )
    # Crisis codes at non-office, non-facility sites, e.g. Medicare {"first": "G0017",
    # "each_additional": "G0018", "places_of_service": ["12", "13", "14", "15", "16", "33"]}.
    crisis_site_codes = models.JSONField(default=dict, blank=True)
    # Whether a Z code (e.g. Z63.0) may be the primary diagnosis on this payer's claims.
    z_code_primary_allowed = models.BooleanField(default=False)
    license_modifiers = models.JSONField(default=dict, blank=True)  # {"lcsw": "AJ", ...}
    auth_required_levels = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    auth_required_codes = ArrayField(models.CharField(max_length=5), default=list, blank=True)
    # Commercial plans often authorize outpatient care only after N visits; blank = never.
    outpatient_visits_before_auth = models.PositiveIntegerField(null=True, blank=True)
    # Some plans tie an authorization to the rendering provider (the NPI on the 278): a
    # service billed under another provider does not use it (REFERENCE.md §6).
    auth_tied_to_provider = models.BooleanField(default=False)
    # Utilization review alerts (authorizations.alerts): warn this many days before an
    # authorization ends, and once this share of its units (or days) is used. Default 7 days:
    # a standard PA decision may take up to 7 calendar days (CMS-0057-F) and an urgent
    # concurrent extension must be asked >= 24 h before expiry (ERISA), REFERENCE.md §6. The
    # 80% default is a working default, not a rule [U]; plans differ, so both are payer data.
    auth_expiry_alert_days = models.PositiveIntegerField(
        default=7, help_text="Alert when an authorization ends within this many days"
    )
    auth_usage_alert_percent = models.PositiveIntegerField(
        default=80, help_text="Alert when this percent of an authorization's units is used"
    )
    family_min_minutes = models.PositiveIntegerField(default=26)
    # {"mode": "per_session"} or {"mode": "per_15min", "code": "H0005", "modifiers": ["HQ"]}
    group_billing = models.JSONField(default=dict, blank=True)
    evaluation_code_overrides = models.JSONField(default=dict, blank=True)  # {"90791": "H0031"}
    # Per program level: {"php": {"min_hours_per_day": 4, "min_hours_per_week": 20,
    #   "short_day_outcome": "downcode", "downcode_to": {"hcpcs": "S9480", ...}}, "iop": {...}}
    program_minimums = models.JSONField(default=dict, blank=True)
    # Per level: {"iop": {"hcpcs": "H0015", "revenue_code": "0906", "type_of_bill": "13",
    #   "pos": "57", "condition_codes": ["92"], "unit": "per_diem"}}
    level_of_care_codes = models.JSONField(default=dict, blank=True)
    # Codes by program x level x service kind, over the columns above (which apply to both
    # programs). {"sud": {"iop": {"program_day": {"hcpcs": "H0015", "revenue_code": "0906",
    #   "unit": "per_diem"}}, "any": {"group": {"mode": "per_15min", "code": "H0005",
    #   "modifiers": ["HQ"]}, "peer_support": {"hcpcs": "H0038", "unit": "per_15min"}}},
    #  "mh": {"iop": {"program_day": {"hcpcs": "S9480", "revenue_code": "0905"}}}}
    program_codes = models.JSONField(default=dict, blank=True)
    # Med/surg comparators for parity checks: {"medsurg_auth_required_levels": [...],
    #   "medsurg_review_interval_days": {...}, "medsurg_visit_limits": {...}}
    parity_comparators = models.JSONField(default=dict, blank=True)
    # Claims: professional claims cover one date of service or a calendar month; per-diem
    # (837I) claims are cut at month end, week end, or only at discharge (admit through
    # discharge), and always at level-of-care changes and authorization boundaries.
    professional_claim_period = models.CharField(
        max_length=5,
        choices=[("date", "Date of service"), ("month", "Calendar month")],
        default="date",
    )
    institutional_billing_cycle = models.CharField(
        max_length=9,
        choices=[("month", "Monthly"), ("week", "Weekly"), ("discharge", "At discharge")],
        default="month",
    )
    # Institutional claims may go to another side of the payer: Medicare Part A (SBR09 "MA")
    # at the MAC's Part A payer id, while professional claims go to Part B ("MB"). Blank: the
    # same as professional claims.
    institutional_filing_indicator = models.CharField(max_length=2, blank=True)
    institutional_payer_id = models.CharField("EDI payer id (837I)", max_length=20, blank=True)
    # Scrubber thresholds as data: {"same_day_pairs": [["90791", "90832"]], "once_a_day":
    #   ["90791", "90792", "90839"], "requires_zip4": true}
    claim_edits = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="uniq_payer_name"),
            models.CheckConstraint(
                condition=Q(timely_filing_days__gte=1)
                & Q(appeal_window_days__gte=1)
                & Q(family_min_minutes__gte=1)
                & Q(auth_usage_alert_percent__gte=1)
                & Q(auth_usage_alert_percent__lte=100),
                name="payer_day_limits_positive",
            ),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FeeScheduleRate(TenantModel):
    payer = models.ForeignKey(Payer, on_delete=models.CASCADE, related_name="rates")
    code = models.CharField(max_length=5)
    modifiers = ArrayField(models.CharField(max_length=2), default=list, blank=True, size=4)
    license_type = models.CharField(max_length=30, choices=LICENSE_CHOICES, blank=True)
    rate = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "payer", "code", "modifiers", "license_type", "effective_from"],
                name="uniq_fee_rate",
            ),
            models.CheckConstraint(condition=Q(rate__gte=0), name="fee_rate_not_negative"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="fee_rate_ends_after_start",
            ),
            # ArrayField(size=4) is not enforced by PostgreSQL; 837P allows 4 modifiers a line.
            models.CheckConstraint(
                condition=Q(modifiers__len__lte=4), name="fee_rate_at_most_4_modifiers"
            ),
        ]

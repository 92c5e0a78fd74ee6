"""Providers (clinicians), licenses, compact privileges, payer enrollments and CAQH."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Least
from django.utils import timezone

from coding.types import LICENSE_CHOICES
from credentialing import rules
from credentialing.compacts import COMPACT_CHOICES
from rcm.tenancy.models import TenantModel


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


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
    """A license (state + number) a provider holds. Its dates are history: `periods` holds the
    original issue and each renewal, `status_changes` the dated board actions and
    reinstatements. The properties read that history for the pages and the API (prefetch
    `periods` and `status_changes` when reading many)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        REVOKED = "revoked", "Revoked"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="licenses")
    state = models.CharField(max_length=2)
    number = models.CharField(max_length=40)
    license_type = models.CharField(max_length=30, choices=LICENSE_CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "state", "number"], name="uniq_license_number"),
            models.CheckConstraint(
                condition=Q(state__regex=r"^[A-Z]{2}$"), name="license_state_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.number}"

    @property
    def latest_period(self) -> LicensePeriod | None:
        """The period that expires last: the current term, or a renewal recorded ahead."""
        return max(self.periods.all(), key=lambda p: p.expires_on, default=None)

    @property
    def issued_on(self) -> dt.date | None:
        """Start of the latest period (the issue date, or the latest renewal's)."""
        latest = self.latest_period
        return latest.starts_on if latest else None

    @property
    def expires_on(self) -> dt.date | None:
        latest = self.latest_period
        return latest.expires_on if latest else None

    def status_change_on(self, day: dt.date) -> LicenseStatusChange | None:
        return rules.status_change_on(self.status_changes.all(), day)

    def status_on(self, day: dt.date) -> str:
        change = self.status_change_on(day)
        return change.status if change else self.Status.ACTIVE

    @property
    def status(self) -> str:
        """The status today."""
        return self.status_on(timezone.localdate())


class LicensePeriod(TenantModel):
    """One issued term of a license: the original issue or a renewal. Valid from `starts_on`
    through `expires_on`, both included. A renewal that starts after the day following the
    previous expiry leaves a gap in which services are not covered."""

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="periods")
    starts_on = models.DateField(
        "Valid from",
        null=True,
        blank=True,
        help_text="The issue date, or the date a renewal took effect (blank: unknown)",
    )
    expires_on = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(expires_on__gt=F("starts_on")),
                name="license_period_expires_after_start",
            ),
            ExclusionConstraint(
                name="license_periods_no_overlap",
                expressions=[
                    ("license", RangeOperators.EQUAL),
                    (DateRange("starts_on", "expires_on", Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]
        ordering = ["expires_on"]


class LicenseStatusChange(TenantModel):
    """A dated change of a license's status (a suspension, a revocation, a reinstatement). It
    applies from `effective_on` until the next change; before the first one the license is
    active. Changes are kept, never overwritten, so any past date can be answered."""

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=10, choices=License.Status.choices)
    effective_on = models.DateField()
    note = models.CharField(
        max_length=200, blank=True, help_text="e.g. the board order number, or why"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "license", "effective_on"], name="uniq_license_status_change_day"
            ),
        ]
        ordering = ["effective_on"]


class CompactPrivilege(TenantModel):
    """A provider's authority, under an interstate licensure compact, to practise in `state`
    without a license there (PSYPACT's APIT, a Counseling Compact privilege to practice, a
    Social Work Compact multistate license), resting on the home-state license `home_license`.
    The compact decides which license types it covers (credentialing/compacts.py).

    Valid from `effective_on` through `expires_on` (blank: open-ended), both included. A
    privilege relinquished or revoked early keeps its row: `ended_on` is its last valid day and
    `status` says why. A renewal is a new row that takes effect after the previous one; the
    rows of one provider x compact x state never overlap. An APIT or a multistate license
    covers several states: each state relied on is one row, with the same number."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RELINQUISHED = "relinquished", "Relinquished"
        REVOKED = "revoked", "Revoked"

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="compact_privileges"
    )
    home_license = models.ForeignKey(
        License,
        on_delete=models.RESTRICT,  # a license under a privilege is not deleted alone
        related_name="compact_privileges",
        help_text="The home-state license the privilege rests on",
    )
    compact = models.CharField(max_length=20, choices=COMPACT_CHOICES)
    state = models.CharField(max_length=2, help_text="The state the privilege is for")
    number = models.CharField(
        "Privilege number", max_length=40, help_text="e.g. the APIT or privilege id"
    )
    effective_on = models.DateField("Valid from")
    expires_on = models.DateField("Expires on", null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(
        "Last valid day",
        null=True,
        blank=True,
        help_text="Only for a privilege relinquished or revoked early",
    )
    note = models.CharField(
        max_length=200, blank=True, help_text="e.g. why it ended, or the commission's notice"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "provider", "compact", "state", "effective_on"],
                name="uniq_compact_privilege_start",
            ),
            models.CheckConstraint(
                condition=Q(state__regex=r"^[A-Z]{2}$"), name="compact_privilege_state_code"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("effective_on")),
                name="compact_privilege_expires_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(status="active") & Q(ended_on__isnull=True))
                | (~Q(status="active") & Q(ended_on__gte=F("effective_on"))),
                name="compact_privilege_ended_when_not_active",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(expires_on__isnull=True)
                | Q(ended_on__lte=F("expires_on")),
                name="compact_privilege_ends_by_expiry",
            ),
            ExclusionConstraint(
                name="compact_privileges_no_overlap",
                expressions=[
                    ("provider", RangeOperators.EQUAL),
                    ("compact", RangeOperators.EQUAL),
                    ("state", RangeOperators.EQUAL),
                    (
                        DateRange("effective_on", Least("expires_on", "ended_on"), Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
            ExclusionConstraint(  # one holder per number: an APIT is one psychologist's
                name="compact_privilege_number_one_provider",
                expressions=[
                    ("org", RangeOperators.EQUAL),
                    ("compact", RangeOperators.EQUAL),
                    ("number", RangeOperators.EQUAL),
                    ("provider", RangeOperators.NOT_EQUAL),
                ],
            ),
        ]
        ordering = ["state", "compact", "effective_on"]

    def __str__(self) -> str:
        return f"{self.get_compact_display()} in {self.state} ({self.number})"

    @property
    def last_day(self) -> dt.date | None:
        days = [d for d in (self.expires_on, self.ended_on) if d is not None]
        return min(days, default=None)


class PayerEnrollment(TenantModel):
    """A provider's enrollment file with one payer. `status` is the state of the latest
    application; the spans in which the provider was enrolled are `periods` (a re-enrollment
    after a termination is a new period), and billing on a date reads those only."""

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
    recredential_due = models.DateField(null=True, blank=True)
    payer_provider_id = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "provider", "payer"], name="uniq_enrollment"),
        ]

    @property
    def latest_period(self) -> EnrollmentPeriod | None:
        """The period that starts last (the current one, or one recorded ahead)."""
        return max(self.periods.all(), key=lambda p: p.effective_date, default=None)

    @property
    def effective_date(self) -> dt.date | None:
        latest = self.latest_period
        return latest.effective_date if latest else None

    @property
    def end_date(self) -> dt.date | None:
        latest = self.latest_period
        return latest.end_date if latest else None


class EnrollmentPeriod(TenantModel):
    """A span in which the payer had the provider enrolled: from `effective_date` through
    `end_date`, both included (`end_date` is the last covered day; blank: open-ended)."""

    enrollment = models.ForeignKey(
        PayerEnrollment, on_delete=models.CASCADE, related_name="periods"
    )
    effective_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="The last covered day (blank: still enrolled)"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("effective_date")),
                name="enrollment_period_ends_after_effective",
            ),
            ExclusionConstraint(
                name="enrollment_periods_no_overlap",
                expressions=[
                    ("enrollment", RangeOperators.EQUAL),
                    (
                        DateRange("effective_date", "end_date", Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]
        ordering = ["effective_date"]


class CredentialingAlert(TenantModel):
    """One credentialing problem the nightly job `credentialing_alerts` found (credentialing/
    alerts.py): a license expiring, a CAQH re-attestation due, a recredentialing due, or
    services billed to a payer on dates no enrollment covers. One row per condition per
    subject (kind x provider x payer x license) while it is open: the job refreshes it each
    night (`last_seen_on`, `due_on`, `detail`) and resolves it when the condition is gone; the
    same condition found again later opens a new row. `part2`: only Part 2 records evidence
    it (an enrollment gap seen on Part 2 claims alone), so members without Part 2 access never
    see it."""

    part2_path = "part2"

    class Kind(models.TextChoices):
        LICENSE_EXPIRING = "license_expiring", "License expiring"
        CAQH_DUE = "caqh_due", "CAQH re-attestation due"
        RECREDENTIAL_DUE = "recredential_due", "Recredentialing due"
        ENROLLMENT_GAP = "enrollment_gap", "Services outside enrollment"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="credentialing_alerts"
    )
    payer = models.ForeignKey(
        "payers.Payer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    license = models.ForeignKey(
        License, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    due_on = models.DateField(help_text="The expiry, due date or first uncovered service date")
    detail = models.CharField(max_length=300, blank=True)  # system text, no PHI
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    part2 = models.BooleanField(default=False)
    created_on = models.DateField()
    last_seen_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            # One alert per condition per subject per day ...
            models.UniqueConstraint(
                fields=["org", "kind", "provider", "payer", "license", "created_on"],
                nulls_distinct=False,
                name="uniq_credentialing_alert_day",
            ),
            # ... and never two open at once: an open one is updated, not opened again.
            models.UniqueConstraint(
                fields=["org", "kind", "provider", "payer", "license"],
                condition=Q(status="open"),
                nulls_distinct=False,
                name="uniq_credentialing_alert_open",
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_on__isnull=True)
                | Q(status="resolved", resolved_on__isnull=False),
                name="credentialing_alert_resolved_has_date",
            ),
        ]
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.provider} (due {self.due_on})"

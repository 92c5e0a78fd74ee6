"""The nightly `eligibility_checks` job (registered in rcm.jobs by ClaimsConfig.ready):

- before a visit: every coverage in force whose patient has a scheduled session, an episode
  admitted, or an active episode, within the next N days (settings.ELIGIBILITY_LOOKAHEAD_DAYS,
  default 7), with no answered check in the last N days, is checked (source "nightly");
- monthly re-verification: every coverage in force with no check answered since the first of
  the month is checked once a month (source "monthly").

A coverage gets at most one scheduled check a day (a partial unique constraint on the check),
so a second run of the same day creates nothing. Counts: `due`, `created` (checks asked),
`answered`, `inactive`, `failed`, `refused`, `updated` (always 0: checks are never rewritten)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q

from claims.eligibility import eligibility_check_request
from claims.models import EligibilityCheck
from patients.models import Coverage, EpisodeOfCare, Session
from rcm.jobs import Job

Source, Status = EligibilityCheck.Source, EligibilityCheck.Status


def _in_force(today: dt.date) -> Any:
    return Coverage.objects.filter(effective_date__lte=today).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def coverages_due(today: dt.date) -> list[tuple[Coverage, str]]:
    """(coverage, source) pairs to check today, visits first."""
    days = settings.ELIGIBILITY_LOOKAHEAD_DAYS
    horizon = today + dt.timedelta(days=days)
    visiting = set(
        Session.objects.filter(
            status=Session.Status.SCHEDULED, service_date__range=(today, horizon)
        ).values_list("patient_id", flat=True)
    ) | set(
        EpisodeOfCare.objects.filter(
            Q(admit_date__range=(today, horizon)) | Q(status=EpisodeOfCare.Status.ACTIVE)
        ).values_list("patient_id", flat=True)
    )
    checked_today = set(
        EligibilityCheck.objects.filter(run_on=today).values_list("coverage_id", flat=True)
    )
    answered = EligibilityCheck.objects.filter(status=Status.ANSWERED)
    recent = set(
        answered.filter(run_on__gt=today - dt.timedelta(days=days)).values_list(
            "coverage_id", flat=True
        )
    )
    this_month = set(
        answered.filter(run_on__gte=today.replace(day=1)).values_list("coverage_id", flat=True)
    )
    due: list[tuple[Coverage, str]] = []
    for cov in _in_force(today).order_by("pk"):
        if cov.pk in checked_today:
            continue
        if cov.patient_id in visiting and cov.pk not in recent:
            due.append((cov, Source.NIGHTLY))
        elif cov.pk not in this_month:
            due.append((cov, Source.MONTHLY))
    return due


def eligibility_checks(today: dt.date) -> dict[str, Any]:
    due = coverages_due(today)
    counts = {"due": len(due), "created": 0, "updated": 0, "answered": 0, "inactive": 0,
              "failed": 0, "refused": 0, "rejected": 0}  # fmt: skip
    for coverage, source in due:
        check = eligibility_check_request(
            coverage=coverage, actor=None, source=source, run_on=today
        )
        counts["created"] += 1
        if check.status in counts:
            counts[check.status] += 1
        if check.active is False:
            counts["inactive"] += 1
    return counts


JOBS: tuple[Job, ...] = (
    Job(
        "eligibility_checks",
        eligibility_checks,
        "nightly",
        "Check eligibility before visits in the next 7 days, and re-verify every coverage monthly",
    ),
)

"""Utilization-review alerts: the nightly job `authorization_alerts` (registered in rcm.jobs by
AuthorizationsConfig.ready) finds, in the active org:

- `expiring`: a usable authorization ending within the payer's `auth_expiry_alert_days`
  (default 7) that no later authorization for the same coverage and level continues;
- `units`: a usable authorization with `auth_usage_alert_percent` (default 80) or more of its
  units (days, for a days authorization) used, with a projected exhaustion date from the pace
  of use (`projection` below);
- `review_due`: a concurrent review due within REVIEW_DUE_DAYS: the authorization's
  next_review_date, or a pending ConcurrentReview's review date;
- `unauth_service`: a completed session of the last LOOKBACK_DAYS whose payer requires an
  authorization for its level or code (payer.auth_required_levels / auth_required_codes and
  the visit rule, decided by selectors.service_authorization, the same answer the claims
  scrubber holds a claim on) that no authorization covers;
- `level_change`: a level-of-care segment started in the last LOOKBACK_DAYS at a level the
  payer authorizes, with no usable authorization for that level covering its start date.

One alert per condition per subject per day (a DB constraint), and never a second unresolved
one: while the condition holds, the open (or snoozed) alert is updated (`updated`); when the
condition is gone, the job resolves the alert (`resolved`). A snooze ends on its date.

Each new alert sends `alert_raised` (alert=...)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import django.dispatch
from django.db.models import Q, Sum
from django.utils import timezone

from authorizations import rules
from authorizations.facts import USABLE_STATUSES
from authorizations.models import (
    ConcurrentReview,
    PriorAuthorization,
    UnitLedgerEntry,
    UrAlert,
    UrAlertEvent,
)
from authorizations.selectors import (
    REVIEW_DUE_DAYS,
    authorization_book,
    authorization_covering_level,
    service_authorization,
    with_usage,
)
from patients.models import LevelOfCareSegment, Session
from patients.selectors import coding_ready_sessions, primary_coverage_on

# The notification hook: sent once per new alert, inside the org, with `alert=`.
# authorizations.notices turns each into a notification (connected in AuthorizationsConfig).
alert_raised = django.dispatch.Signal()

PACE_WINDOW_DAYS = 14  # the pace of use is measured over the last 14 days of the ledger
LOOKBACK_DAYS = 30  # sessions and level changes this recent are checked for authorization
ZERO = Decimal("0")

# Urgency: a base per kind (a service already delivered without authorization is money at
# risk now; a review or an end date is still ahead) plus points as the due date nears.
KIND_BASE = {
    UrAlert.Kind.UNAUTHORIZED_SERVICE: 50,
    UrAlert.Kind.LEVEL_CHANGE: 45,
    UrAlert.Kind.REVIEW_DUE: 35,
    UrAlert.Kind.EXPIRING: 30,
    UrAlert.Kind.UNITS: 25,
}
OVERDUE_POINTS = 50
POINTS_PER_DAY = 4  # 40 points when due today, down to 0 ten days out


def urgency(kind: str, due: dt.date, today: dt.date) -> tuple[int, list[str]]:
    """(score, reasons): KIND_BASE[kind], plus OVERDUE_POINTS when the due date has passed,
    else 40 points when due today, 4 fewer for each day further out (none from 10 days)."""
    base = KIND_BASE[kind]
    days = (due - today).days
    reasons = [f"{UrAlert.Kind(kind).label}: +{base}"]
    if days < 0:
        reasons.append(f"due {-days} day(s) ago: +{OVERDUE_POINTS}")
        return base + OVERDUE_POINTS, reasons
    near = max(0, 10 - days) * POINTS_PER_DAY
    reasons.append(f"due in {days} day(s): +{near}" if days else f"due today: +{near}")
    return base + near, reasons


# --- Projection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """Pace of use = net units consumed by ledger entries dated in the last PACE_WINDOW_DAYS
    (today and the 13 days before; releases count back) / PACE_WINDOW_DAYS. Days left =
    ceil(remaining / pace); exhaustion = today + days left. No pace (nothing used lately):
    no projected date."""

    pace_per_day: Decimal
    remaining: Decimal
    exhausts_on: dt.date | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "pace_per_day": str(self.pace_per_day),
            "remaining": str(self.remaining),
            "exhausts_on": self.exhausts_on.isoformat() if self.exhausts_on else None,
            "pace_window_days": PACE_WINDOW_DAYS,
        }


def projection(*, remaining: Decimal, used_in_window: Decimal, today: dt.date) -> Projection:
    pace = (used_in_window / PACE_WINDOW_DAYS).quantize(Decimal("0.01"))
    if used_in_window <= 0:
        return Projection(ZERO, remaining, None)
    if remaining <= 0:
        return Projection(pace, remaining, today)
    days_left = math.ceil(remaining * PACE_WINDOW_DAYS / used_in_window)
    return Projection(pace, remaining, today + dt.timedelta(days=days_left))


def _used_in_window(auth_ids: Iterable[int], today: dt.date) -> dict[int, Decimal]:
    since = today - dt.timedelta(days=PACE_WINDOW_DAYS - 1)
    rows = (
        UnitLedgerEntry.objects.filter(
            authorization_id__in=list(auth_ids), service_date__range=(since, today)
        )
        .values("authorization_id")
        .annotate(total=Sum("units"))
        .order_by()
    )
    return {r["authorization_id"]: -(r["total"] or ZERO) for r in rows}


# --- Findings --------------------------------------------------------------------------------


@dataclass
class Finding:
    kind: str
    subject: str
    patient_id: int
    due: dt.date
    message: str
    authorization: PriorAuthorization | None = None
    session_id: int | None = None
    segment_id: int | None = None
    payer_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _in_force(today: dt.date) -> list[PriorAuthorization]:
    rows = PriorAuthorization.objects.filter(
        status__in=USABLE_STATUSES, end_date__gte=today
    ).select_related("coverage__payer", "coverage__patient")
    return list(with_usage(rows, today=today).order_by("end_date", "pk"))


def _continued(auth: PriorAuthorization, auths: list[PriorAuthorization]) -> bool:
    """Another usable authorization picks up where this one ends (same coverage and level)."""
    day_after = auth.end_date + dt.timedelta(days=1)
    return any(
        other.pk != auth.pk
        and other.coverage_id == auth.coverage_id
        and other.level_of_care == auth.level_of_care
        and other.start_date <= day_after
        and other.end_date > auth.end_date
        for other in auths
    )


def _auth_finding(auth: PriorAuthorization, kind: str, due: dt.date, message: str) -> Finding:
    return Finding(
        kind=kind,
        subject=f"auth:{auth.pk}",
        patient_id=auth.coverage.patient_id,
        due=due,
        message=message,
        authorization=auth,
        payer_id=auth.coverage.payer_id,
    )


def authorization_findings(today: dt.date) -> list[Finding]:
    auths = _in_force(today)
    window = _used_in_window([a.pk for a in auths], today)
    pending = _pending_reviews({a.pk for a in auths}, today)
    found: list[Finding] = []
    for auth in auths:
        payer = auth.coverage.payer
        number = auth.auth_number or "(no number)"
        days_left = (auth.end_date - today).days
        if days_left <= payer.auth_expiry_alert_days and not _continued(auth, auths):
            f = _auth_finding(
                auth,
                UrAlert.Kind.EXPIRING,
                auth.end_date,
                f"Authorization {number} ends {auth.end_date} ({days_left} day(s)); "
                f"{payer.name} alert window {payer.auth_expiry_alert_days} days",
            )
            f.detail = {"days_left": days_left, "alert_days": payer.auth_expiry_alert_days}
            found.append(f)
        found += _units_finding(auth, window.get(auth.pk, ZERO), today)
        review = _review_due_on(auth, pending.get(auth.pk), today)
        if review is not None:
            found.append(
                _auth_finding(
                    auth,
                    UrAlert.Kind.REVIEW_DUE,
                    review,
                    f"Concurrent review for {number} due {review}",
                )
            )
    return found


def _units_finding(auth: PriorAuthorization, used_lately: Decimal, today: dt.date) -> list[Finding]:
    payer = auth.coverage.payer
    if auth.units_authorized <= 0:
        return []
    percent = auth.units_used * 100 / auth.units_authorized
    if percent < payer.auth_usage_alert_percent:
        return []
    proj = projection(remaining=auth.units_remaining, used_in_window=used_lately, today=today)
    due = min(proj.exhausts_on or auth.end_date, auth.end_date)
    what = rules.quantity(auth.units_used, auth.unit_type)
    message = (
        f"{what} of {auth.units_authorized.normalize():f} used ({percent:.0f}%, "
        f"{payer.name} alerts at {payer.auth_usage_alert_percent}%)"
    )
    if proj.exhausts_on:
        message += f"; at {proj.pace_per_day}/day runs out {proj.exhausts_on}"
    f = _auth_finding(auth, UrAlert.Kind.UNITS, due, message)
    f.detail = {
        **proj.as_dict(),
        "percent_used": f"{percent:.1f}",
        "alert_percent": payer.auth_usage_alert_percent,
    }
    return [f]


def _pending_reviews(auth_ids: set[int], today: dt.date) -> dict[int, dt.date]:
    rows = ConcurrentReview.objects.filter(
        authorization_id__in=auth_ids, outcome=ConcurrentReview.Outcome.PENDING
    ).values_list("authorization_id", "review_date")
    earliest: dict[int, dt.date] = {}
    for auth_id, day in rows:
        earliest[auth_id] = min(day, earliest.get(auth_id, day))
    return earliest


def _review_due_on(
    auth: PriorAuthorization, pending: dt.date | None, today: dt.date
) -> dt.date | None:
    by = today + dt.timedelta(days=REVIEW_DUE_DAYS)
    dates = [d for d in (auth.next_review_date, pending) if d is not None and d <= by]
    return min(dates) if dates else None


def unauthorized_service_findings(today: dt.date) -> list[Finding]:
    since = today - dt.timedelta(days=LOOKBACK_DAYS)
    sessions = list(
        coding_ready_sessions(
            Session.objects.filter(
                status=Session.Status.COMPLETED, service_date__range=(since, today)
            ).select_related("patient", "rendering_provider", "supervising_provider")
        ).order_by("service_date", "pk")
    )
    if not sessions:
        return []
    book = authorization_book(sessions=sessions)
    found = []
    for session in sessions:
        check = service_authorization(session=session, book=book)
        if not check.holds_claim:
            continue
        coverage = primary_coverage_on(session.patient, session.service_date)
        found.append(
            Finding(
                kind=UrAlert.Kind.UNAUTHORIZED_SERVICE,
                subject=f"session:{session.pk}",
                patient_id=session.patient_id,
                due=session.service_date,
                message=f"{session.get_kind_display()} on {session.service_date}: {check.message}"[
                    :300
                ],
                session_id=session.pk,
                payer_id=coverage.payer_id if coverage else None,
            )
        )
    return found


def level_change_findings(today: dt.date) -> list[Finding]:
    since = today - dt.timedelta(days=LOOKBACK_DAYS)
    segments = (
        LevelOfCareSegment.objects.filter(start_date__range=(since, today))
        .select_related("episode__patient")
        .prefetch_related("episode__patient__coverages__payer")
        .order_by("start_date", "pk")
    )
    found = []
    for seg in segments:
        patient = seg.episode.patient
        coverage = primary_coverage_on(patient, seg.start_date)
        if coverage is None:
            continue
        level = rules.authorized_level(seg.level)
        if level not in (coverage.payer.auth_required_levels or []):
            continue
        if authorization_covering_level(coverage=coverage, level=level, on=seg.start_date):
            continue
        found.append(
            Finding(
                kind=UrAlert.Kind.LEVEL_CHANGE,
                subject=f"segment:{seg.pk}",
                patient_id=patient.pk,
                due=seg.start_date,
                message=f"{seg.get_level_display()} from {seg.start_date}: "
                f"{coverage.payer.name} requires authorization and none covers the start",
                segment_id=seg.pk,
                payer_id=coverage.payer_id,
            )
        )
    return found


def find_all(today: dt.date) -> list[Finding]:
    return (
        authorization_findings(today)
        + unauthorized_service_findings(today)
        + level_change_findings(today)
    )


# --- The job ---------------------------------------------------------------------------------

UNRESOLVED = (UrAlert.Status.OPEN, UrAlert.Status.SNOOZED)


def _apply(alert: UrAlert, f: Finding, today: dt.date) -> bool:
    """Refresh an unresolved alert from today's finding; True when anything changed."""
    score, reasons = urgency(f.kind, f.due, today)
    reasons = [f.message, *reasons]
    before = (alert.due_date, alert.urgency, alert.reasons, alert.detail, alert.status)
    alert.due_date, alert.urgency, alert.reasons, alert.detail = f.due, score, reasons, f.detail
    alert.last_seen_on = today
    if alert.status == UrAlert.Status.SNOOZED and alert.snoozed_until <= today:
        alert.status, alert.snoozed_until = UrAlert.Status.OPEN, None
    return before != (alert.due_date, alert.urgency, alert.reasons, alert.detail, alert.status)


def _new_alert(f: Finding, today: dt.date) -> UrAlert:
    score, reasons = urgency(f.kind, f.due, today)
    return UrAlert(
        kind=f.kind,
        subject=f.subject,
        authorization=f.authorization,
        session_id=f.session_id,
        segment_id=f.segment_id,
        patient_id=f.patient_id,
        payer_id=f.payer_id,
        due_date=f.due,
        urgency=score,
        reasons=[f.message, *reasons],
        detail=f.detail,
        created_on=today,
        last_seen_on=today,
    )


def authorization_alerts(today: dt.date) -> dict[str, Any]:
    """The nightly job: raise, refresh and clear UR alerts for `today` (idempotent)."""
    findings = {(f.kind, f.subject): f for f in find_all(today)}
    unresolved = {
        (a.kind, a.subject): a
        for a in UrAlert.objects.select_for_update().filter(status__in=UNRESOLVED)
    }
    raised_today = set(UrAlert.objects.filter(created_on=today).values_list("kind", "subject"))
    counts = {"found": len(findings), "unchanged": 0}
    new: list[UrAlert] = []
    seen: list[UrAlert] = []
    changed = 0
    for key, f in findings.items():
        alert = unresolved.get(key)
        if alert is not None:
            changed += _apply(alert, f, today)
            seen.append(alert)
        elif key in raised_today:  # worked and resolved earlier today: not again today
            counts["unchanged"] += 1
        else:
            new.append(_new_alert(f, today))
    cleared = [a for key, a in unresolved.items() if key not in findings]
    now = timezone.now()
    for alert in cleared:
        alert.status, alert.snoozed_until = UrAlert.Status.RESOLVED, None
        alert.resolution, alert.resolved_at = "Condition no longer found by the nightly job", now
    fields = ["due_date", "urgency", "reasons", "detail", "last_seen_on", "status", "snoozed_until"]
    UrAlert.objects.bulk_update(seen, fields)
    UrAlert.objects.bulk_update(cleared, ["status", "snoozed_until", "resolution", "resolved_at"])
    UrAlert.objects.bulk_create(new)
    UrAlertEvent.objects.bulk_create(
        [UrAlertEvent(alert=a, action="raised", message=a.reasons[0][:300]) for a in new]
        + [UrAlertEvent(alert=a, action="cleared", message=a.resolution) for a in cleared]
    )
    # Every unresolved alert still found is updated (seen today, due date and score refreshed);
    # `changed`: those whose due date, score, reasons or status actually moved.
    counts.update(created=len(new), updated=len(seen), changed=changed, resolved=len(cleared))
    for alert in new:
        alert_raised.send(sender=UrAlert, alert=alert)
    return counts


def unresolved_q() -> Q:
    return Q(status__in=UNRESOLVED)

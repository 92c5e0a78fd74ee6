"""The utilization-review work queue: reads (the queue, most urgent first) and the actions on
an alert (record a review outcome, assign, snooze, resolve), each recorded as a UrAlertEvent
with who and when. A review outcome goes through the authorization services: an extension is a
concurrent review (services.concurrent_review_record); a new authorization number from the
payer is a new authorization continuing the old one (services.authorization_create); a denial
is a denied review (the claim denial and its appeal are worked on the Denials pages)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from authorizations import services
from authorizations.alerts import UNRESOLVED
from authorizations.models import ConcurrentReview, PriorAuthorization, UrAlert, UrAlertEvent
from rcm.errors import FieldErrors
from rcm.models import Membership
from rcm.permissions import Cap, Role, role_has

AUTH_KINDS = (UrAlert.Kind.EXPIRING, UrAlert.Kind.UNITS, UrAlert.Kind.REVIEW_DUE)
REVIEW_OUTCOMES = (
    ConcurrentReview.Outcome.APPROVED,
    ConcurrentReview.Outcome.PARTIAL,
    ConcurrentReview.Outcome.DENIED,
)
DENIAL_NOTE = (
    "Review denied. If the payer denies the claims for these days, appeal from the claim's "
    "denial on the Denials page."
)
ZERO = Decimal("0")


def _uuid_or_blank(raw: Any) -> str:
    try:
        return str(uuid.UUID(str(raw))) if raw else ""
    except ValueError:
        return ""


# --- Reads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    kind: str = ""
    payer: str = ""  # payer public_id
    assignee: str = ""  # a username, "me" or "none"
    status: str = "open"  # open (default), snoozed, resolved, all

    @classmethod
    def parse(cls, data: Any) -> QueueFilters:
        status = data.get("status") or "open"
        return cls(
            kind=data.get("kind", "") if data.get("kind") in UrAlert.Kind.values else "",
            payer=_uuid_or_blank(data.get("payer", "")),
            assignee=str(data.get("assignee", ""))[:150],
            status=status if status in {*UrAlert.Status.values, "all"} else "open",
        )


def ur_queue(*, filters: QueueFilters, user: Any) -> QuerySet[UrAlert]:
    """Alerts, most urgent first: urgency (see authorizations.alerts.urgency: a base per kind
    plus points as the due date nears, most for overdue), then the earliest due date, then the
    oldest alert. Snoozed alerts leave the open queue until their date."""
    rows = UrAlert.objects.select_related(
        "patient", "payer", "authorization", "session", "segment", "assigned_to"
    )
    if filters.status != "all":
        rows = rows.filter(status=filters.status)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.payer:
        rows = rows.filter(payer__public_id=filters.payer)
    if filters.assignee == "me":
        rows = rows.filter(assigned_to=user)
    elif filters.assignee == "none":
        rows = rows.filter(assigned_to__isnull=True)
    elif filters.assignee:
        rows = rows.filter(assigned_to__username=filters.assignee)
    return rows.order_by("-urgency", "due_date", "created_on", "pk")


def ur_assignees() -> list[Any]:
    """Members of the active org who may work authorizations (the assign choices)."""
    roles = [r for r in Role.values if role_has(r, Cap.EDIT_AUTHORIZATIONS)]
    users = Membership.objects.filter(is_active=True, role__in=roles).values_list(
        "user_id", flat=True
    )
    return list(get_user_model().objects.filter(pk__in=list(users)).order_by("username"))


def alert_events(*, alert: UrAlert) -> QuerySet[UrAlertEvent]:
    return alert.events.select_related("actor").order_by("created_at", "pk")


# --- Actions ---------------------------------------------------------------------------------


def _locked(alert: UrAlert) -> UrAlert:
    return UrAlert.objects.select_for_update().get(pk=alert.pk)


def _event(
    alert: UrAlert, action: str, actor: Any, message: str, note: str = "", **data: Any
) -> None:
    UrAlertEvent.objects.create(
        alert=alert,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        message=message[:300],
        note=note or "",
        data={k: str(v) for k, v in data.items() if v not in (None, "")},
    )


def _require_unresolved(alert: UrAlert) -> None:
    if alert.status not in UNRESOLVED:
        raise ValidationError({"alert": ["This alert is already resolved."]})


def _resolve(alert: UrAlert, resolution: str, actor: Any) -> None:
    alert.status, alert.snoozed_until = UrAlert.Status.RESOLVED, None
    alert.resolution = resolution[:300]
    alert.resolved_by = actor if getattr(actor, "pk", None) else None
    alert.resolved_at = timezone.now()
    alert.save(
        update_fields=[
            "status",
            "snoozed_until",
            "resolution",
            "resolved_by",
            "resolved_at",
            "updated_at",
        ]
    )
    _event(alert, "resolved", actor, resolution)


@transaction.atomic
def ur_alert_resolve(*, alert: UrAlert, resolution: str, actor: Any) -> UrAlert:
    alert = _locked(alert)
    _require_unresolved(alert)
    if not (resolution or "").strip():
        raise ValidationError({"resolution": ["Say how the alert was resolved."]})
    _resolve(alert, resolution.strip(), actor)
    return alert


@transaction.atomic
def ur_alert_assign(*, alert: UrAlert, assignee: Any, actor: Any) -> UrAlert:
    """Assign to a member who may work authorizations (None: unassign)."""
    alert = _locked(alert)
    _require_unresolved(alert)
    if assignee is not None and assignee not in ur_assignees():
        raise ValidationError({"assignee": ["Choose a member who works authorizations."]})
    alert.assigned_to = assignee
    alert.save(update_fields=["assigned_to", "updated_at"])
    who = assignee.username if assignee is not None else "nobody"
    _event(alert, "assigned", actor, f"Assigned to {who}")
    return alert


@transaction.atomic
def ur_alert_snooze(
    *, alert: UrAlert, until: dt.date | None, reason: str, actor: Any, today: dt.date | None = None
) -> UrAlert:
    """Out of the open queue until `until` (the nightly job reopens it then, if the condition
    still holds)."""
    today = today or timezone.localdate()
    alert = _locked(alert)
    _require_unresolved(alert)
    errors = FieldErrors()
    errors.require(isinstance(until, dt.date), "snoozed_until", "Choose the date to snooze until.")
    if isinstance(until, dt.date):
        errors.require(until > today, "snoozed_until", "Snooze until a date after today.")
    errors.require(bool((reason or "").strip()), "snooze_reason", "Say why it can wait.")
    errors.raise_if_any()
    alert.status, alert.snoozed_until, alert.snooze_reason = (
        UrAlert.Status.SNOOZED,
        until,
        reason.strip()[:200],
    )
    alert.save(update_fields=["status", "snoozed_until", "snooze_reason", "updated_at"])
    _event(alert, "snoozed", actor, f"Snoozed until {until}: {alert.snooze_reason}")
    return alert


@dataclass(frozen=True)
class ReviewOutcome:
    outcome: str
    review_date: dt.date
    days_added: int = 0
    units_added: Decimal | None = None
    auth_number: str = ""
    next_review_date: dt.date | None = None
    reason: str = ""  # a denial's reason
    reviewer: str = ""
    notes: str = ""


def _check_outcome(auth: PriorAuthorization | None, o: ReviewOutcome) -> None:
    errors = FieldErrors()
    errors.require(auth is not None, "alert", "Only an authorization's alert has a review.")
    errors.require(o.outcome in REVIEW_OUTCOMES, "outcome", "Choose approved, partial or denied.")
    errors.require(o.days_added >= 0, "days_added", "Days added cannot be negative.")
    errors.require(
        o.units_added is None or o.units_added >= 0, "units_added", "Units cannot be negative."
    )
    if o.outcome == ConcurrentReview.Outcome.DENIED:
        errors.require(bool(o.reason.strip()), "reason", "Give the payer's reason for the denial.")
        errors.require(
            not o.days_added and not o.units_added and not o.auth_number,
            "outcome",
            "A denial adds no days, units or authorization number.",
        )
    elif o.auth_number and auth is not None and o.auth_number != auth.auth_number:
        errors.require(
            o.days_added > 0,
            "days_added",
            "A new authorization number needs the days it covers after the current end date.",
        )
    errors.raise_if_any()


def _units_for(auth: PriorAuthorization, o: ReviewOutcome) -> Decimal:
    if o.units_added is not None:
        return o.units_added
    if auth.unit_type == PriorAuthorization.UnitType.DAYS:
        return Decimal(o.days_added)  # a days authorization: each added day is a unit
    return ZERO


def _continue_under_new_number(
    auth: PriorAuthorization, o: ReviewOutcome, actor: Any
) -> tuple[PriorAuthorization, str]:
    start = auth.end_date + dt.timedelta(days=1)
    end = auth.end_date + dt.timedelta(days=o.days_added)
    services.concurrent_review_record(
        authorization=auth,
        review_date=o.review_date,
        outcome=o.outcome,
        criteria=auth.criteria,
        reviewer=o.reviewer,
        notes=(o.notes + f"\nContinued under authorization {o.auth_number}").strip(),
        actor=actor,
    )
    new = services.authorization_create(
        actor=actor,
        coverage=auth.coverage,
        episode=auth.episode,
        provider=auth.provider,
        level_of_care=auth.level_of_care,
        asam_level=auth.asam_level,
        codes=list(auth.codes),
        unit_type=auth.unit_type,
        units_authorized=_units_for(auth, o),
        start_date=start,
        end_date=end,
        status=PriorAuthorization.Status.APPROVED
        if o.outcome == ConcurrentReview.Outcome.APPROVED
        else PriorAuthorization.Status.PARTIAL,
        auth_number=o.auth_number,
        next_review_date=o.next_review_date,
        criteria=auth.criteria,
    )
    return new, (
        f"Review {o.outcome}: authorization {o.auth_number} continues {start} to {end} "
        f"({_units_for(auth, o).normalize():f} {auth.get_unit_type_display().lower()})"
    )


def _extend(auth: PriorAuthorization, o: ReviewOutcome, actor: Any) -> str:
    new_end = auth.end_date + dt.timedelta(days=o.days_added) if o.days_added else None
    units = _units_for(auth, o)
    services.concurrent_review_record(
        authorization=auth,
        review_date=o.review_date,
        outcome=o.outcome,
        units_added=units,
        new_end_date=new_end,
        next_review_date=o.next_review_date,
        criteria=auth.criteria,
        reviewer=o.reviewer,
        notes=o.notes,
        actor=actor,
    )
    if o.auth_number and not auth.auth_number:
        services.authorization_update(authorization=auth, actor=actor, auth_number=o.auth_number)
    auth.refresh_from_db()
    return f"Review {o.outcome}: +{units.normalize():f} units, now ends {auth.end_date}"


@transaction.atomic
def ur_review_record(*, alert: UrAlert, outcome: ReviewOutcome, actor: Any) -> UrAlert:
    """Record the payer's answer to a concurrent review from the queue and resolve the alert
    (and the authorization's other unresolved expiry/units/review alerts, which the same
    answer settles). Approved/partial: days (end date) and units added to the authorization,
    or, with a new authorization number, a new authorization from the day after the current
    end. Denied: a denied review with the reason; the last covered day stays the end date."""
    alert = _locked(alert)
    _require_unresolved(alert)
    auth = alert.authorization if alert.kind in AUTH_KINDS else None
    o = outcome
    _check_outcome(auth, o)
    assert auth is not None
    if o.outcome == ConcurrentReview.Outcome.DENIED:
        services.concurrent_review_record(
            authorization=auth,
            review_date=o.review_date,
            outcome=o.outcome,
            criteria=auth.criteria,
            reviewer=o.reviewer,
            notes=(f"Denied: {o.reason}\n{o.notes}").strip(),
            actor=actor,
        )
        summary = DENIAL_NOTE
    elif o.auth_number and auth.auth_number and o.auth_number != auth.auth_number:
        _, summary = _continue_under_new_number(auth, o, actor)
    else:
        summary = _extend(auth, o, actor)
    _event(alert, "review", actor, summary, note=o.reason or o.notes, outcome=o.outcome)
    siblings = UrAlert.objects.select_for_update().filter(
        authorization=auth, kind__in=AUTH_KINDS, status__in=UNRESOLVED
    )
    for row in siblings:
        _resolve(row, summary, actor)
    alert.refresh_from_db()
    return alert

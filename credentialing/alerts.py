"""The credentialing tracker's nightly job, `credentialing_alerts`: what needs doing before it
stops claims, found each night as alerts (CredentialingAlert).

Conditions (thresholds sourced in REFERENCE.md §11):
- a license expiring within `license_days` (default 60) or lapsed in the last 90 days;
- a CAQH ProView re-attestation due within 14 days or overdue (every 120 days), or never
  recorded for a provider who needs one;
- a recredentialing due within 90 days or overdue (the payer's date when recorded, else 36
  months after the current enrollment period took effect: rules.recredential_due_on);
- an enrollment gap: services billed to a payer on dates no enrollment period of the provider
  with that payer covers. Credentialing knows no claims (imports flow one way), so the apps
  that hold services answer `services_outside_enrollment` here (claims does, from
  ClaimsConfig.ready).

One alert per condition per subject: an open alert found again is refreshed (counted as
`updated`), never opened again; one whose condition is gone is resolved. For each new alert
the signal `alert_raised` is sent (with `alert=`) inside the job's transaction, so what a
receiver writes commits or rolls back with the run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

from credentialing import rules
from credentialing.models import CredentialingAlert, PayerEnrollment, Provider
from credentialing.selectors import licenses_list

Kind = CredentialingAlert.Kind

# Source: REFERENCE.md §11 (license checks; the tracker's default horizon is 60 days)
LICENSE_ALERT_DAYS = 60
LICENSE_LAPSED_LOOKBACK_DAYS = 90  # an older lapse is a license no longer relied on
# Source: REFERENCE.md §11, CAQH ProView re-attestation every 120 days; alert 14 days ahead
CAQH_ALERT_DAYS = 14
# Source: REFERENCE.md §11, warn when recredentialing is due within 90-120 days
RECREDENTIAL_ALERT_DAYS = 90
# Services this far back still matter: the longest timely-filing limits are a year (§7).
ENROLLMENT_LOOKBACK_DAYS = 365

# Sent once for each new alert, with `alert=` (a CredentialingAlert); the notifications app
# connects to it.
alert_raised = Signal()


@dataclass(frozen=True)
class Condition:
    kind: str
    provider_id: int
    due_on: dt.date
    detail: str
    payer_id: int | None = None
    license_id: int | None = None
    part2: bool = False

    @property
    def key(self) -> tuple[str, int, int | None, int | None]:
        return (self.kind, self.provider_id, self.payer_id, self.license_id)


@dataclass(frozen=True)
class UncoveredServices:
    """Services of one provider billed to one payer on dates no enrollment covers."""

    provider_id: int
    payer_id: int
    first_on: dt.date
    last_on: dt.date
    claims: int
    part2_only: bool  # every one of them is a Part 2 record


Source = Callable[[dt.date, dt.date], Iterable[UncoveredServices]]
_sources: list[Source] = []


def services_outside_enrollment(source: Source) -> Source:
    """Register `source(since, until)`, which lists services outside enrollment."""
    if source not in _sources:
        _sources.append(source)
    return source


def _key(alert: CredentialingAlert) -> tuple[str, int, int | None, int | None]:
    return (alert.kind, alert.provider_id, alert.payer_id, alert.license_id)


# --- Conditions ------------------------------------------------------------------------------


def license_conditions(today: dt.date, days: int = LICENSE_ALERT_DAYS) -> list[Condition]:
    horizon = today + dt.timedelta(days=days)
    since = today - dt.timedelta(days=LICENSE_LAPSED_LOOKBACK_DAYS)
    rows = (
        licenses_list(as_of=today)
        .filter(provider__is_active=True, latest_expiry__range=(since, horizon))
        .values("id", "provider_id", "state", "number", "latest_expiry")
    )
    found = []
    for r in rows:
        verb = "expired" if r["latest_expiry"] < today else "expires"
        detail = f"{r['state']} license {r['number']} {verb} on {rules.fmt(r['latest_expiry'])}."
        found.append(
            Condition(
                Kind.LICENSE_EXPIRING, r["provider_id"], r["latest_expiry"], detail, None, r["id"]
            )
        )
    return found


def caqh_conditions(today: dt.date) -> list[Condition]:
    cycle = dt.timedelta(days=rules.CAQH_CYCLE_DAYS)
    horizon = today + dt.timedelta(days=CAQH_ALERT_DAYS)
    providers = (
        Provider.objects.filter(is_active=True)
        .exclude(license_type__in=rules.NO_CAQH)
        .values("id", "caqh_attested_on")
    )
    found = []
    for p in providers:
        attested = p["caqh_attested_on"]
        if attested is None:
            found.append(Condition(Kind.CAQH_DUE, p["id"], today, "No CAQH attestation recorded."))
        elif (due := attested + cycle) <= horizon:
            verb = "lapsed" if due < today else "is due"
            detail = f"CAQH re-attestation {verb} on {rules.fmt(due)}."
            found.append(Condition(Kind.CAQH_DUE, p["id"], due, detail))
    return found


def recredential_conditions(today: dt.date) -> list[Condition]:
    horizon = today + dt.timedelta(days=RECREDENTIAL_ALERT_DAYS)
    enrollments = (
        PayerEnrollment.objects.filter(
            provider__is_active=True, status=PayerEnrollment.Status.ENROLLED
        )
        .select_related("payer")
        .prefetch_related("periods")
    )
    found = []
    for e in enrollments:
        current = next(
            (
                p
                for p in e.periods.all()
                if rules.EnrollmentPeriod(p.effective_date, p.end_date).covers(today)
            ),
            None,
        )
        start = current.effective_date if current else None
        due = rules.recredential_due_on(e.recredential_due, start)
        if due is not None and due <= horizon:
            verb = "was due" if due < today else "is due"
            detail = f"Recredentialing with {e.payer.name} {verb} on {rules.fmt(due)}."
            found.append(Condition(Kind.RECREDENTIAL_DUE, e.provider_id, due, detail, e.payer_id))
    return found


def enrollment_gap_conditions(today: dt.date) -> list[Condition]:
    since = today - dt.timedelta(days=ENROLLMENT_LOOKBACK_DAYS)
    found = []
    for source in _sources:
        for s in source(since, today):
            span = rules.fmt(s.first_on)
            if s.last_on != s.first_on:
                span += f" – {rules.fmt(s.last_on)}"
            detail = f"{s.claims} claim(s) with services on dates no enrollment covers ({span})."
            found.append(
                Condition(
                    Kind.ENROLLMENT_GAP,
                    s.provider_id,
                    s.first_on,
                    detail,
                    s.payer_id,
                    None,
                    s.part2_only,
                )
            )
    return found


def alert_conditions(today: dt.date, *, license_days: int = LICENSE_ALERT_DAYS) -> list[Condition]:
    return (
        license_conditions(today, license_days)
        + caqh_conditions(today)
        + recredential_conditions(today)
        + enrollment_gap_conditions(today)
    )


# --- The job ---------------------------------------------------------------------------------


def _refresh(alert: CredentialingAlert, c: Condition, today: dt.date) -> None:
    alert.status, alert.resolved_on, alert.last_seen_on = "open", None, today
    alert.due_on, alert.detail, alert.part2 = c.due_on, c.detail[:300], c.part2


def credentialing_alerts_run(
    today: dt.date, *, license_days: int = LICENSE_ALERT_DAYS
) -> dict[str, int]:
    """Open, refresh and resolve the active org's alerts for `today`; returns the counts."""
    found = {c.key: c for c in alert_conditions(today, license_days=license_days)}
    with transaction.atomic():
        alerts = CredentialingAlert.objects.select_for_update()
        open_now = {_key(a): a for a in alerts.filter(status="open")}
        # Resolved earlier today and found again: reopened (one row per subject per day).
        resolved_today = {_key(a): a for a in alerts.filter(status="resolved", created_on=today)}
        changed, new = [], []
        for key, c in found.items():
            alert = open_now.pop(key, None) or resolved_today.get(key)
            if alert is None:
                alert = CredentialingAlert(
                    kind=c.kind,
                    provider_id=c.provider_id,
                    payer_id=c.payer_id,
                    license_id=c.license_id,
                    created_on=today,
                )
                new.append(alert)
            else:
                changed.append(alert)
            _refresh(alert, c, today)
        for alert in open_now.values():
            alert.status, alert.resolved_on = "resolved", today
        fields = ["status", "resolved_on", "last_seen_on", "due_on", "detail", "part2"]
        CredentialingAlert.objects.bulk_update([*changed, *open_now.values()], fields)
        CredentialingAlert.objects.bulk_create(new)
        for alert in new:
            alert_raised.send(sender=CredentialingAlert, alert=alert)
    return {
        "created": len(new),
        "updated": len(changed),
        "resolved": len(open_now),
        "open": len(found),
    }

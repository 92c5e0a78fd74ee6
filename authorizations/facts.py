"""From stored rows to the plain facts of `authorizations.rules`: authorizations, a session's
billed lines and the service as the ledger sees it, and the payer's authorization rules. The
ledger (services) and the answers (selectors) build their facts here, so both decide alike."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from authorizations.models import PriorAuthorization
from authorizations.rules import (
    AuthFacts,
    BilledLine,
    PayerAuthRules,
    ServiceForAuth,
    authorized_level,
)
from patients.models import Coverage, Session
from patients.selectors import service_episode
from payers.models import Payer

# HCR01 A1 certified, A2 partial, A6 modified: the payer has agreed to some services.
USABLE_STATUSES = (
    PriorAuthorization.Status.APPROVED,
    PriorAuthorization.Status.PARTIAL,
    PriorAuthorization.Status.MODIFIED,
)


def coverage_label(coverage: Coverage) -> str:
    """e.g. "Aetna (secondary)" or "Aetna (primary, ended 2026-10-31)"."""
    parts = [coverage.get_priority_display().lower()]
    if coverage.end_date is not None:
        parts.append(f"ended {coverage.end_date}")
    return f"{coverage.payer.name} ({', '.join(parts)})"


def auth_facts(auth: PriorAuthorization, *, remaining: Decimal) -> AuthFacts:
    """`auth` with coverage__payer and provider loaded; `remaining` after every open debit."""
    return AuthFacts(
        id=auth.pk,
        number=auth.auth_number,
        coverage_id=auth.coverage_id,
        coverage_label=coverage_label(auth.coverage),
        level=auth.level_of_care,
        episode_id=auth.episode_id,
        codes=tuple(auth.codes),
        unit_type=auth.unit_type,
        start=auth.start_date,
        end=auth.end_date,
        usable=auth.status in USABLE_STATUSES,
        status_label=auth.get_status_display(),
        units_authorized=auth.units_authorized,
        units_remaining=remaining,
        provider_id=auth.provider_id,
        provider_name=str(auth.provider) if auth.provider_id else "",
        tied_to_provider=auth.coverage.payer.auth_tied_to_provider,
    )


def payer_auth_rules(payer: Payer) -> PayerAuthRules:
    return PayerAuthRules(
        name=payer.name,
        required_levels=frozenset(payer.auth_required_levels or ()),
        required_codes=frozenset(payer.auth_required_codes or ()),
        outpatient_visits_before_auth=payer.outpatient_visits_before_auth,
        tied_to_provider=payer.auth_tied_to_provider,
    )


def session_minutes(session: Session) -> int | None:
    """Minutes an hours authorization counts: attended minutes of a program day, else the
    session's own."""
    return session.attended_minutes if session.attended_minutes is not None else session.minutes


def line_provider_id(session: Session, billed_provider: Any) -> int | None:
    """The provider a line is billed under: the supervisor when billed incident-to; None for a
    program's per-diem line (billed by the program, whoever led the day: REFERENCE.md §14)."""
    role = str(getattr(billed_provider, "value", billed_provider))
    if role == "facility":
        return None
    if role == "supervising":
        return session.supervising_provider_id
    return session.rendering_provider_id


def billed_lines(session: Session, result: Any) -> tuple[BilledLine, ...]:
    """The lines of a coding result (`patients.coding_bridge.preview_for`) as plain facts."""
    if not (result.billable and result.lines):
        return ()
    return tuple(
        BilledLine(
            code=line.code,
            units=line.units,
            modifiers=tuple(line.modifiers),
            revenue_code=line.revenue_code,
            provider_id=line_provider_id(session, line.billed_provider),
        )
        for line in result.lines
    )


def service_episode_id(session: Session) -> int | None:
    """The session's episode, or (recorded without one) the patient's episode in force on the
    date, as `patients.selectors.service_level_of_care` reads it."""
    if session.episode_id is not None:
        return session.episode_id
    episode = service_episode(session=session)  # reads the patient's prefetched episodes
    return episode.pk if episode else None


def _provider_names(session: Session) -> dict[int, str]:
    people = (session.rendering_provider, session.supervising_provider)
    return {p.pk: str(p) for p in people if p is not None}


def service_for_auth(
    session: Session,
    *,
    level: str | None,
    coverage: Coverage | None,
    lines: Iterable[BilledLine],
    held: Iterable[int] = (),
    days_taken: Iterable[int] = (),
) -> ServiceForAuth:
    return ServiceForAuth(
        on_date=session.service_date,
        level=authorized_level(level),
        episode_id=service_episode_id(session),
        coverage_id=coverage.pk if coverage else None,
        lines=tuple(lines),
        minutes=session_minutes(session),
        held=frozenset(held),
        days_taken=frozenset(days_taken),
        provider_names=_provider_names(session),
    )

"""Synthetic prior authorizations for the demo org: one per episode whose level of care needs
one, some expiring within 14 days, some exhausted, some with concurrent reviews and a next
review date, a few pended. Deterministic for a given rng (every pair draws the same numbers,
seeded or not); rerunning skips authorization numbers that already exist.

Program levels are authorized as payers do (REFERENCE.md §2, §14): by the revenue code the
payer bills the level under (residential and withdrawal management 1002, IOP 0905/0906, PHP
0912/0913...), in days. The demo's recorded sessions inside an authorization's span go through
the real ledger (once per day, line by line, on the coverage billed); units "used before this
system" top the usage up to the scenario's share."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from authorizations import services
from authorizations.consumption import consume_for_session
from authorizations.facts import USABLE_STATUSES, billed_lines
from authorizations.models import Criteria, PriorAuthorization, UnitLedgerEntry
from patients.coding_bridge import preview_for, prime_week_cache
from patients.models import Coverage, EpisodeOfCare, LevelOfCareSegment, Session
from patients.selectors import coding_ready_sessions
from payers.rules import program_day_entry
from rcm.tenancy import org_context

DEFAULT_AUTH_LEVELS = {"iop", "php", "residential", "withdrawal_management", "inpatient"}
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Profile:
    unit_type: str
    units: int
    span_days: int
    review_every: int
    mh_codes: tuple[str, ...]
    sud_codes: tuple[str, ...]
    asam: str = ""


# Typical first approvals and review cadence by level (REFERENCE.md §2 and §6).
# Codes: CPT/HCPCS or revenue codes, with required modifiers after a colon (authorizations.rules).
PROFILES = {
    "outpatient": Profile("visits", 12, 90, 0, ("90837", "90834"), ("H0004", "90837"), "1"),
    "iop": Profile("days", 12, 28, 14, ("0905",), ("0906", "H0015"), "2.1"),
    "php": Profile("days", 10, 14, 5, ("0912", "0913"), ("0912", "0913"), "2.5"),
    "residential": Profile("days", 14, 14, 7, ("1001", "H0019"), ("1002",), "3.5"),
    "withdrawal_management": Profile("days", 5, 5, 2, ("1002",), ("1002",), "3.7-WM"),
    "inpatient": Profile("days", 5, 5, 2, (), (), "4"),
    "otp": Profile("days", 30, 30, 0, ("H0020",), ("H0020",), "OTP"),
}


@dataclass(frozen=True)
class Draw:
    """Every random choice for one episode, drawn up front so reruns stay in step."""

    scenario: str
    number: str
    offset: int
    usage: float
    review_lag: int
    next_review_in: int


def _draw(rng: random.Random) -> Draw:
    roll = rng.random()
    scenario = (
        "expiring"
        if roll < 0.25
        else "exhausted"
        if roll < 0.42
        else "reviewed"
        if roll < 0.72
        else "pended"
        if roll < 0.8
        else "steady"
    )
    return Draw(
        scenario=scenario,
        number=f"{rng.choice('ABCHKMPQ')}{rng.randrange(10**8):08d}",
        offset=rng.randint(2, 12),
        usage=rng.uniform(0.2, 0.7),
        review_lag=rng.randint(1, 3),
        next_review_in=rng.randint(0, 5),
    )


def seed(
    *,
    org: Any,
    rng: random.Random,
    episodes_with_coverage: Iterable[tuple[EpisodeOfCare, Coverage]],
    today: dt.date,
) -> list[PriorAuthorization]:
    """`episodes_with_coverage`: (episode, coverage that pays for it) pairs of one org."""
    created: list[PriorAuthorization] = []
    with org_context(org):
        for episode, coverage in episodes_with_coverage:
            draw = _draw(rng)
            level = _level_on(episode, today)
            current = None
            if (
                level is not None
                and level in _auth_levels(coverage)
                and not _is_step_up(episode, today)
            ):
                current = PriorAuthorization.objects.filter(auth_number=draw.number).first()
                if current is None:
                    current = _create(episode, coverage, level, draw, today)
                    if current is not None:
                        created.append(current)
            created += _history(episode, coverage, current, draw, today)
        _step_up_without_authorization(episodes_with_coverage, today)
    return created


STEP_UP_DAYS_AGO = 2


def _is_step_up_segment(seg: LevelOfCareSegment, today: dt.date) -> bool:
    return (
        seg.level == "iop"
        and seg.asam_level == "2.1"
        and seg.start_date == today - STEP_UP_DAYS_AGO * DAY
        and seg.end_date is None
    )


def _is_step_up(episode: EpisodeOfCare, today: dt.date) -> bool:
    """The level change a previous run left without authorization on purpose (a rerun must not
    authorize it, or the next run would step up another episode)."""
    current = LevelOfCareSegment.objects.filter(episode=episode, end_date__isnull=True).first()
    return current is not None and _is_step_up_segment(current, today)


def _step_up_without_authorization(
    episodes_with_coverage: Iterable[tuple[EpisodeOfCare, Coverage]], today: dt.date
) -> LevelOfCareSegment | None:
    """Leave the UR queue a level change to work (authorizations.alerts): unless some recent
    segment already starts a level the payer authorizes with no authorization, the first
    active outpatient episode (in the order given) whose payer authorizes IOP steps up to IOP
    two days ago, with no authorization yet. Idempotent: once made, the condition holds."""
    from authorizations.alerts import level_change_findings

    if level_change_findings(today):
        return None
    start = today - STEP_UP_DAYS_AGO * DAY
    for episode, coverage in episodes_with_coverage:
        if episode.discharge_date is not None or "iop" not in (
            coverage.payer.auth_required_levels or []
        ):
            continue
        seg = (
            LevelOfCareSegment.objects.filter(episode=episode, end_date__isnull=True)
            .order_by("-start_date")
            .first()
        )
        if seg is None or seg.level != "outpatient" or seg.start_date >= start - DAY:
            continue
        if coverage.effective_date > start or (coverage.end_date and coverage.end_date < start):
            continue
        seg.end_date = start - DAY
        seg.save(update_fields=["end_date"])
        return LevelOfCareSegment.objects.create(
            episode=episode, level="iop", asam_level="2.1", start_date=start
        )
    return None


# A past stay at a level that needs authorization was authorized, in spans like the payer's
# (initial approval, then each concurrent review), except now and then (no authorization on
# file: the claim is held until one is obtained retroactively or it is written off).
HISTORY_GAP_SHARE = 0.08


def _history(
    episode: EpisodeOfCare,
    coverage: Coverage,
    current: PriorAuthorization | None,
    draw: Draw,
    today: dt.date,
) -> list[PriorAuthorization]:
    """Approved authorizations covering the episode's stays at levels the payer authorizes,
    up to the current authorization (or today). Drawn from a stream of the episode's own, so
    the rest of the demo stays as it was; idempotent by authorization number."""
    rng = random.Random(f"{episode.public_id}:auth-history")
    made: list[PriorAuthorization] = []
    levels = _auth_levels(coverage)
    segments = LevelOfCareSegment.objects.filter(episode=episode, start_date__lte=today)
    for n, seg in enumerate(segments.order_by("start_date", "pk")):
        profile = _history_profile(seg.level, coverage, levels)
        if profile is None:
            continue
        if _is_step_up_segment(seg, today):  # left unauthorized on purpose (the UR demo)
            continue
        if rng.random() < HISTORY_GAP_SHARE:
            continue
        last = min(seg.end_date or today, today)
        if current is not None and current.level_of_care == seg.level:
            if current.start_date <= last and current.end_date >= seg.start_date:
                last = current.start_date - DAY
        for k, (start, end) in enumerate(_chunks(seg.start_date, last, profile.span_days)):
            number = f"{draw.number}-{n}{k}"
            if PriorAuthorization.objects.filter(coverage=coverage, auth_number=number).exists():
                continue
            auth = _create_past(episode, coverage, seg.level, profile, number, (start, end), today)
            if auth is not None:
                made.append(auth)
    return made


def _chunks(start: dt.date, last: dt.date, days: int) -> list[tuple[dt.date, dt.date]]:
    spans = []
    while start <= last:
        end = min(start + (days - 1) * DAY, last)
        spans.append((start, end))
        start = end + DAY
    return spans


# Outpatient care past the payer's visits without authorization (REFERENCE.md §6): the clinic
# asks for visits ahead, any outpatient code, for a quarter at a time.
OUTPATIENT_VISITS = Profile("visits", 40, 90, 0, (), (), "1")


def _history_profile(level: str, coverage: Coverage, levels: set[str]) -> Profile | None:
    if level == "outpatient":
        counted = coverage.payer.outpatient_visits_before_auth is not None
        return OUTPATIENT_VISITS if counted or level in levels else None
    profile = PROFILES.get(level)
    if profile is None or profile.unit_type != "days" or level not in levels:
        return None
    return profile


def _create_past(
    episode: EpisodeOfCare,
    coverage: Coverage,
    level: str,
    profile: Profile,
    number: str,
    span: tuple[dt.date, dt.date],
    today: dt.date,
) -> PriorAuthorization | None:
    fitted = _fits(coverage, *span)
    if fitted is None:
        return None
    start, end = fitted
    days = profile.unit_type == "days"
    auth = services.authorization_create(
        actor=None,
        coverage=coverage,
        episode=episode,
        level_of_care=level,
        asam_level=profile.asam,
        codes=list(_codes(profile, episode, coverage, level)) if days else [],
        unit_type=profile.unit_type,
        units_authorized=Decimal((end - start).days + 1 if days else profile.units),
        start_date=start,
        end_date=end,
        status="approved",
        auth_number=number,
        criteria=Criteria.ASAM if episode.program == "sud" else Criteria.LOCUS,
    )
    # Recorded after the stay's sessions, it debits them as recording would have.
    services.units_consume_retro(authorization=auth, sessions=_coded_in_span(auth, today))
    return auth


def _level_on(episode: EpisodeOfCare, today: dt.date) -> str | None:
    """The level on `today`, else the latest level that has started."""
    segments = LevelOfCareSegment.objects.filter(episode=episode, start_date__lte=today)
    current = segments.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    levels = [
        query.order_by("-start_date").values_list("level", flat=True).first()
        for query in (current, segments)
    ]
    return levels[0] or levels[1]


def _auth_levels(coverage: Coverage) -> set[str]:
    return set(coverage.payer.auth_required_levels or DEFAULT_AUTH_LEVELS)


def _span(profile: Profile, draw: Draw, today: dt.date) -> tuple[dt.date, dt.date]:
    if draw.scenario == "expiring":
        end = today + draw.offset * DAY
        return end - (profile.span_days - 1) * DAY, end
    start = today - max(1, min(draw.offset, profile.span_days // 2)) * DAY
    return start, start + (profile.span_days - 1) * DAY


def _fits(coverage: Coverage, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    start = max(start, coverage.effective_date)
    if coverage.end_date is not None:
        end = min(end, coverage.end_date)
    return (start, end) if end >= start else None


def _create(
    episode: EpisodeOfCare, coverage: Coverage, level: str, draw: Draw, today: dt.date
) -> PriorAuthorization | None:
    profile = PROFILES[level]
    span = _fits(coverage, *_span(profile, draw, today))
    if span is None:
        return None
    codes = _codes(profile, episode, coverage, level)
    auth = services.authorization_create(
        actor=None,
        coverage=coverage,
        episode=episode,
        level_of_care=level,
        asam_level=profile.asam,
        codes=list(codes),
        unit_type=profile.unit_type,
        units_authorized=Decimal(profile.units),
        start_date=span[0],
        end_date=span[1],
        status="pended" if draw.scenario == "pended" else "approved",
        auth_number=draw.number,
        criteria=Criteria.ASAM if episode.program == "sud" else Criteria.LOCUS,
        next_review_date=_first_review(profile, span[0], today),
    )
    _replay_sessions(auth, today)
    _use_units(auth, draw)
    if draw.scenario == "reviewed" and profile.review_every:
        _review(auth, profile, draw, today)
    return auth


def _codes(
    profile: Profile, episode: EpisodeOfCare, coverage: Coverage, level: str
) -> tuple[str, ...]:
    """What the payer bills the level under (its revenue code, e.g. 1002 for residential), as
    plans authorize program days; else the profile's codes."""
    entry = program_day_entry(coverage.payer, episode.program, level)
    if entry.get("revenue_code"):
        return (entry["revenue_code"],)
    return profile.sud_codes if episode.program == "sud" else profile.mh_codes


def _first_review(profile: Profile, start: dt.date, today: dt.date) -> dt.date | None:
    if not profile.review_every:
        return None
    return max(start + profile.review_every * DAY, today + 3 * DAY)


def _replay_sessions(auth: PriorAuthorization, today: dt.date) -> None:
    """The demo's completed sessions in the span debit the authorization as recording would
    have (the demo bulk-creates sessions, so no signal ran)."""
    if auth.status not in USABLE_STATUSES:
        return
    for session, lines in _coded_in_span(auth, today):
        consume_for_session(session, lines)


def _coded_in_span(auth: PriorAuthorization, today: dt.date) -> list[tuple[Session, Any]]:
    """The completed sessions in the authorization's span (up to today), in the order they
    were recorded, with the lines each bills (coded as a list is: no query per session)."""
    sessions = coding_ready_sessions(
        Session.objects.filter(
            patient_id=auth.coverage.patient_id,
            status=Session.Status.COMPLETED,
            service_date__range=(auth.start_date, min(auth.end_date, today)),
        ).select_related("patient", "episode", "rendering_provider", "supervising_provider")
    )
    rows = list(sessions.order_by("service_date", "starts_at", "pk"))
    cache = prime_week_cache(rows, {})
    return [(s, billed_lines(s, preview_for(session_like=s, week_cache=cache))) for s in rows]


def _use_units(auth: PriorAuthorization, draw: Draw) -> None:
    """Top the usage up to the scenario's share with units used before this system."""
    if draw.scenario == "pended":
        return
    share = Decimal(1) if draw.scenario == "exhausted" else Decimal(f"{draw.usage:.2f}")
    used = (auth.units_authorized * share).quantize(Decimal("1")) - services.units_used(auth)
    if used > 0:
        UnitLedgerEntry.objects.create(
            authorization=auth,
            kind=UnitLedgerEntry.Kind.ADJUST,
            units=-used,
            service_date=auth.start_date,
            memo="Demo: units used before this system",
        )


def _review(auth: PriorAuthorization, profile: Profile, draw: Draw, today: dt.date) -> None:
    review_date = max(auth.start_date, today - draw.review_lag * DAY)
    services.concurrent_review_record(
        authorization=auth,
        review_date=review_date,
        outcome="approved",
        units_added=Decimal(profile.review_every),
        new_end_date=auth.end_date + profile.review_every * DAY,
        next_review_date=today + draw.next_review_in * DAY,
        criteria=auth.criteria,
        reviewer="Demo plan reviewer",
        notes="Continued stay criteria met.",
        actor=None,
    )
    auth.refresh_from_db()

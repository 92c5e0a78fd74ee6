"""Reads for prior authorizations. Usage figures are annotations, so a list of any length is
one query (no per-row ledger sums)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from authorizations import facts, rules
from authorizations.facts import USABLE_STATUSES
from authorizations.models import PriorAuthorization, UnitLedgerEntry
from patients.coding_bridge import preview_for
from patients.models import Coverage, Session
from patients.selectors import primary_coverage_on, service_level_of_care
from rcm.models import Organization
from rcm.tenancy import current_org

EXPIRING_DAYS = 14
ZERO = Decimal("0")
REVIEW_DUE_DAYS = 2
UNITS = DecimalField(max_digits=10, decimal_places=2)


class DaysBetween(Func):
    """`later - earlier` for two dates: PostgreSQL returns whole days as an integer."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _ledger_total() -> Subquery:
    totals = (
        UnitLedgerEntry.objects.filter(authorization=OuterRef("pk"))
        .order_by()
        .values("authorization")
        .annotate(total=Sum("units"))
        .values("total")
    )
    return Subquery(totals, output_field=UNITS)


def with_usage(queryset: QuerySet, *, today: dt.date) -> QuerySet:
    """Annotate units_used/remaining, days_to_expiry and the attention flags."""
    review_by = today + dt.timedelta(days=REVIEW_DUE_DAYS)
    queryset = queryset.annotate(
        units_used=ExpressionWrapper(
            -Coalesce(_ledger_total(), Value(Decimal("0"))), output_field=UNITS
        ),
        days_to_expiry=DaysBetween(F("end_date"), Value(today)),
    ).annotate(
        units_remaining=ExpressionWrapper(
            F("units_authorized") - F("units_used"), output_field=UNITS
        ),
    )
    return queryset.annotate(
        expired=_flag(Q(days_to_expiry__lt=0)),
        expiring=_flag(Q(days_to_expiry__gte=0, days_to_expiry__lte=EXPIRING_DAYS)),
        exhausted=_flag(Q(units_remaining__lte=0)),
        review_due=_flag(Q(next_review_date__isnull=False, next_review_date__lte=review_by)),
    )


def needs_attention_q(today: dt.date) -> Q:
    """Still in force (usable and not past its end) and expiring, used up or due for review."""
    return Q(status__in=USABLE_STATUSES, end_date__gte=today) & (
        Q(expiring=True) | Q(exhausted=True) | Q(review_due=True)
    )


def _truthy(value: Any) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on"}


def _apply_filters(queryset: QuerySet, filters: Mapping[str, Any], today: dt.date) -> QuerySet:
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if level := filters.get("level_of_care"):
        queryset = queryset.filter(level_of_care=level)
    if patient := filters.get("patient"):
        queryset = queryset.filter(coverage__patient__public_id=patient)
    if _truthy(filters.get("needs_attention", "")):
        queryset = queryset.filter(needs_attention_q(today))
    return queryset


def authorizations_with_usage(
    *, org: Organization, filters: Mapping[str, Any] | None = None, today: dt.date | None = None
) -> QuerySet:
    """Authorizations with patient and payer joined and usage annotated, soonest end first.
    Filters: status, level_of_care, patient (public_id), needs_attention."""
    today = today or timezone.localdate()
    queryset = (
        PriorAuthorization.objects.filter(org=org)
        .select_related("coverage__patient", "coverage__payer", "episode", "provider")
        .order_by("end_date", "pk")
    )
    return _apply_filters(with_usage(queryset, today=today), filters or {}, today)


def authorization_with_usage(
    *, org: Organization, public_id: Any, today: dt.date | None = None
) -> PriorAuthorization:
    """One authorization with usage (raises DoesNotExist for another org's id)."""
    return authorizations_with_usage(org=org, today=today).get(public_id=public_id)


def authorization_for_service(
    *,
    patient: Any,
    level: str,
    code: str,
    on_date: dt.date,
    modifiers: tuple[str, ...] = (),
    revenue_code: str | None = None,
    provider: Any = None,
    book: AuthorizationBook | None = None,
) -> PriorAuthorization | None:
    """The usable authorization that would pay for one line: on the coverage billed on
    `on_date` (the patient's primary then), for `level`, in force on the date, listing the code
    or revenue code with the modifiers it requires and, where the payer ties authorizations to
    the provider, for `provider`. Soonest-ending first, as the ledger picks. `book`: the
    patient's authorizations as loaded for a batch (`authorization_book`), else queried."""
    coverage = primary_coverage_on(patient, on_date)
    if coverage is None:
        return None
    line = rules.BilledLine(
        code.strip().upper(),
        modifiers=tuple(m.strip().upper() for m in modifiers),
        revenue_code=revenue_code,
        provider_id=getattr(provider, "pk", None),
    )
    if book is not None:
        auths: Iterable[PriorAuthorization] = [
            a
            for a in book.auths.get(patient.pk, ())
            if a.coverage_id == coverage.pk
            and a.level_of_care == level
            and a.status in USABLE_STATUSES
        ]
    else:
        auths = (
            PriorAuthorization.objects.filter(
                coverage=coverage, level_of_care=level, status__in=USABLE_STATUSES
            )
            .select_related("coverage__payer", "provider")
            .order_by("end_date", "pk")
        )
    for auth in auths:
        # No session, so no episode to hold the authorization to: take its own.
        service = rules.ServiceForAuth(on_date, level, auth.episode_id, coverage.pk, (line,))
        if not rules.mismatch(facts.auth_facts(auth, remaining=ZERO), service, line):
            return auth
    return None


def authorization_covering_level(
    *, coverage: Any, level: str, on: dt.date
) -> PriorAuthorization | None:
    """The usable authorization of this coverage for `level` in force on `on`, newest first
    (what the level-of-care transition page reports). Usable statuses: REFERENCE.md §6."""
    return (
        PriorAuthorization.objects.filter(
            coverage=coverage,
            level_of_care=level,
            status__in=USABLE_STATUSES,
            start_date__lte=on,
            end_date__gte=on,
        )
        .order_by("-start_date")
        .first()
    )


def authorizations_needing_attention(
    *, org: Organization, today: dt.date | None = None
) -> QuerySet:
    """In-force authorizations expiring within 14 days, exhausted, or due for review within
    two days: the alerts queue."""
    return authorizations_with_usage(org=org, filters={"needs_attention": True}, today=today)


def authorization_reviews(*, authorization: PriorAuthorization) -> QuerySet:
    return authorization.reviews.select_related("recorded_by").order_by("-review_date", "-pk")


def authorization_ledger(*, authorization: PriorAuthorization) -> QuerySet:
    return authorization.ledger.select_related("session").order_by("-service_date", "-pk")


# --- Does a service need an authorization, and which covers it ------------------------------


def still_open(consumed: QuerySet[UnitLedgerEntry]) -> QuerySet[UnitLedgerEntry]:
    """Debits not yet given back (each session revision releases its own)."""
    released = UnitLedgerEntry.objects.filter(
        authorization=OuterRef("authorization"),
        session=OuterRef("session"),
        session_revision=OuterRef("session_revision"),
        kind=UnitLedgerEntry.Kind.RELEASE,
    )
    return consumed.filter(~Exists(released))


def session_debits(*, session: Any) -> QuerySet[UnitLedgerEntry]:
    """The session's debits that stand (consumed, not released)."""
    consumed = UnitLedgerEntry.objects.filter(session=session, kind=UnitLedgerEntry.Kind.CONSUME)
    return still_open(consumed)


def days_debited_by_others(*, session: Any, auths: Iterable[PriorAuthorization]) -> set[int]:
    """The days authorizations whose day (the session's date of service) another session
    already debits: a days authorization is consumed once per day (REFERENCE.md §14)."""
    days = [a.pk for a in auths if a.unit_type == PriorAuthorization.UnitType.DAYS]
    if not days:
        return set()
    consumed = UnitLedgerEntry.objects.filter(
        authorization_id__in=days,
        service_date=session.service_date,
        kind=UnitLedgerEntry.Kind.CONSUME,
        session__isnull=False,
    ).exclude(session=session)
    return set(still_open(consumed).values_list("authorization_id", flat=True))


def _visit_order(session: Any) -> tuple[Any, ...]:
    start = session.starts_at.timestamp() if session.starts_at else float("inf")
    return (session.service_date, start, session.pk or float("inf"))


def outpatient_visits_before(*, session: Any, coverage: Coverage, limit: int) -> int:
    """Completed outpatient visits billed to `coverage` before this session in the calendar
    year of its date of service, counted up to `limit`. A visit is a completed session at the
    outpatient level or outside any program (`service_level_of_care`); it is billed to the
    coverage when that coverage is the primary in force on its date. Same-day visits count in
    order of start time. (Plans count "N visits a year"; the calendar year is the plan year
    we know without benefit data.)"""
    day = session.service_date
    rows = (
        Session.objects.filter(
            patient_id=session.patient_id,
            status=Session.Status.COMPLETED,
            service_date__range=(max(dt.date(day.year, 1, 1), coverage.effective_date), day),
        )
        .exclude(pk=session.pk)
        .select_related("episode")
        .prefetch_related("episode__segments")
    )
    return _count_visits(session, coverage, limit, sorted(rows, key=_visit_order))


def _count_visits(session: Any, coverage: Coverage, limit: int, rows: list[Any]) -> int:
    """Count `rows` (the candidates, in visit order) that are outpatient visits billed to
    `coverage` before `session`, up to `limit`."""
    patient = session.patient
    prefetch_related_objects([patient], "coverages__payer")
    count = 0
    for row in rows:
        if count >= limit or _visit_order(row) >= _visit_order(session):
            break
        row.patient = patient
        billed_to = primary_coverage_on(patient, row.service_date)
        outpatient = rules.authorized_level(service_level_of_care(session=row)) == "outpatient"
        count += int(billed_to == coverage and outpatient)
    return count


def _patient_authorizations(
    patient_ids: Iterable[int],
) -> tuple[dict[int, list[PriorAuthorization]], dict[int, list[rules.AuthFacts]]]:
    """Every authorization of each patient (the near misses explain why none covers), in the
    ledger's order, with units remaining after every open debit: one query for any number of
    patients."""
    rows = PriorAuthorization.objects.filter(coverage__patient_id__in=set(patient_ids))
    rows = rows.select_related("coverage__payer", "provider")
    auths: dict[int, list[PriorAuthorization]] = defaultdict(list)
    found: dict[int, list[rules.AuthFacts]] = defaultdict(list)
    for a in with_usage(rows, today=timezone.localdate()).order_by("end_date", "pk"):
        auths[a.coverage.patient_id].append(a)
        found[a.coverage.patient_id].append(
            dataclasses.replace(
                facts.auth_facts(a, remaining=a.units_remaining), public_id=str(a.public_id)
            )
        )
    return auths, found


def _open_debits(session_ids: set[int]) -> dict[int, frozenset[int]]:
    """The authorizations each session's standing debits were taken from."""
    consumed = UnitLedgerEntry.objects.filter(
        session_id__in=session_ids, kind=UnitLedgerEntry.Kind.CONSUME
    )
    held: dict[int, set[int]] = defaultdict(set)
    for session_id, auth_id in still_open(consumed).values_list("session_id", "authorization_id"):
        held[session_id].add(auth_id)
    return {pk: frozenset(ids) for pk, ids in held.items()}


def _day_debits(auth_ids: set[int], days: set[dt.date]) -> dict[tuple[int, dt.date], set[int]]:
    """(days authorization, date) -> the sessions whose standing debit took that day."""
    if not auth_ids or not days:
        return {}
    consumed = UnitLedgerEntry.objects.filter(
        authorization_id__in=auth_ids,
        service_date__in=days,
        kind=UnitLedgerEntry.Kind.CONSUME,
        session__isnull=False,
    )
    taken: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    rows = still_open(consumed).values_list("authorization_id", "service_date", "session_id")
    for auth_id, day, session_id in rows:
        taken[(auth_id, day)].add(session_id)
    return taken


def _visit_counting(sessions: list[Any], auths: Mapping[int, list[PriorAuthorization]]) -> Any:
    """Completed sessions of the patients whose payer counts outpatient visits before an
    authorization, over the calendar years of the sessions (one query)."""
    wanted = [s for s in sessions if _counts_visits(s)]
    if not wanted:
        return {}
    days = [s.service_date for s in wanted]
    rows = (
        Session.objects.filter(
            patient_id__in={s.patient_id for s in wanted},
            status=Session.Status.COMPLETED,
            service_date__range=(dt.date(min(days).year, 1, 1), max(days)),
        )
        .select_related("episode")
        .prefetch_related("episode__segments")
    )
    visits: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        visits[row.patient_id].append(row)
    for found in visits.values():
        found.sort(key=_visit_order)
    return visits


def _counts_visits(session: Any) -> bool:
    coverage = primary_coverage_on(session.patient, session.service_date)
    return coverage is not None and coverage.payer.outpatient_visits_before_auth is not None


@dataclass
class AuthorizationBook:
    """What `service_authorization` and `authorization_for_service` read, loaded for a batch
    of sessions in a fixed number of queries however many sessions (claims build and scrub
    thousands at once): each patient's authorizations with usage, each session's standing
    debits, the days other sessions took on days authorizations, the completed sessions that
    count as outpatient visits, and each session's coding result when the caller has it."""

    auths: dict[int, list[PriorAuthorization]]
    facts: dict[int, list[rules.AuthFacts]]
    held: dict[int, frozenset[int]]
    day_debits: dict[tuple[int, dt.date], set[int]]
    visits: dict[int, list[Any]]
    results: Mapping[int, Any] = dataclasses.field(default_factory=dict)

    def days_taken(self, session: Any) -> set[int]:
        """As `days_debited_by_others`, from the book."""
        days = [
            a.pk
            for a in self.auths.get(session.patient_id, ())
            if a.unit_type == PriorAuthorization.UnitType.DAYS
        ]
        return {
            pk
            for pk in days
            if self.day_debits.get((pk, session.service_date), set()) - {session.pk}
        }

    def visits_before(self, session: Any, coverage: Coverage, limit: int) -> int:
        """As `outpatient_visits_before`, from the book."""
        day = session.service_date
        since = max(dt.date(day.year, 1, 1), coverage.effective_date)
        rows = [
            row
            for row in self.visits.get(session.patient_id, ())
            if since <= row.service_date <= day and row.pk != session.pk
        ]
        return _count_visits(session, coverage, limit, rows)


def authorization_book(
    *, sessions: Iterable[Any], results: Mapping[int, Any] | None = None
) -> AuthorizationBook:
    """Load what `service_authorization` reads for many sessions (loaded with
    `patients.selectors.coding_ready_sessions`). `results`: each session's coding result by
    session id, when the caller coded them already (else each is coded when asked)."""
    sessions = list(sessions)
    auths, found = _patient_authorizations({s.patient_id for s in sessions})
    days_auths = {
        a.pk
        for rows in auths.values()
        for a in rows
        if a.unit_type == PriorAuthorization.UnitType.DAYS
    }
    return AuthorizationBook(
        auths=auths,
        facts=found,
        held=_open_debits({s.pk for s in sessions if s.pk}),
        day_debits=_day_debits(days_auths, {s.service_date for s in sessions}),
        visits=_visit_counting(sessions, auths),
        results=results or {},
    )


def service_authorization(
    *, session: Any, book: AuthorizationBook | None = None
) -> rules.AuthCheck:
    """Does this session's service need an authorization (the payer billed on its date: levels,
    codes, visits before authorization), and which authorization covers each line it bills, or
    why none does. The session page and API show it; the claims scrubber holds a claim on
    `holds_claim`. `book`: what a batch loaded at once (`authorization_book`)."""
    if book is None:
        book = authorization_book(sessions=[session])
    coverage = primary_coverage_on(session.patient, session.service_date)
    payer = coverage.payer if coverage else None
    level = rules.authorized_level(service_level_of_care(session=session))
    result = book.results.get(session.pk) if session.pk else None
    service = facts.service_for_auth(
        session,
        level=level,
        coverage=coverage,
        lines=facts.billed_lines(session, result or preview_for(session_like=session)),
        held=book.held.get(session.pk, frozenset()),
        days_taken=book.days_taken(session),
    )
    limit = payer.outpatient_visits_before_auth if payer else None
    prior = 0
    if coverage is not None and limit is not None and level == rules.OUTPATIENT:
        prior = book.visits_before(session, coverage, limit)
    rules_ = facts.payer_auth_rules(payer) if payer else None
    return rules.authorization_check(service, rules_, book.facts.get(session.patient_id, []), prior)


def authorization_answer(*, session: Any) -> dict[str, Any]:
    """`service_authorization` as JSON-ready data (session page and API)."""
    check = service_authorization(session=session)
    message = check.message
    completed = session.status == Session.Status.COMPLETED
    if not completed:
        message = f"{session.get_status_display()}: uses no authorized units. {message}"
    return {
        "needed": check.needed,
        "covered": check.covered,
        "holds_claim": check.holds_claim and completed,  # only a completed service is billed
        "message": message,
        "reasons": list(check.reasons),
        "lines": [_line_answer(line) for line in check.lines],
    }


def _line_answer(check: rules.LineCheck) -> dict[str, Any]:
    auth = check.covered_by
    return {
        "code": check.line.code,
        "modifiers": list(check.line.modifiers),
        "revenue_code": check.line.revenue_code,
        "units": check.line.units,
        "needed": check.needed,
        "authorization": auth.public_id if auth else None,
        "auth_number": auth.number if auth else None,
        "unit_type": auth.unit_type if auth else None,
        "units_authorized": auth.units_authorized if auth else None,
        "units_remaining": auth.units_remaining if auth else None,
        "covered_by": rules.usage(auth) if auth else None,
        "why_not": list(check.why_not),
        "url": _detail_url(auth.public_id) if auth else None,  # pages only
    }


def _detail_url(public_id: str | None) -> str | None:
    org = current_org()
    if org is None or public_id is None:
        return None
    return reverse(
        "authorizations:auth_detail", kwargs={"org_slug": org.slug, "public_id": public_id}
    )

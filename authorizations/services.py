"""Writes for prior authorizations: create/update, concurrent reviews, and the units ledger.

Every service runs in one transaction and raises `ValidationError({field: [message]})` with all
problems at once, so a form or API client sees each bad field and nothing is half-saved."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from authorizations import facts, rules
from authorizations.facts import USABLE_STATUSES
from authorizations.models import ConcurrentReview, PriorAuthorization, UnitLedgerEntry
from authorizations.rules import BilledLine, code_errors
from authorizations.selectors import days_debited_by_others, session_debits
from patients.models import Coverage, Session
from patients.selectors import primary_coverage_on, service_level_of_care
from rcm.errors import FieldErrors

ZERO = Decimal("0")
__all__ = ["USABLE_STATUSES", "BilledLine"]
EXTENDING_OUTCOMES = (ConcurrentReview.Outcome.APPROVED, ConcurrentReview.Outcome.PARTIAL)
CLOSING_OUTCOMES = (ConcurrentReview.Outcome.DENIED, ConcurrentReview.Outcome.STEP_DOWN)
EDITABLE_FIELDS = frozenset(
    {
        "coverage",
        "episode",
        "provider",
        "level_of_care",
        "asam_level",
        "codes",
        "unit_type",
        "units_authorized",
        "start_date",
        "end_date",
        "status",
        "auth_number",
        "next_review_date",
        "criteria",
    }
)


# --- Authorizations ---------------------------------------------------------------------------


def normalize_codes(codes: Iterable[str] | str | None) -> list[str]:
    """Accept a list or a comma/space separated string of tokens ("H0015:HQ", "1002");
    upper-cased, modifiers sorted, de-duplicated, in order (see authorizations.rules)."""
    return rules.normalize_codes(codes)


def _as_decimal(value: Any) -> Decimal | None:
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def _check_fields(auth: PriorAuthorization, errors: FieldErrors) -> None:
    """Field-level checks (choices, lengths, required) from the model; constraints are ours."""
    try:
        auth.full_clean(exclude=["org"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.merge(exc)


def _dates(*values: Any) -> bool:
    return all(isinstance(value, dt.date) for value in values)


def _check_span(auth: PriorAuthorization, errors: FieldErrors) -> None:
    if _dates(auth.start_date, auth.end_date):
        errors.require(
            auth.end_date >= auth.start_date,
            "end_date",
            "End date must be on or after the start date.",
        )
    if _dates(auth.next_review_date, auth.start_date):
        errors.require(
            auth.next_review_date >= auth.start_date,
            "next_review_date",
            "Next review date cannot be before the start date.",
        )


def _check_units_and_codes(auth: PriorAuthorization, errors: FieldErrors) -> None:
    units = _as_decimal(auth.units_authorized)
    if units is not None:
        errors.require(units >= 0, "units_authorized", "Units cannot be negative.")
    elif "units_authorized" not in errors.errors:
        errors.add("units_authorized", "Enter a number of units.")
    for message in code_errors(auth.codes):
        errors.add("codes", message)


def _coverage_active(coverage: Coverage, start: dt.date, end: dt.date) -> bool:
    return coverage.effective_date <= start and (
        coverage.end_date is None or coverage.end_date >= end
    )


def _check_links(auth: PriorAuthorization, errors: FieldErrors) -> None:
    coverage = auth.coverage
    if _dates(auth.start_date, auth.end_date) and auth.end_date >= auth.start_date:
        errors.require(
            _coverage_active(coverage, auth.start_date, auth.end_date),
            "coverage",
            "The coverage is not active for the whole authorized span "
            f"(coverage {coverage.effective_date} to {coverage.end_date or 'open'}).",
        )
    if auth.episode_id is not None:
        errors.require(
            auth.episode.patient_id == coverage.patient_id,
            "coverage",
            "The coverage belongs to a different patient than the episode.",
        )
    errors.require(
        auth.provider_id is not None or not coverage.payer.auth_tied_to_provider,
        "provider",
        f"{coverage.payer.name} ties authorizations to the rendering provider: choose the "
        "provider this one is for.",
    )


def _check_auth_number(auth: PriorAuthorization, errors: FieldErrors) -> None:
    if not auth.auth_number:
        return
    clash = PriorAuthorization.objects.filter(
        coverage_id=auth.coverage_id, auth_number=auth.auth_number
    )
    if auth.pk:
        clash = clash.exclude(pk=auth.pk)
    errors.require(
        not clash.exists(),
        "auth_number",
        "This coverage already has an authorization with this number.",
    )


def _validate(auth: PriorAuthorization, errors: FieldErrors | None = None) -> None:
    errors = errors if errors is not None else FieldErrors()
    auth.codes = normalize_codes(auth.codes)
    auth.auth_number = (auth.auth_number or "").strip()
    _check_fields(auth, errors)
    _check_span(auth, errors)
    _check_units_and_codes(auth, errors)
    if auth.coverage_id is not None:
        _check_links(auth, errors)
        _check_auth_number(auth, errors)
    errors.raise_if_any()


def _save(auth: PriorAuthorization) -> PriorAuthorization:
    try:
        with transaction.atomic():
            auth.save()
    except IntegrityError as exc:  # a concurrent duplicate number: the constraint is the backstop
        raise ValidationError(
            {"auth_number": ["This coverage already has an authorization with this number."]}
        ) from exc
    return auth


def _reject_unknown(fields: Iterable[str]) -> None:
    unknown = sorted(set(fields) - EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"authorization: unexpected field(s) {', '.join(unknown)}")


@transaction.atomic
def authorization_create(*, actor: Any, **fields: Any) -> PriorAuthorization:
    """Record an authorization. `fields` are model fields (coverage, level_of_care, unit_type,
    units_authorized, start_date, end_date, codes, status, auth_number, ...)."""
    _reject_unknown(fields)
    fields["codes"] = normalize_codes(fields.get("codes"))
    auth = PriorAuthorization(**fields)
    _validate(auth)
    return _save(auth)


def units_used(authorization: PriorAuthorization) -> Decimal:
    total = authorization.ledger.aggregate(total=Sum("units"))["total"] or ZERO
    return -total


def _check_update(auth: PriorAuthorization, old_coverage_id: int | None) -> FieldErrors:
    errors = FieldErrors()
    errors.require(
        auth.coverage_id == old_coverage_id,
        "coverage",
        "The coverage of a recorded authorization cannot be changed; record a new one.",
    )
    used = units_used(auth)
    units = _as_decimal(auth.units_authorized)
    if units is not None and units >= 0:
        errors.require(
            units >= used,
            "units_authorized",
            f"{used} units are already used; the authorized units cannot be lower.",
        )
    return errors


@transaction.atomic
def authorization_update(
    *, authorization: PriorAuthorization, actor: Any, **changes: Any
) -> PriorAuthorization:
    _reject_unknown(changes)
    auth = PriorAuthorization.objects.select_for_update().get(pk=authorization.pk)
    old_coverage_id = auth.coverage_id
    for name, value in changes.items():
        setattr(auth, name, normalize_codes(value) if name == "codes" else value)
    _validate(auth, _check_update(auth, old_coverage_id))
    return _save(auth)


# --- Concurrent reviews -----------------------------------------------------------------------


def _check_review(auth: PriorAuthorization, review: ConcurrentReview, errors: FieldErrors) -> None:
    outcome = review.outcome
    errors.require(
        auth.status in USABLE_STATUSES,
        "authorization",
        "Only an approved authorization can have a concurrent review.",
    )
    if _dates(review.review_date):
        errors.require(
            review.review_date >= auth.start_date,
            "review_date",
            "The review date is before the authorization starts.",
        )
    if _dates(review.next_review_date, review.review_date):
        errors.require(
            review.next_review_date >= review.review_date,
            "next_review_date",
            "The next review cannot be before this review.",
        )
    units = _as_decimal(review.units_added)
    errors.require(
        units is not None and units >= 0, "units_added", "Units added cannot be negative."
    )
    if outcome not in EXTENDING_OUTCOMES:
        errors.require(not units, "units_added", "Only an approved or partial review adds units.")
    _check_review_end(auth, review, errors)


def _check_review_end(
    auth: PriorAuthorization, review: ConcurrentReview, errors: FieldErrors
) -> None:
    new_end = review.new_end_date
    if not _dates(new_end):
        return
    if review.outcome in EXTENDING_OUTCOMES:
        errors.require(
            new_end >= auth.end_date,
            "new_end_date",
            f"An extension cannot end before the current end date ({auth.end_date}).",
        )
    elif review.outcome in CLOSING_OUTCOMES:
        errors.require(
            auth.start_date <= new_end <= auth.end_date,
            "new_end_date",
            "The last covered day must fall within the authorized span.",
        )
    else:
        errors.add("new_end_date", "A pending review does not change the end date.")


def _apply_review(auth: PriorAuthorization, review: ConcurrentReview) -> None:
    if review.outcome in EXTENDING_OUTCOMES:
        auth.units_authorized += review.units_added
        auth.end_date = max(auth.end_date, review.new_end_date or auth.end_date)
        auth.next_review_date = review.next_review_date
        auth.criteria = auth.criteria or review.criteria
    elif review.outcome in CLOSING_OUTCOMES:
        # A denial or step-down ends the stay at the last covered day; no further reviews.
        auth.end_date = review.new_end_date or auth.end_date
        auth.next_review_date = None
    else:
        return
    auth.save(update_fields=["units_authorized", "end_date", "next_review_date", "criteria"])


@transaction.atomic
def concurrent_review_record(
    *,
    authorization: PriorAuthorization,
    review_date: dt.date,
    outcome: str,
    units_added: Decimal = ZERO,
    new_end_date: dt.date | None = None,
    next_review_date: dt.date | None = None,
    criteria: str = "",
    reviewer: str = "",
    notes: str = "",
    actor: Any,
) -> ConcurrentReview:
    """Append a review; approved/partial ones extend units and end date and set the next
    review date on the authorization, in the same transaction."""
    auth = PriorAuthorization.objects.select_for_update().get(pk=authorization.pk)
    review = ConcurrentReview(
        authorization=auth,
        review_date=review_date,
        outcome=outcome,
        units_added=units_added if units_added is not None else ZERO,
        new_end_date=new_end_date,
        next_review_date=next_review_date,
        criteria=criteria or "",
        reviewer=reviewer or "",
        notes=notes or "",
        recorded_by_id=getattr(actor, "pk", None),
    )
    errors = FieldErrors()
    try:
        review.full_clean(
            exclude=["org", "authorization", "recorded_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors.merge(exc)
    _check_review(auth, review, errors)
    errors.raise_if_any()
    review.save()
    _apply_review(auth, review)
    return review


# --- Units ledger -----------------------------------------------------------------------------


def _candidates(coverage: Coverage | None, level: str) -> list[PriorAuthorization]:
    """Usable authorizations on the coverage billed on the date of service, at the service's
    level of care, locked in a fixed order (no deadlocks). Soonest-ending first: the order the
    ledger uses them in."""
    if coverage is None:
        return []
    auths = PriorAuthorization.objects.filter(
        coverage=coverage, level_of_care=level, status__in=USABLE_STATUSES
    ).select_related("coverage__payer", "provider")
    return list(auths.order_by("end_date", "pk").select_for_update(of=("self",)))


def _check_consumable(session: Session, lines: Sequence[BilledLine]) -> None:
    errors = FieldErrors()
    errors.require(
        all(line.units > 0 for line in lines), "units", "Units to consume must be more than zero."
    )
    errors.require(
        session.status not in (Session.Status.CANCELLED, Session.Status.NO_SHOW),
        "session",
        "A cancelled or no-show session does not use authorized units.",
    )
    errors.raise_if_any()


def _memo(lines: Sequence[BilledLine], units: Decimal, unit_type: str) -> str:
    billed = ", ".join(f"{line.label} x {line.units}" for line in lines)
    return f"{billed}: {rules.quantity(units, unit_type)}"[:200]


def _consume_entry(
    auth: PriorAuthorization, session: Session, lines: Sequence[BilledLine], units: Decimal
) -> UnitLedgerEntry:
    return UnitLedgerEntry.objects.create(
        authorization=auth,
        session=session,
        kind=UnitLedgerEntry.Kind.CONSUME,
        units=-units,
        service_date=session.service_date,
        session_revision=session.revision,
        memo=_memo(lines, units, auth.unit_type),
    )


def _refuse_released(session: Session, auth_ids: Iterable[int]) -> None:
    released = UnitLedgerEntry.objects.filter(
        session=session,
        authorization_id__in=list(auth_ids),
        session_revision=session.revision,
        kind=UnitLedgerEntry.Kind.RELEASE,
    )
    if released.exists():
        raise ValidationError(
            {
                "session": [
                    "This session's units were released; record an adjustment to use them again."
                ]
            }
        )


def _plan(
    session: Session,
    lines: Sequence[BilledLine],
    candidates: list[PriorAuthorization],
    **known: Any,
) -> rules.DebitPlan:
    service = facts.service_for_auth(session, lines=lines, **known)
    auths = [facts.auth_facts(a, remaining=a.units_authorized - units_used(a)) for a in candidates]
    plan = rules.plan_debits(service, auths)
    if plan.problems:
        raise ValidationError({name: list(messages) for name, messages in plan.problems.items()})
    return plan


def _normal(line: BilledLine, session: Session) -> BilledLine:
    """Codes as the engine writes them; a line without a provider is the rendering one's."""
    return dataclasses.replace(
        line,
        code=line.code.strip().upper(),
        modifiers=tuple(m.strip().upper() for m in line.modifiers),
        provider_id=line.provider_id or session.rendering_provider_id,
    )


@transaction.atomic
def units_consume_for_session(
    *, session: Session, lines: Sequence[BilledLine]
) -> list[UnitLedgerEntry]:
    """Debit the authorizations that pay for the session's billed `lines` (REFERENCE.md §14):
    only authorizations on the coverage billed on the date of service (the patient's primary
    coverage in force then), at the service's level of care, that list the line (its code or
    revenue code, with the modifiers they require) and, where the payer ties authorizations to
    the provider, are for the provider the line is billed under. Days: once per day, whichever
    session bills it first; visits and hours: once per session; units: each line's units.

    Returns the session's debits (one per authorization). Idempotent: an authorization the
    session already debits is not debited again (a corrected session consumes again only
    after its earlier debit was released). When a line an authorization lists cannot be paid
    (outside its span, not enough units) nothing is debited: ValidationError."""
    lines = [_normal(line, session) for line in lines]
    _check_consumable(session, lines)
    coverage = primary_coverage_on(session.patient, session.service_date)
    level = rules.authorized_level(service_level_of_care(session=session))
    candidates = _candidates(coverage, level)
    if not candidates or not lines:
        return []
    held = {
        e.authorization_id: e
        for e in session_debits(session=session).filter(authorization__in=candidates)
    }
    plan = _plan(
        session,
        lines,
        candidates,
        level=level,
        coverage=coverage,
        held=held,
        days_taken=days_debited_by_others(session=session, auths=candidates),
    )
    new = {pk: units for pk, units in plan.amounts.items() if pk not in held and units > 0}
    _refuse_released(session, new)
    by_id = {auth.pk: auth for auth in candidates}
    created = [_consume_entry(by_id[pk], session, plan.lines[pk], new[pk]) for pk in new]
    return [held[pk] for pk in plan.amounts if pk in held] + created


@transaction.atomic
def units_consume_retro(
    *,
    authorization: PriorAuthorization,
    sessions: Sequence[tuple[Session, Sequence[BilledLine]]],
) -> list[UnitLedgerEntry]:
    """Debit a newly recorded authorization for services recorded before it (a retroactive
    authorization, or the demo's past stays): each session, in the order given (date order),
    planned by the same rules as `units_consume_for_session` with this authorization as the
    candidate, and the debits written at once. `sessions`: (session, its billed lines), the
    sessions loaded with their patients' coverages and episodes. A session that is not
    completed, is billed to another coverage or level, or already has a standing debit (another
    authorization pays for it) is left alone; one the authorization cannot pay (its codes, its
    span, its units) too, as recording would have left it."""
    auth = (
        PriorAuthorization.objects.select_for_update(of=("self",))
        .select_related("coverage__payer", "provider")
        .get(pk=authorization.pk)
    )
    if auth.status not in USABLE_STATUSES:
        return []
    remaining = auth.units_authorized - units_used(auth)
    debited = set(
        UnitLedgerEntry.objects.filter(
            session_id__in=[s.pk for s, _ in sessions], kind=UnitLedgerEntry.Kind.CONSUME
        ).values_list("session_id", flat=True)
    )
    days: set[dt.date] = set()
    entries: list[UnitLedgerEntry] = []
    for session, billed in sessions:
        lines = [_normal(line, session) for line in billed]
        if not lines or session.status != Session.Status.COMPLETED or session.pk in debited:
            continue
        coverage = primary_coverage_on(session.patient, session.service_date)
        level = rules.authorized_level(service_level_of_care(session=session))
        if coverage is None or coverage.pk != auth.coverage_id or level != auth.level_of_care:
            continue
        service = facts.service_for_auth(
            session,
            lines=lines,
            level=level,
            coverage=coverage,
            days_taken={auth.pk} if session.service_date in days else (),
        )
        plan = rules.plan_debits(service, [facts.auth_facts(auth, remaining=remaining)])
        units = plan.amounts.get(auth.pk, ZERO)
        if plan.problems or units <= 0:
            continue
        entries.append(
            UnitLedgerEntry(
                authorization=auth,
                session=session,
                kind=UnitLedgerEntry.Kind.CONSUME,
                units=-units,
                service_date=session.service_date,
                session_revision=session.revision,
                memo=_memo(plan.lines[auth.pk], units, auth.unit_type),
            )
        )
        remaining -= units
        if auth.unit_type == PriorAuthorization.UnitType.DAYS:
            days.add(session.service_date)  # a day is debited once
    return UnitLedgerEntry.objects.bulk_create(entries)


@transaction.atomic
def units_release_for_session(*, session: Session) -> list[UnitLedgerEntry]:
    """Give back what a voided, cancelled or corrected session consumed (once per debit)."""
    consumed = list(
        UnitLedgerEntry.objects.filter(session=session, kind=UnitLedgerEntry.Kind.CONSUME).order_by(
            "authorization_id", "session_revision"
        )
    )
    ids = [entry.authorization_id for entry in consumed]
    list(PriorAuthorization.objects.filter(pk__in=ids).order_by("pk").select_for_update())
    released = []
    for entry in consumed:
        release, _ = UnitLedgerEntry.objects.get_or_create(
            authorization_id=entry.authorization_id,
            session=session,
            session_revision=entry.session_revision,
            kind=UnitLedgerEntry.Kind.RELEASE,
            defaults={
                "units": -entry.units,
                "service_date": entry.service_date,
                "memo": f"Released {entry.memo}"[:200],
            },
        )
        released.append(release)
    return released

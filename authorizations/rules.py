"""Pure authorization rules over plain data (no ORM): which authorized service codes a billed
line matches, how much a service debits, whether a service needs an authorization and which
one covers it. The units ledger (services), the session pages and API (selectors) and the
claims scrubber decide with these functions, so they never disagree.

Sources: REFERENCE.md §6 (an authorization names procedure or revenue codes with modifiers,
units or days with a unit type, a span, the NPI it is tied to) and §14 (units come off the
authorization on the coverage billed on that date; a days authorization is consumed once per
day by the billed day; authorizations may list CPT, HCPCS or revenue codes, e.g. residential by
revenue code 1002, with modifiers).

Authorized codes are tokens: a CPT/HCPCS code (90837, H0015) or a 4-digit revenue code (1002),
optionally followed by required modifiers, colon-separated ("H0015:HQ", "H2036:HF:U1"). A
line matches a token when its code, or its revenue code, is the token's code and the line
carries every modifier the token requires (it may carry others, e.g. 95 for telehealth).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

PROCEDURE_RE = re.compile(r"^(\d{5}|\d{4}[FTU]|[A-V]\d{4})$")  # CPT, CPT II/III/PLA, HCPCS II
REVENUE_RE = re.compile(r"^[0-3]\d{3}$")  # UB-04 FL42 revenue code: categories 001x-399x
MODIFIER_RE = re.compile(r"^[A-Z0-9]{2}$")
MAX_MODIFIERS = 4  # 837P SV101 / 837I SV202 carry at most four modifiers
TOKEN_HINT = (
    "a CPT/HCPCS code (90837, H0015) or a revenue code (1002), optionally with required "
    'modifiers after colons ("H0015:HQ")'
)
ZERO = Decimal("0")

DAYS, VISITS, UNITS_15, HOURS = "days", "visits", "units_15", "hours"
UNIT_WORDS = {DAYS: "day", VISITS: "visit", UNITS_15: "unit", HOURS: "hour"}
OUTPATIENT = "outpatient"


def authorized_level(level: str | None) -> str:
    """The level an authorization must be for: a service outside any program (no level-of-care
    segment on its date) is outpatient care."""
    return level or OUTPATIENT


def quantity(amount: Decimal, unit_type: str) -> str:
    """e.g. "1 day", "3 visits", "1.5 hours"."""
    word = UNIT_WORDS[unit_type]
    return f"{amount.normalize():f} {word}{'' if amount == 1 else 's'}"


# --- Authorized codes -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthorizedCode:
    code: str
    modifiers: tuple[str, ...] = ()

    @property
    def is_revenue_code(self) -> bool:
        return bool(REVENUE_RE.match(self.code))

    @property
    def token(self) -> str:
        return ":".join((self.code, *self.modifiers))

    def matches(self, line: BilledLine) -> bool:
        codes = {line.code, line.revenue_code} - {None}
        return self.code in codes and set(self.modifiers) <= set(line.modifiers)


def parse_code(token: str) -> AuthorizedCode:
    """One token, normalized (upper case, modifiers de-duplicated and sorted, since a
    requirement does not depend on their order). Raises ValueError naming what is wrong."""
    code, *modifiers = [part.strip() for part in str(token).strip().upper().split(":")]
    if not (PROCEDURE_RE.match(code) or REVENUE_RE.match(code)):
        raise ValueError(f"{token!r} is not {TOKEN_HINT}.")
    bad = [m for m in modifiers if not MODIFIER_RE.match(m)]
    if bad:
        raise ValueError(f"{token!r}: a modifier is 2 letters or digits (not {bad[0]!r}).")
    unique = tuple(sorted(set(modifiers)))
    if len(unique) > MAX_MODIFIERS:
        raise ValueError(f"{token!r}: a line carries at most {MAX_MODIFIERS} modifiers.")
    return AuthorizedCode(code, unique)


def split_codes(value: Iterable[str] | str | None) -> list[str]:
    """A list, or text separated by commas, semicolons or spaces, as stripped tokens."""
    if value is None:
        return []
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


def normalize_codes(value: Iterable[str] | str | None) -> list[str]:
    """Tokens in their normal form, de-duplicated in order; a token that does not parse is
    kept (upper-cased) so validation can name it."""
    seen: dict[str, None] = {}
    for item in split_codes(value):
        try:
            token = parse_code(item).token
        except ValueError:
            token = item.upper()
        seen.setdefault(token, None)
    return list(seen)


def code_errors(tokens: Iterable[str]) -> list[str]:
    errors = []
    for token in tokens:
        try:
            parse_code(token)
        except ValueError as exc:
            errors.append(str(exc))
    return errors


def lists_line(codes: Sequence[str], line: BilledLine) -> bool:
    """An authorization without codes covers any code at its level; otherwise one of its
    tokens must match the line (code or revenue code, and the required modifiers)."""
    return not codes or any(parse_code(token).matches(line) for token in codes)


# --- Plain facts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BilledLine:
    """One line the service bills: the provider it is billed under is the claim's rendering
    provider (the supervisor when billed incident-to)."""

    code: str
    units: int = 1
    modifiers: tuple[str, ...] = ()
    revenue_code: str | None = None
    provider_id: int | None = None

    @property
    def label(self) -> str:
        text = ":".join((self.code, *self.modifiers))
        return f"{text} (rev {self.revenue_code})" if self.revenue_code else text


@dataclass(frozen=True)
class AuthFacts:
    """One authorization as plain data. `units_remaining` is after every open debit."""

    id: int
    number: str
    coverage_id: int
    coverage_label: str
    level: str
    episode_id: int | None
    codes: tuple[str, ...]
    unit_type: str
    start: dt.date
    end: dt.date
    usable: bool
    status_label: str
    units_authorized: Decimal
    units_remaining: Decimal
    provider_id: int | None = None
    provider_name: str = ""
    tied_to_provider: bool = False  # the payer ties its authorizations to the provider
    public_id: str | None = None

    @property
    def name(self) -> str:
        return self.number or "the authorization on file"


@dataclass(frozen=True)
class ServiceForAuth:
    """A service as the ledger sees it. `coverage_id` is the coverage billed on the date of
    service (the primary in force then); `held` the authorizations this service already
    debits; `days_taken` the days authorizations whose day another service already debits."""

    on_date: dt.date
    level: str | None
    episode_id: int | None
    coverage_id: int | None
    lines: tuple[BilledLine, ...]
    minutes: int | None = None
    held: frozenset[int] = frozenset()
    days_taken: frozenset[int] = frozenset()
    provider_names: Mapping[int, str] = field(default_factory=dict)


# --- Matching ---------------------------------------------------------------------------------

SPAN = "service_date"
# The order a biller reads an authorization in: what it is for, then whose, then when and who.
CHECKS = ("level", "codes", "status", "coverage", "episode", SPAN, "provider")


def mismatch(auth: AuthFacts, service: ServiceForAuth, line: BilledLine) -> tuple[str, str] | None:
    """(check, why) `auth` cannot pay for `line` of `service`, or None when it can."""
    for check in (_level, _listed, _status, _coverage, _episode, _span, _provider):
        found = check(auth, service, line)
        if found:
            return found
    return None


def _level(auth: AuthFacts, service: ServiceForAuth, line: BilledLine) -> tuple[str, str] | None:
    if auth.level == service.level:
        return None
    return "level", f"{auth.name} is for {auth.level.replace('_', ' ')}, not this level of care"


def _listed(auth: AuthFacts, service: ServiceForAuth, line: BilledLine) -> tuple[str, str] | None:
    if lists_line(auth.codes, line):
        return None
    return "codes", f"{auth.name} lists {', '.join(auth.codes)}, not {line.label}"


def _status(auth: AuthFacts, service: ServiceForAuth, line: BilledLine) -> tuple[str, str] | None:
    return None if auth.usable else ("status", f"{auth.name} is {auth.status_label.lower()}")


def _coverage(auth: AuthFacts, service: ServiceForAuth, line: BilledLine) -> tuple[str, str] | None:
    if auth.coverage_id == service.coverage_id:
        return None
    if service.coverage_id is None:
        return "coverage", f"no coverage is in force on {service.on_date}"
    return (
        "coverage",
        f"{auth.name} is on {auth.coverage_label}, not the coverage billed on {service.on_date}",
    )


def _episode(auth: AuthFacts, service: ServiceForAuth, line: BilledLine) -> tuple[str, str] | None:
    if auth.episode_id is None or auth.episode_id == service.episode_id:
        return None
    return "episode", f"{auth.name} is for another episode of care"


def _span(auth: AuthFacts, service: ServiceForAuth, line: BilledLine) -> tuple[str, str] | None:
    if auth.start <= service.on_date <= auth.end:
        return None
    return SPAN, (
        f"{service.on_date} is outside the authorized span of {auth.name} "
        f"({auth.start} to {auth.end})"
    )


def _provider(auth: AuthFacts, service: ServiceForAuth, line: BilledLine) -> tuple[str, str] | None:
    if not auth.tied_to_provider or auth.provider_id is None:
        return None
    if line.provider_id is None:  # the program's own line: no clinician to tie
        return None
    if line.provider_id == auth.provider_id:
        return None
    rendered = service.provider_names.get(line.provider_id or 0, "another provider")
    return (
        "provider",
        f"{auth.name} is tied to {auth.provider_name or 'another provider'}; "
        f"{line.code} is billed under {rendered}",
    )


def _nearest(verdicts: Sequence[tuple[AuthFacts, tuple[str, str] | None]]) -> tuple[str, ...]:
    """Why the authorizations that came closest (failed the latest check) do not pay."""
    failed = [why for _, why in verdicts if why]
    if not failed:
        return ("no authorization on file",)
    best = max(CHECKS.index(check) for check, _ in failed)
    if CHECKS[best] == "level":
        return ("no authorization on file for this level of care",)
    return tuple(dict.fromkeys(text for check, text in failed if CHECKS.index(check) == best))


# --- What a service debits --------------------------------------------------------------------


def hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / Decimal(60)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def extra_debit(
    auth: AuthFacts, service: ServiceForAuth, line: BilledLine, planned: Mapping[int, Decimal]
) -> Decimal:
    """What `line` adds to `auth`'s debit, given what the service already debits on it.
    Days: one per day, whoever bills it first. Visits and hours: one per service. Units: the
    line's units."""
    if auth.id in service.held:
        return ZERO  # this service's debit on it stands already
    if auth.unit_type == UNITS_15:
        return Decimal(line.units)
    if auth.id in planned or (auth.unit_type == DAYS and auth.id in service.days_taken):
        return ZERO
    if auth.unit_type == HOURS:
        return hours(service.minutes)
    return Decimal(1)


def _left(auth: AuthFacts, planned: Mapping[int, Decimal]) -> Decimal:
    return auth.units_remaining - planned.get(auth.id, ZERO)


def _choose(
    covering: Sequence[AuthFacts],
    service: ServiceForAuth,
    line: BilledLine,
    planned: Mapping[int, Decimal],
) -> tuple[AuthFacts, Decimal] | None:
    """The authorization already paying for this service or day (nothing more to debit),
    else the first (soonest-ending) with enough units left."""
    costs = [(auth, extra_debit(auth, service, line, planned)) for auth in covering]
    free = [(auth, cost) for auth, cost in costs if cost == 0]
    enough = [(auth, cost) for auth, cost in costs if _left(auth, planned) >= cost]
    return (free or enough or [None])[0]


def _shortfall(covering: Sequence[AuthFacts], line: BilledLine, planned: Any) -> str:
    left = ", ".join(f"{a.name}: {quantity(_left(a, planned), a.unit_type)} left" for a in covering)
    return f"Not enough authorized units for {line.label} ({left})."


@dataclass(frozen=True)
class LineDebit:
    """What one line debits: `auth` and `units` (0 when the service or day is debited
    already), or why not. `problem` (field, message) when an authorization lists the line but
    cannot pay for it (outside its span, not enough units)."""

    line: BilledLine
    auth: AuthFacts | None
    units: Decimal = ZERO
    problem: tuple[str, str] | None = None
    why_not: tuple[str, ...] = ()


def _unpaid(line: BilledLine, verdicts: Sequence[tuple[AuthFacts, Any]]) -> LineDebit:
    spans = [why[1] for _, why in verdicts if why and why[0] == SPAN]
    problem = (SPAN, "; ".join(spans)) if spans else None
    return LineDebit(line, None, problem=problem, why_not=_nearest(verdicts))


def assign_lines(service: ServiceForAuth, auths: Sequence[AuthFacts]) -> list[LineDebit]:
    """Each line goes to an authorization that lists it (`auths` in the ledger's order,
    soonest-ending first); lines no authorization lists debit nothing."""
    planned: dict[int, Decimal] = {}
    out = []
    for line in service.lines:
        verdicts = [(auth, mismatch(auth, service, line)) for auth in auths]
        covering = [auth for auth, why in verdicts if why is None]
        chosen = _choose(covering, service, line, planned) if covering else None
        if not covering:
            out.append(_unpaid(line, verdicts))
        elif chosen is None:
            short = _shortfall(covering, line, planned)
            out.append(LineDebit(line, None, problem=("units", short), why_not=(short,)))
        else:
            planned[chosen[0].id] = planned.get(chosen[0].id, ZERO) + chosen[1]
            out.append(LineDebit(line, chosen[0], chosen[1]))
    return out


@dataclass(frozen=True)
class DebitPlan:
    """auth id -> units to debit and the lines that debit them; the lines an authorization
    lists but cannot pay for as {field: [messages]} (then nothing is debited)."""

    amounts: Mapping[int, Decimal]
    lines: Mapping[int, tuple[BilledLine, ...]]
    problems: Mapping[str, tuple[str, ...]]


def plan_debits(service: ServiceForAuth, auths: Sequence[AuthFacts]) -> DebitPlan:
    amounts: dict[int, Decimal] = {}
    lines: dict[int, tuple[BilledLine, ...]] = {}
    problems: dict[str, tuple[str, ...]] = {}
    for debit in assign_lines(service, auths):
        if debit.auth is not None:
            amounts[debit.auth.id] = amounts.get(debit.auth.id, ZERO) + debit.units
            lines[debit.auth.id] = (*lines.get(debit.auth.id, ()), debit.line)
        elif debit.problem is not None:
            field_name, message = debit.problem
            problems[field_name] = (*problems.get(field_name, ()), message)
    return DebitPlan(amounts, lines, problems)


# --- Does a service need an authorization, and is it covered? --------------------------------


@dataclass(frozen=True)
class PayerAuthRules:
    name: str
    required_levels: frozenset[str] = frozenset()
    required_codes: frozenset[str] = frozenset()
    outpatient_visits_before_auth: int | None = None
    tied_to_provider: bool = False


@dataclass(frozen=True)
class LineCheck:
    line: BilledLine
    needed: bool
    covered_by: AuthFacts | None
    why_not: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthCheck:
    """The answer for one service: does it need an authorization, and is it covered."""

    needed: bool
    covered: bool
    reasons: tuple[str, ...]
    lines: tuple[LineCheck, ...]
    message: str

    @property
    def holds_claim(self) -> bool:
        """What the claims scrubber acts on: a billed service that needs an authorization none
        covers."""
        return self.needed and not self.covered and bool(self.lines)


def visit_rule(
    payer: PayerAuthRules, level: str | None, prior_visits: int
) -> tuple[bool, str] | None:
    """Commercial plans often authorize outpatient care only after N visits: visits 1..N of the
    calendar year on that coverage need none, visit N+1 on needs one (REFERENCE.md §6)."""
    limit = payer.outpatient_visits_before_auth
    if limit is None or authorized_level(level) != OUTPATIENT:
        return None
    if prior_visits >= limit:
        return True, (
            f"{payer.name} authorizes outpatient care after the first {limit} visits of the "
            f"year; {limit} or more were billed before this one"
        )
    visit = prior_visits + 1
    return False, f"outpatient visit {visit} of the {limit} {payer.name} allows without one"


@dataclass(frozen=True)
class Requirement:
    """Whether the whole service needs an authorization (its level, or the visit count), which
    of its codes need one whatever the level, and why."""

    whole_service: bool
    codes: frozenset[str]
    reasons: tuple[str, ...]

    def needs(self, line: BilledLine) -> bool:
        return self.whole_service or line.code in self.codes

    @property
    def needed(self) -> bool:
        return self.whole_service or bool(self.codes)


def requirement(
    payer: PayerAuthRules | None,
    level: str | None,
    lines: Sequence[BilledLine],
    prior_visits: int = 0,
) -> Requirement:
    """A level on the payer's list needs an authorization for the whole service, and so does an
    outpatient visit past the payer's count; a code on its list needs one at any level."""
    if payer is None:
        return Requirement(False, frozenset(), ("no coverage in force: self-pay",))
    reasons: list[str] = []
    whole = level is not None and level in payer.required_levels
    if whole:
        reasons.append(f"{payer.name} requires authorization for {level.replace('_', ' ')}")
    coded = sorted({line.code for line in lines} & payer.required_codes)
    if coded:
        reasons.append(f"{payer.name} requires authorization for {', '.join(coded)}")
    visits = visit_rule(payer, level, prior_visits)
    if visits is not None:
        whole = whole or visits[0]
        reasons.append(visits[1])
    if not reasons:
        reasons.append(f"{payer.name} requires none for this level of care or these codes")
    return Requirement(whole, frozenset(coded), tuple(reasons))


def usage(auth: AuthFacts) -> str:
    """e.g. "AUTH-123, 3 of 10 visits left"."""
    left = auth.units_remaining.normalize()
    return f"{auth.name}, {left:f} of {quantity(auth.units_authorized, auth.unit_type)} left"


def _message(needed: bool, checks: Sequence[LineCheck], reasons: Sequence[str]) -> str:
    if not checks:
        answer = "yes" if needed else "no"
        return f"Needs authorization: {answer}, but the service bills nothing, so it uses none."
    covering = list(dict.fromkeys(c.covered_by for c in checks if c.covered_by))
    missing = [c for c in checks if c.needed and c.covered_by is None]
    if missing:
        why = "; ".join(dict.fromkeys(w for c in missing for w in c.why_not))
        return f"Needs authorization: yes, none covers it ({why})."
    covered = "; ".join(f"covered by {usage(a)}" for a in covering)
    if needed:
        return f"Needs authorization: yes, {covered}."
    head = f"Needs authorization: no ({reasons[0]})"
    return f"{head}; {covered}." if covered else f"{head}."


def authorization_check(
    service: ServiceForAuth,
    payer: PayerAuthRules | None,
    auths: Sequence[AuthFacts],
    prior_visits: int = 0,
) -> AuthCheck:
    """Whether the service needs an authorization (payer rules: levels, codes, visits before
    authorization) and, line by line, which authorization pays for it or why none does."""
    needs = requirement(payer, service.level, service.lines, prior_visits)
    checks = tuple(
        LineCheck(d.line, needs.needs(d.line), d.auth, d.why_not)
        for d in assign_lines(service, auths)
    )
    covered = all(c.covered_by for c in checks if c.needed) and any(c.covered_by for c in checks)
    reasons = needs.reasons
    if not service.lines:
        reasons = (*reasons, "the service bills no line")
    message = _message(needs.needed, checks, reasons)
    return AuthCheck(needs.needed, covered, reasons, checks, message)

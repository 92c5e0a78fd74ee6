"""Building claims from completed sessions (the pure part: grouping and drafting).

Each session is coded by the one coding path (`patients.coding_bridge`); its lines go to a
professional claim (837P) or, for a per-diem program day billed by the facility, an
institutional claim (837I):

- 837P: one claim per patient, coverage, facility/program (the billing provider), rendering and
  supervising provider, and date of service (or calendar month where the payer's
  `professional_claim_period` says), at most 50 lines (REFERENCE.md §12; 837P TR3 2400 loop
  repeat 50). A line billed under the supervisor makes the supervisor the claim's rendering
  provider; a supervised line billed under the clinician carries the supervisor in 2310D.
- 837I: one claim per patient, coverage, episode, level of care, facility, authorization and
  billing cycle (the payer's `institutional_billing_cycle`: month, week, or discharge), so a
  statement period never crosses a level-of-care transition, an authorization boundary or the
  cycle; its type of bill's frequency digit says admit-through-discharge or which interim bill
  it is (coding.institutional.frequency_for; REFERENCE.md §2).

A session the engine refuses still joins its claim, with no line: the scrubber holds the claim
with the engine's reason until the session is fixed and the claim re-scrubbed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from coding import BilledProvider
from coding.institutional import facility_class, frequency_for, type_of_bill

ZERO = Decimal("0")
MAX_PROFESSIONAL_LINES = 50
MAX_INSTITUTIONAL_LINES = 999
MAX_PROFESSIONAL_DIAGNOSES = 12
MAX_INSTITUTIONAL_DIAGNOSES = 25  # principal + 24 others (837I HI segments)
# Levels billed by the day of census (room and board): lines count days (DA), and the claim
# reports covered days (value code 80) and leave days (occurrence span 74, REFERENCE.md §2).
CENSUS_LEVELS = frozenset({"residential", "withdrawal_management", "inpatient"})


@dataclass(frozen=True)
class CodedLine:
    """One line the engine billed for a session, with what the claim needs beside it."""

    code: str
    units: int
    modifiers: tuple[str, ...]
    pos: str
    billed_provider: str
    revenue_code: str = ""


@dataclass
class CodedSession:
    """A completed session with its coding context (from `claims.loader.coded_sessions`)."""

    session: Any
    patient_id: int
    coverage: Any  # None: self-pay, no claim
    payer: Any
    episode: Any
    program: str
    level: str
    facility: Any
    rendering: Any
    supervising: Any
    lines: tuple[CodedLine, ...]
    billable: bool
    condition_codes: tuple[str, ...] = ()
    authorization: Any = None  # the authorization the session's units were debited from

    @property
    def service_date(self) -> dt.date:
        return self.session.service_date

    @property
    def institutional_lines(self) -> tuple[CodedLine, ...]:
        return tuple(ln for ln in self.lines if _institutional(ln))

    @property
    def professional_lines(self) -> tuple[CodedLine, ...]:
        return tuple(ln for ln in self.lines if not _institutional(ln))


def _institutional(line: CodedLine) -> bool:
    return line.billed_provider == BilledProvider.FACILITY and bool(line.revenue_code)


@dataclass
class DraftLine:
    service_date: dt.date
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    pos: str
    revenue_code: str = ""
    unit_kind: str = "UN"
    charge: Decimal = ZERO
    charge_source: str = ""
    rendering: Any = None
    session: Any = None
    authorization: Any = None


@dataclass
class DraftClaim:
    kind: str  # "837p" | "837i"
    patient_id: int
    coverage: Any
    payer: Any
    episode: Any
    program: str
    level: str
    facility: Any
    rendering: Any
    supervising: Any
    attending: Any = None
    sessions: list[Any] = field(default_factory=list)
    lines: list[DraftLine] = field(default_factory=list)
    condition_codes: list[str] = field(default_factory=list)
    authorization: Any = None
    frequency: str = "1"
    type_of_bill: str = ""
    tob_error: str = ""

    @property
    def service_from(self) -> dt.date:
        return min(s.service_date for s in self.sessions)

    @property
    def service_to(self) -> dt.date:
        return max(s.service_date for s in self.sessions)

    @property
    def total_charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), ZERO)


def _period_key(day: dt.date, period: str) -> Any:
    if period == "month":
        return (day.year, day.month)
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "discharge":
        return None
    return day  # "date"


def _pk(obj: Any) -> Any:
    return getattr(obj, "pk", None)


def _professional_key(cs: CodedSession) -> tuple[Any, ...]:
    billed_under_supervisor = any(
        ln.billed_provider == BilledProvider.SUPERVISING for ln in cs.professional_lines
    )
    rendering = cs.supervising if billed_under_supervisor else cs.rendering
    supervising = None if billed_under_supervisor else cs.supervising
    period = getattr(cs.payer, "professional_claim_period", "date") or "date"
    return (
        "837p",
        cs.patient_id,
        _pk(cs.coverage),
        _pk(cs.facility),
        cs.program,
        _pk(rendering),
        _pk(supervising),
        _pk(cs.authorization),  # one prior authorization per claim (2300 REF*G1)
        _period_key(cs.service_date, period),
    )


def _institutional_key(cs: CodedSession) -> tuple[Any, ...]:
    cycle = getattr(cs.payer, "institutional_billing_cycle", "month") or "month"
    return (
        "837i",
        cs.patient_id,
        _pk(cs.coverage),
        _pk(cs.episode),
        cs.level,
        _pk(cs.facility),
        _pk(cs.authorization),
        _period_key(cs.service_date, cycle),
    )


def _new_draft(kind: str, cs: CodedSession) -> DraftClaim:
    rendering, supervising = cs.rendering, cs.supervising
    if kind == "837p" and any(
        ln.billed_provider == BilledProvider.SUPERVISING for ln in cs.professional_lines
    ):
        rendering, supervising = cs.supervising, None
    return DraftClaim(
        kind=kind,
        patient_id=cs.patient_id,
        coverage=cs.coverage,
        payer=cs.payer,
        episode=cs.episode,
        program=cs.program,
        level=cs.level if kind == "837i" else (cs.level or "outpatient"),
        facility=cs.facility,
        rendering=rendering if kind == "837p" else None,
        supervising=supervising if kind == "837p" else None,
        attending=getattr(cs.episode, "attending_provider", None) if kind == "837i" else None,
        authorization=cs.authorization,
    )


ChargeFn = Callable[[Any, str, tuple[str, ...], str, dt.date, Any], tuple[Decimal | None, str]]


def group_sessions(coded: Iterable[CodedSession]) -> list[DraftClaim]:
    """Sessions into draft claims (lines without charges yet), in a stable order."""
    drafts: dict[tuple[Any, ...], DraftClaim] = {}
    for cs in sorted(coded, key=lambda c: (c.patient_id, c.service_date, c.session.pk)):
        if cs.coverage is None or cs.payer is None:
            continue  # self-pay: no claim
        inst, prof = cs.institutional_lines, cs.professional_lines
        targets: list[tuple[tuple[Any, ...], str, tuple[CodedLine, ...]]] = []
        if inst:
            targets.append((_institutional_key(cs), "837i", inst))
        if prof or not inst:  # a refused session (no line) waits on a professional claim
            key = _institutional_key(cs) if (not cs.lines and _is_program_day(cs)) else None
            kind = "837i" if key else "837p"
            targets.append((key or _professional_key(cs), kind, prof))
        for key, kind, lines in targets:
            draft = drafts.get(key)
            if draft is None:
                draft = drafts[key] = _new_draft(kind, cs)
            if cs.session not in draft.sessions:
                draft.sessions.append(cs.session)
            for cc in cs.condition_codes if kind == "837i" else ():
                if cc not in draft.condition_codes:
                    draft.condition_codes.append(cc)
            for ln in lines:
                draft.lines.append(_draft_line(kind, cs, ln, draft))
    result: list[DraftClaim] = []
    for draft in drafts.values():
        result.extend(_split(draft))
    return result


def _is_program_day(cs: CodedSession) -> bool:
    return cs.session.kind == "program_day" and bool(cs.level) and cs.level != "outpatient"


def _draft_line(kind: str, cs: CodedSession, ln: CodedLine, draft: DraftClaim) -> DraftLine:
    rendering = None
    if kind == "837p":
        rendering = cs.supervising if ln.billed_provider == BilledProvider.SUPERVISING else None
        rendering = rendering or cs.rendering
        if _pk(rendering) == _pk(draft.rendering):
            rendering = None  # the claim's rendering provider (2310B) covers it
    census = kind == "837i" and cs.level in CENSUS_LEVELS
    return DraftLine(
        service_date=cs.service_date,
        code=ln.code if ln.code != ln.revenue_code else "",
        modifiers=tuple(ln.modifiers),
        units=Decimal(ln.units),
        pos=ln.pos or "",
        revenue_code=ln.revenue_code or "",
        unit_kind="DA" if census else "UN",
        rendering=rendering,
        session=cs.session,
        authorization=cs.authorization,
    )


def _split(draft: DraftClaim) -> list[DraftClaim]:
    """At most 50 lines on a professional claim (999 on an institutional one), cut by date so
    a date's lines stay together where they can."""
    limit = MAX_PROFESSIONAL_LINES if draft.kind == "837p" else MAX_INSTITUTIONAL_LINES
    if len(draft.lines) <= limit:
        return [draft]
    parts: list[DraftClaim] = []
    lines = sorted(draft.lines, key=lambda ln: (ln.service_date, ln.code))
    for start in range(0, len(lines), limit):
        chunk = lines[start : start + limit]
        part = DraftClaim(**{**draft.__dict__, "lines": chunk, "sessions": []})
        part.condition_codes = list(draft.condition_codes)
        sessions = {id(ln.session): ln.session for ln in chunk}
        part.sessions = list(sessions.values())
        parts.append(part)
    return parts


def price_lines(draft: DraftClaim, charge: ChargeFn) -> None:
    """Each line's charge: the chargemaster's (else the payer's fee schedule) unit amount x
    units; none found leaves 0 with no source, which the scrubber holds."""
    for ln in draft.lines:
        amount, source = charge(
            draft.payer, ln.code, ln.modifiers, ln.revenue_code, ln.service_date, ln.rendering
        )
        if amount is None:
            ln.charge, ln.charge_source = ZERO, ""
        else:
            ln.charge, ln.charge_source = (amount * ln.units).quantize(Decimal("0.01")), source


def institutional_facts(
    draft: DraftClaim, *, segment_span: tuple[dt.date, dt.date | None], payer_level: Mapping
) -> None:
    """Type of bill (facility type + class from the site or the payer's level data, then the
    frequency digit of this statement period within the level's stay)."""
    start, end = segment_span
    freq = frequency_for(
        period_start=draft.service_from,
        period_end=draft.service_to,
        admitted=start,
        discharged=end,
    )
    draft.frequency = freq.value
    site = getattr(draft.facility, "bill_type", "") or None
    if draft.level in CENSUS_LEVELS and payer_level.get("type_of_bill"):
        # A 24-hour level bills on its own type of bill (86x residential), whatever the site's
        # outpatient programs bill on (REFERENCE.md §2).
        site = None
    try:
        draft.type_of_bill = type_of_bill(
            facility_class(site, payer_level.get("type_of_bill")), freq
        )
    except ValueError as exc:
        draft.type_of_bill, draft.tob_error = "", str(exc)


def pointers(diagnosis_count: int) -> list[int]:
    return list(range(1, min(4, diagnosis_count) + 1))


def diagnoses_for(kind: str, ranked: Sequence[str]) -> list[str]:
    limit = MAX_PROFESSIONAL_DIAGNOSES if kind == "837p" else MAX_INSTITUTIONAL_DIAGNOSES
    return list(dict.fromkeys(c.strip().upper() for c in ranked if c.strip()))[:limit]


def by_patient(drafts: Iterable[DraftClaim]) -> dict[int, list[DraftClaim]]:
    grouped: dict[int, list[DraftClaim]] = defaultdict(list)
    for d in drafts:
        grouped[d.patient_id].append(d)
    return grouped


STILL_A_PATIENT = "30"
HOME = "01"


def patient_status(
    *, frequency: str, episode_status: str, discharged: dt.date | None, service_to: dt.date
) -> str:
    """CL1-03 / UB-04 FL17 as of the claim's through date (CMS MLN CMS-1450 lesson 5): an
    interim bill (frequency 2 or 3) carries 30, still a patient, whatever happened later; a
    bill that ends the stay (1 or 4, and their replacements) carries the discharge status
    recorded on the episode, or 01 (home) when the level ended by a step-down while the episode
    goes on (the patient leaves the 24-hour setting for an ambulatory one) [verify: payers may
    want another code for a transfer within one provider]."""
    if frequency in ("2", "3"):
        return STILL_A_PATIENT
    if discharged is not None and discharged <= service_to:
        return episode_status if episode_status and episode_status != STILL_A_PATIENT else ""
    if frequency in ("1", "4"):
        return HOME
    return episode_status or STILL_A_PATIENT


def claim_patient_status(claim: Any) -> str:
    """`patient_status` of a stored claim (its own frequency; a replacement or void, the type of
    bill's original frequency is unknown, so the episode decides)."""
    episode = claim.episode
    return patient_status(
        frequency=claim.frequency,
        episode_status=getattr(episode, "patient_status", "") if episode else "",
        discharged=episode.discharge_date if episode else None,
        service_to=claim.service_to,
    )

"""Codes against each other and against the patient's other claims to the same payer: add-ons
with their primary, once-a-day codes, same-day pairs the payer will not pay together, and
lines or sessions already billed."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from claims.scrub import Finding, Severity, edit
from claims.scrub.support import (
    codes_on,
    day,
    decimal,
    first_line,
    line_name,
    other_entries,
    service_name,
    url,
)
from claims.snapshot import ClaimSnapshot, LineSnap
from coding.complexity import IC_PRIMARY_CODES, INTERACTIVE_COMPLEXITY
from coding.psychotherapy import ADDON_BANDS, addon_em_family
from coding.types import CrisisSiteCodes

ERROR = Severity.ERROR


@dataclass(frozen=True)
class Primary:
    """What an add-on code needs billed the same day: a test on the other codes, and its name."""

    accepts: Callable[[str], bool]
    described: str


def _one_of(*codes: str) -> Primary:
    allowed = frozenset(codes)
    return Primary(allowed.__contains__, "/".join(sorted(allowed)))


_CRISIS_SITE = CrisisSiteCodes()
_EM_FAMILIES = "an E/M of 99202-99215, 99221-99239, 99304-99316 or 99341-99350"

# Add-on code -> the primary it is reported with, on the same date.
ADDON_PRIMARIES: dict[str, Primary] = {
    # REFERENCE.md §1: 90785 adds to 90791/90792/90832-90838/90853 (coding.complexity).
    INTERACTIVE_COMPLEXITY: _one_of(*IC_PRIMARY_CODES),
    # REFERENCE.md §1 and §14: 90833/90836/90838 only with the E/M families CPT lists as
    # "code first" (coding.psychotherapy.addon_em_family).
    **{
        band.code: Primary(lambda c: addon_em_family(c) is not None, _EM_FAMILIES)
        for band in ADDON_BANDS
    },
    # REFERENCE.md §1: "90840 requires 90839"; §14: Medicare G0018 follows G0017 (cms.gov
    # "Psychotherapy for Crisis"), codes from coding.types.CrisisSiteCodes.
    "90840": _one_of("90839"),
    _CRISIS_SITE.each_additional: _one_of(_CRISIS_SITE.first),
    # REFERENCE.md §1 "Testing" and "HBAI" [U: CPT]: each "each additional" code follows its
    # first-unit code (the CPT descriptors read "list separately in addition to ...").
    "96131": _one_of("96130"),
    "96133": _one_of("96132"),
    "96137": _one_of("96136"),
    "96139": _one_of("96138"),
    "96159": _one_of("96158"),
    "96165": _one_of("96164"),
    "96168": _one_of("96167"),
    "96171": _one_of("96170"),
    # Prolonged E/M time [S]: 99417 (CPT) and G2212 (Medicare) add to the top-level office
    # visits 99205/99215 (rvudoc.com/billing/codes/99417; codingahead.com 99417 guide); CPT
    # 2023 extended 99417 to 99245, 99345, 99350 and 99483.
    "99417": _one_of("99205", "99215", "99245", "99345", "99350", "99483"),
    "G2212": _one_of("99205", "99215"),
}


@edit("ADDON-WITHOUT-PRIMARY", "Add-on codes with their primary")
def addon_without_primary(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for line in snapshot.lines:
        primary = ADDON_PRIMARIES.get(line.code)
        if primary is None:
            continue
        if any(
            primary.accepts(code) for code in codes_on(snapshot, line.service_date, besides=line)
        ):
            continue
        yield Finding(
            code="ADDON-WITHOUT-PRIMARY",
            severity=ERROR,
            message=f"{line_name(line)}: {line.code} is an add-on code and no primary code "
            f"({primary.described}) is billed to this payer on {day(line.service_date)}.",
            fix="Bill the primary service of that date (on this or another claim), or remove "
            "the add-on.",
            fix_url=_line_url(snapshot, line),
            line=line.number,
        )


def _line_url(snapshot: ClaimSnapshot, line: LineSnap) -> str:
    service = next((snapshot.service(s) for s in line.services if snapshot.service(s)), None)
    return url(service.fix_url if service else "", snapshot.claim_url)


def _modifier_set(modifiers: object) -> frozenset[str]:
    if not isinstance(modifiers, tuple | list):
        return frozenset()
    return frozenset(str(m).strip().upper() for m in modifiers if str(m).strip())


def _duplicate_of(snapshot: ClaimSnapshot, line: LineSnap) -> str | None:
    """The control number of a same-payer claim billing the same date, code and modifiers.
    Revenue-code-only lines (no HCPCS) are not compared: the other claims carry no revenue
    code to tell them apart."""
    if not line.code:
        return None
    mods = _modifier_set(line.modifiers)
    for other, on, code, modifiers in other_entries(snapshot):
        if on == line.service_date and code == line.code and _modifier_set(modifiers) == mods:
            return other.control_number or "another claim"
    return None


# Source: REFERENCE.md §7 (CARC 18 "exact duplicate"; "A duplicate original triggers CARC 18",
# a corrected claim goes as frequency 7 with REF*F8). The original a replacement replaces is
# not among other_claims.
@edit("DUPLICATE", "Already billed on another claim")
def duplicate(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for line in snapshot.lines:
        other = _duplicate_of(snapshot, line)
        if other:
            yield Finding(
                code="DUPLICATE-CLAIM",
                severity=ERROR,
                message=f"{line_name(line)} is already billed to this payer on claim {other} "
                "(same date, code and modifiers).",
                fix="Do not rebill it: follow up the other claim, or send this one as its "
                "replacement (frequency 7 with the payer's claim number).",
                fix_url=url(snapshot.claim_url),
                line=line.number,
            )
    for service in snapshot.services:
        if service.on_other_claim:
            yield Finding(
                code="DUPLICATE-SERVICE",
                severity=ERROR,
                message=f"{service_name(service)} is already billed on claim "
                f"{service.on_other_claim}.",
                fix="Remove the session from one of the two claims (void or replace the other "
                "if it is wrong).",
                fix_url=url(snapshot.claim_url, service.fix_url),
                line=first_line(snapshot, service.public_id),
                service=service.public_id,
            )


def _units(line: LineSnap) -> int:
    number = decimal(line.units)
    return int(number) if number is not None and number > 1 else 1


# Source: REFERENCE.md §1 "Evaluations" (90791/90792 one per day) and §14 "Crisis" (90839 once
# per date); which codes is payer data (PayerEdits.once_a_day). Counted per patient and payer
# over this claim and the same-payer claims; exact duplicates are DUPLICATE-CLAIM's.
@edit("SAME-DAY-LIMIT", "Codes billable once a day")
def same_day_limit(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    once = frozenset(snapshot.payer_edits.once_a_day)
    elsewhere = Counter((on, code) for _, on, code, _ in other_entries(snapshot) if code in once)
    here: Counter[tuple[dt.date, str]] = Counter()
    for line in snapshot.lines:
        if line.code not in once or _duplicate_of(snapshot, line):
            continue
        key = (line.service_date, line.code)
        before = elsewhere[key] + here[key]
        here[key] += _units(line)
        if before or _units(line) > 1:
            yield Finding(
                code="SAME-DAY-LIMIT",
                severity=ERROR,
                message=f"{line_name(line)}: the payer pays {line.code} once a day and it is "
                f"billed {before + _units(line)} times on {day(line.service_date)}.",
                fix="Bill it once for the date (one unit); if a second service took place, "
                "record it with the code that describes it.",
                fix_url=_line_url(snapshot, line),
                line=line.number,
            )


# Source: CMS NCCI procedure-to-procedure edits (column 1 / column 2 pairs not paid together
# for one patient on one date; a pair with modifier indicator 1 may be bypassed by 59 or the
# X{EPSU} modifiers on the column 2 code: americanmedicalcoding.com "NCCI PTP modifier
# indicators", CMS CR8863 via medicalbillingcptmodifiers.com). The pairs are payer data
# (PayerEdits.same_day_pairs); the second code of a pair is the one the payer denies.
NCCI_BYPASS_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU"})


def _no_bypass(pair: tuple[str, ...]) -> bool:
    return len(pair) == 3 and pair[2] == "0"


@dataclass(frozen=True)
class _Entry:
    code: str
    modifiers: frozenset[str]
    line: LineSnap | None  # None: on another claim
    claim: str = ""


def _entries_on(snapshot: ClaimSnapshot, on: dt.date) -> list[_Entry]:
    here = [
        _Entry(ln.code, _modifier_set(ln.modifiers), ln)
        for ln in snapshot.lines
        if ln.service_date == on and ln.code
    ]
    there = [
        _Entry(code, _modifier_set(mods), None, other.control_number)
        for other, when, code, mods in other_entries(snapshot)
        if when == on and code
    ]
    return here + there


def _pair_findings(pair: tuple[str, ...], entries: list[_Entry]) -> Iterator[tuple[LineSnap, str]]:
    """(line to flag, the code it clashes with) for each unbypassed column-2 entry. A pair
    marked "0" (NCCI modifier indicator 0) is never bypassed by a modifier."""
    first, second = pair[0], pair[1]
    bypass = NCCI_BYPASS_MODIFIERS if not _no_bypass(pair) else frozenset()
    firsts = [e for e in entries if e.code == first]
    seconds = [e for e in entries if e.code == second and not e.modifiers & bypass]
    if not firsts or not seconds:
        return
    for entry in seconds:
        if entry.line is not None:
            yield entry.line, first
        else:
            own = next((e.line for e in firsts if e.line is not None), None)
            if own is not None:
                yield own, f"{second} on claim {entry.claim or 'another claim'}"


@edit("SAME-DAY-PAIR", "Code pairs not paid on the same day")
def same_day_pair(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    pairs = [
        tuple(p) for p in snapshot.payer_edits.same_day_pairs if len(p) in (2, 3) and p[0] != p[1]
    ]
    if not pairs:
        return
    seen: set[tuple[int, str]] = set()
    for on in sorted(
        {ln.service_date for ln in snapshot.lines if isinstance(ln.service_date, dt.date)}
    ):
        entries = _entries_on(snapshot, on)
        for pair in pairs:
            for line, clash in _pair_findings(pair, entries):
                if (line.number, clash) in seen:
                    continue
                seen.add((line.number, clash))
                yield Finding(
                    code="SAME-DAY-PAIR",
                    severity=ERROR,
                    message=f"{line_name(line)}: the payer does not pay {pair[1]} with {pair[0]} "
                    f"on the same day, and {clash} is billed on {day(on)}.",
                    fix=f"Bill only one of the two (no modifier lets {pair[1]} through)."
                    if _no_bypass(pair)
                    else f"Bill only one of the two, or, if {pair[1]} was a separate encounter, "
                    "add modifier 59 or XE/XS/XP/XU to it with documentation that supports it.",
                    fix_url=_line_url(snapshot, line),
                    line=line.number,
                )

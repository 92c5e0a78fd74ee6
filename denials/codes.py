"""What the platform knows about claim adjustment reason codes (CARC) and remittance advice remark
codes (RARC) for denial work: pure Python, no Django, no ORM.

The tables live in `data/carc.csv` and `data/rarc.csv` (read once). Each CARC row gives our own
short wording, the root cause a biller works it under (`ROOT_CAUSES`; empty for patient share,
contractual and other adjustments that are not denials), how likely working it brings money back,
the usual next step, whether it belongs in a parity comparison (REFERENCE.md §9: medical necessity,
authorization/UM and benefit limits), and where its meaning was checked. Codes whose meaning could
not be checked are left out rather than guessed.

`classify()` reads one CAS adjustment (group + CARC) with its remark codes: the group says whose
money it is (PR patient, CO/PI provider, OA other, CR correction or reversal), the RARCs refine the
CARCs that only say "see the remark code" (16, 96, A1 ...), and a claim the payer denied outright
(CLP02=4) counts as a denial even when it carries only contractual codes. Every answer explains
itself in `reasons`.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

__all__ = [
    "ACTIONS",
    "GROUP_CODES",
    "PARITY_ROOT_CAUSES",
    "ROOT_CAUSES",
    "CarcInfo",
    "Classification",
    "RarcInfo",
    "appeal_deadline",
    "carc",
    "classify",
    "is_denial_adjustment",
    "known_carcs",
    "known_rarcs",
    "priority",
    "rarc",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

ROOT_CAUSES = (
    "authorization",
    "eligibility",
    "coding",
    "documentation",
    "credentialing",
    "timely_filing",
    "coordination_of_benefits",
    "medical_necessity",
    "benefit_limit",
    "bundling",
    "duplicate",
    "other",
)

# check_status: find out what happened (payer, patient, the other claim) before doing anything.
ACTIONS = (
    "correct_and_resubmit",
    "appeal",
    "write_off",
    "bill_patient",
    "bill_other_payer",
    "check_status",
    "none",
)

# CAS01 (REFERENCE.md §7): CO contractual, PR patient, OA other, PI payer-initiated, CR corrections.
GROUP_CODES = ("CO", "PR", "OA", "PI", "CR")

# The denial kinds §9 says to compare between MH/SUD and med/surg (NQTLs and QTLs).
PARITY_ROOT_CAUSES = frozenset({"medical_necessity", "authorization", "benefit_limit"})

# Why a root cause is (or is not) worth working: the text after "recoverability 0.8 (...)".
ROOT_CAUSE_NOTES = {
    "authorization": "fixable with the auth number",
    "eligibility": "fixable once the right member ID or payer is found",
    "coding": "fixable with a corrected claim",
    "documentation": "fixable by sending the records asked for",
    "credentialing": "recoverable once enrollment is fixed, often retroactively",
    "timely_filing": "appeal only with proof of timely filing (999/277CA)",
    "coordination_of_benefits": "fixable by billing the payers in the right order",
    "medical_necessity": "clinical appeal citing ASAM/LOCUS criteria",
    "benefit_limit": "rarely paid; check it against parity",
    "bundling": "only when a modifier shows a distinct service",
    "duplicate": "usually already paid or still in process",
    "other": "depends on what the payer says",
}

# Where a RARC moves a generic CARC, the new root cause's usual odds and next step apply.
_ROOT_DEFAULTS: dict[str, tuple[Decimal, str]] = {
    "authorization": (Decimal("0.8"), "correct_and_resubmit"),
    "eligibility": (Decimal("0.7"), "correct_and_resubmit"),
    "coding": (Decimal("0.8"), "correct_and_resubmit"),
    "documentation": (Decimal("0.7"), "correct_and_resubmit"),
    "credentialing": (Decimal("0.5"), "correct_and_resubmit"),
    "timely_filing": (Decimal("0.1"), "appeal"),
    "coordination_of_benefits": (Decimal("0.7"), "bill_other_payer"),
    "medical_necessity": (Decimal("0.4"), "appeal"),
    "benefit_limit": (Decimal("0.2"), "appeal"),
    "bundling": (Decimal("0.3"), "correct_and_resubmit"),
    "duplicate": (Decimal("0.05"), "check_status"),
    "other": (Decimal("0.3"), "check_status"),
}

# CARCs whose X12 text requires a remark code to say what is wrong: the RARC names the cause.
_READ_THE_RARC = frozenset(
    {"16", "96", "129", "148", "226", "227", "234", "250", "251", "252", "A1"}
)
# ... of which these stay "fix the claim or send the papers and resubmit" whatever the cause.
_KEEP_THE_FIX = frozenset({"16", "148", "226", "250", "251", "252"})

_CARC_LIST = "x12.org/codes/claim-adjustment-reason-codes"
_RARC_LIST = "x12.org/codes/remittance-advice-remark-codes"
_CHECKED_IN = "text checked in openemr/openemr src/Billing/BillingUtilities.php"
_WPC_2016 = (
    "2016-03-07 snapshot with start/stop dates "
    "(ashuang/pymltc medltc/claim_adjustment_reason_codes.py)"
)
_CARC_SOURCES = {
    "ref7": f"REFERENCE.md §7; {_CARC_LIST} ({_CHECKED_IN})",
    "x12": f"{_CARC_LIST} ({_CHECKED_IN})",
    "wpc2016": f"wpc-edi.com CARC list, {_WPC_2016}",
    "ref7_wpc2016": f"REFERENCE.md §7; wpc-edi.com CARC list, {_WPC_2016}",
}
_RARC_SOURCES = {
    "ref7": f"REFERENCE.md §7 [V]; {_RARC_LIST} ({_CHECKED_IN})",
    "ref7_x12": f"REFERENCE.md §7 (unverified there); {_RARC_LIST} ({_CHECKED_IN})",
    "x12": f"{_RARC_LIST} ({_CHECKED_IN})",
    "wpc2016": "wpc-edi.com RARC list, 2016-03-07 snapshot with start/stop dates",
}


@dataclass(frozen=True)
class CarcInfo:
    code: str
    description: str  # short, in our words
    root_cause: str | None  # None: patient share, contractual or informational, never a denial
    recoverability: Decimal  # 0..1: how likely working it brings the money back
    action: str  # one of ACTIONS
    parity_relevant: bool
    source: str


@dataclass(frozen=True)
class RarcInfo:
    code: str
    description: str
    root_cause_hint: str | None  # None: an alert or a remark that names no cause
    source: str = ""


@dataclass(frozen=True)
class Classification:
    is_denial: bool
    root_cause: str  # for a non-denial: the code's own root cause if it has one, else "other"
    recoverability: Decimal
    action: str
    parity_relevant: bool
    reasons: tuple[str, ...]


# -- the tables ------------------------------------------------------------------------------


def _norm(code: object) -> str:
    return str(code).strip().upper()


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _carc_row(row: dict[str, str]) -> CarcInfo:
    code = row["code"]
    root = row["root_cause"] or None
    try:
        recoverability = Decimal(row["recoverability"])
    except InvalidOperation as e:
        raise ValueError(f"carc.csv {code}: recoverability {row['recoverability']!r}") from e
    if root is not None and root not in ROOT_CAUSES:
        raise ValueError(f"carc.csv {code}: unknown root cause {root!r}")
    if not Decimal(0) <= recoverability <= Decimal(1):
        raise ValueError(f"carc.csv {code}: recoverability must be within 0..1")
    if row["action"] not in ACTIONS or row["parity_relevant"] not in ("yes", "no"):
        raise ValueError(f"carc.csv {code}: bad action or parity flag")
    return CarcInfo(
        code=code,
        description=row["description"],
        root_cause=root,
        recoverability=recoverability,
        action=row["action"],
        parity_relevant=row["parity_relevant"] == "yes",
        source=_CARC_SOURCES[row["source"]],
    )


def _rarc_row(row: dict[str, str]) -> RarcInfo:
    hint = row["root_cause_hint"] or None
    if hint is not None and hint not in ROOT_CAUSES:
        raise ValueError(f"rarc.csv {row['code']}: unknown root cause {hint!r}")
    return RarcInfo(row["code"], row["description"], hint, _RARC_SOURCES[row["source"]])


@cache
def _carcs() -> dict[str, CarcInfo]:
    table = {}
    for row in _rows("carc.csv"):
        info = _carc_row(row)
        if info.code in table:
            raise ValueError(f"carc.csv: {info.code} listed twice")
        table[info.code] = info
    return table


@cache
def _rarcs() -> dict[str, RarcInfo]:
    table = {}
    for row in _rows("rarc.csv"):
        info = _rarc_row(row)
        if info.code in table:
            raise ValueError(f"rarc.csv: {info.code} listed twice")
        table[info.code] = info
    return table


def carc(code: str | int) -> CarcInfo | None:
    return _carcs().get(_norm(code))


def rarc(code: str) -> RarcInfo | None:
    return _rarcs().get(_norm(code))


def known_carcs() -> tuple[CarcInfo, ...]:
    return tuple(_carcs().values())


def known_rarcs() -> tuple[RarcInfo, ...]:
    return tuple(_rarcs().values())


# -- classification --------------------------------------------------------------------------


def _is_denial_code(info: CarcInfo) -> bool:
    return info.root_cause is not None and info.action != "none"


def _not_a_denial(
    reasons: list[str], action: str = "none", info: CarcInfo | None = None
) -> Classification:
    root = info.root_cause if info is not None and info.root_cause else "other"
    return Classification(False, root, Decimal(0), action, False, tuple(reasons))


def _denial(root: str, recoverability: Decimal, action: str, parity: bool, reasons: list[str]):
    return Classification(True, root, recoverability, action, parity, tuple(reasons))


def _unknown_carc(group: str, code: str, reasons: list[str]) -> Classification:
    reasons.append(f"CARC {code} is not in the platform's list: look it up before working it")
    if group in ("PR", "CR"):
        return _not_a_denial(reasons, "check_status")
    recoverability, _ = _ROOT_DEFAULTS["other"]
    return _denial("other", recoverability, "check_status", False, reasons)


def _refine(info: CarcInfo, remarks: list[RarcInfo], reasons: list[str]) -> Classification:
    root, recoverability, action = info.root_cause or "other", info.recoverability, info.action
    parity = info.parity_relevant
    hinted = [r for r in remarks if r.root_cause_hint] if info.code in _READ_THE_RARC else []
    if hinted and hinted[0].root_cause_hint != root:
        first = hinted[0]
        root = first.root_cause_hint or root
        reasons.append(f"RARC {first.code} ({first.description}) -> {root}")
        if info.code not in _KEEP_THE_FIX:
            # A missing or wrong field (16 + M62) is clerical, not a UM decision: parity only
            # when the remark turns a generic denial into a substantive one.
            parity = root in PARITY_ROOT_CAUSES
            recoverability, action = _ROOT_DEFAULTS[root]
    return Classification(True, root, recoverability, action, parity, tuple(reasons))


def _remark_effects(result: Classification, codes: set[str]) -> tuple[str, list[str]]:
    """The alerts that change what can be done: no appeal rights, or a claim to send again."""
    action, lines = result.action, []
    if "MA130" in codes:
        action = "correct_and_resubmit"
        lines.append("MA130: unprocessable claim (a rejection, no appeal rights): send a new claim")
    elif "N704" in codes and action == "appeal":
        action = "correct_and_resubmit"
        lines.append("N704: no appeal, but a corrected claim may be sent")
    elif "N211" in codes and action == "appeal":
        action = "write_off"
        lines.append("N211: the payer allows no appeal of this decision")
    return action, lines


def classify(
    group: str,
    carc: str,
    rarcs: Sequence[str] = (),
    *,
    claim_status: str | None = None,
) -> Classification:
    """One CAS adjustment (CAS01 group, CAS02 reason) with its LQ/MOA/MIA remark codes; pass
    CLP02 as `claim_status` when known (4 = denied, 22 = reversal of a previous payment)."""
    group, code = _norm(group), _norm(carc)
    if group not in GROUP_CODES:
        raise ValueError(f"unknown claim adjustment group code {group!r}: one of {GROUP_CODES}")
    status = _norm(claim_status) if claim_status is not None else None
    info = _carcs().get(code)
    if info is None:
        return _unknown_carc(group, code, [])
    reasons = [f"CARC {code} ({info.description}) -> {info.root_cause or 'not a denial'}"]
    remarks = _remarks(rarcs, reasons)
    if group == "CR":
        reasons.append("group CR: a correction or reversal, not a new denial")
        return _not_a_denial(reasons, info=info)
    if status == "22":
        reasons.append("CLP02=22: reversal of a previous payment, not a new denial")
        return _not_a_denial(reasons, info=info)
    if not _is_denial_code(info):
        return _not_denial_code(group, info, status, remarks, reasons)
    if status == "4":
        reasons.append("CLP02=4: the payer denied the claim")
    result = _refine(info, remarks, [*reasons, *_group_line(group)])
    action, lines = _remark_effects(result, {r.code for r in remarks})
    if group == "PR" and action != "correct_and_resubmit":
        action = "bill_patient"
    elif group != "PR" and action == "bill_patient":
        # CO/PI/OA amounts are the provider's to absorb or dispute, never the patient's to pay
        # (CAS group codes: https://x12.org/codes/claim-adjustment-group-codes; REFERENCE.md §7).
        action = "appeal"
        lines.append(f"group {group}: the patient may not be billed for this amount; appeal it")
    return Classification(
        True,
        result.root_cause,
        result.recoverability,
        action,
        result.parity_relevant,
        result.reasons + tuple(lines),
    )


def _remarks(rarcs: Sequence[str], reasons: list[str]) -> list[RarcInfo]:
    known = []
    for raw in rarcs:
        info = _rarcs().get(_norm(raw))
        if info is None:
            reasons.append(f"RARC {_norm(raw)} is not in the platform's list")
        else:
            known.append(info)
    return known


def _group_line(group: str) -> list[str]:
    return {
        "PR": ["group PR: the payer holds the patient responsible"],
        "OA": ["group OA: no liability assigned by the payer"],
        "PI": ["group PI: payer-initiated reduction, the provider absorbs it unless disputed"],
    }.get(group, [])


def _not_denial_code(
    group: str,
    info: CarcInfo,
    status: str | None,
    remarks: list[RarcInfo],
    reasons: list[str],
) -> Classification:
    if group == "PR":
        reasons.append("group PR: patient share, bill the patient; not a denial")
        return _not_a_denial(reasons, "bill_patient")
    if status == "4":
        reasons.append(f"CLP02=4: the payer denied the whole claim, so {group}-{info.code} counts")
        hinted = [r for r in remarks if r.root_cause_hint]
        root = hinted[0].root_cause_hint if hinted else "other"
        if hinted:
            reasons.append(f"RARC {hinted[0].code} ({hinted[0].description}) -> {root}")
        recoverability, action = _ROOT_DEFAULTS[root or "other"]
        return _denial(root or "other", recoverability, action, False, reasons)
    if info.action == "check_status":
        reasons.append("not a denial yet: follow it up")
        return _not_a_denial(reasons, "check_status", info)
    reasons.append(f"group {group}: contractual or informational, not a denial")
    return _not_a_denial(reasons, info=info)


def is_denial_adjustment(group: str, carc: str) -> bool:
    """True for CO/PI/OA adjustments with a denial CARC (and PR ones where the payer refused the
    service and left it to the patient); False for patient share (PR-1/2/3), contractual and
    informational codes (CO-45, CO-253, OA-23) and CR corrections. CO-16 counts: with MA130 it
    is a rejection, still a work item (resubmit), which `classify` says."""
    return classify(group, carc).is_denial


# -- work order ------------------------------------------------------------------------------

_CENT = Decimal("0.01")
_URGENT_WINDOW = 30  # days: inside it, urgency climbs linearly from 1.0 to 2.0 on the last day


def _short(value: Decimal) -> str:
    """0.80 -> '0.8', 2.00 -> '2.0', 1.67 -> '1.67'."""
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _urgency(days: int | None, today: date | None) -> tuple[Decimal, str]:
    if days is None:
        return Decimal(1), "no deadline known: urgency 1.0"
    on = f" ({today + timedelta(days=days)})" if today is not None else ""
    if days < 0:
        ago = -days
        return Decimal(0), (
            f"deadline passed {ago} day{'s' if ago != 1 else ''} ago{on}: urgency 0, "
            "too late to work"
        )
    if days >= _URGENT_WINDOW:
        urgency = Decimal(1)
    else:
        urgency = (2 - Decimal(days) / _URGENT_WINDOW).quantize(_CENT)
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    return urgency, f"deadline {when}{on}: urgency {_short(urgency)}"


def priority(
    amount: Decimal,
    recoverability: Decimal,
    days_to_deadline: int | None,
    *,
    today: date | None = None,
    root_cause: str | None = None,
) -> tuple[Decimal, tuple[str, ...]]:
    """Score = amount x recoverability x urgency, with one line per factor. Urgency is 1.0 with
    no known deadline or 30+ days left, rises to 2.0 on the last day, and is 0 once the deadline
    has passed. `today` dates the deadline in the text; `root_cause` says why the odds are what
    they are."""
    amount, recoverability = Decimal(amount), Decimal(recoverability)
    if amount < 0:
        raise ValueError("the denied amount cannot be negative")
    if not Decimal(0) <= recoverability <= Decimal(1):
        raise ValueError("recoverability must be within 0..1")
    urgency, urgency_line = _urgency(days_to_deadline, today)
    score = (amount * recoverability * urgency).quantize(_CENT)
    why = (
        f" ({root_cause}: {ROOT_CAUSE_NOTES[root_cause]})" if root_cause in ROOT_CAUSE_NOTES else ""
    )
    return score, (
        f"${amount:,.2f} denied",
        f"recoverability {_short(recoverability)}{why}",
        urgency_line,
        f"score {score:,.2f}",
    )


def appeal_deadline(denied_on: date, window_days: int) -> date:
    """The last day to appeal: `window_days` calendar days after the denial (e.g. 120 for a
    Medicare redetermination, often 180 commercial, 65 UnitedHealthcare commercial: §7)."""
    if window_days < 0:
        raise ValueError("an appeal window cannot be negative")
    return denied_on + timedelta(days=window_days)

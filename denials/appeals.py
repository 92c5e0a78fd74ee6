"""Appeal levels per payer kind and the appeal letter (text, HTML by template, PDF).

Levels (REFERENCE.md §7 "Appeals"): level 1's window is always the payer's own
`appeal_window_days` (payer data, counted from the denial); later levels count from the decision
on the level before.
- Medicare: redetermination 120 days (42 CFR 405.942), QIC reconsideration 180 days
  (405.962), ALJ hearing 60 days (405.1014), Appeals Council 60 days (405.1102), federal court
  60 days (405.1130).
- Medicare Advantage: plan reconsideration (60 days, 42 CFR 422.582); an adverse
  reconsideration goes to the Part C independent review entity by itself (42 CFR 422.592: no
  filing, so no deadline); then ALJ, Council and court at 60 days each (422.600, 422.608,
  422.612).
- Medicare and Medicare Advantage ALJ hearings and federal court review need a minimum amount
  in controversy (42 CFR 405.1006, 422.600): `AMOUNT_IN_CONTROVERSY`, adjusted each year.
- Commercial / ERISA: internal appeal, at least 180 days (29 CFR 2560.503-1(h)(3)(i)); external
  review requested within 4 months (29 CFR 2590.715-2719(d)).
- Medicaid / Medicaid MCO: plan appeal, then state fair hearing within 120 days
  (42 CFR 438.408(f)(2)).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# (name, days, months): a window in days, or in calendar months; level 1 is the payer's window;
# days None: the level needs no filing (the case is forwarded), so it has no deadline.
Level = tuple[str, int | None, int]

ALJ = "Administrative law judge hearing"
COURT = "Federal district court review"
# Minimum amount in controversy by calendar year: (ALJ hearing, federal court), 42 CFR
# 405.1006(b)-(c); 2025: $190 / $1,900 and 2026: $200 / $1,960 (CMS annual notices, e.g.
# CMS-4209-N for 2026). A year not listed uses the latest listed one.
AMOUNT_IN_CONTROVERSY: dict[int, tuple[Decimal, Decimal]] = {
    2025: (Decimal("190"), Decimal("1900")),
    2026: (Decimal("200"), Decimal("1960")),
}

_MEDICARE_LATER: list[Level] = [
    (ALJ, 60, 0),
    ("Medicare Appeals Council review", 60, 0),
    (COURT, 60, 0),
]
LEVELS: dict[str, list[Level]] = {
    "medicare": [
        ("Redetermination (MAC)", 120, 0),
        ("Reconsideration (QIC)", 180, 0),
        *_MEDICARE_LATER,
    ],
    "medicare_advantage": [
        ("Plan reconsideration", 60, 0),
        ("Independent review entity (forwarded by the plan)", None, 0),
        *_MEDICARE_LATER,
    ],
    "commercial": [("Internal appeal", 180, 0), ("External review", 0, 4)],
    "medicaid": [("Plan appeal", 60, 0), ("State fair hearing", 120, 0)],
    "medicaid_mco": [("MCO appeal", 60, 0), ("State fair hearing", 120, 0)],
}


def levels_for(payer_kind: str) -> list[Level]:
    return LEVELS.get(payer_kind, LEVELS["commercial"])


def level_name(payer_kind: str, level: int) -> str | None:
    table = levels_for(payer_kind)
    return table[level - 1][0] if 1 <= level <= len(table) else None


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def level_deadline(
    *, payer_kind: str, level: int, start: dt.date, payer_window_days: int
) -> dt.date | None:
    """The last day to file `level`: level 1 from the payer's window, later levels from the
    table, counted from `start` (the denial, or the previous level's decision)."""
    table = levels_for(payer_kind)
    if not 1 <= level <= len(table):
        return None
    if level == 1:
        return start + dt.timedelta(days=payer_window_days)
    _, days, months = table[level - 1]
    if months:
        return add_months(start, months)
    return None if days is None else start + dt.timedelta(days=days)


def amount_in_controversy_short(
    *, payer_kind: str, level: int, amount: Decimal, on: dt.date
) -> str | None:
    """Why a Medicare ALJ hearing or federal court review cannot be asked for this amount, or
    None when it can (or the level has no minimum). Claims may be aggregated to reach it
    (405.1006(e)); that is the biller's call, so this only says what the minimum is."""
    if payer_kind not in ("medicare", "medicare_advantage"):
        return None
    name = level_name(payer_kind, level)
    if name not in (ALJ, COURT):
        return None
    year = on.year if on.year in AMOUNT_IN_CONTROVERSY else max(AMOUNT_IN_CONTROVERSY)
    alj, court = AMOUNT_IN_CONTROVERSY[year]
    minimum = alj if name == ALJ else court
    if amount >= minimum:
        return None
    return (
        f"{name} needs at least ${minimum:,.0f} in controversy in {year} (42 CFR 405.1006); "
        f"this denial is ${amount:,.2f} (claims may be aggregated to reach it)."
    )


# --- The letter --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Documented:
    service_date: dt.date
    minutes: int | None
    signer: str
    signed_on: dt.date | None


@dataclass(frozen=True)
class LetterFacts:
    org_name: str
    payer_name: str
    level_name: str
    patient_name: str
    date_of_birth: dt.date | None
    member_id: str
    claim_number: str
    payer_claim_number: str
    service_from: dt.date
    service_to: dt.date
    codes: Sequence[str]
    amount: Decimal
    carc: str
    carc_meaning: str
    rarcs: Sequence[tuple[str, str]]
    authorization: str
    program: str
    level: str
    documentation: Sequence[Documented] = field(default_factory=tuple)
    criteria: str = ""


def criteria_for(program: str, level: str) -> str:
    """The medical-necessity criteria the letter argues from (REFERENCE.md §7, CARC 50:
    clinical appeal citing ASAM for SUD, LOCUS for MH)."""
    if program == "sud":
        return (
            f"The ASAM Criteria support the {level or 'billed'} level of care: the patient's "
            "assessment across the six ASAM dimensions placed them at this level."
        )
    return (
        f"LOCUS (Level of Care Utilization System) supports the {level or 'billed'} level of "
        "care: the patient's composite score across the LOCUS dimensions placed them here."
    )


def _d(day: dt.date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else "not recorded"


def letter_sections(f: LetterFacts) -> list[tuple[str, list[str]]]:
    """The letter as (heading, paragraphs); the HTML page and the PDF print the same."""
    codes = ", ".join(f.codes) or "none"
    remarks = [f"{code}: {meaning}" for code, meaning in f.rarcs]
    docs = [
        f"{_d(d.service_date)}: {d.minutes or 'unrecorded'} minutes, note signed by {d.signer}"
        f" on {_d(d.signed_on)}"
        for d in f.documentation
    ] or ["No signed session notes are on file for these dates."]
    return [
        (
            f"{f.level_name}: request for reconsideration",
            [
                f"To: {f.payer_name} appeals department. From: {f.org_name}.",
                f"We appeal the denial of claim {f.payer_claim_number or f.claim_number} "
                f"(our claim {f.claim_number}) for ${f.amount:,.2f}.",
            ],
        ),
        (
            "Patient and services",
            [
                f"Patient: {f.patient_name}; date of birth {_d(f.date_of_birth)}; "
                f"member id {f.member_id}.",
                f"Dates of service: {_d(f.service_from)} to {_d(f.service_to)}. "
                f"Codes billed: {codes}.",
                f"Prior authorization: {f.authorization or 'none on the claim'}.",
            ],
        ),
        (
            "The denial",
            [f"CARC {f.carc}: {f.carc_meaning}.", *(f"RARC {r}." for r in remarks)],
        ),
        ("Documentation", docs),
        ("Medical necessity", [f.criteria or criteria_for(f.program, f.level)]),
        (
            "Request",
            [
                "The services were medically necessary, documented and delivered as billed. "
                "We ask that the denial be reversed and the claim paid.",
            ],
        ),
    ]


def letter_text(f: LetterFacts) -> str:
    parts = []
    for heading, paragraphs in letter_sections(f):
        parts.append(heading.upper())
        parts.extend(paragraphs)
        parts.append("")
    return "\n".join(parts).strip() + "\n"


def letter_pdf(text: str, *, title: str) -> bytes:
    """The stored letter text as a PDF (fpdf2, core font: text stays extractable)."""
    from fpdf import FPDF

    pdf = FPDF(format="letter")
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in text.splitlines():
        safe = line.encode("latin-1", "replace").decode("latin-1")
        if safe.isupper() and safe:
            pdf.set_font("Helvetica", style="B", size=11)
            pdf.multi_cell(0, 6, safe, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=11)
        else:
            pdf.multi_cell(0, 6, safe or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

"""Why a denial may break mental health parity (MHPAEA), and where a complaint goes. Pure
Python over plain data: the payer's `parity_comparators` (payer data, edited by billing managers)
say how the plan treats comparable medical/surgical care.

Rules (REFERENCE.md §9): NQTLs (prior authorization, concurrent review, medical-necessity
criteria) on MH/SUD benefits must be comparable to and no more stringent than med/surg in the same
classification; visit limits no more restrictive than the predominant med/surg limit; a much
higher MH/SUD denial rate is a warning sign the plan should explain. 29 CFR 2590.712(c)(4),
(c)(3); DOL EBSA enforcement fact sheets (dol.gov/agencies/ebsa/.../mhpaea-enforcement-2023).

Comparator keys read (all optional):
  medsurg_auth_required_levels: [level, ...]  levels at which med/surg needs prior auth
  medsurg_review_interval_days: {level: days}  med/surg concurrent-review interval
  mhsud_review_interval_days:   {level: days}  the plan's MH/SUD interval
  medsurg_visit_limits:         {level: n|null} null or missing = no limit
  mhsud_visit_limits:           {level: n}
  medsurg_denial_rate:          0.08          (a fraction)
  denial_rate_flag_ratio:       2             (flag at this multiple; default 2)
  plan_funding: erisa_self_funded | fully_insured | governmental (also read from coverage)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

NQTL_ROOT_CAUSES = frozenset({"medical_necessity", "authorization", "benefit_limit"})
DEFAULT_RATE_RATIO = Decimal("2")


@dataclass(frozen=True)
class Finding:
    kind: str  # auth_stricter, review_stricter, visit_limit, denial_rate, criteria
    text: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _dec(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (ArithmeticError, ValueError, TypeError):
        return None


def _auth(level: str, comp: dict[str, Any]) -> list[Finding]:
    levels = comp.get("medsurg_auth_required_levels")
    if not isinstance(levels, list) or level in levels:
        return []
    where = ", ".join(levels) or "no level"
    return [
        Finding(
            "auth_stricter",
            f"The plan requires prior authorization for med/surg care only at {where}; "
            f"it denied this {level or 'behavioral health'} service for authorization.",
            "29 CFR 2590.712(c)(4) (NQTL: prior authorization)",
        )
    ]


def _review(level: str, comp: dict[str, Any]) -> list[Finding]:
    medsurg = _dec((comp.get("medsurg_review_interval_days") or {}).get(level))
    mhsud = _dec((comp.get("mhsud_review_interval_days") or {}).get(level))
    if medsurg is None or mhsud is None or mhsud >= medsurg:
        return []
    return [
        Finding(
            "review_stricter",
            f"Concurrent review every {mhsud} days for MH/SUD {level} against every {medsurg} "
            "days for comparable med/surg care.",
            "29 CFR 2590.712(c)(4) (NQTL: concurrent review frequency)",
        )
    ]


def _limits(level: str, comp: dict[str, Any]) -> list[Finding]:
    limits = comp.get("medsurg_visit_limits")
    # Unknown is not "no limit": only a level recorded with an explicit null says med/surg care
    # there has no visit limit; a payer without the data gets no finding.
    if not isinstance(limits, dict) or level not in limits:
        return []
    medsurg = limits[level]
    mhsud = _dec((comp.get("mhsud_visit_limits") or {}).get(level))
    if medsurg is None:
        text = f"Med/surg care at {level or 'this level'} has no visit limit; MH/SUD was capped."
    elif mhsud is not None and _dec(medsurg) is not None and mhsud < _dec(medsurg):
        text = f"MH/SUD visit limit {mhsud} is below the med/surg limit {medsurg}."
    else:
        return []
    return [Finding("visit_limit", text, "29 CFR 2590.712(c)(2)-(3) (treatment limitations)")]


def rate_finding(
    comp: dict[str, Any], denied: int, remitted: int, payer_name: str
) -> list[Finding]:
    """MH/SUD denial rate at this payer (denied of remitted claims) against the configured
    med/surg rate: flagged at `denial_rate_flag_ratio` times it (default 2)."""
    medsurg = _dec(comp.get("medsurg_denial_rate"))
    ratio = _dec(comp.get("denial_rate_flag_ratio")) or DEFAULT_RATE_RATIO
    if medsurg is None or remitted == 0:
        return []
    rate = Decimal(denied) / Decimal(remitted)
    if rate < medsurg * ratio:
        return []
    return [
        Finding(
            "denial_rate",
            f"{payer_name} denied {denied} of {remitted} MH/SUD claims ({rate:.0%}); its "
            f"med/surg denial rate is {medsurg:.0%}.",
            "REFERENCE.md §9 (denial patterns); 29 CFR 2590.712(c)(4)(i) (in operation)",
        )
    ]


def findings(
    *, root_cause: str, level: str, program: str, comparators: dict[str, Any]
) -> list[Finding]:
    """What in the payer's own comparators suggests this MH/SUD denial is stricter than
    med/surg. Empty when the denial is not an NQTL or benefit-limit denial."""
    if root_cause not in NQTL_ROOT_CAUSES:
        return []
    comp = comparators or {}
    found: list[Finding] = []
    if root_cause == "authorization":
        found += _auth(level, comp)
    if root_cause == "medical_necessity":
        found += _review(level, comp) + _auth(level, comp)
        found.append(criteria_finding(program))
    if root_cause == "benefit_limit":
        found += _limits(level, comp)
    return found


def criteria_finding(program: str) -> Finding:
    named = "ASAM Criteria" if program == "sud" else "LOCUS/CALOCUS"
    return Finding(
        "criteria",
        f"Ask which medical-necessity criteria were applied; generally accepted criteria for "
        f"this program are the {named}.",
        "REFERENCE.md §9 (criteria departing from ASAM/LOCUS); 29 CFR 2590.712(d)(1)",
    )


# Where a parity complaint goes (REFERENCE.md §9 "Where complaints go"; DOL EBSA enforcement
# fact sheet FY2023: EBSA enforces ERISA plans, states and CMS enforce issuers and non-federal
# governmental plans; Medicaid MCOs under 42 CFR 438 subpart K answer to the state).
REGULATORS: dict[str, dict[str, str]] = {
    "dol_ebsa": {
        "name": "U.S. Department of Labor, Employee Benefits Security Administration",
        "how": "askebsa.dol.gov or 1-866-444-3272",
        "why": "Self-funded employer plan (ERISA)",
    },
    "state_doi": {
        "name": "State department of insurance",
        "how": "The state insurance regulator's consumer complaint portal",
        "why": "Fully insured or individual plan",
    },
    "cms": {
        "name": "Centers for Medicare & Medicaid Services",
        "how": "CMS, which enforces MHPAEA for non-federal governmental plans",
        "why": "Non-federal governmental plan",
    },
    "state_medicaid": {
        "name": "State Medicaid agency",
        "how": "The MCO grievance and the state fair hearing process (42 CFR 438 subpart F)",
        "why": "Medicaid managed care (MHPAEA via 42 CFR 438 subpart K)",
    },
}
FUNDING_REGULATOR = {
    "erisa_self_funded": "dol_ebsa",
    "fully_insured": "state_doi",
    "governmental": "cms",
}
NOT_UNDER_MHPAEA = {"medicare", "medicare_advantage", "self_pay"}


def regulator_for(*, payer_kind: str, plan_funding: str) -> str | None:
    """The regulator key, or None when parity law does not reach the plan (Medicare,
    REFERENCE.md §9 scope) or the plan's funding is not recorded."""
    if payer_kind in NOT_UNDER_MHPAEA:
        return None
    if payer_kind in ("medicaid", "medicaid_mco"):
        return "state_medicaid"
    return FUNDING_REGULATOR.get(plan_funding)


NQTL_REQUEST = (
    "Under 29 CFR 2590.712(d)(3) and section 712(a)(8) of ERISA as added by the Consolidated "
    "Appropriations Act, 2021 (see DOL/HHS/Treasury FAQs Part 45, April 2, 2021), we request the "
    "plan's written comparative analysis of each nonquantitative treatment limitation applied to "
    "this claim, together with the medical-necessity criteria used (29 CFR 2590.712(d)(1)) and "
    "the processes, strategies, evidentiary standards and factors used for comparable "
    "medical/surgical benefits."
)

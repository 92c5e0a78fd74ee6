"""A starter catalog of payer profiles, as data, that an org can install and then edit.

The federal facts come from docs/REFERENCE.md (section named on each value).
Anything a contract or a state sets is an EXAMPLE, listed in each profile's "examples": confirm
it against the payer's manual before billing. Rates are illustrative, not published fee schedules.
EDI payer ids are left blank: they depend on the clearinghouse.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from payers.models import Payer
from payers.services.payers import fee_rate_set, payer_create
from rcm.tenancy import current_org_id, org_context

RATES_FROM = "2026-01-01"
# Keys of a profile that are not Payer columns.
_META_KEYS = ("examples", "sources", "fee_schedule")

_PROGRAM_LEVELS = ["iop", "php", "residential", "withdrawal_management", "inpatient"]
_CLINICIANS = ["psychiatrist", "psychologist", "lcsw", "lpc", "lmft", "pmhnp", "pa", "cns"]


def _rate(code: str, rate: str, modifiers: Iterable[str] = (), license_type: str = "") -> dict:
    return {
        "code": code,
        "rate": rate,
        "modifiers": list(modifiers),
        "license_type": license_type,
        "effective_from": RATES_FROM,
    }


def _per_diem(
    hcpcs: str,
    revenue_code: str,
    tob: str,
    pos: str | None,
    label: str,
    condition_codes: Iterable[str] = (),
) -> dict[str, Any]:
    """A per-diem program-day code. `pos` None: the facility's own POS (an IOP is never
    POS 52, which is partial hospitalization: REFERENCE.md §14). Empty settings are left out,
    as the payer form stores them."""
    entry = {
        "hcpcs": hcpcs,
        "revenue_code": revenue_code,
        "type_of_bill": tob,
        "pos": pos,
        "condition_codes": list(condition_codes),
        "unit": "per_diem",
        "label": label,
    }
    return {k: v for k, v in entry.items() if v not in (None, [])}


def _day(entry: dict[str, Any]) -> dict[str, Any]:
    return {"program_day": entry}


def _per_15(hcpcs: str, label: str, modifiers: Iterable[str] = ()) -> dict[str, Any]:
    entry = {"hcpcs": hcpcs, "unit": "per_15min", "label": label}
    return {**entry, "modifiers": list(modifiers)} if modifiers else entry


# §14 descriptors [V]: H0015 SUD IOP, S9480 psychiatric IOP per diem; 0905 IOP psychiatric,
# 0906 IOP chemical dependency; §2 [U]: 1001 residential psychiatric, 1002 residential
# chemical dependency.
MH_IOP = _per_diem("S9480", "0905", "13", None, "MH IOP per diem")
# H0035 "mental health partial hospitalization, treatment, less than 24 hours" (§14).
MH_PHP = _per_diem("H0035", "0912", "13", "52", "MH PHP")
# H0015: "a program of at least 3 hours/day and at least 3 days/week" (§14 descriptor).
SUD_IOP = {**_per_diem("H0015", "0906", "13", "57", "SUD IOP per diem"), "min_days_per_week": 3}
MH_RESIDENTIAL = _per_diem("H0019", "1001", "86", None, "MH residential")
SUD_RESIDENTIAL = _per_diem("H0018", "1002", "86", "55", "SUD residential")
# H0005 is "alcohol and/or drug services; group counseling": SUD groups only (§14).
SUD_GROUP_PER_15 = {"mode": "per_15min", "code": "H0005", "modifiers": ["HQ"]}
# Medicaid HCPCS for community services, per 15 minutes [P: state manuals]; HR/HS family
# modifiers [V: HCPCS modifier file].
MEDICAID_MH_SERVICES = {
    "peer_support": _per_15("H0038", "self-help/peer services"),
    "case_management": _per_15("T1017", "targeted case management"),
    "skills_training": _per_15("H2014", "skills training and development"),
    "community_support": _per_15("H0036", "community psychiatric supportive treatment"),
    "crisis": _per_15("H2011", "crisis intervention service"),
    "family_with_patient": {"modifiers": ["HR"]},
    "family_without_patient": {"modifiers": ["HS"]},
}
MEDICAID_SUD_SERVICES = {
    "individual": _per_15("H0004", "behavioral health counseling and therapy"),
    "peer_support": _per_15("H0038", "self-help/peer services"),
    "case_management": _per_15("H0006", "alcohol and/or drug services; case management"),
    "crisis": _per_15("H2011", "crisis intervention service"),
    "family_with_patient": {"modifiers": ["HR"]},
    "family_without_patient": {"modifiers": ["HS"]},
}


def _program(
    day: float,
    week: float,
    outcome: str,
    downcode_to: dict | None = None,
    plan_review_days: int | None = None,
) -> dict[str, Any]:
    rules: dict[str, Any] = {
        "min_hours_per_day": day,
        "min_hours_per_week": week,
        "short_day_outcome": outcome,
    }
    if downcode_to:
        rules["downcode_to"] = downcode_to
    if plan_review_days:
        rules["plan_review_days"] = plan_review_days
    return rules


# Typical concurrent-review cadence for MH/SUD levels (REFERENCE.md §6 [U][P]).
_MHSUD_REVIEW_DAYS = {
    "inpatient": 2,
    "withdrawal_management": 2,
    "residential": 7,
    "php": 5,
    "iop": 14,
}
_COMMERCIAL_MEDSURG = {
    "applies": True,
    "medsurg_auth_required_levels": [
        "inpatient",
        "skilled_nursing",
        "inpatient_rehab",
        "outpatient_surgery",
        "advanced_imaging",
    ],
    "medsurg_review_interval_days": {"inpatient": 3, "skilled_nursing": 7, "inpatient_rehab": 7},
    "medsurg_visit_limits": {"outpatient_therapy": 30},
    "medsurg_outpatient_visits_before_auth": None,
    "mhsud_review_interval_days": _MHSUD_REVIEW_DAYS,
    "mhsud_visit_limits": {},
}


def _per_service(
    pos: str | None, label: str, condition_codes: list[str], classes: list[dict[str, Any]]
) -> dict[str, Any]:
    """A program day billed one line per service (Medicare PHP/IOP, REFERENCE.md §14) on a
    hospital outpatient claim (type of bill 13X)."""
    entry = {
        "unit": "per_service",
        "type_of_bill": "13",
        "pos": pos,
        "condition_codes": condition_codes,
        "label": label,
        "services": MEDICARE_PROGRAM_SERVICES,
        "payment_classes": classes,
    }
    return {k: v for k, v in entry.items() if v is not None}


# The services of a Medicare PHP/IOP day, each on its own line (REFERENCE.md §14 [V]).
# HCPCS descriptors [V, HCPCS file]: G0410 "group psychotherapy other than of a multiple-family
# group, in a partial hospitalization or intensive outpatient setting, approximately 45 to 50
# minutes"; G0411 the interactive group; G0129 occupational therapy, G0176 activity therapy and
# G0177 training and education "per session (45 minutes or more)". 90853 is not billed in a
# PHP (G0410 replaced it in 2009; optum360coding.com). Revenue codes [S: the PHP HCPCS-by-
# revenue-code table of Pub 100-04 ch. 4 §260.1 as MAC guides reproduce it]: 0915 group,
# 0914 individual, 0916 family, 0904 activity therapy, 0942 education/training, 043X
# occupational therapy (0430 general classification chosen here [U]), 0900 evaluation
# (90791/90792). Psychotherapy, family and evaluation codes come from the minutes (no hcpcs).
MEDICARE_PROGRAM_SERVICES: dict[str, dict[str, Any]] = {
    "group_psychotherapy": {
        "hcpcs": "G0410", "revenue_code": "0915", "unit_minutes": 45,
        "label": "group psychotherapy, ~45-50 min a unit",
    },
    "interactive_group": {
        "hcpcs": "G0411", "revenue_code": "0915", "unit_minutes": 45,
        "label": "interactive group psychotherapy, ~45-50 min a unit",
    },
    "individual_psychotherapy": {"revenue_code": "0914", "label": "90832/90834/90837 by minutes"},
    "family_with_patient": {"revenue_code": "0916", "label": "90847"},
    "family_without_patient": {"revenue_code": "0916", "label": "90846"},
    "occupational_therapy": {
        "hcpcs": "G0129", "revenue_code": "0430", "min_minutes": 45,
        "label": "occupational therapy, per session (45 min or more)",
    },
    "activity_therapy": {
        "hcpcs": "G0176", "revenue_code": "0904", "min_minutes": 45,
        "label": "activity therapy, per session (45 min or more)",
    },
    "patient_education": {
        "hcpcs": "G0177", "revenue_code": "0942", "min_minutes": 45,
        "label": "training and education, per session (45 min or more)",
    },
    "diagnostic_evaluation": {"revenue_code": "0900", "label": "90791"},
}  # fmt: skip
# Per-diem APCs by qualifying services a day (REFERENCE.md §2/§14 [V]: 3, or 4 and more; none
# below 3 [U]). APC numbers [U: CY 2024 OPPS final rule, hospital-based programs; confirm in
# the current Addendum A]: PHP 5863/5864, IOP 5861/5862 (CMHCs: PHP 5853/5854, IOP 5851/5852).
MEDICARE_PHP_CLASSES = [
    {"from_services": 3, "label": "3 services", "apc": "5863"},
    {"from_services": 4, "label": "4 or more services", "apc": "5864"},
]
MEDICARE_IOP_CLASSES = [
    {"from_services": 3, "label": "3 services", "apc": "5861"},
    {"from_services": 4, "label": "4 or more services", "apc": "5862"},
]

# Places of service other than a hospital (19, 21, 22, 23) or SNF (31): 42 CFR 410.26(a)(6).
_NONINSTITUTIONAL_POS = [
    "02", "04", "10", "11", "12", "13", "14", "15", "16", "33", "49", "50", "53", "57", "71",
    "72", "99",
]  # fmt: skip

MEDICARE: dict[str, Any] = {
    "name": "Medicare Part B",
    "kind": "medicare",
    "claim_filing_indicator": "MB",
    # Institutional claims (PHP/IOP at a CMHC or hospital outpatient department) go to the MAC's
    # Part A side (SBR09 "MA"); its Part A payer id is the MAC's, set per clinic.
    "institutional_filing_indicator": "MA",
    "timely_filing_days": 365,  # §7: 12 months from the date of service (42 CFR 424.44)
    "appeal_window_days": 120,  # §7: redetermination within 120 days
    "rounding_rule": "cms_8_minute",  # §1: Medicare timed codes
    "rounding_params": {"label": "CMS 8-minute rule"},
    "telehealth": {  # §3: POS 02/10 + 95 video / 93 audio-only, audio-only at home
        "home_pos": "10",
        "other_site_pos": "02",
        "use_facility_pos": False,
        "video_modifier": "95",
        "audio_only_modifier": "93",
        "audio_only_allowed": True,
        "audio_only_requires_home": True,
        "label": "Medicare: POS 10/02, 95 video, 93 audio",
    },
    "accepted_license_types": _CLINICIANS,  # §4: LPC/LMFT since 2024; LADC/CADC not
    # §14 incident-to (42 CFR 410.26): auxiliary personnel's BH services billed under a
    # physician, CP, CNS, NP or PA (not CSW/MFT/MHC) with general supervision, in a
    # noninstitutional setting (anything but a hospital or SNF, 410.26(a)(6)); no modifier.
    "pays_under_supervisor": True,
    "supervision_modifiers": [],
    "supervisor_license_types": ["psychiatrist", "psychologist", "pmhnp", "pa", "cns"],
    "supervision_places_of_service": _NONINSTITUTIONAL_POS,
    # §14 crisis: G0017/G0018 "in an applicable site of service (any place of service at which
    # the non-facility rate applies, other than the office)" (cms.gov Psychotherapy for Crisis).
    "crisis_site_codes": {
        "first": "G0017",
        "each_additional": "G0018",
        # Non-facility places of service other than the office (11); facility-rate POS (19,
        # 21-24, 26, 31, 34, 41, 42, 51-53, 56, 61) and telehealth (02, 10) are not listed.
        "places_of_service": [
            "03",
            "04",
            "05",
            "06",
            "07",
            "08",
            "09",
            "12",
            "13",
            "14",
            "15",
            "16",
            "17",
            "18",
            "20",
            "25",
            "27",
            "32",
            "33",
            "49",
            "50",
            "54",
            "55",
            "57",
            "58",
            "60",
            "62",
            "65",
            "71",
            "72",
            "81",
            "99",
        ],  # fmt: skip
    },
    "license_modifiers": {},
    "auth_required_levels": [],
    "auth_required_codes": [],
    "family_min_minutes": 26,
    "group_billing": {"mode": "per_session", "code": "90853"},
    "program_minimums": {  # §2: PHP ≥20 h/week, IOP ≥9 h/week; short weeks are informational
        "php": _program(3, 20, "informational"),
        "iop": _program(3, 9, "informational"),
    },
    "level_of_care_codes": {  # §14 [V]: Medicare PHP/IOP bill service lines + cond. code 41/92
        "php": _per_service(
            "52", "Medicare PHP: a line per service, cond. code 41", ["41"], MEDICARE_PHP_CLASSES
        ),
        "iop": _per_service(
            None, "Medicare IOP: a line per service, cond. code 92", ["92"], MEDICARE_IOP_CLASSES
        ),
    },  # fmt: skip
    "parity_comparators": {"applies": False},  # §9: MHPAEA does not reach Medicare FFS
    "fee_schedule": [
        _rate("90791", "180.00"),
        _rate("90832", "80.00"),
        _rate("90834", "105.00"),
        _rate("90837", "155.00"),
        _rate("90853", "30.00"),
        _rate("90834", "78.75", license_type="lcsw"),  # §4: LCSW at 75%
        _rate("90837", "116.25", license_type="lcsw"),
    ],
    "examples": [
        "fee_schedule",
        "program_minimums.*.min_hours_per_day",
        "level_of_care_codes.*.payment_classes (APC numbers: hospital-based; a CMHC bills "
        "type of bill 76 with its own APCs)",
        "level_of_care_codes.*.services (revenue code subcategories, e.g. 043X for G0129)",
    ],
    "sources": [
        "REFERENCE.md §1-4, §7, §9, §14",
        "CGS 'Intensive Outpatient Program Services' (2024-01-02); First Coast IOP page; "
        "Noridian MM13222 (condition code 92, APCs for 3 and 4+ services)",
        "CMS Pub 100-04 ch. 4 §260.1 (PHP HCPCS by revenue code), as listed in MAC PHP "
        "billing guides",
    ],
}

STATE_MEDICAID: dict[str, Any] = {
    "name": "State Medicaid (example)",
    "kind": "medicaid",
    "claim_filing_indicator": "MC",
    "timely_filing_days": 180,  # §7: states may be shorter than 12 months (e.g. Maryland 6)
    "appeal_window_days": 90,
    "rounding_rule": "state_table",  # §1: state tables, "per 15 min" = whole units only
    "rounding_params": {"count_unit_at": 15, "label": "per 15 min: whole units only"},
    "telehealth": {  # §3: legacy GT for audio-video at some Medicaid programs
        "home_pos": "10",
        "other_site_pos": "02",
        "use_facility_pos": False,
        "video_modifier": "GT",
        "audio_only_modifier": None,
        "audio_only_allowed": False,
        "audio_only_requires_home": True,
        "label": "Medicaid: POS 10/02, GT video, no audio",
    },
    "accepted_license_types": [*_CLINICIANS, "addiction_counselor", "peer_specialist"],
    "pays_under_supervisor": True,  # §4: associates billed under the supervisor
    "supervision_modifiers": ["HO"],
    "license_modifiers": {  # §4: credential modifiers; the state sets the combinations
        "psychologist": "AH",
        "lcsw": "AJ",
        "lpc": "HO",
        "lmft": "HO",
        "addiction_counselor": "HN",
        "peer_specialist": "HM",
    },
    "auth_required_levels": _PROGRAM_LEVELS,
    "auth_required_codes": [],
    "family_min_minutes": 26,
    "group_billing": {"mode": "per_session", "code": "90853"},
    "evaluation_code_overrides": {"90791": "H0031"},  # §1: many Medicaid programs use H0031
    "program_minimums": {  # §2/§14: H0015 ≥3 h/day, ≥3 days/week, 9 h/week; short days denied
        "iop": _program(3, 9, "deny"),  # H0015's 3 days a week rides on its code entry
        "php": _program(4, 20, "deny"),
    },
    "level_of_care_codes": {  # §2: typical code patterns by level (both programs)
        "withdrawal_management": _per_diem("H0010", "1002", "86", "55", "Residential WM 3.7"),
    },
    "program_codes": {  # §14: codes depend on the program (MH vs SUD)
        "mh": {
            "php": _day(MH_PHP),  # H0035 is mental-health PHP: no SUD PHP code configured
            "iop": _day(MH_IOP),
            "residential": _day(MH_RESIDENTIAL),
            "any": MEDICAID_MH_SERVICES,
        },
        "sud": {
            "iop": _day(SUD_IOP),
            "residential": _day(SUD_RESIDENTIAL),
            "any": {"group": SUD_GROUP_PER_15, **MEDICAID_SUD_SERVICES},
        },
    },
    "parity_comparators": {
        "applies": False,  # FFS Medicaid outside managed care/ABPs (§9)
        "mhsud_review_interval_days": _MHSUD_REVIEW_DAYS,
    },
    "fee_schedule": [
        _rate("H0015", "120.00"),
        _rate("H0035", "150.00"),
        _rate("H0018", "210.00"),
        _rate("H0010", "300.00"),
        _rate("H0031", "90.00"),
        _rate("90834", "65.00", ["HO"], "lpc"),
        _rate("90837", "85.00", ["AJ"], "lcsw"),
    ],
    "examples": ["everything state-specific: timely/appeal days, modifiers, codes, rates"],
    "sources": ["REFERENCE.md §1-4, §7, §14"],
}

MEDICAID_MCO: dict[str, Any] = {
    "name": "Medicaid MCO (example)",
    "kind": "medicaid_mco",
    "claim_filing_indicator": "HM",
    "timely_filing_days": 90,  # §7: MCOs 90-365 days
    "appeal_window_days": 60,
    "rounding_rule": "state_table",
    "rounding_params": {
        "count_unit_at": 8,
        "max_units": 16,
        "label": "MCO table: a unit counts from 8 min, up to 16 a day",
    },
    "telehealth": {
        "home_pos": "10",
        "other_site_pos": "02",
        "use_facility_pos": False,
        "video_modifier": "95",
        "audio_only_modifier": "93",
        "audio_only_allowed": True,
        "audio_only_requires_home": False,
        "label": "MCO: POS 10/02, 95 video, 93 audio",
    },
    "accepted_license_types": [*_CLINICIANS, "addiction_counselor", "peer_specialist"],
    "pays_under_supervisor": False,
    "supervision_modifiers": [],
    "license_modifiers": {
        "psychologist": "AH",
        "lcsw": "AJ",
        "lpc": "HO",
        "lmft": "HO",
        "addiction_counselor": "HN",
        "peer_specialist": "HM",
    },
    "auth_required_levels": _PROGRAM_LEVELS,
    "auth_required_codes": ["96130", "96131"],  # psychological testing
    "family_min_minutes": 26,
    "group_billing": {"mode": "per_session", "code": "90853"},  # §14: H0005 is SUD-only
    "evaluation_code_overrides": {"90791": "H0031"},
    "program_minimums": {  # §2: PHP short days downcoded to the program's IOP code
        "php": _program(4, 20, "downcode", {"level": "iop"}),
        "iop": _program(3, 9, "deny"),
    },
    "level_of_care_codes": {},  # §2: a Texas MCO pairs 0912+H0035, 0905+S9480, 0906+H0015
    "program_codes": {
        "mh": {"php": _day(MH_PHP), "iop": _day(MH_IOP), "residential": _day(MH_RESIDENTIAL)},
        "sud": {
            "iop": _day(SUD_IOP),
            "residential": _day(SUD_RESIDENTIAL),
            "any": {"group": SUD_GROUP_PER_15},  # §1: Medicaid per-15-min SUD groups
        },
    },
    "parity_comparators": {  # §9: Medicaid MCOs are covered through 42 CFR 438
        **_COMMERCIAL_MEDSURG,
        "medsurg_auth_required_levels": ["inpatient", "skilled_nursing", "home_health"],
    },
    "fee_schedule": [
        _rate("S9480", "140.00"),
        _rate("H0035", "180.00"),
        _rate("H0005", "12.50", ["HQ"]),
        _rate("H0031", "95.00"),
        _rate("90837", "100.00"),
    ],
    "examples": ["everything contract-specific: bands, codes, modifiers, days, rates"],
    "sources": ["REFERENCE.md §1-2, §7, §9, §14"],
}


def _commercial(
    name: str, indicator: str, timely: int, visits: int, extra: dict[str, Any]
) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "name": name,
        "kind": "commercial",
        "claim_filing_indicator": indicator,
        "timely_filing_days": timely,  # §7: often 90 in-network, 180 out-of-network
        "appeal_window_days": 180,  # §7: ERISA ≥180 days
        "rounding_rule": "cpt_midpoint",  # §1: most CPT timed codes and commercial payers
        "rounding_params": {"label": "CPT midpoint rule"},
        "telehealth": {  # §3: many commercial plans want 95 + the in-person POS
            "home_pos": "10",
            "other_site_pos": "02",
            "use_facility_pos": True,
            "video_modifier": "95",
            "audio_only_modifier": "93",
            "audio_only_allowed": True,
            "audio_only_requires_home": False,
            "label": "commercial: in-person POS + 95",
        },
        "accepted_license_types": _CLINICIANS,
        "pays_under_supervisor": False,
        "supervision_modifiers": [],
        "license_modifiers": {},
        "auth_required_levels": _PROGRAM_LEVELS,
        "auth_required_codes": ["96130", "96131"],
        "outpatient_visits_before_auth": visits,
        "family_min_minutes": 26,
        "group_billing": {"mode": "per_session", "code": "90853"},
        "level_of_care_codes": {  # §2: 837I revenue code + HCPCS pairs
            "php": _per_diem("S0201", "0913", "13", "52", "PHP per diem"),
            "withdrawal_management": _per_diem("H0010", "1002", "86", "55", "residential WM"),
        },
        "program_codes": {  # §14: MH residential is 1001, SUD 1002; IOP by program
            "mh": {"iop": _day(MH_IOP), "residential": _day(MH_RESIDENTIAL)},
            "sud": {"iop": _day(SUD_IOP), "residential": _day(SUD_RESIDENTIAL)},
        },
        "parity_comparators": _COMMERCIAL_MEDSURG,
        "examples": ["all contract terms: days, visit threshold, codes, minimums, rates"],
        "sources": ["REFERENCE.md §1-3, §6-7, §9, §14"],
    }
    profile.update(extra)
    return profile


COMMERCIAL_CI = _commercial(
    "Commercial PPO (example)",
    "CI",
    90,
    12,
    {
        "program_minimums": {
            "php": _program(6, 30, "downcode", {"level": "iop"}),  # the program's IOP code
            "iop": _program(3, 9, "deny"),
        },
        "fee_schedule": [
            _rate("90791", "190.00"),
            _rate("90834", "110.00"),
            _rate("90837", "145.00"),
            _rate("S9480", "350.00"),
            _rate("S0201", "600.00"),
            _rate("H0018", "650.00"),
        ],
    },
)
COMMERCIAL_BL = _commercial(
    "Blue plan (example)",
    "BL",
    180,
    20,
    {
        "accepted_license_types": [*_CLINICIANS, "addiction_counselor"],
        "program_minimums": {  # §2: some plans allow a brief step-down below the minimum
            "php": _program(5, 25, "deny"),
            "iop": _program(3, 9, "pay"),
        },
        "fee_schedule": [
            _rate("90791", "200.00"),
            _rate("90834", "115.00"),
            _rate("90837", "150.00"),
            _rate("90853", "45.00"),
            _rate("S9480", "375.00"),
            _rate("S0201", "625.00"),
        ],
    },
)

STARTER_PAYERS: list[dict[str, Any]] = [
    MEDICARE,
    STATE_MEDICAID,
    MEDICAID_MCO,
    COMMERCIAL_CI,
    COMMERCIAL_BL,
]


def catalog_names() -> list[str]:
    return [profile["name"] for profile in STARTER_PAYERS]


def payer_fields(profile: dict[str, Any]) -> dict[str, Any]:
    """The Payer columns of a profile (a deep copy: installing never shares the catalog)."""
    return {k: copy.deepcopy(v) for k, v in profile.items() if k not in _META_KEYS}


@contextmanager
def _active(org: Any) -> Iterator[None]:
    active = current_org_id()
    if active is not None and active != org.pk:
        raise RuntimeError("catalog_install: another organization is active")
    with nullcontext() if active == org.pk else org_context(org):
        yield


def _install_one(profile: dict[str, Any], actor: Any) -> tuple[Payer, bool]:
    existing = Payer.objects.filter(name=profile["name"]).first()
    if existing is not None:
        return existing, False  # never overwrite a billing manager's edits
    payer = payer_create(actor=actor, **payer_fields(profile))
    for row in profile.get("fee_schedule", []):
        fee_rate_set(
            payer=payer,
            actor=actor,
            **{**row, "effective_from": datetime.date.fromisoformat(row["effective_from"])},
        )
    return payer, True


def catalog_install(
    *, org: Any, names: Iterable[str] | None = None, actor: Any = None
) -> list[tuple[Payer, bool]]:
    """Install the starter payers (all, or those named) into `org`; (payer, created) pairs.
    Idempotent by name: a payer that already exists is left as it is."""
    wanted = set(catalog_names() if names is None else names)
    unknown = wanted - set(catalog_names())
    if unknown:
        raise ValueError(f"not in the starter catalog: {', '.join(sorted(unknown))}")
    with _active(org):
        return [_install_one(p, actor) for p in STARTER_PAYERS if p["name"] in wanted]

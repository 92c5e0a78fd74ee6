"""A payer's rules in plain words and tables, for the payer detail page."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from coding.types import COMMUNITY_KINDS, TelehealthProfile, program_service_label
from payers.models import Payer
from payers.rules import ANY_LEVEL, EVALUATION, GROUP, PROGRAM_DAY, PROGRAMS
from payers.services.codes import LEVEL_CODE_UNITS, LEVEL_UNITS, MEDSURG_CATEGORIES
from payers.services.program_codes import PROGRAM_LABELS, SERVICE_UNITS
from payers.views.fields import GROUP_MODES, LEVELS, LICENSES, SHORT_DAY


def as_dict(value: Any) -> dict[str, Any]:
    """A rule column as a dict ({} when it is not a mapping)."""
    return dict(value) if isinstance(value, Mapping) else {}


def units_summary(p: Payer) -> str:
    params = as_dict(p.rounding_params)
    text = (
        Payer.Rounding(p.rounding_rule).label
        if p.rounding_rule in Payer.Rounding.values
        else str(p.rounding_rule)
    )
    if p.rounding_rule == Payer.Rounding.STATE_TABLE:
        detail = params.get("label") or "state table"
        if params.get("bands"):
            rows = ", ".join(f"{a}+ min = {b}" for a, b in params["bands"])
            detail += f" ({rows})"
        elif params.get("count_unit_at"):
            detail += f" (a 15-min unit counts from minute {params['count_unit_at']})"
        text = f"{text} — {detail}"
    if params.get("max_units"):
        text += f", at most {params['max_units']} units a day"
    return text


def telehealth_summary(th: Mapping[str, Any]) -> str:
    d = {**dataclasses.asdict(TelehealthProfile()), **as_dict(th)}
    where = (
        "the in-person POS"
        if d["use_facility_pos"]
        else f"POS {d['home_pos']} at home / {d['other_site_pos']} elsewhere"
    )
    video = f"modifier {d['video_modifier']} video" if d["video_modifier"] else "no video modifier"
    if not d["audio_only_allowed"]:
        audio = "audio-only not paid"
    else:
        audio = f"{d['audio_only_modifier'] or 'no modifier'} audio-only"
        audio += " (patient at home only)" if d["audio_only_requires_home"] else ""
    return f"{where}, {video}, {audio}"


def _labels(values: Iterable[str], names: Mapping[str, str]) -> str:
    return ", ".join(names.get(v, v) for v in values) or "none"


def _license_summary(p: Payer) -> list[tuple[str, str]]:
    names = dict(LICENSES)
    accepted = p.accepted_license_types or []
    rows = [
        ("Licenses paid", _labels(accepted, names) if accepted else "engine default set"),
        ("Not paid", _labels([lt for lt in names if accepted and lt not in accepted], names)),
    ]
    if p.pays_under_supervisor:
        mods = ", ".join(p.supervision_modifiers) or "no modifier"
        rows.append(("Supervision", f"bills others' services under a supervisor with {mods}"))
    else:
        rows.append(("Supervision", "does not pay under a supervisor"))
    mods = as_dict(p.license_modifiers)
    rows.append(
        (
            "License modifiers",
            ", ".join(f"{names.get(k, k)} {v}" for k, v in mods.items()) or "none",
        )
    )
    return rows


def _auth_summary(p: Payer) -> str:
    levels = dict(LEVELS)
    parts = [f"levels: {_labels(p.auth_required_levels, levels)}"]
    if p.auth_required_codes:
        parts.append(f"codes: {', '.join(p.auth_required_codes)}")
    if p.outpatient_visits_before_auth:
        parts.append(f"outpatient after {p.outpatient_visits_before_auth} visits a year")
    if p.auth_tied_to_provider:
        parts.append("tied to the rendering provider")
    return "; ".join(parts)


def _service_summary(p: Payer) -> list[tuple[str, str]]:
    group = as_dict(p.group_billing)
    mode = GROUP_MODES.get(group.get("mode", "per_session"), group.get("mode"))
    code = " ".join([group.get("code", "90853"), *group.get("modifiers", [])])
    evals = as_dict(p.evaluation_code_overrides)
    rows = [
        ("Family therapy", f"at least {p.family_min_minutes} minutes"),
        ("Group", f"{code}, {mode}"),
    ]
    rows += [("Evaluation", f"{cpt} billed as {code}") for cpt, code in evals.items()]
    return rows


def payer_summary(p: Payer) -> list[tuple[str, str]]:
    """(topic, sentence) rows describing every rule of the payer in plain words."""
    return [
        (
            "Filing",
            f"claim filing indicator {p.claim_filing_indicator}; timely filing "
            f"{p.timely_filing_days} days; appeal window {p.appeal_window_days} days",
        ),
        ("Units", units_summary(p)),
        ("Telehealth", telehealth_summary(p.telehealth)),
        *_license_summary(p),
        ("Authorization", _auth_summary(p)),
        *_service_summary(p),
    ]


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def per_service_rows(code: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A per-service level's services in words: service, code, revenue code, unit."""
    rows = []
    for kind, entry in as_dict(code.get("services")).items():
        entry = as_dict(entry)
        minutes = entry.get("unit_minutes")
        unit = f"per {minutes} min" if minutes else "per service"
        if entry.get("min_minutes"):
            unit += f", at least {entry['min_minutes']} min"
        rows.append(
            {
                "service": program_service_label(kind),
                "code": entry.get("hcpcs") or "CPT by minutes",
                "revenue_code": entry.get("revenue_code") or "",
                "unit": unit,
            }
        )
    return rows


def level_table(p: Payer) -> list[dict[str, Any]]:
    codes, programs = as_dict(p.level_of_care_codes), as_dict(p.program_minimums)
    rows = []
    for level, label in LEVELS:
        code, program = as_dict(codes.get(level)), as_dict(programs.get(level))
        if code or program:
            down = as_dict(program.get("downcode_to"))
            rows.append(
                {
                    "label": label,
                    "code": code,
                    "program": program,
                    "auth": level in (p.auth_required_levels or []),
                    "unit": LEVEL_CODE_UNITS.get(code.get("unit", ""), ""),
                    "services": per_service_rows(code),
                    "classes": as_list(code.get("payment_classes")),
                    "short": SHORT_DAY.get(program.get("short_day_outcome", ""), ""),
                    "downcode": (
                        f"the program's {dict(LEVELS).get(down['level'], down['level'])} code"
                        if down.get("level")
                        else " ".join(filter(None, [down.get("hcpcs"), down.get("revenue_code")]))
                    ),
                }
            )
    return rows


def parity_table(p: Payer) -> dict[str, Any]:
    pc = as_dict(p.parity_comparators)
    review, limits = (
        as_dict(pc.get("medsurg_review_interval_days")),
        as_dict(pc.get("medsurg_visit_limits")),
    )
    auth = pc.get("medsurg_auth_required_levels") or []
    medsurg = [
        {"label": label, "auth": c in auth, "review": review.get(c), "limit": limits.get(c)}
        for c, label in MEDSURG_CATEGORIES.items()
        if c in auth or c in review or c in limits
    ]
    mh_review, mh_limit = (
        as_dict(pc.get("mhsud_review_interval_days")),
        as_dict(pc.get("mhsud_visit_limits")),
    )
    mhsud = [
        {
            "label": label,
            "auth": lv in (p.auth_required_levels or []),
            "review": mh_review.get(lv),
            "limit": mh_limit.get(lv),
        }
        for lv, label in LEVELS
        if lv in mh_review or lv in mh_limit or lv in (p.auth_required_levels or [])
    ]
    return {
        "applies": pc.get("applies"),
        "medsurg": medsurg,
        "mhsud": mhsud,
        "ms_visits": pc.get("medsurg_outpatient_visits_before_auth"),
    }


# --- Codes by program (Payer.program_codes) ------------------------------------------------

# The service kinds a payer may give a code of its own (payers.rules.SERVICE_CODE_KINDS).
SERVICE_LABELS: dict[str, str] = {
    "individual": "Individual psychotherapy",
    "family_with_patient": "Family therapy with the patient",
    "family_without_patient": "Family therapy without the patient",
    "crisis": "Crisis psychotherapy",
    "peer_support": "Peer support",
    "case_management": "Case management",
    "skills_training": "Skills training",
    "community_support": "Community support",
}
KIND_LABELS: dict[str, str] = {
    PROGRAM_DAY: "Program day",
    GROUP: "Group",
    EVALUATION: "Evaluation",
    **SERVICE_LABELS,
}


def _code_text(entry: Mapping[str, Any]) -> str:
    code = " ".join([entry.get("hcpcs") or "", *(entry.get("modifiers") or [])]).strip()
    if entry.get("revenue_code"):
        code += f" (rev {entry['revenue_code']})"
    return code


def _unit_text(kind: str, entry: Mapping[str, Any]) -> str:
    if kind == PROGRAM_DAY:
        return LEVEL_UNITS.get(entry.get("unit") or "per_diem", str(entry.get("unit")))
    if kind == GROUP:
        return GROUP_MODES.get(entry.get("mode", ""), str(entry.get("mode")))
    if kind == EVALUATION:
        return ""
    if entry.get("unit"):
        return SERVICE_UNITS.get(entry["unit"], str(entry["unit"]))
    return "per session" if entry.get("hcpcs") else "as the CPT code"


def _entry_code(kind: str, entry: Mapping[str, Any]) -> str:
    if kind == GROUP:
        return str(entry.get("code", ""))
    if kind == EVALUATION:
        return ", ".join(f"{code} for {cpt}" for cpt, code in entry.items())
    return str(entry.get("hcpcs") or ("the CPT code" if kind != PROGRAM_DAY else ""))


def program_code_row(level: str, kind: str, entry: Any) -> dict[str, Any]:
    """One entry of `Payer.program_codes` in words: where, what, code, rev code, unit."""
    entry = as_dict(entry)
    return {
        "level": level,
        "kind": kind,
        "where": "Any level" if level == ANY_LEVEL else dict(LEVELS).get(level, level),
        "service": KIND_LABELS.get(kind, kind),
        "code": _entry_code(kind, entry),
        "revenue_code": entry.get("revenue_code", ""),
        "modifiers": " ".join(entry.get("modifiers") or []),
        "unit": _unit_text(kind, entry),
        "label": entry.get("label", ""),
    }


def _ordered(keys: Iterable[str], order: Iterable[str]) -> list[str]:
    order = list(order)
    return sorted(keys, key=lambda k: (order.index(k) if k in order else len(order), k))


def _program_rows(levels: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for level in _ordered(levels, [*(lv for lv, _ in LEVELS), ANY_LEVEL]):
        kinds = as_dict(levels[level])
        for kind in _ordered(kinds, KIND_LABELS):
            rows.append(program_code_row(level, kind, kinds[kind]))
    return rows


def _sentence_list(labels: list[str]) -> str:
    return ", ".join(label.lower() for label in labels).capitalize()


def _independent(p: Payer, program: str) -> list[str]:
    """The program-independent codes that apply where `program` has no entry of its own."""
    own = as_dict(as_dict(p.program_codes).get(program))
    any_level = as_dict(own.get(ANY_LEVEL))
    rows = [
        f"{label} program day: {_code_text(as_dict(code))}, "
        f"{_unit_text(PROGRAM_DAY, as_dict(code))}"
        for lv, label in LEVELS
        if (code := as_dict(p.level_of_care_codes).get(lv))
        and PROGRAM_DAY not in as_dict(own.get(lv))
    ]
    if GROUP not in any_level:
        group = {"code": "90853", "mode": "per_session", **as_dict(p.group_billing)}
        code = " ".join([group["code"], *(group.get("modifiers") or [])])
        rows.append(f"Group: {code}, {_unit_text(GROUP, group)}")
    if EVALUATION not in any_level:
        evals = as_dict(p.evaluation_code_overrides)
        said = ", ".join(f"{cpt} billed as {code}" for cpt, code in evals.items())
        rows.append(f"Evaluation: {said or '90791 and 90792 as themselves'}")
    missing = [k for k in SERVICE_LABELS if k not in any_level]
    cpt = [SERVICE_LABELS[k] for k in missing if k not in COMMUNITY_KINDS]
    community = [SERVICE_LABELS[k] for k in missing if k in COMMUNITY_KINDS]
    if cpt:
        rows.append(f"{_sentence_list(cpt)}: their CPT codes")
    if community:
        rows.append(f"{_sentence_list(community)}: no code, so not billable to this payer")
    return rows


def program_code_tables(p: Payer) -> list[dict[str, Any]]:
    """Per program (MH, SUD): its own codes as rows, and the program-independent codes that
    apply where it has none."""
    codes = as_dict(p.program_codes)
    return [
        {
            "key": program,
            "label": PROGRAM_LABELS[program],
            "rows": _program_rows(as_dict(codes.get(program))),
            "independent": _independent(p, program),
        }
        for program in PROGRAMS
    ]

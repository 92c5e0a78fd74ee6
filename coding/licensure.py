"""Which licence may bill which code, who the claim is billed under, and licence modifiers."""

from __future__ import annotations

from collections.abc import Iterable

from .plan import Trace
from .types import BilledProvider, LicenseType, PayerRules, ServiceFacts, license_label

# Source: REFERENCE.md §1 and §4, E/M, 90792 and add-ons need MD/DO, NP, PA or CNS
EM_ELIGIBLE_LICENSES: frozenset[LicenseType] = frozenset(
    {LicenseType.PSYCHIATRIST, LicenseType.PMHNP, LicenseType.PA, LicenseType.CNS}
)
PRESCRIBER_LICENSES = EM_ELIGIBLE_LICENSES
# Source: REFERENCE.md §1, add-ons 90833/90836/90838 and 90792 are prescriber/E/M-only codes
EM_ONLY_CODES: frozenset[str] = frozenset({"90792", "90833", "90836", "90838"})
# Source: REFERENCE.md §1, CPT psychotherapy family 9078x-9085x (peers bill H0038 instead)
PSYCHOTHERAPY_CODES: frozenset[str] = frozenset(
    {"90785", "90791", "90832", "90834", "90837", "90839", "90840"}
    | {"90846", "90847", "90849", "90853"}
)
NO_PSYCHOTHERAPY_LICENSES: frozenset[LicenseType] = frozenset({LicenseType.PEER_SPECIALIST})
# Source: CPT E/M section 99202-99499; REFERENCE.md §11 blocks E/M outside licence level
EM_CODE_RANGE = range(99202, 99500)


def is_em_code(code: str) -> bool:
    return len(code) == 5 and code.isdigit() and int(code) in EM_CODE_RANGE


def needs_em_license(code: str) -> bool:
    return code in EM_ONLY_CODES or is_em_code(code)


def scope_error(code: str, license_type: LicenseType) -> str | None:
    """Why `license_type` may not bill `code` at all, or None when it may."""
    label = license_label(license_type)
    if needs_em_license(code) and license_type not in EM_ELIGIBLE_LICENSES:
        return (
            f"{label} cannot bill {code}: requires an E/M-eligible clinician (MD/DO, NP, PA, CNS)"
        )
    if code in PSYCHOTHERAPY_CODES and license_type in NO_PSYCHOTHERAPY_LICENSES:
        return f"{label} cannot bill psychotherapy code {code}"
    return None


def check_scope(codes: Iterable[str], license_type: LicenseType, trace: Trace) -> bool:
    errors = [e for code in dict.fromkeys(codes) if (e := scope_error(code, license_type))]
    for error in errors:
        trace.fail(error)
    return not errors


def billed_provider(
    facts: ServiceFacts, payer: PayerRules, codes: Iterable[str], trace: Trace
) -> BilledProvider | None:
    """Rendering when the payer accepts the licence, else the supervisor if the payer allows."""
    codes = tuple(codes)
    rendering = facts.rendering_license
    if not check_scope(codes, rendering, trace):
        return None
    if rendering in payer.accepted_licenses:
        trace.why(f"{license_label(rendering)} accepted by {payer.name}: billed as rendering")
        return BilledProvider.RENDERING
    return _under_supervisor(facts, payer, codes, trace)


def _labels(licenses: Iterable[LicenseType]) -> str:
    return ", ".join(sorted(license_label(x) for x in licenses))


# Source: REFERENCE.md §4, supervision: bill under the supervisor with a level modifier [P];
# §14 incident-to: which supervisor licences and which settings are payer data.
def _under_supervisor(
    facts: ServiceFacts, payer: PayerRules, codes: tuple[str, ...], trace: Trace
) -> BilledProvider | None:
    rendering = license_label(facts.rendering_license)
    supervisor = facts.supervising_license
    if not payer.pays_under_supervisor:
        trace.fail(f"{payer.name} does not accept {rendering} and does not pay under a supervisor")
    elif supervisor is None:
        trace.fail(f"{payer.name} does not accept {rendering}; no supervising provider given")
    elif supervisor not in (payer.supervisor_licenses or payer.accepted_licenses):
        trace.fail(
            f"{payer.name} does not pay services billed under a supervising "
            f"{license_label(supervisor)}"
            + (
                f" (billing supervisors: {_labels(payer.supervisor_licenses)})"
                if payer.supervisor_licenses
                else ""
            )
        )
    elif payer.supervision_places and facts.facility_pos not in payer.supervision_places:
        where = facts.facility_pos or "an unknown place of service"
        trace.fail(
            f"{payer.name} pays services under a supervisor only at POS "
            f"{', '.join(sorted(payer.supervision_places))}; this one is at {where}"
        )
    elif check_scope(codes, supervisor, trace):
        mods = "+".join(payer.supervision_modifiers) or "no modifier"
        trace.why(
            f"{rendering} not accepted by {payer.name}: billed under supervising "
            f"{license_label(supervisor)} with {mods}"
        )
        return BilledProvider.SUPERVISING
    return None


def provider_modifiers(
    facts: ServiceFacts, payer: PayerRules, role: BilledProvider, trace: Trace
) -> tuple[str, ...]:
    """Licence-level modifier of the rendering clinician, then any supervision modifiers; on a
    program's per-diem line only where the payer asks for credential modifiers there."""
    modifiers: list[str] = []
    if role is BilledProvider.FACILITY and not payer.credential_modifiers_on_per_diem:
        return ()
    level = payer.license_modifiers.get(facts.rendering_license)
    if level:
        modifiers.append(level)
        trace.why(f"{license_label(facts.rendering_license)} billed with {level} per payer map")
    if role is BilledProvider.SUPERVISING:
        modifiers.extend(payer.supervision_modifiers)
    return tuple(modifiers)

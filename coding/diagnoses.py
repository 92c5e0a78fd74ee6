"""Ranked diagnoses of a behavioral-health claim: which code may come first, and which must
come before which (pure Python, no Django). Sources: REFERENCE.md §5 and §14; ICD-10-CM
Official Guidelines I.C.15.a.1 (chapter 15 codes are sequenced first) and the tabular's
"code first" and "use additional code" notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .codesets.icd10 import is_sud

# Alcohol use / drug use complicating pregnancy, childbirth and the puerperium: sequenced
# first, with the substance-use code that identifies the use ("use additional code").
PREGNANCY_ALCOHOL = "O99.31"
PREGNANCY_DRUGS = "O99.32"
# F02 (dementia in other diseases classified elsewhere): "code first the underlying
# physiological condition". The etiologies bundled in the code set:
CODE_FIRST_ETIOLOGIES = ("G30", "G31.0", "G31.83", "G20", "G10", "B20")
CODE_FIRST_MANIFESTATIONS = ("F02",)


@dataclass(frozen=True)
class DiagnosisRules:
    """What a payer allows (payer data): may a Z code be the primary diagnosis?"""

    z_code_primary_allowed: bool = False
    payer_name: str = "this payer"


def _starts(code: str, prefixes: Sequence[str]) -> bool:
    return any(code == p or code.startswith(p) for p in prefixes)


def _pregnancy_errors(codes: list[str]) -> list[str]:
    errors = []
    for rank, code in enumerate(codes, start=1):
        if not _starts(code, (PREGNANCY_ALCOHOL, PREGNANCY_DRUGS)):
            continue
        before = [c for c in codes[: rank - 1] if not c.startswith("O")]
        if before:
            errors.append(
                f"{code} (substance use complicating pregnancy) is listed after "
                f"{', '.join(before)}: chapter 15 codes come first (ICD-10-CM I.C.15.a.1)."
            )
        if code.startswith(PREGNANCY_ALCOHOL) and not any(c.startswith("F10") for c in codes):
            errors.append(f"{code} needs the alcohol-use code (F10.-) that it complicates.")
        if code.startswith(PREGNANCY_DRUGS) and not any(
            is_sud(c) and not c.startswith("F10") for c in codes
        ):
            errors.append(f"{code} needs the drug-use code (F11-F16, F18, F19) it complicates.")
    return errors


def _code_first_errors(codes: list[str]) -> list[str]:
    errors = []
    for rank, code in enumerate(codes, start=1):
        if not _starts(code, CODE_FIRST_MANIFESTATIONS):
            continue
        if not any(_starts(c, CODE_FIRST_ETIOLOGIES) for c in codes[: rank - 1]):
            errors.append(
                f"{code}: code first the underlying physiological condition (e.g. G30.9 "
                f"Alzheimer's, G31.83 Lewy bodies, G20.- Parkinson's) before it."
            )
    return errors


def _primary_errors(codes: list[str], program: str, rules: DiagnosisRules) -> list[str]:
    primary = codes[0]
    if primary.startswith("Z") and not rules.z_code_primary_allowed:
        return [
            f"{primary} is a Z code and {rules.payer_name} does not accept one as the primary "
            f"diagnosis: list it after the behavioral-health diagnosis."
        ]
    if program == "sud":
        pregnancy = _starts(primary, (PREGNANCY_ALCOHOL, PREGNANCY_DRUGS))
        if not (is_sud(primary) or pregnancy):
            return [
                f"An SUD episode needs a substance-use primary diagnosis (F10-F19, or "
                f"O99.31-/O99.32- in pregnancy); {primary} is not one."
            ]
    return []


STRICT = DiagnosisRules()


def sequencing_errors(
    codes: Sequence[str], program: str, rules: DiagnosisRules = STRICT
) -> list[str]:
    """Why the ranked `codes` (dotted, valid) cannot go on a claim in this order; empty: fine."""
    codes = list(codes)
    if not codes:
        return []
    return (
        _primary_errors(codes, program, rules)
        + _pregnancy_errors(codes)
        + (_code_first_errors(codes))
    )

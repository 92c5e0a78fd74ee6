"""The claim's diagnoses: present, within the form's limit, pointed at by every professional
line, a primary the payer accepts and that fits the program, and sequenced by ICD-10-CM."""

from __future__ import annotations

from collections.abc import Iterator

from claims.scrub import Finding, Severity, edit
from claims.scrub.support import line_name, url
from claims.snapshot import INSTITUTIONAL, PROFESSIONAL, ClaimSnapshot
from coding.codesets.icd10 import is_sud, normalize_icd10
from coding.diagnoses import CODE_FIRST_ETIOLOGIES, PREGNANCY_ALCOHOL, PREGNANCY_DRUGS

ERROR = Severity.ERROR

# Source: REFERENCE.md §5 "Claim limits": 837P/CMS-1500 12 diagnoses and up to 4 pointers a
# line; 837I principal + 24 other = 25.
MAX_DIAGNOSES = {PROFESSIONAL: 12, INSTITUTIONAL: 25}
MAX_POINTERS = 4
# Levels whose MH programs need a psychiatric primary diagnosis (REFERENCE.md §5).
PSYCHIATRIC_PRIMARY_LEVELS = frozenset({"php", "iop"})


def _codes(snapshot: ClaimSnapshot) -> list[str]:
    return [normalize_icd10(c) for c in snapshot.diagnoses if isinstance(c, str) and c.strip()]


def _fix_url(snapshot: ClaimSnapshot) -> str:
    return url(snapshot.episode_url, snapshot.patient_url)


@edit("DX-MISSING", "At least one diagnosis")
def dx_missing(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    if not _codes(snapshot):
        yield Finding(
            code="DX-MISSING",
            severity=ERROR,
            message="The claim has no diagnosis.",
            fix="Record the episode's ICD-10-CM diagnoses (the reason for the services first), "
            "then rebuild the claim.",
            fix_url=_fix_url(snapshot),
        )


@edit("DX-LIMIT", "Number of diagnoses the form holds")
def dx_limit(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    limit = MAX_DIAGNOSES.get(snapshot.kind)
    count = len(_codes(snapshot))
    if limit is not None and count > limit:
        yield Finding(
            code="DX-LIMIT",
            severity=ERROR,
            message=f"The claim lists {count} diagnoses; this claim form holds {limit}.",
            fix=f"Keep the {limit} diagnoses that the services address (most relevant first) "
            "on the episode, or split the claim.",
            fix_url=_fix_url(snapshot),
        )


def _pointer_problem(pointers: tuple[int, ...], count: int) -> str | None:
    if not pointers:
        return "points at no diagnosis"
    if len(pointers) > MAX_POINTERS:
        return f"has {len(pointers)} diagnosis pointers; a line holds {MAX_POINTERS}"
    bad = [
        p for p in pointers if not isinstance(p, int) or isinstance(p, bool) or not 1 <= p <= count
    ]
    if bad:
        listed = {0: "none is listed", 1: "only 1 is listed"}.get(count, f"only {count} are listed")
        return f"points at diagnosis {', '.join(map(str, bad))}, but {listed}"
    return None


# Source: REFERENCE.md §5 "Claim limits" and §10 (SV107 pointers, max 4; the first is the line's
# primary). The 837I has no line pointers.
@edit("DX-POINTER", "Diagnosis pointers on each line")
def dx_pointer(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    if snapshot.kind != PROFESSIONAL:
        return
    count = len(_codes(snapshot))
    for line in snapshot.lines:
        problem = _pointer_problem(tuple(line.pointers or ()), count)
        if problem:
            yield Finding(
                code="DX-POINTER",
                severity=ERROR,
                message=f"{line_name(line)} {problem}.",
                fix="Point the line at the diagnoses its service treats (up to 4, primary "
                "first), then rebuild.",
                fix_url=_fix_url(snapshot),
                line=line.number,
            )


def _z_primary(snapshot: ClaimSnapshot) -> bool:
    codes = _codes(snapshot)
    return (
        bool(codes) and codes[0].startswith("Z") and not snapshot.payer_edits.z_code_primary_allowed
    )


def _f_block(code: str) -> int | None:
    """The F category number (F01 -> 1 ... F99 -> 99) of a chapter 5 code, else None."""
    return int(code[1:3]) if len(code) >= 3 and code[0] == "F" and code[1:3].isdigit() else None


def _psychiatric(code: str) -> bool:
    block = _f_block(code)
    return block is not None and not 10 <= block <= 19


def _program_fit(snapshot: ClaimSnapshot) -> str | None:
    """Why the primary diagnosis does not fit the claim's program, or None."""
    codes = _codes(snapshot)
    if not codes or _z_primary(snapshot):
        return None  # DX-MISSING / DX-Z-PRIMARY say it
    primary = codes[0]
    if snapshot.program == "sud":
        pregnancy = primary.startswith((PREGNANCY_ALCOHOL, PREGNANCY_DRUGS))
        if is_sud(primary) or (pregnancy and any(is_sud(c) for c in codes[1:])):
            return None
        return (
            f"a substance-use program's claim needs a substance-use primary diagnosis "
            f"(F10-F19, or O99.31-/O99.32- with the use it complicates); {primary} is not one"
        )
    if snapshot.program == "mh" and snapshot.level in PSYCHIATRIC_PRIMARY_LEVELS:
        code_first = primary.startswith(CODE_FIRST_ETIOLOGIES) and any(
            (_f_block(c) or 99) < 10 for c in codes[1:]
        )
        if _psychiatric(primary) or code_first:
            return None
        return (
            f"a mental-health {snapshot.level.upper()} claim needs a psychiatric primary "
            f"diagnosis (F01-F99 outside F10-F19); {primary} is not one"
        )
    return None


# Source: REFERENCE.md §5 "Z codes" (many BH payers won't pay psychotherapy with a Z code
# primary [P]) and §14 "Diagnoses" (Z codes as primary: payer-specific); PayerEdits carries it.
@edit("DX-Z-PRIMARY", "Z code as the primary diagnosis")
def dx_z_primary(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    if _z_primary(snapshot):
        payer = snapshot.coverage.payer_name if snapshot.coverage else "This payer"
        yield Finding(
            code="DX-Z-PRIMARY",
            severity=ERROR,
            message=f"The primary diagnosis {_codes(snapshot)[0]} is a Z code, which "
            f"{payer} does not accept as the primary diagnosis.",
            fix="List the behavioral-health diagnosis first and the Z code after it.",
            fix_url=_fix_url(snapshot),
        )


# Source: REFERENCE.md §5 ("Payers often require the primary diagnosis to match the program
# (psychiatric for MH PHP/IOP, F10-F19 for SUD); mismatches draw CARC 11/167") and §14
# (O99.31-/O99.32- sequenced first in pregnancy, with the use code; F02 after its etiology).
@edit("DX-PROGRAM-FIT", "Primary diagnosis fits the program")
def dx_program_fit(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    problem = _program_fit(snapshot)
    if problem:
        yield Finding(
            code="DX-PROGRAM-FIT",
            severity=ERROR,
            message=f"The primary diagnosis does not fit the program: {problem}.",
            fix="Put the diagnosis that the program treats first, or correct the episode's "
            "program.",
            fix_url=_fix_url(snapshot),
        )


# coding.diagnoses words its two primary-diagnosis errors with these phrases; DX-Z-PRIMARY and
# DX-PROGRAM-FIT report those facts, so DX-SEQUENCE leaves them out when they fired.
_Z_PHRASE = "as the primary diagnosis"
_PROGRAM_PHRASE = "needs a substance-use primary diagnosis"


def _reported_already(snapshot: ClaimSnapshot, error: str) -> bool:
    if _Z_PHRASE in error and _z_primary(snapshot):
        return True
    return _PROGRAM_PHRASE in error and _program_fit(snapshot) is not None


# Source: ICD-10-CM Official Guidelines I.C.15.a.1 and the tabular's "code first" notes
# (REFERENCE.md §14 "Diagnoses"): the sequencing errors of coding.diagnoses, carried in
# ClaimSnapshot.diagnosis_errors.
@edit("DX-SEQUENCE", "Diagnosis sequencing")
def dx_sequence(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for error in dict.fromkeys(e.strip() for e in snapshot.diagnosis_errors if e and e.strip()):
        if _reported_already(snapshot, error):
            continue
        yield Finding(
            code="DX-SEQUENCE",
            severity=ERROR,
            message=error,
            fix="Reorder or complete the episode's diagnoses as the message says, then rebuild "
            "the claim.",
            fix_url=_fix_url(snapshot),
        )

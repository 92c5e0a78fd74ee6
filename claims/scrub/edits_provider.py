"""Who the claim names as rendering, supervising and attending provider: may each bill this
payer on the dates of service, does the payer pay their licence, may they bill the codes
(E/M and 90792 need a prescriber), and are their NPI and taxonomy fit for the 837."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from claims.scrub import Finding, Severity, edit
from claims.scrub.support import day, line_dates, line_name, rendering_of, url
from claims.snapshot import INSTITUTIONAL, ClaimSnapshot, LineSnap, ProviderSnap
from coding.codesets.npi import InvalidNpi, validate_npi
from coding.licensure import EM_ELIGIBLE_LICENSES, needs_em_license
from coding.types import LicenseType, license_label
from credentialing.rules import TAXONOMY_RE

ERROR = Severity.ERROR


@dataclass(frozen=True)
class Role:
    """One provider in one role on the claim, with the lines they are named on."""

    role: str  # "rendering", "supervising", "attending"
    provider: ProviderSnap
    lines: tuple[LineSnap, ...]
    line_level: bool = False  # a line's own rendering provider, not the claim's

    @property
    def who(self) -> str:
        return f"the {self.role} provider {self.provider.name or '(unnamed)'}"

    @property
    def opening(self) -> str:
        """`who` opening a sentence."""
        return self.who[:1].upper() + self.who[1:]

    @property
    def first_line(self) -> int | None:
        return self.lines[0].number if self.line_level and self.lines else None


def roles(snapshot: ClaimSnapshot) -> list[Role]:
    """Rendering providers as billed line by line (a line's own overrides the claim's), then
    the claim's supervising and attending providers over every line."""
    rendering: dict[str, tuple[ProviderSnap, list[LineSnap]]] = {}
    for line in snapshot.lines:
        provider = rendering_of(snapshot, line)
        if provider is not None:
            key = provider.public_id or f"npi:{provider.npi}"
            rendering.setdefault(key, (provider, []))[1].append(line)
    found = [
        Role("rendering", p, tuple(lines), line_level=p is not snapshot.rendering)
        for p, lines in rendering.values()
    ]
    for role, provider in (
        ("supervising", snapshot.supervising),
        ("attending", snapshot.attending),
    ):
        if provider is not None:
            found.append(Role(role, provider, snapshot.lines))
    return found


def _payer(snapshot: ClaimSnapshot) -> str:
    return snapshot.coverage.payer_name if snapshot.coverage else "the payer"


def _licence(provider: ProviderSnap) -> str:
    try:
        return license_label(LicenseType(provider.license_type))
    except ValueError:
        return provider.license_type or "unknown licence"


def _blocked_dates(role: Role) -> Iterator[tuple[dt.date, tuple[str, ...], LineSnap]]:
    """Each blocked date the role's lines cover, with the block's reasons and its first line."""
    for on, reasons in sorted(
        ((d, r) for d, r in role.provider.blocks.items() if isinstance(d, dt.date)),
        key=lambda item: item[0],
    ):
        line = next((ln for ln in role.lines if on in line_dates(ln)), None)
        if line is not None:
            yield on, tuple(reasons or ()), line


# Source: REFERENCE.md §11 "System rules" (block when not enrolled/credentialed on the DOS,
# licence expired, suspended or invalid in the patient's state, excluded; evaluated per payer x
# rendering NPI x DOS) and §7 CARC 170/171/185/B7 (provider not eligible / not certified on
# this date). The verdict per date is credentialing's, carried in ProviderSnap.blocks.
@edit("PROVIDER-CANNOT-BILL", "Provider may bill the payer on the dates of service")
def provider_cannot_bill(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    payer = _payer(snapshot)
    for role in roles(snapshot):
        for on, reasons, line in _blocked_dates(role):
            why = "; ".join(r for r in reasons if r) or "blocked by credentialing"
            yield Finding(
                code="PROVIDER-CANNOT-BILL",
                severity=ERROR,
                message=f"{line_name(line)}: {role.who} cannot bill {payer} on {day(on)} ({why}).",
                fix="Fix the enrollment or licence on the provider's record for that date, or "
                "correct who rendered or supervised the service; then rebuild the claim.",
                fix_url=url(role.provider.fix_url),
                line=line.number,
            )


# Source: REFERENCE.md §4 (which licences a payer pays; supervision: bill under the supervisor
# where the payer allows) and §7 CARC 170/185 (provider type not paid). The builder already
# bills under a supervisor where the payer allows it, so a provider still not accepted holds.
@edit("PROVIDER-LICENSE-NOT-PAID", "Payer pays the provider's licence")
def provider_license_not_paid(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    payer = _payer(snapshot)
    for role in roles(snapshot):
        if role.provider.accepted_by_payer:
            continue
        yield Finding(
            code="PROVIDER-LICENSE-NOT-PAID",
            severity=ERROR,
            message=f"{payer} does not pay {_licence(role.provider)} services, and "
            f"{role.who} is named on this claim.",
            fix="Have the service billed under a supervising provider the payer pays (if its "
            "rules allow), or rendered by a clinician whose licence the payer accepts.",
            fix_url=url(role.provider.fix_url, snapshot.payer_url),
            line=role.first_line,
        )


# Source: REFERENCE.md §1 ("Add-ons and 90792 need an E/M-eligible clinician (MD/DO, NP, PA,
# CNS)") and §4 (psychologists, LCSWs, LPCs, LMFTs cannot bill E/M or 90792); §11 blocks
# "service outside licence level". Codes from coding.licensure (E/M 99202-99499, 90792 and the
# psychotherapy add-ons 90833/90836/90838).
@edit("EM-NON-PRESCRIBER", "E/M and 90792 by a prescriber")
def em_non_prescriber(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    eligible = ", ".join(sorted(license_label(x) for x in EM_ELIGIBLE_LICENSES))
    for line in snapshot.lines:
        provider = rendering_of(snapshot, line)
        if provider is None or not needs_em_license(line.code) or provider.prescriber:
            continue
        yield Finding(
            code="EM-NON-PRESCRIBER",
            severity=ERROR,
            message=f"{line_name(line)}: {line.code} may be billed only by a prescribing "
            f"clinician ({eligible}); {provider.name or 'the rendering provider'} is licensed "
            f"as {_licence(provider)}.",
            fix="Correct the rendering provider to the prescriber who saw the patient, or "
            "record the service as one this clinician may bill (e.g. 90791 instead of 90792).",
            fix_url=url(provider.fix_url),
            line=line.number,
        )


def _npi_problem(npi: str) -> str | None:
    if not (npi or "").strip():
        return "has no NPI"
    try:
        validate_npi(npi)
    except InvalidNpi as exc:
        return f"has an invalid NPI: {exc}"
    return None


def _distinct(snapshot: ClaimSnapshot) -> list[Role]:
    """Each provider once, in the first role they appear in (a clinician who renders and
    attends has one NPI to fix)."""
    seen: set[str] = set()
    out = []
    for role in roles(snapshot):
        key = role.provider.public_id or f"npi:{role.provider.npi}"
        if key not in seen:
            seen.add(key)
            out.append(role)
    return out


# Source: REFERENCE.md §4 (NPI check digit: Luhn with prefix 80840; 837P rendering is a Type-1
# NPI) and §10 (2310B rendering NM1*82 + PRV*PE; 837I 2310A attending). Check digit from
# coding.codesets.npi.
@edit("PROVIDER-NPI", "Provider NPI")
def provider_npi(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for role in _distinct(snapshot):
        problem = _npi_problem(role.provider.npi)
        if problem:
            yield Finding(
                code="PROVIDER-NPI",
                severity=ERROR,
                message=f"{role.opening} {problem}.",
                fix="Enter the provider's 10-digit NPI from NPPES on the provider's record.",
                fix_url=url(role.provider.fix_url),
                line=role.first_line,
            )


# Source: REFERENCE.md §4 ("Taxonomy in PRV*BI / PRV*PE is edited against enrollment") and §10;
# the NUCC code shape (3 digits, 6 letters or digits, X) from credentialing.rules.
@edit("PROVIDER-TAXONOMY", "Provider taxonomy")
def provider_taxonomy(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    for role in _distinct(snapshot):
        taxonomy = (role.provider.taxonomy or "").strip().upper()
        if TAXONOMY_RE.match(taxonomy):
            continue
        problem = f"taxonomy {taxonomy!r} is malformed" if taxonomy else "has no taxonomy code"
        subject = role.opening
        yield Finding(
            code="PROVIDER-TAXONOMY",
            severity=ERROR,
            message=f"{subject}'s {problem}." if taxonomy else f"{subject} {problem}.",
            fix="Enter the NUCC taxonomy the provider is enrolled with (e.g. 1041C0700X).",
            fix_url=url(role.provider.fix_url),
            line=role.first_line,
        )


# Source: REFERENCE.md §10 "837I differences": loop 2310A attending provider is required.
@edit("ATTENDING-MISSING", "Attending provider on an institutional claim")
def attending_missing(snapshot: ClaimSnapshot) -> Iterator[Finding]:
    if snapshot.kind == INSTITUTIONAL and snapshot.attending is None:
        yield Finding(
            code="ATTENDING-MISSING",
            severity=ERROR,
            message="This institutional claim names no attending provider (837I loop 2310A).",
            fix="Set the attending clinician on the episode (or claim), then rebuild.",
            fix_url=url(snapshot.episode_url, snapshot.claim_url),
        )

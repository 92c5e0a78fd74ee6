"""Synthetic providers for demos: one of every license type, with the credentialing gaps a real
clinic has (a license expiring soon, one expired, a CAQH attestation due within the alert's 14
days and a stale one, pending and missing enrollments, a recredentialing deadline: the nightly
`credentialing_alerts` job finds work on a fresh demo), some dated history (a license renewed
late, a suspension later lifted, a re-enrollment after a termination) and a psychologist's PSYPACT
telepsychology privilege (APIT) for Wisconsin, next to the Illinois home license. Idempotent by
NPI; all names and numbers are made up."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from coding.codesets.npi import npi_check_digit
from credentialing import rules, services
from credentialing.models import License, Provider
from payers.models import Payer
from rcm.models import Organization
from rcm.tenancy import org_context

NPI_PREFIX_BASE = 164_000_000  # nine-digit prefixes; the tenth digit is the Luhn-80840 check
FIRST_NAMES = [
    "Avery",
    "Jordan",
    "Morgan",
    "Riley",
    "Casey",
    "Quinn",
    "Rowan",
    "Emerson",
    "Harper",
    "Sage",
    "Dakota",
    "Reese",
    "Finley",
    "Elliot",
]
LAST_NAMES = [
    "Okafor",
    "Lindqvist",
    "Moreno",
    "Nakamura",
    "Haddad",
    "Brennan",
    "Castillo",
    "Ivanova",
    "Delacroix",
    "Oyelaran",
    "Whitfield",
    "Sandoval",
    "Kowalski",
    "Tran",
]
RECREDENTIAL_CYCLE = dt.timedelta(days=3 * 365)  # NCQA: every 36 months
LICENSE_TERM = dt.timedelta(days=730)  # a two-year renewal cycle
APIT_TERM = dt.timedelta(days=365)  # PSYPACT renews the APIT yearly (credentialing/compacts.py)
HOME_STATE = "IL"
# Enrollments in effect before the demo's six months of sessions (patients.demo.HISTORY_DAYS),
# so the services they rendered are billable; a license spans the history the same way.
ENROLLED_BEFORE_HISTORY = 130


@dataclass(frozen=True)
class Spec:
    license_type: str
    credentials: str
    license_days: int  # license expiry relative to today (negative: expired)
    caqh_age: int | None  # days since the last CAQH attestation
    enrollments: tuple[str, ...] = ("enrolled",)  # per payer, cycled
    supervisor: int | None = None  # index of the supervising spec
    license_history: str = ""  # "late_renewal" or "suspended_once"
    # (compact, state, expiry relative to today): a privilege resting on the home license
    privilege: tuple[str, str, int] | None = None


# Enrollment plans cycled over the payers (catalog order: Medicare, State Medicaid, Medicaid
# MCO, the commercial plans): pending with one payer of five.
PENDING_WITH_SECOND_PAYER = ("enrolled", "submitted", "enrolled", "enrolled", "enrolled")
PENDING_WITH_FOURTH_PAYER = ("enrolled", "enrolled", "enrolled", "submitted", "enrolled")

SPECS: tuple[Spec, ...] = (
    Spec("psychiatrist", "MD", 420, 20, license_history="late_renewal"),
    Spec(
        "psychologist",
        "PsyD",
        35,
        110,  # CAQH re-attestation due in 10 days: the nightly credentialing_alerts finds it
        ("enrolled", "recredential_soon"),
        privilege=("psypact", "WI", 45),  # Wisconsin borders Illinois; both are in PSYPACT
    ),
    Spec("lcsw", "LCSW", 400, 150, PENDING_WITH_SECOND_PAYER),  # stale CAQH
    Spec("lpc", "LPC", -12, 40),  # expired license
    Spec("lmft", "LMFT", 50, 10, ("enrolled", "missing"), license_history="suspended_once"),
    Spec("addiction_counselor", "LADC", 365, 60, PENDING_WITH_FOURTH_PAYER),
    Spec("pmhnp", "PMHNP-BC", 500, 5, ("enrolled", "recredential_past")),
    Spec("pa", "PA-C", 300, 30, ("re_enrolled", "enrolled")),
    Spec("cns", "APRN-CNS", 300, 30, ("enrolled", "submitted", "missing")),
    Spec("associate", "LMSW", 200, None, supervisor=2),
    Spec("peer_specialist", "CPRS", 250, None, supervisor=1),
)


def demo_npi(index: int) -> str:
    first9 = str(NPI_PREFIX_BASE + index * 7 + 1)
    return f"{first9}{npi_check_digit(first9)}"


def seed(
    *, org: Organization, rng: random.Random, payers: Sequence[Payer], today: dt.date | None = None
) -> list[Provider]:
    """Create (or find, by NPI) one demo provider per spec, in spec order."""
    today = today or timezone.localdate()
    names = list(
        zip(rng.sample(FIRST_NAMES, len(SPECS)), rng.sample(LAST_NAMES, len(SPECS)), strict=True)
    )
    created: list[Provider] = []
    with org_context(org):
        for index, spec in enumerate(SPECS):
            sup = created[spec.supervisor] if spec.supervisor is not None else None
            created.append(_provider(index, spec, names[index], sup, rng, payers, today))
    return created


def _provider(
    index: int,
    spec: Spec,
    name: tuple[str, str],
    supervisor: Provider | None,
    rng: random.Random,
    payers: Sequence[Payer],
    today: dt.date,
) -> Provider:
    license_number = f"{spec.license_type[:3].upper()}{rng.randint(100000, 999999)}"
    effective_offsets = [rng.randint(60, 700) for _ in payers]  # drawn always: stable stream
    existing = Provider.objects.filter(npi=demo_npi(index)).first()
    if existing is not None:
        return existing
    caqh = today - dt.timedelta(days=spec.caqh_age) if spec.caqh_age is not None else None
    provider = services.provider_create(
        first_name=name[0],
        last_name=name[1],
        npi=demo_npi(index),
        taxonomy=rules.COMMON_TAXONOMIES[spec.license_type][0],
        license_type=spec.license_type,
        credentials=spec.credentials,
        supervisor=supervisor,
        caqh_attested_on=caqh,
        caqh_id=f"{16_000_000 + index}" if caqh else "",
    )
    home = _license(provider, spec, license_number, today)
    if spec.privilege is not None:
        _privilege(provider, home, spec.privilege, index, today)
    if spec.license_type not in rules.NEEDS_SUPERVISOR:
        _enroll(provider, spec, payers, effective_offsets, today)
    return provider


def _license(provider: Provider, spec: Spec, number: str, today: dt.date) -> License:
    expires = today + dt.timedelta(days=spec.license_days)
    issued = expires - LICENSE_TERM
    if spec.license_history == "late_renewal":  # the previous term ended 3 weeks before
        lapsed = issued - dt.timedelta(days=21)
        lic = services.license_add(
            provider=provider,
            state=HOME_STATE,
            number=number,
            expires_on=lapsed,
            issued_on=lapsed - LICENSE_TERM,
        )
        services.license_renew(license=lic, starts_on=issued, expires_on=expires)
        return lic
    lic = services.license_add(
        provider=provider, state=HOME_STATE, number=number, expires_on=expires, issued_on=issued
    )
    if spec.license_history == "suspended_once":
        services.license_status_change(
            license=lic,
            status="suspended",
            effective_on=today - dt.timedelta(days=300),
            note="Board order (demo): continuing-education audit",
        )
        services.license_status_change(
            license=lic, status="active", effective_on=today - dt.timedelta(days=270)
        )
    return lic


def _privilege(
    provider: Provider, home: License, plan: tuple[str, str, int], index: int, today: dt.date
) -> None:
    """A yearly compact privilege expiring `plan[2]` days from today (no random draw, so the
    rest of the demo stays as it was)."""
    compact, state, expiry_days = plan
    expires = today + dt.timedelta(days=expiry_days)
    services.privilege_record(
        provider=provider,
        home_license=home,
        compact=compact,
        state=state,
        number=f"APIT-{9100 + index}",
        effective_on=expires - APIT_TERM + dt.timedelta(days=1),
        expires_on=expires,
    )


def _enroll(
    provider: Provider, spec: Spec, payers: Sequence[Payer], offsets: list[int], today: dt.date
) -> None:
    for i, payer in enumerate(payers):
        plan = spec.enrollments[i % len(spec.enrollments)]
        if plan == "missing":
            continue
        if plan == "re_enrolled":
            _re_enroll(provider, payer, today)
            continue
        if plan == "submitted":
            services.enrollment_upsert(
                provider=provider,
                payer=payer,
                status="submitted",
                submitted_on=today - dt.timedelta(days=offsets[i] % 45),
            )
            continue
        due = {
            "recredential_soon": today + dt.timedelta(days=75),
            "recredential_past": today - dt.timedelta(days=5),
        }.get(plan)
        since = dt.timedelta(days=ENROLLED_BEFORE_HISTORY + offsets[i])
        effective = due - RECREDENTIAL_CYCLE if due else today - since
        services.enrollment_upsert(
            provider=provider,
            payer=payer,
            status="enrolled",
            effective_date=effective,
            recredential_due=due or effective + RECREDENTIAL_CYCLE,
            payer_provider_id=f"{payer.pk:03d}{provider.npi[-6:]}",
        )


def _re_enroll(provider: Provider, payer: Payer, today: dt.date) -> None:
    """Terminated after a lapse in paperwork, then enrolled again: two periods, a gap between."""
    first = today - dt.timedelta(days=420)
    services.enrollment_upsert(
        provider=provider,
        payer=payer,
        status="terminated",
        effective_date=first,
        end_date=today - dt.timedelta(days=230),
    )
    again = today - dt.timedelta(days=170)
    services.enrollment_upsert(
        provider=provider,
        payer=payer,
        status="enrolled",
        effective_date=again,
        recredential_due=again + RECREDENTIAL_CYCLE,
        payer_provider_id=f"{payer.pk:03d}{provider.npi[-6:]}",
    )

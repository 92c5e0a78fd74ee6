"""Hand-made claim snapshots for the scrubber's tests: a clean professional claim and a clean
institutional one (both scrub without a single finding), and small helpers that change one
fact at a time."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from claims.snapshot import (
    INSTITUTIONAL,
    PROFESSIONAL,
    Address,
    AuthSnap,
    BillingSnap,
    ClaimSnapshot,
    ConsentSnap,
    CoverageSnap,
    LineSnap,
    OtherClaimSnap,
    ProviderSnap,
    ServiceSnap,
)
from coding.codesets.npi import npi_check_digit

DOS = dt.date(2026, 11, 2)
TODAY = dt.date(2026, 11, 10)
PAYER_ID = "60054"


def npi(first9: str) -> str:
    return f"{first9}{npi_check_digit(first9)}"


BILLING_NPI = npi("145678901")
RENDERING_NPI = npi("164000001")
PRESCRIBER_NPI = npi("164000002")
ATTENDING_NPI = npi("164000003")

replace = dataclasses.replace


def provider(**changes: Any) -> ProviderSnap:
    base = ProviderSnap(
        public_id="prov-lcsw",
        name="Dana Reyes, LCSW",
        npi=RENDERING_NPI,
        taxonomy="1041C0700X",
        license_type="lcsw",
        prescriber=False,
        accepted_by_payer=True,
        fix_url="/providers/prov-lcsw/",
    )
    return replace(base, **changes)


def prescriber(**changes: Any) -> ProviderSnap:
    facts: dict[str, Any] = {
        "public_id": "prov-md",
        "name": "Sam Okafor, MD",
        "npi": PRESCRIBER_NPI,
        "taxonomy": "2084P0800X",
        "license_type": "psychiatrist",
        "prescriber": True,
        "fix_url": "/providers/prov-md/",
    }
    return provider(**{**facts, **changes})


def service(public_id: str = "svc-1", **changes: Any) -> ServiceSnap:
    base = ServiceSnap(
        public_id=public_id,
        kind="individual",
        service_date=DOS,
        status="completed",
        minutes=55,
        note_signed=True,
        plan_review_due=DOS + dt.timedelta(days=60),
        fix_url=f"/sessions/{public_id}/",
    )
    return replace(base, **changes)


def line(number: int = 1, code: str = "90837", **changes: Any) -> LineSnap:
    base = LineSnap(
        number=number,
        control_number=f"C1-{number}",
        service_date=DOS,
        code=code,
        units=Decimal("1"),
        charge=Decimal("150.00"),
        charge_source="chargemaster",
        pos="11",
        pointers=(1,),
        services=("svc-1",),
    )
    return replace(base, **changes)


def coverage(**changes: Any) -> CoverageSnap:
    base = CoverageSnap(
        public_id="cov-1",
        payer_name="Evergreen Health Plan",
        payer_id=PAYER_ID,
        payer_kind="commercial",
        priority=1,
        effective_date=dt.date(2026, 1, 1),
        end_date=None,
        member_id_present=True,
        subscriber_complete=True,
        fix_url="/patients/pat-1/coverages/cov-1/",
    )
    return replace(base, **changes)


def billing(**changes: Any) -> BillingSnap:
    base = BillingSnap(
        name="Harbor Behavioral Health",
        npi=BILLING_NPI,
        tin="911234567",
        taxonomy="261QM0801X",
        address=Address(line1="200 Harbor Way", city="Tacoma", state="WA", postal_code="984021234"),
        source="facility Harbor Main",
        fix_url="/facilities/fac-1/",
    )
    return replace(base, **changes)


URLS = {
    "patient_url": "/patients/pat-1/",
    "episode_url": "/patients/pat-1/episodes/ep-1/",
    "claim_url": "/claims/clm-1/",
    "payer_url": "/payers/pay-1/",
    "charges_url": "/payers/pay-1/fees/",
}


def professional(**changes: Any) -> ClaimSnapshot:
    """A clean 837P: one 55-minute individual psychotherapy session (90837) by an LCSW the
    payer pays, an MH outpatient episode, coverage in force, a signed note."""
    base = ClaimSnapshot(
        public_id="clm-1",
        control_number="C1",
        kind=PROFESSIONAL,
        frequency="1",
        program="mh",
        level="outpatient",
        service_from=DOS,
        service_to=DOS,
        today=TODAY,
        diagnoses=("F33.1",),
        lines=(line(),),
        total_charge=Decimal("150.00"),
        billing=billing(),
        rendering=provider(),
        coverage=coverage(),
        services=(service(),),
        **URLS,
    )
    return replace(base, **changes)


def institutional(**changes: Any) -> ClaimSnapshot:
    """A clean 837I: three residential SUD days (revenue code 1002, H0018) under a Part 2
    consent that permits the disclosure, an attending psychiatrist, type of bill 861."""
    days = [DOS + dt.timedelta(days=n) for n in range(3)]
    services = tuple(
        service(
            f"day-{n}", kind="program_day", service_date=d, minutes=None, day_outcome="qualifies"
        )
        for n, d in enumerate(days, start=1)
    )
    lines = tuple(
        line(
            n,
            "H0018",
            service_date=d,
            revenue_code="1002",
            unit_kind="DA",
            charge=Decimal("400.00"),
            pos="",
            pointers=(),
            services=(f"day-{n}",),
        )
        for n, d in enumerate(days, start=1)
    )
    base = ClaimSnapshot(
        public_id="clm-2",
        control_number="C2",
        kind=INSTITUTIONAL,
        frequency="3",  # an interim bill of a stay still going on
        program="sud",
        level="residential",
        service_from=days[0],
        service_to=days[-1],
        today=TODAY,
        diagnoses=("F10.20", "F41.1"),
        lines=lines,
        total_charge=Decimal("1200.00"),
        billing=billing(taxonomy="324500000X"),
        rendering=None,
        attending=prescriber(npi=ATTENDING_NPI, public_id="prov-att"),
        coverage=coverage(),
        services=services,
        consent=ConsentSnap(required=True, permitted=True, fix_url="/patients/pat-1/consents/"),
        type_of_bill="863",
        admission_date=days[0] - dt.timedelta(days=10),
        patient_status="30",
        **URLS,
    )
    return replace(base, **changes)


# --- One fact at a time -----------------------------------------------------------------------


def with_lines(snapshot: ClaimSnapshot, *lines: LineSnap) -> ClaimSnapshot:
    """The lines replaced, and the total recomputed so only the fact under test changes."""
    total = sum((ln.charge for ln in lines), Decimal(0))
    return replace(snapshot, lines=tuple(lines), total_charge=total)


def with_line(snapshot: ClaimSnapshot, index: int = 0, **changes: Any) -> ClaimSnapshot:
    lines = list(snapshot.lines)
    lines[index] = replace(lines[index], **changes)
    return with_lines(snapshot, *lines)


def with_service(snapshot: ClaimSnapshot, index: int = 0, **changes: Any) -> ClaimSnapshot:
    services = list(snapshot.services)
    services[index] = replace(services[index], **changes)
    return replace(snapshot, services=tuple(services))


def with_coverage(snapshot: ClaimSnapshot, **changes: Any) -> ClaimSnapshot:
    assert snapshot.coverage is not None
    return replace(snapshot, coverage=replace(snapshot.coverage, **changes))


def with_billing(snapshot: ClaimSnapshot, **changes: Any) -> ClaimSnapshot:
    return replace(snapshot, billing=replace(snapshot.billing, **changes))


def with_address(snapshot: ClaimSnapshot, **changes: Any) -> ClaimSnapshot:
    return with_billing(snapshot, address=replace(snapshot.billing.address, **changes))


def with_rendering(snapshot: ClaimSnapshot, **changes: Any) -> ClaimSnapshot:
    assert snapshot.rendering is not None
    return replace(snapshot, rendering=replace(snapshot.rendering, **changes))


def with_auth(snapshot: ClaimSnapshot, **changes: Any) -> ClaimSnapshot:
    base = AuthSnap(needed=True, covered=False, message="", fix_url="/patients/pat-1/auths/")
    return with_service(snapshot, auth=replace(base, **changes))


def other_claim(
    *lines: tuple[dt.date, str, tuple[str, ...]], payer_id: str = PAYER_ID
) -> OtherClaimSnap:
    return OtherClaimSnap(control_number="C9", payer_id=payer_id, lines=tuple(lines))

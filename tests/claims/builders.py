"""Claim rows built directly (as claims_build would leave them, scrubbed and READY), with the
sessions they bill, for submission, mapping and acknowledgment tests. Call inside org_context."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from claims.models import Claim, ClaimLine, ClaimService
from tests import factories

_seq = itertools.count(1)
DOS = dt.date(2026, 11, 2)

BILLING = {
    "name": "Harbor Behavioral Health",
    "npi": "1245319599",
    "tin": "931234567",
    "taxonomy": "261QM0801X",
    "address_line1": "200 Harbor Way",
    "address_line2": "",
    "city": "Portland",
    "state": "OR",
    "postal_code": "972011234",
    "source": "facility",
}


def control_number() -> str:
    return f"T{next(_seq):010d}"


def claim(
    *,
    patient: Any = None,
    coverage: Any = None,
    payer: Any = None,
    kind: str = "837p",
    status: str = Claim.Status.READY,
    lines: list[dict[str, Any]] | None = None,
    rendering: Any = None,
    diagnoses: tuple[str, ...] = ("F33.1",),
    part2: bool = False,
    episode: Any = None,
    **fields: Any,
) -> Claim:
    """A claim with one session per line (each line: code, modifiers, units, charge, pos,
    revenue_code, unit_kind, service_date)."""
    patient = patient or (coverage.patient if coverage else factories.patient())
    if coverage is None:  # the patient's coverage (with that payer), else a new primary one
        mine = patient.coverages.filter(**({"payer": payer} if payer else {}))
        coverage = mine.order_by("priority").first() or factories.coverage(
            patient_obj=patient, payer_obj=payer or factories.payer()
        )
    payer = payer or coverage.payer
    rendering = rendering if rendering is not None else factories.provider()
    institutional = kind == "837i"
    lines = lines or [
        {"code": "H0015", "revenue_code": "0906", "charge": Decimal("250.00")}
        if institutional
        else {"code": "90834", "charge": Decimal("150.00")}
    ]
    dates = [ln.get("service_date", DOS) for ln in lines]
    row = Claim.objects.create(
        control_number=fields.pop("control_number", control_number()),
        kind=kind,
        status=status,
        patient=patient,
        coverage=coverage,
        payer=payer,
        episode=episode,
        rendering_provider=None if institutional else rendering,
        attending_provider=rendering if institutional else None,
        billing=fields.pop("billing", dict(BILLING)),
        service_from=min(dates),
        service_to=max(dates),
        place_of_service="" if institutional else lines[0].get("pos", "11"),
        type_of_bill=fields.pop("type_of_bill", "131" if institutional else ""),
        diagnoses=list(diagnoses),
        total_charge=sum((ln["charge"] for ln in lines), Decimal("0")),
        part2=part2,
        **fields,
    )
    for n, ln in enumerate(lines, start=1):
        session = factories.session(
            patient_obj=patient, provider_obj=rendering, service_date=ln.get("service_date", DOS)
        )
        ClaimLine.objects.create(
            claim=row,
            number=n,
            control_number=f"{row.control_number}-{n}",
            service_date=ln.get("service_date", DOS),
            code=ln.get("code", ""),
            modifiers=list(ln.get("modifiers", [])),
            revenue_code=ln.get("revenue_code", ""),
            units=Decimal(ln.get("units", 1)),
            unit_kind=ln.get("unit_kind", "UN"),
            charge=ln["charge"],
            charge_source="chargemaster",
            pos="" if institutional else ln.get("pos", "11"),
            pointers=[] if institutional else list(range(1, min(4, len(diagnoses)) + 1)),
            session=session,
        )
        ClaimService.objects.create(claim=row, session=session)
    return row

"""Claims made directly (no build): a claim with its lines, findings, billed sessions and
events, in the active org. Call inside org_context(org)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from claims.models import Claim, ClaimEvent, ClaimFinding, ClaimLine, ClaimService
from tests import factories

_seq = itertools.count(1)


def claim(
    *,
    status: str = Claim.Status.HELD,
    payer: Any = None,
    patient: Any = None,
    provider: Any = None,
    session: Any = None,
    charge: str | Decimal = "150.00",
    service_from: dt.date = factories.TODAY,
    hold_codes: tuple[str, ...] = (),
    findings: tuple[dict[str, Any], ...] = (),
    **fields: Any,
) -> Claim:
    """A professional claim with one line (90837) billing `session` (made when not given)."""
    n = next(_seq)
    patient = patient or (session.patient if session is not None else factories.patient())
    payer = payer or factories.payer()
    coverage = fields.pop("coverage", None) or factories.coverage(
        patient_obj=patient, payer_obj=payer
    )
    provider = provider or (
        session.rendering_provider if session is not None else factories.provider()
    )
    session = session or factories.session(
        patient_obj=patient, provider_obj=provider, service_date=service_from, status="completed"
    )
    amount = Decimal(str(charge))
    row = Claim.objects.create(
        control_number=fields.pop("control_number", f"T{n:09d}"),
        kind=Claim.Kind.PROFESSIONAL,
        status=status,
        patient=patient,
        coverage=coverage,
        payer=payer,
        rendering_provider=provider,
        service_from=service_from,
        service_to=fields.pop("service_to", service_from),
        place_of_service="11",
        diagnoses=fields.pop("diagnoses", ["F41.1"]),
        total_charge=amount,
        hold_codes=list(hold_codes),
        error_count=len(hold_codes),
        **fields,
    )
    ClaimLine.objects.create(
        claim=row,
        number=1,
        control_number=f"{row.control_number}-1",
        service_date=service_from,
        code="90837",
        units=Decimal("1"),
        charge=amount,
        pos="11",
        pointers=[1],
        rendering_provider=provider,
        session=session,
    )
    ClaimService.objects.create(claim=row, session=session)
    for code in hold_codes:
        ClaimFinding.objects.create(
            claim=row,
            code=code,
            severity="error",
            message=f"{code} holds the claim",
            fix="Fix it",
            fix_url=f"/fix/{code}/",
            service_public_id=str(session.public_id),
        )
    for finding in findings:
        ClaimFinding.objects.create(claim=row, **finding)
    ClaimEvent.objects.create(
        claim=row, kind=ClaimEvent.Kind.BUILT, to_status=status, message="Built from 1"
    )
    return row


def sent(status: str = Claim.Status.ACCEPTED, *, days_ago: int, **fields: Any) -> Claim:
    """A claim the payer has, submitted `days_ago` days ago (at noon UTC)."""
    when = dt.datetime.combine(
        factories.TODAY - dt.timedelta(days=days_ago), dt.time(12), tzinfo=dt.UTC
    )
    fields.setdefault("service_from", factories.TODAY - dt.timedelta(days=days_ago + 3))
    return claim(status=status, submitted_at=when, **fields)

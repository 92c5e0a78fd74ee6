"""Writing 835s (005010X221A1) from the reader's dataclasses (edi.x835): the sandbox
clearinghouse answers submitted claims with them and benchmarks generate large ones.

Segment order follows the TR3 (loops 1000A/1000B, 2000 LX, 2100 CLP, 2110 SVC, PLB summary).
What `read_835` reads back from a written file equals what was written, except `problems`,
`version` (always 005010X221A1) and `interchange_control_number` (the envelope's).

Limits the TR3 sets and the writer enforces by splitting: six reason triplets per CAS (one CAS
per group code, repeated past six), six reason/amount pairs per PLB. Unbalanced remittances
(`edi.x835.balance_errors`) are refused unless `allow_unbalanced=True` (to test posting's
handling of a payer's arithmetic).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence

from edi.x12 import X12Error
from edi.x12_writer import (
    Envelope,
    GroupSpec,
    SegmentSpec,
    TransactionSpec,
    amount,
    d8,
    write_interchange,
)
from edi.x835 import (
    FILING_INDICATORS,
    VERSION,
    Adjustment,
    PartyAddress,
    ProviderAdjustment,
    RemitClaim,
    RemitLine,
    Remittance,
    balance_errors,
)

__all__ = ["write_835"]

_MAX_TRIPLETS = 6  # CAS02-CAS19
_MAX_PLB_PAIRS = 6  # PLB03-PLB14
_MAX_MOA_REMARKS = 5  # MOA03-MOA07


def write_835(
    remittances: Sequence[Remittance],
    *,
    envelope: Envelope,
    group_control: int | None = None,
    allow_unbalanced: bool = False,
) -> str:
    """One interchange, one HP functional group, one 835 per remittance. `group_control`
    (GS06) defaults to the interchange control number."""
    if not remittances:
        raise X12Error("an 835 file needs at least one remittance")
    specs: list[TransactionSpec] = []
    for index, remittance in enumerate(remittances, start=1):
        if not allow_unbalanced and (errors := balance_errors(remittance)):
            raise X12Error(f"remittance {index} does not balance: {errors[0].message}")
        control = remittance.control_number or index
        # The X221A1 guide marks ST03 "not used": the version travels in GS08 only.
        spec = TransactionSpec("835", control, "", list(_remittance(remittance)))
        if any(other.st02 == spec.st02 for other in specs):
            raise X12Error(f"remittance {index}: ST02 {spec.st02} is already used in this file")
        specs.append(spec)
    group = GroupSpec("HP", VERSION, group_control or envelope.control_number, specs)
    return write_interchange(envelope, [group])


def _remittance(r: Remittance) -> Iterator[SegmentSpec]:
    yield _bpr(r)
    if not r.trace_number or not r.trace_originator:
        raise X12Error("TRN02 (trace number) and TRN03 (originator) are required")
    yield ("TRN", "1", r.trace_number, r.trace_originator)
    if r.receiver_id:
        yield ("REF", "EV", r.receiver_id)
    if r.production_date:
        yield ("DTM", "405", d8(r.production_date))
    yield from _payer(r)
    yield from _payee(r)
    if r.claims:
        yield ("LX", "1")
    for claim in r.claims:
        yield from _claim(claim)
    yield from _plb(r.provider_adjustments)


def _bpr(r: Remittance) -> SegmentSpec:
    if r.payment_date is None:
        raise X12Error("BPR16 (payment or advice date) is required")
    method = r.payment_method or "NON"
    if method == "ACH" and not r.bank_details:
        raise X12Error("an ACH payment needs its bank details (BPR06-BPR15)")
    bank = tuple(r.bank_details) + ("",) * (10 - len(r.bank_details))
    if len(bank) != 10:
        raise X12Error(f"bank_details holds BPR06-BPR15 (10 values), got {len(r.bank_details)}")
    return (
        "BPR",
        r.handling_code,
        amount(r.total_paid),
        r.credit_debit or "C",
        method,
        r.payment_format,
        *bank,
        d8(r.payment_date),
    )


def _address(address: PartyAddress) -> Iterator[SegmentSpec]:
    yield ("N3", address.line1, address.line2)
    yield ("N4", address.city, address.state, address.zip_code)


def _payer(r: Remittance) -> Iterator[SegmentSpec]:
    if not r.payer_name or r.payer_address is None:
        raise X12Error("the payer's name and address (N1*PR, N3, N4) are required")
    own_id = r.payer_id not in (None, r.payer_additional_id, r.trace_originator)
    yield ("N1", "PR", r.payer_name, *(("XV", r.payer_id) if own_id else ()))
    yield from _address(r.payer_address)
    if r.payer_additional_id:
        yield ("REF", "2U", r.payer_additional_id)
    if not any(c.function == "BL" for c in r.payer_contacts):
        raise X12Error("the payer's technical contact (PER*BL) is required")
    order = {"CX": 0, "BL": 1, "IC": 2}
    for contact in sorted(r.payer_contacts, key=lambda c: order.get(c.function, 1)):
        channels = [value for pair in contact.channels[:3] for value in pair]
        yield ("PER", contact.function, contact.name, *channels)


def _payee(r: Remittance) -> Iterator[SegmentSpec]:
    if not r.payee_name or not (r.payee_npi or r.payee_tin):
        raise X12Error("the payee's name and NPI or TIN (N1*PE) are required")
    if r.payee_npi:
        yield ("N1", "PE", r.payee_name, "XX", r.payee_npi)
    else:
        yield ("N1", "PE", r.payee_name, "FI", r.payee_tin)
    if r.payee_address is not None:
        yield from _address(r.payee_address)
    if r.payee_npi and r.payee_tin:
        yield ("REF", "TJ", r.payee_tin)


def _claim(c: RemitClaim) -> Iterator[SegmentSpec]:
    if not c.filing_indicator or not c.payer_claim_number:
        raise X12Error(
            f"claim {c.patient_control_number}: CLP06 (filing indicator) and CLP07 (payer "
            "claim number) are required"
        )
    if c.filing_indicator not in FILING_INDICATORS:
        raise X12Error(
            f"claim {c.patient_control_number}: CLP06 {c.filing_indicator!r} is not an 835 "
            f"claim filing indicator ({', '.join(sorted(FILING_INDICATORS))})"
        )
    yield (
        "CLP",
        c.patient_control_number,
        c.status_code,
        amount(c.charge),
        amount(c.paid),
        _opt_amount(c.patient_responsibility),
        c.filing_indicator,
        c.payer_claim_number,
        c.facility_code,
        c.frequency,
    )
    yield from _cas(c.adjustments)
    yield from _parties(c)
    if c.remarks:
        if len(c.remarks) > _MAX_MOA_REMARKS:
            raise X12Error(f"claim {c.patient_control_number}: at most 5 claim remark codes")
        yield ("MOA", None, None, *c.remarks)
    for qualifier, day in (
        ("232", c.statement_from),
        ("233", c.statement_to),
        ("036", c.coverage_expiration),
        ("050", c.received_date),
    ):
        if day is not None:
            yield ("DTM", qualifier, d8(day))
    for qualifier, value in (("AU", c.claim_allowed), ("I", c.interest)):
        if value is not None:
            yield ("AMT", qualifier, amount(value))
    for line in c.lines:
        yield from _line(line)


def _parties(c: RemitClaim) -> Iterator[SegmentSpec]:
    patient_id = c.patient_id or c.member_id
    yield _nm1("QC", "1", c.patient_last_name, c.patient_first_name, "MI", patient_id)
    if c.member_id and c.member_id != patient_id:
        yield _nm1("IL", "1", None, None, "MI", c.member_id)
    if c.rendering_npi or c.rendering_other_id:
        qualifier, ident = ("XX", c.rendering_npi) if c.rendering_npi else c.rendering_other_id
        yield _nm1("82", "1", c.rendering_name, None, qualifier, ident)
    elif c.rendering_name:
        raise X12Error(f"claim {c.patient_control_number}: NM1*82 needs the rendering NPI")
    for entity, name, payer_id in (
        ("TT", c.crossover_payer_name, c.crossover_payer_id),
        ("PR", c.corrected_priority_payer_name, c.corrected_priority_payer_id),
    ):
        if name or payer_id:
            if not name or not payer_id:
                raise X12Error(
                    f"claim {c.patient_control_number}: NM1*{entity} needs a name and an id"
                )
            yield _nm1(entity, "2", name, None, "PI", payer_id)


def _nm1(
    entity: str,
    kind: str,
    last: str | None,
    first: str | None,
    qualifier: str | None,
    ident: str | None,
) -> SegmentSpec:
    return ("NM1", entity, kind, last, first, None, None, None, qualifier if ident else None, ident)


def _line(line: RemitLine) -> Iterator[SegmentSpec]:
    original = None
    if line.original_procedure_code:
        original = (
            line.original_procedure_qualifier or line.procedure_qualifier,
            line.original_procedure_code,
            *line.original_modifiers,
        )
    yield (
        "SVC",
        (line.procedure_qualifier, line.procedure_code, *line.modifiers),
        amount(line.charge),
        amount(line.paid),
        line.revenue_code,
        _opt_amount(line.units),
        original,
        _opt_amount(line.original_units),
    )
    start, end = line.service_date_from, line.service_date_to
    if start is not None and start == end:
        yield ("DTM", "472", d8(start))
    else:
        if start is not None:
            yield ("DTM", "150", d8(start))
        if end is not None:
            yield ("DTM", "151", d8(end))
    yield from _cas(line.adjustments)
    if line.line_control_number:
        yield ("REF", "6R", line.line_control_number)
    if line.allowed is not None:
        yield ("AMT", "B6", amount(line.allowed))
    for remark in line.remarks:
        yield ("LQ", "HE", remark)


def _cas(adjustments: Sequence[Adjustment]) -> Iterator[SegmentSpec]:
    """One CAS per group code (in order of first appearance), repeated past six triplets."""
    groups: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        groups.setdefault(adjustment.group, []).append(adjustment)
    for group, items in groups.items():
        for start in range(0, len(items), _MAX_TRIPLETS):
            triplets: list[str | None] = []
            for a in items[start : start + _MAX_TRIPLETS]:
                triplets += [a.reason, amount(a.amount), _opt_amount(a.quantity)]
            yield ("CAS", group, *triplets)


def _plb(adjustments: Sequence[ProviderAdjustment]) -> Iterator[SegmentSpec]:
    """PLB segments of up to six pairs, one run per provider and fiscal period."""
    runs: list[tuple[tuple[str, datetime.date | None], list[ProviderAdjustment]]] = []
    for adjustment in adjustments:
        key = (adjustment.provider_id, adjustment.fiscal_period_date)
        if not runs or runs[-1][0] != key or len(runs[-1][1]) == _MAX_PLB_PAIRS:
            runs.append((key, []))
        runs[-1][1].append(adjustment)
    for (provider, period), items in runs:
        if period is None:
            raise X12Error(f"PLB for provider {provider}: PLB02 (fiscal period date) is required")
        pairs: list[str | tuple[str, ...]] = []
        for a in items:
            pairs += [
                (a.reason_code, a.reference) if a.reference else a.reason_code,
                amount(a.amount),
            ]
        yield ("PLB", provider, d8(period), *pairs)


def _opt_amount(value) -> str | None:
    return None if value is None else amount(value)

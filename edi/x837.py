"""Writing 837 claims: `write_837p` (005010X222A1) and `write_837i` (005010X223A2).

Each returns the text of one interchange holding one functional group (GS01 = HC) and one
transaction set built from a `Batch837` (edi.claim837). Loop names and segment order follow the
TR3s (REFERENCE.md §10 "837P" and "837I differences"); the output is checked against pyx12's
maps of both guides in tests/edi.

Hierarchy: 2000A billing provider (HL03 = 20) > 2000B subscriber (22) > 2000C patient (23, only
when the patient is not the subscriber) > 2300 claims > 2400 lines.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from edi.claim837 import (
    Address,
    Adjustment,
    Batch837,
    BillingGroup,
    Claim,
    InstitutionalClaim,
    InstitutionalLine,
    LineAdjudication,
    OtherPayer,
    Patient,
    Payer,
    ProfessionalClaim,
    ProfessionalLine,
    Provider,
    ServiceFacility,
    Subscriber,
    SubscriberGroup,
)
from edi.x12_writer import (
    Envelope,
    GroupSpec,
    SegmentSpec,
    TransactionSpec,
    amount,
    d8,
    hhmm,
    quantity,
    write_interchange,
)

__all__ = ["PROFESSIONAL", "INSTITUTIONAL", "segments_837", "write_837i", "write_837p"]

PROFESSIONAL = "005010X222A1"
INSTITUTIONAL = "005010X223A2"


def write_837p(
    batch: Batch837, *, envelope: Envelope, group_control: int, transaction_control: int | str = 1
) -> str:
    """The batch as an 837P interchange. Control numbers and the creation time come from the
    caller (and from `envelope`) so that a resubmission can be reproduced byte for byte."""
    return _write(batch, PROFESSIONAL, envelope, group_control, transaction_control)


def write_837i(
    batch: Batch837, *, envelope: Envelope, group_control: int, transaction_control: int | str = 1
) -> str:
    """The batch as an 837I interchange (see `write_837p`)."""
    return _write(batch, INSTITUTIONAL, envelope, group_control, transaction_control)


def _write(
    batch: Batch837, version: str, envelope: Envelope, group_control: int, st02: int | str
) -> str:
    body = segments_837(batch, version=version, created=envelope.created)
    transaction = TransactionSpec("837", st02, version, body)
    return write_interchange(envelope, [GroupSpec("HC", version, group_control, [transaction])])


def segments_837(batch: Batch837, *, version: str, created: datetime.datetime) -> list[SegmentSpec]:
    """The segments between ST and SE for `version` (PROFESSIONAL or INSTITUTIONAL)."""
    claim_type = ProfessionalClaim if version == PROFESSIONAL else InstitutionalClaim
    if version not in (PROFESSIONAL, INSTITUTIONAL):
        raise ValueError(f"unknown 837 version {version!r}")
    for claim in batch.claims():
        if not isinstance(claim, claim_type):
            raise ValueError(
                f"claim {claim.patient_control_number}: a {type(claim).__name__} cannot go in "
                f"an {version} file"
            )
    writer = _Writer(version)
    return list(writer.transaction(batch, created))


class _Writer:
    def __init__(self, version: str):
        self.professional = version == PROFESSIONAL
        self.hl = 0

    def _next_hl(self) -> str:
        self.hl += 1
        return str(self.hl)

    # --- header and hierarchy -----------------------------------------------------------

    def transaction(self, batch: Batch837, created: datetime.datetime) -> Iterator[SegmentSpec]:
        # BHT02 00 = original; BHT06 CH = chargeable claims (RP would be an encounter file).
        yield ("BHT", "0019", "00", batch.reference, d8(created), hhmm(created), "CH")
        sub = batch.submitter
        yield ("NM1", "41", "2", sub.name, None, None, None, None, "46", sub.id)
        per: SegmentSpec = ("PER", "IC", sub.contact_name, "TE", sub.contact_phone)
        yield per + (("EM", sub.contact_email) if sub.contact_email else ())
        yield (
            "NM1",
            "40",
            "2",
            batch.receiver.name,
            None,
            None,
            None,
            None,
            "46",
            batch.receiver.id,
        )
        for group in batch.billing:
            yield from self.billing(group)

    def billing(self, group: BillingGroup) -> Iterator[SegmentSpec]:
        provider = group.provider
        hl = self._next_hl()
        yield ("HL", hl, None, "20", "1")
        yield ("PRV", "BI", "PXC", provider.taxonomy)
        # 2010AA
        yield ("NM1", "85", "2", provider.org_name, None, None, None, None, "XX", provider.npi)
        yield from _address(provider.address)
        yield ("REF", "EI", provider.tin)
        if provider.contact_name and provider.contact_phone:
            yield ("PER", "IC", provider.contact_name, "TE", provider.contact_phone)
        if group.pay_to is not None:  # 2010AB
            yield ("NM1", "87", "2")
            yield from _address(group.pay_to)
        for subscriber_group in group.subscribers:
            yield from self.subscriber(subscriber_group, hl)

    def subscriber(self, group: SubscriberGroup, parent: str) -> Iterator[SegmentSpec]:
        sub, patient = group.subscriber, group.patient
        hl = self._next_hl()
        yield ("HL", hl, parent, "22", "0" if patient is None else "1")
        yield self._sbr(sub, patient is None)
        # 2010BA
        yield _person("IL", sub.last_name, sub.first_name, sub.middle_name, "MI", sub.member_id)
        if sub.address is not None:
            yield from _address(sub.address)
        if sub.dob is not None:
            yield ("DMG", "D8", d8(sub.dob), sub.sex)
        yield from _payer(group.payer)  # 2010BB
        if patient is not None:
            yield from self.patient(patient, hl)
        for claim in group.claims:
            yield from self.claim(claim)

    def _sbr(self, sub: Subscriber, is_patient: bool) -> SegmentSpec:
        # SBR04 (group name) only when there is no group number; SBR05 is not used on 837I.
        return (
            "SBR",
            sub.responsibility,
            "18" if is_patient else None,
            sub.group_number,
            None if sub.group_number else sub.group_name,
            sub.insurance_type if self.professional else None,
            None,
            None,
            None,
            sub.filing_indicator,
        )

    def patient(self, patient: Patient, parent: str) -> Iterator[SegmentSpec]:
        yield ("HL", self._next_hl(), parent, "23", "0")
        yield ("PAT", patient.relationship)
        yield _person("QC", patient.last_name, patient.first_name, patient.middle_name)
        yield from _address(patient.address)
        yield ("DMG", "D8", d8(patient.dob), patient.sex)

    # --- loop 2300 -----------------------------------------------------------------------

    def claim(self, claim: Claim) -> Iterator[SegmentSpec]:
        if isinstance(claim, ProfessionalClaim):
            yield from self._professional(claim)
        else:
            assert isinstance(claim, InstitutionalClaim)
            yield from self._institutional(claim)

    def _clm(self, claim: Claim) -> SegmentSpec:
        qualifier = "B" if self.professional else "A"  # B place of service, A type of bill
        return (
            "CLM",
            claim.patient_control_number,
            amount(claim.total_charge),
            None,
            None,
            (claim.facility_code, qualifier, claim.frequency_code),
            ("Y" if claim.provider_signature else "N") if self.professional else None,
            claim.assignment,
            claim.benefits_assignment,
            claim.release_of_information,
            *([None] * 10),
            claim.delay_reason or None,
        )

    def _references(self, claim: Claim) -> Iterator[SegmentSpec]:
        if claim.referral_number:
            yield ("REF", "9F", claim.referral_number)
        if claim.prior_authorization:
            yield ("REF", "G1", claim.prior_authorization)
        if claim.original_claim_number:
            yield ("REF", "F8", claim.original_claim_number)

    def _professional(self, claim: ProfessionalClaim) -> Iterator[SegmentSpec]:
        yield self._clm(claim)
        yield from self._references(claim)
        codes = [("ABK" if n == 0 else "ABF", code) for n, code in enumerate(claim.diagnoses)]
        yield ("HI", *codes)
        if claim.referring is not None:  # 2310A
            yield _provider("DN", claim.referring)
        if claim.rendering is not None:  # 2310B
            yield _provider("82", claim.rendering)
            if claim.rendering.taxonomy:
                yield ("PRV", "PE", "PXC", claim.rendering.taxonomy)
        if claim.service_facility is not None:  # 2310C
            yield from _facility(claim.service_facility)
        if claim.supervising is not None:  # 2310D
            yield _provider("DQ", claim.supervising)
        yield from self._other_payers(claim)
        for number, line in enumerate(claim.lines, 1):
            yield from self._professional_line(claim, number, line)

    def _institutional(self, claim: InstitutionalClaim) -> Iterator[SegmentSpec]:
        yield self._clm(claim)
        if claim.discharge_time is not None:
            yield ("DTP", "096", "TM", hhmm(claim.discharge_time))
        yield ("DTP", "434", "RD8", f"{d8(claim.statement_from)}-{d8(claim.statement_to)}")
        if claim.admission_date is not None:
            if claim.admission_time is None:
                yield ("DTP", "435", "D8", d8(claim.admission_date))
            else:
                stamp = d8(claim.admission_date) + hhmm(claim.admission_time)
                yield ("DTP", "435", "DT", stamp)
        yield ("CL1", claim.admission_type, claim.admission_source, claim.patient_status)
        yield from self._references(claim)
        yield from _institutional_codes(claim)
        yield _provider("71", claim.attending)  # 2310A, required by the TR3 for most bills
        if claim.attending.taxonomy:
            yield ("PRV", "AT", "PXC", claim.attending.taxonomy)
        if claim.rendering is not None:  # 2310D
            yield _provider("82", claim.rendering)
        if claim.service_facility is not None:  # 2310E
            yield from _facility(claim.service_facility)
        if claim.referring is not None:  # 2310F
            yield _provider("DN", claim.referring)
        yield from self._other_payers(claim)
        for number, line in enumerate(claim.lines, 1):
            yield from self._institutional_line(number, line)

    # --- 2320/2330: other payers ----------------------------------------------------------

    def _other_payers(self, claim: ProfessionalClaim | InstitutionalClaim) -> Iterator[SegmentSpec]:
        adjudicated_by_line = {a.payer_id for line in claim.lines for a in line.adjudications}
        for other in claim.other_payers:
            yield from self._other_payer(other, other.payer.payer_id in adjudicated_by_line)

    def _other_payer(self, other: OtherPayer, has_line_detail: bool) -> Iterator[SegmentSpec]:
        yield (
            "SBR",
            other.responsibility,
            other.relationship,
            other.group_number,
            None,
            other.insurance_type if self.professional else None,
            None,
            None,
            None,
            other.filing_indicator,
        )
        yield from _cas(other.adjustments)
        amounts = [("D", other.paid_amount), ("EAF", other.remaining_patient_liability)]
        for qualifier, value in amounts:
            if value is not None:
                yield ("AMT", qualifier, amount(value))
        # OI03 benefits assignment, OI06 release of information
        yield (
            "OI",
            None,
            None,
            other.benefits_assignment,
            None,
            None,
            other.release_of_information,
        )
        yield _person(  # 2330A
            "IL",
            other.subscriber_last_name,
            other.subscriber_first_name,
            "",
            "MI",
            other.subscriber_member_id,
        )
        yield from _payer(other.payer)  # 2330B
        if other.adjudication_date is not None and not has_line_detail:
            yield ("DTP", "573", "D8", d8(other.adjudication_date))

    # --- loop 2400 -----------------------------------------------------------------------

    def _professional_line(
        self, claim: ProfessionalClaim, number: int, line: ProfessionalLine
    ) -> Iterator[SegmentSpec]:
        yield ("LX", str(number))
        pos = line.place_of_service if line.place_of_service != claim.facility_code else ""
        yield (
            "SV1",
            ("HC", line.procedure_code, *line.modifiers),
            amount(line.charge),
            line.unit_basis,
            quantity(line.units),
            pos or None,
            None,
            tuple(str(p) for p in line.diagnosis_pointers),
        )
        yield _service_date(line.service_date, line.service_date_end)
        if line.line_control_number:
            yield ("REF", "6R", line.line_control_number)
        if line.rendering is not None and line.rendering != claim.rendering:  # 2420A
            yield _provider("82", line.rendering)
            if line.rendering.taxonomy:
                yield ("PRV", "PE", "PXC", line.rendering.taxonomy)
        for adjudication in line.adjudications:
            yield from self._line_adjudication(line, adjudication)

    def _institutional_line(self, number: int, line: InstitutionalLine) -> Iterator[SegmentSpec]:
        yield ("LX", str(number))
        procedure = ("HC", line.procedure_code, *line.modifiers) if line.procedure_code else None
        non_covered = line.non_covered_charge
        yield (
            "SV2",
            line.revenue_code,
            procedure,
            amount(line.charge),
            line.unit_basis,
            quantity(line.units),
            None,
            amount(non_covered) if non_covered is not None else None,
        )
        yield _service_date(line.service_date, line.service_date_end)
        if line.line_control_number:
            yield ("REF", "6R", line.line_control_number)
        for adjudication in line.adjudications:
            yield from self._line_adjudication(line, adjudication)

    def _line_adjudication(
        self, line: ProfessionalLine | InstitutionalLine, adj: LineAdjudication
    ) -> Iterator[SegmentSpec]:
        code = adj.procedure_code or line.procedure_code
        modifiers = adj.modifiers if adj.procedure_code else line.modifiers
        procedure = ("HC", code, *modifiers) if code else None
        revenue = None
        if isinstance(line, InstitutionalLine):
            revenue = adj.revenue_code or line.revenue_code
        yield (
            "SVD",
            adj.payer_id,
            amount(adj.paid_amount),
            procedure,
            revenue,
            quantity(adj.paid_units),
        )
        yield from _cas(adj.adjustments)
        yield ("DTP", "573", "D8", d8(adj.adjudication_date))


# --- segment helpers ----------------------------------------------------------------------


def _address(address: Address) -> Iterator[SegmentSpec]:
    yield ("N3", address.line1, address.line2 or None)
    yield ("N4", address.city, address.state, address.zip_code)


def _person(
    entity: str, last: str, first: str, middle: str = "", qualifier: str = "", ident: str = ""
) -> SegmentSpec:
    return ("NM1", entity, "1", last, first, middle, None, None, qualifier, ident)


def _provider(entity: str, provider: Provider) -> SegmentSpec:
    if provider.is_organization:
        return ("NM1", entity, "2", provider.last_name, None, None, None, None, "XX", provider.npi)
    return (
        "NM1",
        entity,
        "1",
        provider.last_name,
        provider.first_name,
        provider.middle_name,
        None,
        None,
        "XX",
        provider.npi,
    )


def _payer(payer: Payer) -> Iterator[SegmentSpec]:
    yield ("NM1", "PR", "2", payer.name, None, None, None, None, "PI", payer.payer_id)
    if payer.address is not None:
        yield from _address(payer.address)


def _facility(facility: ServiceFacility) -> Iterator[SegmentSpec]:
    npi = ("XX", facility.npi) if facility.npi else ()
    yield ("NM1", "77", "2", facility.name, None, None, None, None, *npi)
    yield from _address(facility.address)


def _service_date(start: datetime.date, end: datetime.date | None) -> SegmentSpec:
    if end is None or end == start:
        return ("DTP", "472", "D8", d8(start))
    return ("DTP", "472", "RD8", f"{d8(start)}-{d8(end)}")


def _cas(adjustments: Iterable[Adjustment]) -> Iterator[SegmentSpec]:
    """CAS segments: one per group code with its reason/amount/quantity triplets (the model
    allows at most six per group, which is what one CAS holds)."""
    by_group: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group, []).append(adjustment)
    for group, items in by_group.items():
        triplets: list[str | None] = []
        for item in items:
            units = quantity(item.quantity) if item.quantity is not None else None
            triplets += [item.reason, amount(item.amount), units]
        yield ("CAS", group, *triplets)


def _chunks(values: list, size: int = 12) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _institutional_codes(claim: InstitutionalClaim) -> Iterator[SegmentSpec]:
    """The HI segments of an 837I in TR3 order: ABK, ABJ, APR, ABF, BI, BH, BE, BG."""
    yield ("HI", ("ABK", claim.diagnoses[0]))
    if claim.admitting_diagnosis:
        yield ("HI", ("ABJ", claim.admitting_diagnosis))
    if claim.reason_for_visit:
        yield ("HI", *(("APR", code) for code in claim.reason_for_visit))
    groups: list[list[tuple[str, ...]]] = [
        [("ABF", code) for code in claim.diagnoses[1:]],
        [("BI", s.code, "RD8", f"{d8(s.start)}-{d8(s.end)}") for s in claim.occurrence_spans],
        [("BH", o.code, "D8", d8(o.date)) for o in claim.occurrence_codes],
        [("BE", v.code, "", "", amount(v.amount)) for v in claim.value_codes],
        [("BG", code) for code in claim.condition_codes],
    ]
    for codes in groups:
        for chunk in _chunks(codes):
            yield ("HI", *chunk)

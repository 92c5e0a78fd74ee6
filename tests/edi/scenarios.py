"""837 batches for the behavioral-health situations the writer must get right (REFERENCE.md §1-§4
and §14): each level of care, telehealth, group, crisis, supervised billing, secondary coverage,
replacement and void. Every name, number and address here is made up; NPIs pass the Luhn check.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from edi.claim837 import (
    Address,
    Adjustment,
    Batch837,
    BillingGroup,
    BillingProvider,
    InstitutionalClaim,
    InstitutionalLine,
    LineAdjudication,
    OccurrenceCode,
    OccurrenceSpan,
    OtherPayer,
    Patient,
    Payer,
    ProfessionalClaim,
    ProfessionalLine,
    Provider,
    Receiver,
    ServiceFacility,
    Submitter,
    Subscriber,
    SubscriberGroup,
    ValueCode,
)
from edi.x12_writer import Envelope

D = datetime.date
M = Decimal
CREATED = datetime.datetime(2026, 4, 6, 9, 30)

CLINIC_ADDRESS = Address(
    line1="200 HOPE STREET", line2="SUITE 4", city="HARRISBURG", state="PA", zip_code="171011234"
)
HOME = Address(line1="12 ELM ROAD", city="CAMP HILL", state="PA", zip_code="17011")

SUBMITTER = Submitter(
    name="RIVERBEND BEHAVIORAL HEALTH",
    id="RBH0001",
    contact_name="BILLING OFFICE",
    contact_phone="7175550100",
    contact_email="billing@example.org",
)
RECEIVER = Receiver(name="SANDBOX CLEARINGHOUSE", id="SANDBOXCH")
CLINIC = BillingProvider(
    org_name="RIVERBEND BEHAVIORAL HEALTH",
    npi="1234567893",
    tin="231234567",
    taxonomy="261QM0801X",
    address=CLINIC_ADDRESS,
)
RESIDENTIAL = BillingProvider(
    org_name="RIVERBEND RECOVERY CENTER",
    npi="1987654328",
    tin="231234568",
    taxonomy="324500000X",
    address=CLINIC_ADDRESS,
)
COMMERCIAL = Payer(name="KEYSTONE HEALTH PLAN", payer_id="KHP01")
MEDICAID = Payer(
    name="PA MEDICAID MCO",
    payer_id="PAMCO",
    address=Address(line1="PO BOX 100", city="HARRISBURG", state="PA", zip_code="17105"),
)
MEDICARE = Payer(name="MEDICARE PART B", payer_id="12202")

LCSW = Provider(last_name="RIVERA", first_name="ANA", npi="1543210987", taxonomy="1041C0700X")
PSYCHIATRIST = Provider(
    last_name="CHEN", first_name="DAVID", middle_name="L", npi="1678901236", taxonomy="2084P0800X"
)
ASSOCIATE = Provider(
    last_name="OKAFOR", first_name="JAMES", npi="1765432103", taxonomy="101YP2500X"
)
PSYCHOLOGIST = Provider(
    last_name="MILLER", first_name="SARAH", npi="1432167892", taxonomy="103TC0700X"
)
REFERRER = Provider(last_name="PATEL", first_name="NINA", npi="1321098760")

ADULT = Subscriber(
    member_id="KHP123456789",
    last_name="DOE",
    first_name="JORDAN",
    dob=D(1988, 2, 14),
    sex="F",
    address=HOME,
    group_number="GRP7788",
)
PARENT = Subscriber(
    member_id="MCO555000111",
    last_name="SMITH",
    first_name="ROBIN",
    dob=D(1980, 5, 1),
    sex="M",
    address=HOME,
    filing_indicator="MC",
)
CHILD = Patient(
    last_name="SMITH",
    first_name="ALEX",
    dob=D(2012, 9, 3),
    sex="U",
    address=HOME,
    relationship="19",
)


def envelope(control: int = 101, usage: str = "T", newline: bool = False) -> Envelope:
    return Envelope(
        sender_id="RBH0001",
        receiver_id="SANDBOXCH",
        control_number=control,
        created=CREATED,
        usage=usage,
        newline=newline,
    )


def _line(code: str, charge: str, day: D = D(2026, 3, 2), **kw) -> ProfessionalLine:
    return ProfessionalLine(
        procedure_code=code, charge=M(charge), units=kw.pop("units", M(1)), service_date=day, **kw
    )


def _pclaim(pcn: str, *lines: ProfessionalLine, **kw) -> ProfessionalClaim:
    kw.setdefault("facility_code", "11")
    kw.setdefault("diagnoses", ("F331", "F411"))
    kw.setdefault("rendering", LCSW)
    return ProfessionalClaim(
        patient_control_number=pcn,
        lines=lines,
        total_charge=sum((ln.charge for ln in lines), M(0)),
        **kw,
    )


def _batch(*groups: BillingGroup, reference: str = "BATCH0001") -> Batch837:
    return Batch837(submitter=SUBMITTER, receiver=RECEIVER, billing=groups, reference=reference)


def _one(
    subscriber: Subscriber,
    payer: Payer,
    *claims,
    patient: Patient | None = None,
    provider: BillingProvider = CLINIC,
) -> Batch837:
    group = SubscriberGroup(subscriber=subscriber, payer=payer, claims=claims, patient=patient)
    return _batch(BillingGroup(provider=provider, subscribers=(group,)))


# --- 837P -----------------------------------------------------------------------------------


def outpatient() -> Batch837:
    """Outpatient psychotherapy: an intake (90791) and a 53-minute session (90837), POS 11."""
    claim = _pclaim(
        "OP-1001",
        _line("90791", "250.00", line_control_number="L1"),
        _line(
            "90837", "180.00", D(2026, 3, 9), line_control_number="L2", diagnosis_pointers=(1, 2)
        ),
        prior_authorization="AUTH-55512",
        referring=REFERRER,
    )
    return _one(ADULT, COMMERCIAL, claim)


def telehealth() -> Batch837:
    """POS 10 (patient at home) with modifier 95; an audio-only visit with POS 02 and 93."""
    video = _pclaim("TH-2001", _line("90834", "150.00", modifiers=("95",)), facility_code="10")
    audio = _pclaim("TH-2002", _line("90832", "95.00", modifiers=("93",)), facility_code="02")
    return _one(ADULT, COMMERCIAL, video, audio)


def group_therapy() -> Batch837:
    """Group psychotherapy (90853, one unit per patient per session) at a CMHC (POS 53)."""
    claim = _pclaim(
        "GR-3001",
        _line("90853", "60.00", modifiers=("HQ",)),
        facility_code="53",
        service_facility=ServiceFacility(
            name="RIVERBEND EAST", address=CLINIC_ADDRESS, npi="1876543210"
        ),
    )
    return _one(PARENT, MEDICAID, claim, patient=CHILD)


def crisis() -> Batch837:
    """Crisis psychotherapy: 90839 (first 60 min) + 90840 (one more 30 min) on one date."""
    claim = _pclaim(
        "CR-4001",
        _line("90839", "220.00"),
        _line("90840", "110.00"),
        diagnoses=("F4310", "R45851"),
        rendering=PSYCHOLOGIST,
    )
    return _one(ADULT, COMMERCIAL, claim)


def supervised() -> Batch837:
    """An associate renders under a supervising psychologist (2310D) with the HL modifier."""
    claim = _pclaim(
        "SV-5001",
        _line("90834", "140.00", modifiers=("HL",)),
        rendering=ASSOCIATE,
        supervising=PSYCHOLOGIST,
    )
    return _one(PARENT, MEDICAID, claim, patient=CHILD)


def secondary() -> Batch837:
    """Medicaid secondary after a commercial primary: 2320/2330 with the prior payment, and a
    line-level 2430 adjudication on one line (REFERENCE.md §10 "2430 SVD/CAS")."""
    primary = OtherPayer(
        payer=COMMERCIAL,
        subscriber_last_name="SMITH",
        subscriber_first_name="ROBIN",
        subscriber_member_id="KHP998877",
        responsibility="P",
        relationship="19",
        group_number="GRP7788",
        paid_amount=M("96.00"),
        remaining_patient_liability=M("24.00"),
        adjudication_date=D(2026, 3, 20),
    )
    line = _line(
        "90834",
        "150.00",
        adjudications=(
            LineAdjudication(
                payer_id="KHP01",
                paid_amount=M("96.00"),
                paid_units=M(1),
                adjudication_date=D(2026, 3, 20),
                adjustments=(
                    Adjustment(group="CO", reason="45", amount=M("30.00")),
                    Adjustment(group="PR", reason="2", amount=M("24.00")),
                ),
            ),
        ),
    )
    sub = Subscriber(
        member_id="MCO555000111",
        last_name="SMITH",
        first_name="ROBIN",
        dob=D(1980, 5, 1),
        sex="M",
        address=HOME,
        responsibility="S",
        filing_indicator="MC",
    )
    claim = _pclaim("SC-6001", line, other_payers=(primary,))
    return _one(sub, MEDICAID, claim, patient=CHILD)


def medicare_secondary() -> Batch837:
    """Medicare secondary payer: SBR05 insurance type 12 and a claim-level-only 2320."""
    primary = OtherPayer(
        payer=COMMERCIAL,
        subscriber_last_name="DOE",
        subscriber_first_name="JORDAN",
        subscriber_member_id="KHP123456789",
        responsibility="P",
        paid_amount=M("80.00"),
        adjudication_date=D(2026, 3, 18),
        adjustments=(Adjustment(group="PR", reason="1", amount=M("70.00")),),
    )
    sub = Subscriber(
        member_id="1EG4TE5MK73",
        last_name="DOE",
        first_name="JORDAN",
        dob=D(1950, 2, 14),
        sex="F",
        address=HOME,
        responsibility="S",
        insurance_type="12",
        filing_indicator="MB",
    )
    claim = _pclaim(
        "MSP-6101", _line("90834", "150.00"), other_payers=(primary,), rendering=PSYCHIATRIST
    )
    return _one(sub, MEDICARE, claim)


def replacement() -> Batch837:
    """A corrected claim: frequency 7 with the payer's claim number in REF*F8."""
    claim = _pclaim(
        "OP-1001",
        _line("90837", "180.00"),
        frequency_code="7",
        original_claim_number="KHP2026030900123",
    )
    return _one(ADULT, COMMERCIAL, claim)


def void() -> Batch837:
    """Cancelling a paid claim: frequency 8 with REF*F8."""
    claim = _pclaim(
        "OP-1001",
        _line("90837", "180.00"),
        frequency_code="8",
        original_claim_number="KHP2026030900123",
    )
    return _one(ADULT, COMMERCIAL, claim)


def many() -> Batch837:
    """Several billing providers, subscribers and claims in one file (HL numbering)."""
    first = BillingGroup(
        provider=CLINIC,
        pay_to=Address(line1="PO BOX 77", city="HARRISBURG", state="PA", zip_code="17108"),
        subscribers=(
            SubscriberGroup(
                subscriber=ADULT,
                payer=COMMERCIAL,
                claims=(
                    _pclaim("MX-1", _line("90834", "150.00")),
                    _pclaim("MX-2", _line("90837", "180.00")),
                ),
            ),
            SubscriberGroup(
                subscriber=PARENT,
                payer=MEDICAID,
                patient=CHILD,
                claims=(_pclaim("MX-3", _line("90853", "60.00"), facility_code="53"),),
            ),
        ),
    )
    second = BillingGroup(
        provider=RESIDENTIAL,
        subscribers=(
            SubscriberGroup(
                subscriber=ADULT,
                payer=COMMERCIAL,
                claims=(
                    _pclaim(
                        "MX-4",
                        _line("H0004", "40.00", units=M(4)),
                        facility_code="57",
                        diagnoses=("F1020",),
                    ),
                ),
            ),
        ),
    )
    return _batch(first, second, reference="BATCHMANY")


PROFESSIONAL_SCENARIOS = {
    "outpatient": outpatient,
    "telehealth": telehealth,
    "group": group_therapy,
    "crisis": crisis,
    "supervised": supervised,
    "secondary": secondary,
    "medicare_secondary": medicare_secondary,
    "replacement": replacement,
    "void": void,
    "many": many,
}


# --- 837I -----------------------------------------------------------------------------------

ATTENDING = PSYCHIATRIST


def _iline(rev: str, code: str, charge: str, day: D, units: str = "1", **kw) -> InstitutionalLine:
    return InstitutionalLine(
        revenue_code=rev,
        procedure_code=code,
        charge=M(charge),
        units=M(units),
        service_date=day,
        **kw,
    )


def _iclaim(pcn: str, *lines: InstitutionalLine, **kw) -> InstitutionalClaim:
    kw.setdefault("attending", ATTENDING)
    kw.setdefault("patient_status", "01")
    return InstitutionalClaim(
        patient_control_number=pcn,
        lines=lines,
        total_charge=sum((ln.charge for ln in lines), M(0)),
        **kw,
    )


def residential() -> Batch837:
    """Residential SUD (ASAM 3.5), interim first bill (TOB 862), per-diem days (rev 1002 with
    H2036, unit DA), a leave of absence as occurrence span 74 and covered / non-covered days as
    value codes 80 / 81 (REFERENCE.md §2 and §14 "Residential ... per census day")."""
    claim = _iclaim(
        "RS-7001",
        _iline(
            "1002",
            "H2036",
            "8400.00",
            D(2026, 3, 2),
            units="14",
            unit_basis="DA",
            service_date_end=D(2026, 3, 17),
            line_control_number="RS1",
        ),
        facility_code="86",
        frequency_code="2",
        diagnoses=("F1020", "F329"),
        statement_from=D(2026, 3, 2),
        statement_to=D(2026, 3, 17),
        admission_date=D(2026, 3, 2),
        admission_time=datetime.time(14, 0),
        admission_type="3",
        admission_source="1",
        patient_status="30",
        admitting_diagnosis="F1020",
        prior_authorization="RES-AUTH-9",
        occurrence_spans=(OccurrenceSpan(code="74", start=D(2026, 3, 10), end=D(2026, 3, 11)),),
        value_codes=(ValueCode(code="80", amount=M(14)), ValueCode(code="81", amount=M(1))),
    )
    return _one(ADULT, COMMERCIAL, claim, provider=RESIDENTIAL)


def withdrawal_management() -> Batch837:
    """Medically monitored withdrawal management (3.7-WM): admit through discharge (TOB 861),
    admission hour and discharge hour, rev 1002 with H0011."""
    claim = _iclaim(
        "WM-7101",
        _iline(
            "1002",
            "H0011",
            "2700.00",
            D(2026, 3, 5),
            units="3",
            unit_basis="DA",
            service_date_end=D(2026, 3, 7),
        ),
        facility_code="86",
        diagnoses=("F10239", "F17210"),
        statement_from=D(2026, 3, 5),
        statement_to=D(2026, 3, 8),
        admission_date=D(2026, 3, 5),
        admission_time=datetime.time(22, 15),
        discharge_time=datetime.time(10, 30),
        admission_type="2",
        admission_source="1",
        admitting_diagnosis="F10239",
        occurrence_codes=(OccurrenceCode(code="42", date=D(2026, 3, 8)),),
    )
    return _one(ADULT, COMMERCIAL, claim, provider=RESIDENTIAL)


def php() -> Batch837:
    """Mental-health partial hospitalization at a CMHC (TOB 761), condition code 41, per-diem
    lines (rev 0912 with H0035) for each program day."""
    lines = tuple(
        _iline("0912", "H0035", "450.00", D(2026, 3, day), line_control_number=f"P{day}")
        for day in (2, 3, 4, 5, 6)
    )
    claim = _iclaim(
        "PHP-8001",
        *lines,
        facility_code="76",
        diagnoses=("F332",),
        statement_from=D(2026, 3, 2),
        statement_to=D(2026, 3, 6),
        condition_codes=("41",),
        reason_for_visit=("F332",),
    )
    return _one(PARENT, MEDICAID, claim, patient=CHILD)


def iop() -> Batch837:
    """SUD intensive outpatient (rev 0906 with H0015), hospital outpatient TOB 131, condition
    code 92, and a Medicare-style per-service PHP/IOP line (rev 0915 with G0410)."""
    claim = _iclaim(
        "IOP-9001",
        _iline("0906", "H0015", "300.00", D(2026, 3, 2)),
        _iline("0906", "H0015", "300.00", D(2026, 3, 4)),
        _iline("0915", "G0410", "120.00", D(2026, 3, 6), units="2"),
        facility_code="13",
        diagnoses=("F1120", "F411"),
        statement_from=D(2026, 3, 2),
        statement_to=D(2026, 3, 6),
        condition_codes=("92",),
        rendering=LCSW,
        service_facility=ServiceFacility(name="RIVERBEND IOP", address=CLINIC_ADDRESS),
        referring=REFERRER,
    )
    return _one(ADULT, COMMERCIAL, claim)


def institutional_secondary() -> Batch837:
    """An 837I secondary claim: 2320/2330 with claim-level CAS and a 2430 on the line."""
    primary = OtherPayer(
        payer=COMMERCIAL,
        subscriber_last_name="SMITH",
        subscriber_first_name="ROBIN",
        subscriber_member_id="KHP998877",
        responsibility="P",
        relationship="19",
        paid_amount=M("300.00"),
        remaining_patient_liability=M("50.00"),
        adjustments=(Adjustment(group="PR", reason="3", amount=M("50.00")),),
    )
    line = _iline(
        "0906",
        "H0015",
        "450.00",
        D(2026, 3, 2),
        adjudications=(
            LineAdjudication(
                payer_id="KHP01",
                paid_amount=M("350.00"),
                paid_units=M(1),
                adjudication_date=D(2026, 3, 25),
                adjustments=(Adjustment(group="CO", reason="45", amount=M("100.00")),),
            ),
        ),
    )
    sub = Subscriber(
        member_id="MCO555000111",
        last_name="SMITH",
        first_name="ROBIN",
        responsibility="S",
        filing_indicator="MC",
    )
    claim = _iclaim(
        "ISC-9101",
        line,
        facility_code="76",
        diagnoses=("F1120",),
        statement_from=D(2026, 3, 2),
        statement_to=D(2026, 3, 2),
        condition_codes=("92",),
        other_payers=(primary,),
    )
    return _one(sub, MEDICAID, claim, patient=CHILD)


def institutional_replacement() -> Batch837:
    """A corrected residential bill: TOB 867 and REF*F8."""
    claim = _iclaim(
        "RS-7001",
        _iline(
            "1002",
            "H2036",
            "9000.00",
            D(2026, 3, 2),
            units="15",
            unit_basis="DA",
            service_date_end=D(2026, 3, 17),
        ),
        facility_code="86",
        frequency_code="7",
        original_claim_number="KHP2026031700456",
        diagnoses=("F1020",),
        statement_from=D(2026, 3, 2),
        statement_to=D(2026, 3, 17),
        admission_date=D(2026, 3, 2),
        admission_type="3",
        admission_source="1",
        patient_status="30",
        value_codes=(ValueCode(code="80", amount=M(15)),),
    )
    return _one(ADULT, COMMERCIAL, claim, provider=RESIDENTIAL)


def institutional_void() -> Batch837:
    """Voiding an IOP bill: TOB 138 and REF*F8."""
    claim = _iclaim(
        "IOP-9001",
        _iline("0906", "H0015", "300.00", D(2026, 3, 2)),
        facility_code="13",
        frequency_code="8",
        original_claim_number="KHP20260399",
        diagnoses=("F1120",),
        statement_from=D(2026, 3, 2),
        statement_to=D(2026, 3, 2),
        condition_codes=("92",),
    )
    return _one(ADULT, COMMERCIAL, claim)


INSTITUTIONAL_SCENARIOS = {
    "residential": residential,
    "withdrawal_management": withdrawal_management,
    "php": php,
    "iop": iop,
    "secondary": institutional_secondary,
    "replacement": institutional_replacement,
    "void": institutional_void,
}

"""Writing 835s (edi/x835_write.py): what the sandbox clearinghouse sends back for submitted
behavioral-health claims reads back equal, validates with pyx12 and balances."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from edi.x12 import X12Error, transactions
from edi.x835 import (
    Adjustment,
    Contact,
    PartyAddress,
    ProviderAdjustment,
    RemitClaim,
    RemitLine,
    Remittance,
    balance_errors,
    read_835,
)
from edi.x835_write import write_835
from tests.edi import scenarios as s
from tests.edi.pyx12_check import pyx12_errors
from tests.edi.samples import needs_samples, sample

D = datetime.date
M = Decimal


def _line(code: str, charge: str, paid: str, *adjustments: Adjustment, **kw) -> RemitLine:
    fields = dict(
        procedure_qualifier="HC",
        procedure_code=code,
        modifiers=(),
        charge=M(charge),
        paid=M(paid),
        units=M(1),
        service_date_from=D(2026, 3, 2),
        service_date_to=D(2026, 3, 2),
        adjustments=adjustments,
    )
    fields.update(kw)
    return RemitLine(**fields)


def _claim(pcn: str, position: int, lines: tuple[RemitLine, ...], **kw) -> RemitClaim:
    charge = sum((ln.charge for ln in lines), M(0))
    paid = sum((ln.paid for ln in lines), M(0))
    fields = dict(
        patient_control_number=pcn,
        status_code="1",
        charge=charge,
        paid=paid,
        filing_indicator="HM",
        payer_claim_number=f"KHP26{position:06d}",
        facility_code="11",
        frequency="1",
        member_id="KHP448812301",
        patient_last_name="RIVERA",
        patient_first_name="ANA",
        rendering_npi="1245319599",
        rendering_name="OKAFOR",
        statement_from=D(2026, 3, 2),
        statement_to=D(2026, 3, 2),
        received_date=D(2026, 3, 9),
        lines=tuple(dataclasses.replace(ln, position=n) for n, ln in enumerate(lines, start=1)),
        position=position,
    )
    fields.update(kw)
    return RemitClaim(**fields)


def _claims() -> tuple[RemitClaim, ...]:
    copay = Adjustment("PR", "3", M(25))
    psychotherapy = _claim(
        "RBH-1001",
        1,
        (
            _line(
                "90837",
                "210",
                "131.4",
                Adjustment("CO", "45", M("53.6")),
                copay,
                modifiers=("95",),
                allowed=M("156.4"),
                line_control_number="RBH-1001-1",
                remarks=("N130",),
            ),
        ),
        patient_responsibility=M(25),
        claim_allowed=M("156.4"),
    )
    # a group day: eight contractual reasons (two CAS segments), interest paid on the claim
    many = tuple(Adjustment("CO", str(reason), M("1.5")) for reason in range(40, 48))
    group = _claim(
        "RBH-1002",
        2,
        (
            _line("H0005", "120", "108", *many, modifiers=("HF", "HQ"), units=M(3)),
            _line(
                "H0015",
                "300",
                "0",
                Adjustment("CO", "197", M(300)),
                line_control_number="RBH-1002-2",
                remarks=("N54", "M62"),
                original_procedure_code="H0015",
                original_modifiers=("HF",),
                original_procedure_qualifier="HC",
                original_units=M(2),
            ),
        ),
        interest=M("1.12"),
        remarks=("MA01",),
    )
    denied = _claim(
        "RBH-1003",
        3,
        (_line("90791", "250", "0", Adjustment("CO", "29", M(250))),),
        status_code="4",
        patient_id="KHP448812302",  # a dependent: the member id is the subscriber's (NM1*IL)
    )
    reversal = _claim(
        "RBH-0990",
        4,
        (
            _line(
                "90834",
                "-150",
                "-98",
                Adjustment("CO", "45", M(-52)),
                units=M(-1),
                service_date_from=D(2026, 2, 2),
                service_date_to=D(2026, 2, 2),
            ),
        ),
        status_code="22",
        frequency="8",
        reversal=True,
        crossover_payer_name="KEYSTONE MEDICAID",
        crossover_payer_id="PAMCD",
    )
    # residential days, billed by revenue code and paid per diem without lines
    residential = _claim(
        "RBH-1004",
        5,
        (),
        charge=M(4200),
        paid=M(3500),
        adjustments=(Adjustment("CO", "45", M(700)),),
        facility_code="86",
        frequency="1",
        statement_from=D(2026, 3, 1),
        statement_to=D(2026, 3, 7),
        coverage_expiration=None,
    )
    return (psychotherapy, group, denied, reversal, residential)


def remittance(**kw) -> Remittance:
    claims = _claims()
    plb = (
        ProviderAdjustment("1234567893", D(2026, 12, 31), "WO", "RBH-0990", M("20.5")),
        ProviderAdjustment("1234567893", D(2026, 12, 31), "L6", None, M("-3.25")),
        *(
            ProviderAdjustment("1234567893", D(2026, 12, 31), "FB", f"FWD{i}", M(1))
            for i in range(4)
        ),
    )
    paid = sum((c.paid for c in claims), M(0)) - sum((p.amount for p in plb), M(0))
    fields = dict(
        control_number="0001",
        handling_code="I",
        total_paid=paid,
        credit_debit="C",
        payment_method="ACH",
        payment_format="CCP",
        bank_details=(
            "01",
            "043000096",
            "DA",
            "1234567",
            "1512345678",
            "",
            "01",
            "031100209",
            "DA",
            "99887766",
        ),
        payment_date=D(2026, 3, 16),
        trace_number="EFT20260316001",
        trace_originator="1512345678",
        payer_name="KEYSTONE HEALTH PLAN",
        payer_id="KHP01",
        payer_additional_id="KHP01",
        payee_name="RIVERBEND BEHAVIORAL HEALTH",
        payee_npi="1234567893",
        payee_tin="231234567",
        production_date=D(2026, 3, 13),
        claims=claims,
        provider_adjustments=plb,
        receiver_id="RBH0001",
        payer_address=PartyAddress("PO BOX 1000", "HARRISBURG", "PA", "17105"),
        payee_address=PartyAddress("200 HOPE STREET", "HARRISBURG", "PA", "171011234", "SUITE 4"),
        payer_contacts=(
            Contact("CX", "PROVIDER SERVICES", (("TE", "8005550199"),)),
            Contact("BL", "EDI SUPPORT", (("TE", "8005550198"), ("EM", "edi@example.org"))),
        ),
    )
    fields.update(kw)
    return Remittance(**fields)


def _comparable(r: Remittance) -> Remittance:
    return dataclasses.replace(r, version=None, interchange_control_number=None, problems=())


def test_the_example_remittance_balances():
    assert balance_errors(remittance()) == []


def test_a_written_835_reads_back_equal():
    text = write_835([remittance()], envelope=s.envelope())
    [back] = read_835(text)
    assert _comparable(back) == _comparable(remittance())
    assert (back.version, back.interchange_control_number) == ("005010X221A1", "000000101")
    assert back.problems == ()


def test_a_written_835_validates_with_pyx12():
    assert pyx12_errors(write_835([remittance()], envelope=s.envelope())) == []


def test_several_remittances_in_one_file_and_a_check_payment_validate():
    check = remittance(
        control_number="0002",
        payment_method="CHK",
        payment_format=None,
        bank_details=(),
        trace_number="CHK000123",
        payee_npi=None,
        payer_id="1512345678",  # the TRN03 itself: no N104 written
        payer_additional_id=None,
    )
    text = write_835([remittance(), check], envelope=s.envelope(newline=True), group_control=7)
    assert pyx12_errors(text) == []
    first, second = read_835(text)
    assert _comparable(second) == _comparable(check)
    assert (second.payee_tin, second.payee_npi) == ("231234567", None)
    assert [r.control_number for r in (first, second)] == ["0001", "0002"]


def test_written_data_balances_after_reading_back():
    [back] = read_835(write_835([remittance()], envelope=s.envelope()))
    assert balance_errors(back) == []


def _segments(text: str, segment_id: str) -> list[str]:
    return [str(seg) for t in transactions(text) for seg in t.body if seg.id == segment_id]


def test_more_than_six_adjustments_of_a_group_split_into_two_cas_segments():
    text = write_835([remittance()], envelope=s.envelope())
    cas = [c for c in _segments(text, "CAS") if c.startswith("CAS*CO*4")]
    assert cas[1:3] == [
        "CAS*CO*40*1.5**41*1.5**42*1.5**43*1.5**44*1.5**45*1.5",
        "CAS*CO*46*1.5**47*1.5",
    ]


def test_adjustments_of_one_line_share_one_cas_per_group_code():
    text = write_835([remittance()], envelope=s.envelope())
    assert _segments(text, "CAS")[:2] == ["CAS*CO*45*53.6", "CAS*PR*3*25"]


def test_seven_provider_adjustments_take_two_plb_segments():
    extra = ProviderAdjustment("1234567893", D(2026, 12, 31), "FB", "FWD4", M(1))
    r = remittance()
    r = dataclasses.replace(
        r, provider_adjustments=(*r.provider_adjustments, extra), total_paid=r.total_paid - 1
    )
    text = write_835([r], envelope=s.envelope())
    assert _segments(text, "PLB") == [
        "PLB*1234567893*20261231*WO:RBH-0990*20.5*L6*-3.25*FB:FWD0*1*FB:FWD1*1*FB:FWD2*1*FB:FWD3*1",
        "PLB*1234567893*20261231*FB:FWD4*1",
    ]
    assert _comparable(read_835(text)[0]) == _comparable(r)
    # The TR3 repeats PLB (max use >1); pyx12's map makes each PLB open its one-time footer loop.
    assert pyx12_errors(text) == [
        "Line:79 SEG:4 - Loop FOOTER exceeded max count.  Found 2, should have 1"
    ]


def test_the_line_and_claim_segments_follow_the_tr3_order():
    text = write_835([remittance()], envelope=s.envelope())
    [t] = transactions(text)
    ids = [seg.id for seg in t.segments]
    assert ids[:13] == [
        "ST", "BPR", "TRN", "REF", "DTM", "N1", "N3", "N4", "REF", "PER", "PER", "N1", "N3",
    ]  # fmt: skip
    first_claim = ids[ids.index("CLP") : ids.index("CLP") + 16]
    assert first_claim == [
        "CLP", "NM1", "NM1", "DTM", "DTM", "DTM", "AMT",
        "SVC", "DTM", "CAS", "CAS", "REF", "AMT", "LQ", "CLP", "NM1",
    ]  # fmt: skip
    assert t.header.elements == ("ST", "835", "0001")  # X221A1: ST03 not used


def test_an_unbalanced_remittance_is_refused_unless_asked_for():
    off = remittance(total_paid=remittance().total_paid + 1)
    with pytest.raises(X12Error, match="remittance 1 does not balance: payment: claims paid"):
        write_835([off], envelope=s.envelope())
    [back] = read_835(write_835([off], envelope=s.envelope(), allow_unbalanced=True))
    assert [e.level for e in balance_errors(back)] == ["payment"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"payment_date": None}, "BPR16"),
        ({"bank_details": ()}, "an ACH payment needs its bank details"),
        ({"payer_address": None}, r"payer's name and address \(N1\*PR, N3, N4\)"),
        ({"payer_contacts": ()}, r"technical contact \(PER\*BL\)"),
        ({"payee_npi": None, "payee_tin": None}, "payee's name and NPI or TIN"),
        ({"trace_number": None}, "TRN02"),
        (
            {"claims": tuple(dataclasses.replace(c, filing_indicator="CI") for c in _claims())},
            "CLP06 'CI' is not an 835 claim filing indicator",
        ),
    ],
)
def test_what_the_tr3_requires_is_asked_for_by_name(change, message):
    with pytest.raises(X12Error, match=message):
        write_835([remittance(**change)], envelope=s.envelope())


def test_two_remittances_with_the_same_st02_are_refused():
    with pytest.raises(X12Error, match="ST02 0001 is already used"):
        write_835([remittance(), remittance()], envelope=s.envelope())


@needs_samples
@pytest.mark.parametrize(
    "name",
    [
        "keiron__emedny-medicaid.x12",
        "pyx12__denied-claim-multiple-loops.x12",
        "stupidedi__era-sample.x12",
        "stupidedi__secondary-payment-higher-fee-schedule.x12",
        "stupidedi__secondary-payments.x12",
        "stupidedi__tr3-dollars-and-data-sent-separately.x12",
        "stupidedi__tr3-dollars-and-data-together-medicare-part-a.x12",
    ],
)
def test_a_sample_rewritten_reads_back_equal_and_validates(name):
    remittances = read_835(sample("835", name))
    text = write_835(remittances, envelope=s.envelope())
    assert [_comparable(r) for r in read_835(text)] == [_comparable(r) for r in remittances]
    assert pyx12_errors(text) == []

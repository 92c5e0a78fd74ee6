"""Eligibility: 270 inquiries written and read (edi/x270.py), 271 responses read and written
(edi/x271.py), and the sandbox's 271 answers (edi/eligibility_scenarios.py).

pyx12 4.0 cannot check either set: it ships only 4010 (X092A1) 270/271 maps, and its maps.xml
names 5010 X092A1 files it does not have; there is no 005010X279A1 map at all. The writer is held
to the TR3 examples in the shared corpus instead: the guide's inquiries, written again, give the
guide's segments. Every figure asserted about a sample was read from the file."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from decimal import Decimal

import pytest

from edi.eligibility_scenarios import CARVE_OUT_PHONE, answer, answer_270, scenario_for
from edi.x12 import X12Error, parse, transactions
from edi.x12_writer import Envelope
from edi.x270 import BH_SERVICE_TYPES, EligibilityInquiry, read_270, write_270
from edi.x271 import (
    Benefit,
    Contact,
    DateRange,
    Delivery,
    EligibilityResponse,
    Entity,
    Person,
    Rejection,
    read_271,
    write_271,
)
from tests.edi.pyx12_check import pyx12_errors
from tests.edi.samples import needs_samples, sample, sample_names

D = datetime.date
M = Decimal
CREATED = datetime.datetime(2026, 11, 27, 9, 30)


def _body(text: str | bytes) -> list[str]:
    [t] = transactions(text)
    return [str(seg) for seg in t.body]


def _envelope(created: datetime.datetime = CREATED, control: int = 7) -> Envelope:
    return Envelope(sender_id="PROVIDER", receiver_id="PAYER", control_number=control,
                    created=created, usage="T")  # fmt: skip


def _inquiry(**overrides) -> EligibilityInquiry:
    values = dict(
        payer_name="SYNTH HEALTH PLAN",
        payer_id="SYN01",
        provider_name="RIVERSIDE COUNSELING",
        provider_npi="1234567893",
        member_id="W100200301",
        subscriber_last_name="RIVERA",
        subscriber_first_name="ANA",
        subscriber_birth_date=D(1988, 3, 14),
        subscriber_gender="F",
        service_types=("30", "MH", "A6", "AI"),
        service_date=D(2026, 11, 30),
        trace_number="ELIG-0001",
    )
    values.update(overrides)
    return EligibilityInquiry(**values)


# --- 270 samples ----------------------------------------------------------------------------

# file -> (member id, trace, service types, dependent) per inquiry, read from the files
READS_270 = {
    "kartik__batch-two-inquiries.x12": [
        ("000123450", "TRACE0001", ("30",), False),
        ("000123451", "TRACE0002", ("30",), False),
    ],
    "kartik__custom-delimiters.x12": [("000123453", "TRACE0003", ("30",), False)],  # | ! delimiters
    "lfh__dependent-benefit-inquiry.x12": [("11122333301", "93175-012547", ("30",), True)],
    "lfh__subscriber-benefit-inquiry.x12": [("11122333301", "93175-012547", ("30",), False)],
}


@needs_samples
def test_every_270_sample_is_classified():
    assert set(sample_names("270")) == set(READS_270)


@needs_samples
@pytest.mark.parametrize("name", sorted(READS_270))
def test_a_270_sample_reads_one_inquiry_per_member(name):
    found = read_270(sample("270", name))
    assert [(q.member_id, q.trace_number, q.service_types, q.dependent) for q in found] == (
        READS_270[name]
    )


@needs_samples
def test_the_guide_dependent_inquiry_reads_the_dependent_and_the_person_provider():
    [q] = read_270(sample("270", "lfh__dependent-benefit-inquiry.x12"))
    assert (q.patient_last_name, q.patient_first_name, q.patient_birth_date) == (
        "SMITH",
        "MARY",
        D(1978, 10, 14),
    )
    assert (q.subscriber_last_name, q.member_id) == ("", "11122333301")
    assert (q.provider_name, q.provider_first_name, q.provider_id_qualifier) == (
        "JONES",
        "MARCUS",
        "SV",
    )
    assert (q.service_date, q.trace_originator) == (D(2006, 5, 1), "9877281234")


@needs_samples
def test_pyx12_has_no_5010_eligibility_map_so_the_guide_examples_are_the_reference():
    for kind, name in (
        ("270", "lfh__subscriber-benefit-inquiry.x12"),
        ("271", "lfh__subscriber-benefit-response.x12"),
    ):
        [error] = pyx12_errors(sample(kind, name).decode())
        assert "Map not found" in error and "005010X279A1" in error


@needs_samples
@pytest.mark.parametrize(
    ("name", "provider", "subscriber", "patient"),
    [
        ("lfh__subscriber-benefit-inquiry.x12", ("BONE AND JOINT CLINIC", None, "2000035"),
         ("SMITH", "ROBERT", D(1943, 5, 19)), None),
        ("lfh__dependent-benefit-inquiry.x12", ("JONES", "MARCUS", "2000034"),
         ("", None, None), ("SMITH", "MARY", D(1978, 10, 14))),
    ],
)  # fmt: skip
def test_the_guide_inquiries_written_again_give_the_guide_segments(
    name, provider, subscriber, patient
):
    q = EligibilityInquiry(
        payer_name="ABC COMPANY",
        payer_id="842610001",
        provider_name=provider[0],
        provider_first_name=provider[1],
        provider_npi=provider[2],
        provider_id_qualifier="SV",
        member_id="11122333301",
        subscriber_last_name=subscriber[0],
        subscriber_first_name=subscriber[1],
        subscriber_birth_date=subscriber[2],
        patient_last_name=patient[0] if patient else None,
        patient_first_name=patient[1] if patient else None,
        patient_birth_date=patient[2] if patient else None,
        service_date=D(2006, 5, 1),
        trace_number="93175-012547",
        trace_originator="9877281234",
    )
    written = write_270(
        [q],
        envelope=_envelope(datetime.datetime(2006, 5, 1, 13, 19)),
        batch_id="10001234",
        transaction_control="1234",
    )
    assert _body(written) == _body(sample("270", name))


# --- 270 writing ----------------------------------------------------------------------------


def test_a_written_270_asks_each_service_type_once_with_the_date_of_service_and_reads_back():
    subscriber = _inquiry(service_types=("30", *BH_SERVICE_TYPES))
    dependent = _inquiry(
        member_id="W100200302",
        patient_last_name="RIVERA",
        patient_first_name="LUCA",
        patient_birth_date=D(2012, 6, 1),
        patient_gender="M",
        service_types=("MH", "A8"),
        service_end=D(2026, 12, 15),
        trace_number="ELIG-0002",
    )
    text = write_270([subscriber, dependent], envelope=_envelope(), batch_id="B1")
    body = _body(text)
    assert [s for s in body if s.startswith("EQ")][:3] == ["EQ*30", "EQ*MH", "EQ*A4"]
    assert "DTP*291*D8*20261130" in body and "DTP*291*RD8*20261130-20261215" in body
    assert "HL*4*2*22*1" in body and "HL*5*4*23*0" in body  # dependent under its subscriber
    assert [s for s in body if s.startswith("TRN")] == [
        "TRN*1*ELIG-0001*9123456789",
        "TRN*1*ELIG-0002*9123456789",
    ]
    [interchange] = parse(text)
    assert interchange.problems == () and interchange.groups[0].functional_id == "HS"
    assert read_270(text) == [
        dataclasses.replace(subscriber, trace_originator=subscriber.originator),
        dataclasses.replace(dependent, trace_originator=dependent.originator),
    ]


def test_the_trace_originator_is_ten_characters_by_default():
    assert _inquiry().originator == "9123456789"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"trace_number": ""}, "trace_number"),
        ({"member_id": ""}, "member_id"),
        ({"service_types": ()}, "service types"),
        ({"service_types": ("MH", "ZZ9")}, "unknown service type"),
        ({"subscriber_last_name": ""}, "subscriber_last_name"),
    ],
)
def test_an_incomplete_inquiry_is_refused_with_the_field_named(change, message):
    with pytest.raises(X12Error, match=message):
        write_270([_inquiry(**change)], envelope=_envelope(), batch_id="B1")


def test_reading_a_271_as_a_270_is_refused():
    text = write_271([answer(_inquiry(), today=D(2026, 11, 27))], envelope=_envelope())
    with pytest.raises(X12Error, match="no 270"):
        read_270(text)


# --- 271 samples ----------------------------------------------------------------------------

# file -> (responses, traces of the first three, rejection codes over the file, benefits in
# the first response), every figure read from the file
READS_271 = {
    "kartik__active-coverage.x12": (1, ["TRACE0001"], [], 1),
    "kartik__gainwell-style-medicaid-with-mental-health.x12": (
        153,
        ["TRACE000001", "TRACE000002", "TRACE000003"],
        ["71"] * 4 + ["73"] * 8 + ["75"],
        1,
    ),
    "kartik__ls-le-wrapper.x12": (1, ["TRACE0004"], [], 1),
    "kartik__multiple-eb.x12": (1, ["TRACE0003"], [], 2),
    "kartik__rejected-subscriber.x12": (1, ["TRACE0002"], ["72"], 0),
    "lfh__dependent-benefit-response.x12": (1, ["93175-012547"], [], 5),
    "lfh__subscriber-benefit-response.x12": (1, ["93175-012547"], [], 5),
    "lfh__subscriber-error-response.x12": (1, [""], ["50"], 0),  # SE02 4323 != ST02 4321
    "oopfactory__from-georgiosd.x12": (1, [""], ["42"], 1),  # BOM + indentation, no TRN
}


@needs_samples
def test_every_271_sample_is_classified():
    assert set(sample_names("271")) == set(READS_271)


@needs_samples
@pytest.mark.parametrize("name", sorted(READS_271))
def test_a_271_sample_reads_one_response_per_member(name):
    count, traces, codes, benefits = READS_271[name]
    found = read_271(sample("271", name))
    assert len(found) == count
    assert [r.trace_number for r in found[:3]] == traces
    assert sorted(x.code for r in found for x in r.rejections) == codes
    assert len(found[0].benefits) == benefits


@needs_samples
def test_the_guide_error_response_is_a_provider_level_rejection_without_a_member():
    data = sample("271", "lfh__subscriber-error-response.x12")
    [interchange] = parse(data)
    assert interchange.problems == (
        "segment 10 SE: SE02 (ST02 control number) is '4323', expected '4321'",
    )
    [r] = read_271(data)
    assert (r.subscriber, r.rejected) == (None, True)
    assert r.rejections == (Rejection(code="50", follow_up="N", valid=True, level="receiver"),)
    assert r.rejections[0].message == "the provider is not eligible to make inquiries"


@needs_samples
def test_the_gainwell_batch_reads_repeated_service_types_and_the_2120_contacts():
    found = read_271(sample("271", "kartik__gainwell-style-medicaid-with-mental-health.x12"))
    first = found[0]
    [eb] = first.benefits
    assert eb.service_types == ("30", "1", "35", "47", "48", "50", "86", "88", "AL", "MH")
    assert (eb.info, eb.insurance_type, eb.plan_description) == (
        "1",
        "MC",
        "TEST PLAN|A001|MEDICAID",
    )
    assert eb.dates == (DateRange("291", D(2026, 4, 22)),)
    [sponsor] = eb.entities
    assert (sponsor.code, sponsor.name, sponsor.phone) == ("P5", "PLAN SPONSOR 001", "8665550001")
    assert [c.name for c in sponsor.contacts] == ["PROVIDER RELATIONS", "EDI HELPDESK"]
    assert sponsor.contacts[0].email == "support001@example.test"
    assert (first.subscriber.member_id, first.subscriber.birth_date) == ("SUB000001", D(1980, 1, 1))
    with_mh = sum(1 for r in found if any("MH" in b.service_types for b in r.benefits))
    assert with_mh == 136
    infos = Counter(b.info for r in found[136:140] for b in r.benefits)
    assert infos == Counter({"R": 1, "L": 1, "MC": 1, "B": 1})
    assert found[139].benefits[0].amount == M("5.00")
    assert found[139].benefits[0].time_period == "23"


@needs_samples
def test_the_guide_dependent_response_reads_subscriber_dependent_and_network_copays():
    [r] = read_271(sample("271", "lfh__dependent-benefit-response.x12"))
    assert r.dependent and r.member is r.patient
    assert (r.subscriber.first_name, r.subscriber.member_id) == ("JOHN", "123456789")
    assert (r.patient.first_name, r.patient.relationship, r.patient.gender) == ("MARY", "19", "F")
    assert r.patient.address == ("15197 BROADWAY AVENUE", "APT 215")
    assert r.date("346") == DateRange("346", D(2006, 1, 1))
    copays = [(b.amount, b.network, b.in_network) for b in r.benefits if b.info == "B"]
    assert copays == [(M("10.00"), "Y", True), (M("30.00"), "N", False)]
    pcp = r.benefits[1]
    assert (pcp.info, pcp.entities[0].code, pcp.entities[0].display_name) == (
        "L",
        "P3",
        "MARCUS JONES",
    )


@needs_samples
def test_a_2120_loop_without_a_name_and_a_date_after_le_stay_with_their_benefit():
    [r] = read_271(sample("271", "kartik__ls-le-wrapper.x12"))
    [eb] = r.benefits
    assert eb.entities == () and eb.dates == (DateRange("291", D(2026, 4, 12)),)


# --- broken input ---------------------------------------------------------------------------

_GOOD = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROV           *261127*0930*^*00501"
    "*000000001*0*T*:~GS*HB*PAYER*PROV*20261127*0930*1*X*005010X279A1~ST*271*0001*005010X279A1~"
    "BHT*0022*11*R1*20261127*0930~HL*1**20*1~NM1*PR*2*PLAN*****PI*P1~HL*2*1*21*1~"
    "NM1*1P*2*CLINIC*****XX*1234567893~HL*3*2*22*0~TRN*2*T1*9123456789~"
    "NM1*IL*1*DOE*JO****MI*M1~{body}SE*{count}*0001~GE*1*1~IEA*1*000000001~"
)


def _271(body: str) -> str:
    return _GOOD.format(body=body, count=11 + body.count("~"))


def test_a_hand_built_271_reads():
    [r] = read_271(_271("EB*1**30~"))
    assert r.active is True and r.trace_number == "T1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("EB***MH~", "EB01"),
        ("EB*1**30~DTP*346*D8*20261345~", "not a date"),
        ("EB*B**MH***27*ten~", "not an amount"),
        ("AAA*N~", "AAA03"),
        ("LS*2120~", "outside a benefit"),
        ("HL*4*3*99*0~", "HL level"),
    ],
)
def test_a_271_with_a_broken_segment_raises_x12_error_with_the_reason(body, message):
    with pytest.raises(X12Error, match=message):
        read_271(_271(body))


@pytest.mark.parametrize(
    "data",
    ["", "not x12 at all", _271("EB*1**30~")[:-40], b"\xff\xfeISA", _271("")[:300]],
)
def test_unreadable_271_text_raises_x12_error_only(data):
    with pytest.raises(X12Error):
        read_271(data)


def test_a_271_without_a_payer_level_is_refused():
    text = _271("").replace("HL*1**20*1~NM1*PR*2*PLAN*****PI*P1~", "")
    text = text.replace("SE*11*", "SE*9*")
    with pytest.raises(X12Error, match="information source"):
        read_271(text)


# --- 271 writing ----------------------------------------------------------------------------


def _rich_response() -> EligibilityResponse:
    vendor = Entity(
        code="VN",
        name="MINDBRIDGE BEHAVIORAL",
        id_qualifier="PI",
        id="MB1",
        address=("PO BOX 55",),
        city="AUSTIN",
        state="TX",
        postal_code="78701",
        contacts=(Contact(name="UM LINE", numbers=(("TE", "8005550100"), ("EX", "22"))),),
        taxonomy="103T00000X",
    )
    return EligibilityResponse(
        payer=Entity(code="PR", name="SYNTH HEALTH PLAN", id_qualifier="PI", id="SYN01"),
        provider=Entity(
            code="1P", name="RIVERSIDE COUNSELING", id_qualifier="XX", id="1234567893"
        ),  # fmt: skip
        subscriber=Person(
            last_name="RIVERA", first_name="ANA", member_id="W100200301", refs=(("6P", "GRP77"),)
        ),  # fmt: skip
        patient=Person(
            last_name="RIVERA",
            first_name="LUCA",
            birth_date=D(2012, 6, 1),
            gender="M",
            relationship="19",
        ),  # fmt: skip
        trace_number="ELIG-0002",
        trace_originator="9123456789",
        dates=(DateRange("346", D(2026, 1, 1)), DateRange("356", D(2026, 1, 1), D(2026, 12, 31))),
        benefits=(
            Benefit(
                info="1",
                coverage_level="FAM",
                service_types=("30",),
                insurance_type="PR",
                plan_description="GOLD PPO",
            ),  # fmt: skip
            Benefit(
                info="F",
                service_types=("A6",),
                time_period="23",
                quantity_qualifier="VS",
                quantity=M(20),
                authorization="N",
                network="Y",
                deliveries=(Delivery("VS", M(1), "", None, "35", M(1), "", ""),),
                refs=(("G1", "AUTH1"),),
                messages=("LIMIT SHARED WITH A8",),
                procedure=("HC", "90837"),
            ),  # fmt: skip
            Benefit(
                info="U",
                service_types=("AI", "AJ", "AK"),
                entities=(vendor,),
                rejections=(Rejection(code="15", follow_up="C", level="benefit"),),
            ),  # fmt: skip
        ),
        reference="ELIG-0002",
    )


def test_a_written_271_reads_back_to_the_same_response():
    written = _rich_response()
    text = write_271([written], envelope=_envelope())
    [read] = read_271(text)
    assert dataclasses.replace(read, traces=(), control_number="", created=None) == written
    assert read.traces == (("2", "ELIG-0002", "9123456789"),)
    assert "EB*U**AI^AJ^AK~" in text and "EB*F**A6***23***VS*20*N*Y*HC:90837~" in text
    [interchange] = parse(text)
    assert interchange.problems == () and interchange.groups[0].functional_id == "HB"


def test_a_written_receiver_level_rejection_reads_back_without_a_member():
    written = EligibilityResponse(
        payer=Entity(code="PR", name="PLAN", id_qualifier="PI", id="P1"),
        provider=Entity(code="1P", name="CLINIC", id_qualifier="XX", id="1234567893"),
        rejections=(Rejection(code="43", follow_up="C", valid=True, level="receiver"),),
        reference="R1",
    )
    [read] = read_271(write_271([written], envelope=_envelope()))
    assert dataclasses.replace(read, control_number="", created=None) == written


def test_writing_no_responses_is_refused():
    with pytest.raises(X12Error):
        write_271([], envelope=_envelope())


# --- the sandbox's answers ------------------------------------------------------------------


def test_the_member_id_picks_the_sandbox_answer():
    assert [scenario_for(m) for m in ("A1", "A7", "A8", "A9", "")] == [
        "active",
        "carved_out",
        "inactive",
        "invalid_member",
        "active",
    ]


def test_the_sandbox_answers_each_inquiry_of_a_270_with_a_271_that_echoes_its_trace():
    inquiries = [
        _inquiry(member_id="M1", trace_number="T-A"),
        _inquiry(member_id="M7", trace_number="T-C"),
        _inquiry(member_id="M8", trace_number="T-I"),
        _inquiry(member_id="M9", trace_number="T-R"),
    ]
    request = write_270(inquiries, envelope=_envelope(), batch_id="B1")
    responses = read_271(answer_270(request, envelope=_envelope(control=8)))
    assert [r.trace_number for r in responses] == ["T-A", "T-C", "T-I", "T-R"]
    assert [r.active for r in responses] == [True, True, False, None]
    assert [x.code for x in responses[3].rejections] == ["72"]
    carved = next(b for b in responses[1].benefits if b.info == "U")
    assert "MH" in carved.service_types and carved.entities[0].phone == CARVE_OUT_PHONE
    inactive = responses[2]
    assert [b.info for b in inactive.benefits] == ["6"]
    assert inactive.date("347") == DateRange("347", D(2025, 12, 31))


def test_the_sandbox_answers_a_dependent_inquiry_at_the_dependent_level():
    q = _inquiry(patient_last_name="RIVERA", patient_first_name="LUCA", trace_number="T-D")
    text = write_271([answer(q, today=D(2026, 11, 27))], envelope=_envelope())
    [r] = read_271(text)
    assert r.dependent and r.patient.first_name == "LUCA" and r.trace_number == "T-D"
    assert "HL*4*3*23*0" in _body(text)


@needs_samples
def test_reading_a_270_as_a_271_is_refused():
    with pytest.raises(X12Error, match="no 271"):
        read_271(sample("270", "lfh__subscriber-benefit-inquiry.x12"))

"""999 acknowledgments: the shared samples read into per-set verdicts with located errors, and
a written 999 reads back the same and validates with pyx12 (edi/ack999.py)."""

from __future__ import annotations

import dataclasses

import pytest

from edi.ack999 import (
    Ack999,
    Context,
    ElementError,
    SegmentError,
    TransactionAck,
    ack999_for,
    group_ack,
    read_999,
    write_999,
)
from edi.x12 import X12Error
from edi.x837 import write_837p
from tests.edi import scenarios as s
from tests.edi.pyx12_check import pyx12_errors
from tests.edi.samples import needs_samples, sample


@needs_samples
def test_an_accepted_group():
    [ack] = read_999(sample("999", "imsweb__999-accepted.x12"))
    assert (ack.functional_id, ack.group_control, ack.version) == ("HC", "17456", "005010X223A2")
    assert (ack.status, ack.included, ack.received, ack.accepted_count) == ("A", 1, 1, 1)
    assert ack.status_meaning == "accepted"
    [set_ack] = ack.transactions
    assert (set_ack.set_id, set_ack.control_number, set_ack.status) == ("837", "0001", "A")
    assert set_ack.accepted and set_ack.errors == ()


@needs_samples
def test_a_rejected_group_locates_the_bad_segment():
    [ack] = read_999(sample("999", "imsweb__999-rejected.x12"))
    assert (ack.status, ack.accepted_count, ack.control_number) == ("R", 0, "95832987")
    [set_ack] = ack.transactions
    assert not set_ack.accepted
    assert set_ack.error_codes == ("5",)
    assert set_ack.error_meanings == ("one or more segments in error",)
    [error] = set_ack.errors
    assert (error.segment_id, error.position, error.code) == ("NM", 17, "1")
    assert error.meaning == "segment id not recognized"


@needs_samples
@pytest.mark.parametrize(
    "name", ["stupidedi__999-response-to-3-837s.x12", "oopfactory__999-wisconsin-dhs.x12"]
)
def test_a_partially_accepted_group_of_three_837s(name):
    [ack] = read_999(sample("999", name))
    assert (ack.status, ack.included, ack.received, ack.accepted_count) == ("P", 3, 3, 1)
    assert ack.status_meaning.startswith("partially accepted")
    first, second, third = ack.transactions
    assert first.accepted and not second.accepted and not third.accepted
    [clm] = second.errors
    assert (clm.segment_id, clm.position, clm.code, clm.meaning) == (
        "CLM",
        22,
        "8",
        "segment has data element errors",
    )
    assert clm.claim_reference == "123456789"
    [element] = clm.elements
    assert (element.position, element.reference_number, element.code) == (2, "782", "1")
    assert element.meaning == "required element missing"
    [ref] = third.errors
    assert (ref.segment_id, ref.position, ref.meaning) == ("REF", 57, "required segment missing")
    assert ref.context[0] == Context(name="SITUATIONAL TRIGGER", segment_id="CLM", position="43")
    assert ref.claim_reference == "987654321"
    assert ack.transaction("0003") is third and ack.transaction("9999") is None


@needs_samples
def test_one_999_per_transaction_set_in_the_file():
    acks = read_999(sample("999", "pyx12__999-for-834-multiple-st.x12"))
    assert [a.control_number for a in acks] == ["0001", "0002", "0003", "0004"]
    assert {(a.functional_id, a.status) for a in acks} == {("BE", "A")}


def test_a_file_without_a_999_is_refused():
    text = write_837p(s.outpatient(), envelope=s.envelope(), group_control=1)
    with pytest.raises(X12Error, match="no 999"):
        read_999(text)


def _ack() -> Ack999:
    return group_ack(
        functional_id="HC",
        group_control="1",
        version="005010X222A1",
        sets=[
            TransactionAck(set_id="837", control_number="0001", status="A", version="005010X222A1"),
            TransactionAck(
                set_id="837",
                control_number="0002",
                status="R",
                version="005010X222A1",
                error_codes=("5",),
                errors=(
                    SegmentError(
                        segment_id="CLM",
                        position=19,
                        loop="2300",
                        code="8",
                        context=(Context(name="CLM01", reference="OP-1001"),),
                        elements=(ElementError(position=2, code="1", reference_number="782"),),
                    ),
                    SegmentError(
                        segment_id="NM1",
                        position=9,
                        loop="2010",
                        code="8",
                        elements=(
                            ElementError(
                                position=9, code="7", reference_number="67", bad_value="1"
                            ),
                            ElementError(
                                position=5, component=3, code="7", reference_number="1331"
                            ),
                        ),
                    ),
                    SegmentError(segment_id="REF", position=25, loop="2300", code="3"),
                ),
            ),
        ],
    )


def test_group_status_follows_the_transaction_verdicts():
    assert (_ack().status, _ack().accepted_count) == ("P", 1)
    accepted = TransactionAck(set_id="837", control_number="0001", status="A")
    noted = dataclasses.replace(accepted, status="E")
    rejected = dataclasses.replace(accepted, status="R")

    def build(*sets: TransactionAck) -> str:
        return group_ack(functional_id="HC", group_control="1", version="V", sets=sets).status

    assert (build(accepted), build(accepted, noted), build(rejected), build()) == (
        "A",
        "E",
        "R",
        "R",
    )


def test_a_written_999_reads_back_and_validates_with_pyx12():
    ack = _ack()
    text = write_999(ack, envelope=s.envelope(), group_control=6, transaction_control=12)
    assert pyx12_errors(text) == []
    [back] = read_999(text)
    assert back == dataclasses.replace(ack, control_number="0012")


def test_ik303_loop_ids_longer_than_4_characters_are_refused():
    long_loop = SegmentError(segment_id="NM1", position=9, loop="2010AA", code="8")
    ack = group_ack(
        functional_id="HC",
        group_control="1",
        version="005010X222A1",
        sets=[TransactionAck(set_id="837", control_number="1", status="R", errors=(long_loop,))],
    )
    with pytest.raises(X12Error, match="IK303"):
        write_999(ack, envelope=s.envelope(), group_control=1)


def test_a_sandbox_answers_a_received_837_with_a_999():
    received = write_837p(s.outpatient(), envelope=s.envelope(), group_control=44)
    [accepted] = ack999_for(received)
    assert (accepted.group_control, accepted.status, accepted.version) == (
        "44",
        "A",
        "005010X222A1",
    )
    error = SegmentError(segment_id="CLM", position=19, loop="2300", code="8")
    [rejected] = ack999_for(received, rejections={"0001": [error]})
    assert rejected.status == "R" and rejected.transactions[0].errors == (error,)
    text = write_999(rejected, envelope=s.envelope(), group_control=2)
    assert pyx12_errors(text) == []
    assert read_999(text)[0].transactions[0].error_meanings == ("one or more segments in error",)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("AK2*837*0001~IK5*A~AK9*A*1*1*1~", "without AK1 or AK9"),
        ("AK1*HC*1~AK2*837*0001~AK9*A*1*1*1~", "AK2 without IK5"),
        ("AK1*HC*1~IK5*A~AK9*A*1*1*1~", "IK5 outside an AK2"),
        ("AK1*HC*1~AK2*837*0001~IK4*2*782*1~IK5*R~AK9*R*1*1*0~", "IK4 without IK3"),
        ("AK1*HC*1~AK9*A*one*1*1~", "AK902 must be a number"),
    ],
)
def test_a_malformed_999_raises_x12error(body, message):
    count = body.count("~") + 2
    text = (
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260406*0930*^*"
        "00501*000000001*0*T*:~GS*FA*A*B*20260406*0930*1*X*005010X231A1~ST*999*0001~"
        f"{body}SE*{count}*0001~GE*1*1~IEA*1*000000001~"
    )
    with pytest.raises(X12Error, match=message):
        read_999(text)

"""277CA claim acknowledgments: per-claim status by patient control number from the shared
samples, and a written 277CA that reads back and validates with pyx12 (edi/ack277.py)."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from edi.ack277 import Ack277, ClaimAck, Status, StatusInfo, read_277ca, write_277ca
from edi.x12 import X12Error
from edi.x837 import write_837i, write_837p
from edi.x837_read import list_claims
from tests.edi import scenarios as s
from tests.edi.pyx12_check import pyx12_errors
from tests.edi.samples import needs_samples, sample

D = datetime.date


@needs_samples
def test_an_accepted_claim():
    [ack] = read_277ca(sample("277", "imsweb__277ca-accepted.x12"))
    assert (ack.reference, ack.source_name, ack.received) == ("000000674", "NYSDOH", D(2011, 3, 11))
    assert (ack.accepted_count, ack.accepted_amount) == (1, Decimal("125.0"))
    claim = ack.claim("5781")
    assert claim is not None and claim.accepted and not claim.rejected
    assert claim.payer_claim_number == "1107000000014420"
    assert claim.all_statuses == (Status("A2", "20"),)
    assert claim.all_statuses[0].meaning == (
        "accepted into the adjudication system: accepted for processing"
    )
    assert (claim.member_id, claim.billing_provider_npi, claim.charge) == (
        "LL99999X",
        "1234567890",
        Decimal("125"),
    )


@needs_samples
def test_a_rejected_claim_names_the_entity_at_fault():
    [ack] = read_277ca(sample("277", "imsweb__277ca-rejected.x12"))  # '|' components
    [claim] = ack.claims
    assert claim.patient_control_number == "3920394930203"
    assert claim.rejected and not claim.accepted
    [status] = claim.all_statuses
    assert status == Status("A7", "562", "85")
    assert status.meaning == "rejected: information invalid: the entity's NPI (billing provider)"
    assert (claim.bill_type, claim.service_from) == ("731", D(2009, 3, 11))


@needs_samples
def test_a_deidentified_277ca_with_several_statuses_per_claim():
    [ack] = read_277ca(sample("277", "oopfactory__277ca-deidentified-from-nth.x12"))
    assert ack.rejected_count == 3 and len(ack.claims) == 3
    assert [len(c.statuses) for c in ack.claims] == [3, 3, 3]
    assert [c.charge for c in ack.claims] == [Decimal("220"), Decimal("340"), Decimal("340")]
    assert ack.claims[0].statuses[0].action == "U"


@needs_samples
def test_a_277_claim_status_response_reads_with_the_same_reader():
    [ack] = read_277ca(sample("277", "lfh__x212-claim-level-status-response.x12"))
    assert ack.version == "005010X212" and ack.reference == ""
    assert [c.patient_control_number for c in ack.claims] == ["ABCXYZ1", "ABCXYZ2", "ABCXYC3"]
    assert ack.claims[2].all_statuses == (Status("F2", "88", "QC"),)
    assert len(ack.claims[2].line_statuses) == 1


def _ack() -> Ack277:
    """A sandbox clearinghouse's answer to the outpatient and residential files: the
    professional claim accepted, the institutional one rejected for the billing NPI."""
    outpatient = write_837p(s.outpatient(), envelope=s.envelope(), group_control=1)
    residential = write_837i(s.residential(), envelope=s.envelope(), group_control=2)
    claims = []
    for summary in list_claims(outpatient) + list_claims(residential):
        rejected = summary.institutional
        status = Status("A7", "562", "85") if rejected else Status("A2", "20")
        charge = summary.total_charge
        claims.append(
            ClaimAck(
                patient_control_number=summary.patient_control_number,
                statuses=(
                    StatusInfo(statuses=(Status("A1", "19", "PR"),), amount=charge),
                    StatusInfo(
                        statuses=(status,),
                        amount=charge,
                        message="NPI NOT ON FILE" if rejected else "",
                    ),
                ),
                payer_claim_number="" if rejected else "KHP2026040600001",
                bill_type=summary.type_of_bill,
                patient_last_name=summary.patient_last_name,
                patient_first_name=summary.patient_first_name,
                member_id=summary.member_id,
                billing_provider_name=summary.billing_provider_name,
                billing_provider_npi=summary.billing_provider_npi,
                service_from=summary.service_from,
                service_to=summary.service_to,
            )
        )
    return Ack277(
        reference="BATCH0001",
        claims=tuple(claims),
        source_name="SANDBOX CLEARINGHOUSE",
        source_id="SANDBOXCH",
        source_trace="ST277-0001",
        receiver_name="RIVERBEND BEHAVIORAL HEALTH",
        receiver_id="RBH0001",
        received=D(2026, 4, 6),
        processed=D(2026, 4, 6),
        batch_id="CA0001",
    )


def test_a_written_277ca_validates_with_pyx12():
    text = write_277ca(_ack(), envelope=s.envelope(), group_control=9)
    assert pyx12_errors(text) == []


def _action(info: StatusInfo) -> str:
    return "U" if any(status.rejected for status in info.statuses) else "WQ"


def test_a_written_277ca_reads_back_per_claim():
    text = write_277ca(_ack(), envelope=s.envelope(), group_control=9, transaction_control=3)
    [back] = read_277ca(text)
    assert (back.reference, back.control_number, back.batch_id) == ("BATCH0001", "0003", "CA0001")
    assert (back.accepted_count, back.rejected_count) == (1, 1)
    assert (back.accepted_amount, back.rejected_amount) == (Decimal("430"), Decimal("8400"))
    accepted, rejected = back.claim("OP-1001"), back.claim("RS-7001")
    assert accepted.accepted and accepted.payer_claim_number == "KHP2026040600001"
    assert rejected.rejected and rejected.bill_type == "862"
    assert rejected.statuses[1].action == "U" and rejected.statuses[1].message == "NPI NOT ON FILE"
    assert (rejected.service_from, rejected.service_to) == (D(2026, 3, 2), D(2026, 3, 17))
    assert back.claims == tuple(
        dataclasses.replace(
            c,
            statuses=tuple(
                dataclasses.replace(i, date=D(2026, 4, 6), action=_action(i)) for i in c.statuses
            ),
        )
        for c in _ack().claims
    )


def test_claims_are_grouped_under_their_billing_provider():
    text = write_277ca(_ack(), envelope=s.envelope(), group_control=9)
    segments = [seg for seg in text.split("~") if seg.startswith(("HL", "NM1*85"))]
    assert segments == [
        "HL*1**20*1",
        "HL*2*1*21*1",
        "HL*3*2*19*1",
        "NM1*85*2*RIVERBEND BEHAVIORAL HEALTH*****XX*1234567893",
        "HL*4*3*PT",
        "HL*5*2*19*1",
        "NM1*85*2*RIVERBEND RECOVERY CENTER*****XX*1987654328",
        "HL*6*5*PT",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"received": None}, "received and processed dates"),
        ({"claims": (ClaimAck(patient_control_number="X", statuses=()),)}, "billing provider"),
    ],
)
def test_a_277ca_without_what_the_guide_requires_is_refused(change, message):
    with pytest.raises(X12Error, match=message):
        write_277ca(dataclasses.replace(_ack(), **change), envelope=s.envelope(), group_control=1)


def test_a_claim_without_a_service_date_or_status_is_refused():
    claim = _ack().claims[0]
    for change, message in (
        ({"service_from": None}, "first date of service"),
        ({"statuses": ()}, "no status"),
    ):
        ack = dataclasses.replace(_ack(), claims=(dataclasses.replace(claim, **change),))
        with pytest.raises(X12Error, match=message):
            write_277ca(ack, envelope=s.envelope(), group_control=1)


def test_a_file_without_a_277_is_refused():
    with pytest.raises(X12Error, match="no 277"):
        read_277ca(write_837p(s.outpatient(), envelope=s.envelope(), group_control=1))


@needs_samples
def test_a_truncated_277ca_raises_x12error():
    with pytest.raises(X12Error, match="truncated"):
        read_277ca(sample("277", "oopfactory__277ca-from-bogeyone.x12"))


@pytest.mark.parametrize(
    ("categories", "outcome"),
    [
        (("A1",), "received"),
        (("A1", "A2"), "accepted"),
        (("A0",), "forwarded"),
        (("A1", "A7"), "rejected"),
        (("A2", "A3"), "rejected"),
        (("P1",), "pending"),
    ],
)
def test_a_claims_outcome_needs_a2_for_acceptance_and_any_rejection_wins(categories, outcome):
    claim = ClaimAck(
        patient_control_number="X",
        statuses=tuple(StatusInfo(statuses=(Status(c, "20"),)) for c in categories),
    )
    assert claim.outcome == outcome
    assert claim.accepted == (outcome == "accepted")


@needs_samples
def test_a_claim_acknowledged_more_than_once_is_listed_each_time():
    [ack] = read_277ca(sample("277", "oopfactory__277ca-deidentified-from-nth.x12"))
    assert len(ack.claims_for("99999999-99999")) == 3
    assert ack.claim("99999999-99999") is ack.claims[0]

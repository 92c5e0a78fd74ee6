"""Claim status: 276 requests written and read (edi/x276.py), 277 responses read and written
(edi/x277.py). pyx12 4.0 cannot check either (no 5010 276 map; its X212 277 map is unregistered
and fails the guide's own example), so the writers are held to the TR3 examples in the shared
corpus: the guide's requests, written again, give the guide's segments."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from edi.ack277 import Status, StatusInfo
from edi.x12 import X12Error, transactions
from edi.x12_writer import Envelope
from edi.x276 import StatusRequest, read_276, write_276
from edi.x277 import ClaimStatus, LineStatus, StatusResponse, read_277, write_277
from tests.edi import scenarios as s
from tests.edi.samples import needs_samples, sample, sample_names

D = datetime.date
M = Decimal


def _body(text: str | bytes) -> list[str]:
    [t] = transactions(text)
    return [str(seg) for seg in t.body]


def _guide_envelope(day: datetime.datetime) -> Envelope:
    return Envelope(
        sender_id="SUBMITTERS.ID", receiver_id="RECEIVERS.ID", control_number=905, created=day
    )


# --- 276 samples ----------------------------------------------------------------------------

READS_276 = {
    "lfh__claim-level-status-request.x12": ["SM123456", "J0234567", "MA345678"],
    "lfh__provider-level-status-request.x12": ["SM123456", "MA345678"],
    "stupidedi__case1.x12": ["SM123456", "JO234567", "MA345678"],  # prose before ISA
}


@needs_samples
def test_every_276_sample_is_classified():
    assert set(sample_names("276")) == set(READS_276)


@needs_samples
@pytest.mark.parametrize("name", sorted(READS_276))
def test_a_276_sample_reads_one_request_per_claim(name):
    requests = read_276(sample("276", name))
    assert [r.patient_control_number for r in requests] == READS_276[name]


@needs_samples
def test_the_guide_request_reads_payer_provider_subscriber_and_dependent():
    first, second, third = read_276(sample("276", "stupidedi__case1.x12"))
    assert (first.payer_name, first.payer_id, first.receiver_id) == (
        "ABC INSURANCE",
        "12345",
        "X67E",
    )
    assert (first.provider_name, first.provider_npi) == ("HOME HOSPITAL", "1666666668")
    assert (first.member_id, first.trace, first.bill_type) == ("123456789A", "ABCXYZ1", "111")
    assert (first.charge, first.service_from, first.service_to) == (
        M("8513.88"),
        D(2005, 8, 31),
        D(2005, 9, 6),
    )
    assert (first.birth_date, first.gender, first.dependent) == (D(1930, 12, 10), "M", False)
    assert second.charge == M(7599)
    assert third.provider_name == "HOME HOSPITAL PHYSICIANS"
    assert (third.dependent, third.patient_first_name, third.subscriber_first_name) == (
        True,
        "JOSEPH",
        "JOHN",
    )
    assert (third.birth_date, third.service_from, third.charge) == (
        D(1995, 11, 1),
        D(2005, 5, 1),
        None,
    )


@needs_samples
def test_the_guide_requests_written_again_give_the_guides_segments():
    guide = sample("276", "stupidedi__case1.x12")
    text = write_276(
        read_276(guide),
        envelope=_guide_envelope(datetime.datetime(2005, 9, 15, 14, 25)),
        batch_id="ABC276XXX",
    )
    # the writer asks about claims, not lines: the third claim's SVC is the one difference
    assert _body(text) == [seg for seg in _body(guide) if not seg.startswith("SVC*")]
    assert read_276(text) == read_276(guide)


def _request(**kw) -> StatusRequest:
    fields = dict(
        payer_name="KEYSTONE HEALTH PLAN",
        payer_id="KHP01",
        receiver_name="RIVERBEND BEHAVIORAL HEALTH",
        receiver_id="RBH0001",
        provider_name="RIVERBEND BEHAVIORAL HEALTH",
        provider_npi="1234567893",
        subscriber_last_name="RIVERA",
        subscriber_first_name="ANA",
        member_id="KHP448812301",
        patient_control_number="RBH-1001",
        charge=M("210"),
        service_from=D(2026, 3, 2),
        service_to=D(2026, 3, 2),  # a D8 date reads as a one-day span
        birth_date=D(1988, 5, 4),
        gender="F",
    )
    fields.update(kw)
    return StatusRequest(**fields)


def _requests() -> list[StatusRequest]:
    return [
        _request(),
        _request(
            patient_control_number="RBH-1004",
            charge=M(4200),
            service_to=D(2026, 3, 7),
            bill_type="861",
            payer_claim_number="KHP26000005",
        ),
        _request(
            patient_control_number="RBH-1003",
            patient_last_name="RIVERA",
            patient_first_name="LUIS",
            birth_date=D(2012, 1, 9),
            gender="M",
            trace_number="TRACE-77",
        ),
    ]


def test_written_276_requests_read_back_equal():
    text = write_276(_requests(), envelope=s.envelope(), batch_id="CS0001")
    assert read_276(text) == _requests()
    hl = [seg for seg in _body(text) if seg.startswith("HL*")]
    assert hl == [
        "HL*1**20*1", "HL*2*1*21*1", "HL*3*2*19*1",
        "HL*4*3*22*0", "HL*5*3*22*0", "HL*6*3*22*1", "HL*7*6*23",
    ]  # fmt: skip


def test_a_276_request_needs_its_ids_and_service_date():
    with pytest.raises(X12Error, match="provider_npi is required"):
        write_276([_request(provider_npi="")], envelope=s.envelope(), batch_id="B")
    with pytest.raises(X12Error, match=r"service date \(DTP\*472\)"):
        write_276([_request(service_from=None)], envelope=s.envelope(), batch_id="B")


# --- 277 samples ----------------------------------------------------------------------------

READS_277 = {
    "lfh__x212-claim-level-status-response.x12": ["SM123456", "J0234567", "MA345678"],
    "lfh__x212-provider-level-status-response.x12": ["SM123456"],
    # REF*EJ carries the patient control numbers; TRN02 the traces 0000001-0000008
    "imsweb__x212-status-response.x12": [f"1234{n}" for n in (5, 6, 7, 8, 9, 0, 1, 2)],
}
REFUSED_277 = {
    "imsweb__277ca-accepted.x12": r"is a claim acknowledgment \(277CA, 005010X214\)",
    "imsweb__277ca-rejected.x12": r"is a claim acknowledgment \(277CA, 005010X214\)",
    "oopfactory__277ca-deidentified-from-nth.x12": r"claim acknowledgment \(277CA",
    "oopfactory__277ca-from-bogeyone.x12": "file ends before SE: truncated",
}


@needs_samples
def test_every_277_sample_is_classified():
    assert set(sample_names("277")) == set(READS_277) | set(REFUSED_277)


@needs_samples
@pytest.mark.parametrize("name", sorted(READS_277))
def test_a_277_status_response_sample_reads_its_claims(name):
    [response] = read_277(sample("277", name))
    assert [c.patient_control_number for c in response.claims] == READS_277[name]


@needs_samples
@pytest.mark.parametrize("name", sorted(REFUSED_277))
def test_a_277ca_is_refused_by_the_status_reader_with_the_reason(name):
    with pytest.raises(X12Error, match=REFUSED_277[name]):
        read_277(sample("277", name))


@needs_samples
def test_the_guide_response_reads_pending_finalized_and_denied_claims():
    [response] = read_277(sample("277", "lfh__x212-claim-level-status-response.x12"))
    pending, final, denied = response.claims
    assert (pending.trace_number, pending.outcome, pending.charge) == (
        "ABCXYZ1",
        "pending",
        M("8513.88"),
    )
    assert pending.statuses[0].statuses == (Status("P3", "317"),)
    assert (pending.payer_claim_number, pending.service_to) == ("05347006051", D(2005, 9, 6))
    assert (final.category, final.paid, final.statuses[0].date) == ("F0", M(7599), D(2005, 9, 15))
    assert (denied.outcome, denied.paid, denied.patient_first_name) == ("denied", M(0), "JOSEPH")
    [line] = denied.lines
    assert (line.procedure_code, line.charge, line.paid, line.units) == (
        "99203",
        M(150),
        M(0),
        M(1),
    )
    assert line.statuses[0].statuses == (Status("F2", "88", "QC"),)
    assert line.service_from == D(2005, 5, 1)
    assert response.created == datetime.datetime(2005, 9, 16, 8, 10)
    assert response.claim("ABCXYC3") is denied and response.claim("MA345678") is denied


@needs_samples
def test_a_provider_level_answer_without_a_claim_is_kept():
    [response] = read_277(sample("277", "lfh__x212-provider-level-status-response.x12"))
    [(npi, info)] = response.provider_statuses
    assert (npi, info.statuses) == ("6166666666", (Status("E0", "24", "85"),))


@needs_samples
def test_a_guide_response_written_again_reads_back_equal_with_the_same_segments():
    guide = sample("277", "lfh__x212-claim-level-status-response.x12")
    [response] = read_277(guide)
    text = write_277(response, envelope=_guide_envelope(datetime.datetime(2005, 9, 16, 8, 10)))
    assert read_277(text) == [dataclasses.replace(response, control_number="0001")]
    assert [seg.split("*")[0] for seg in _body(text)] == [seg.split("*")[0] for seg in _body(guide)]


def _answer(request: StatusRequest, info: StatusInfo, **kw) -> ClaimStatus:
    """The sandbox clearinghouse's answer to one 276 request."""
    fields = dict(
        trace_number=request.trace,
        patient_control_number=request.patient_control_number,
        statuses=(info,),
        payer_name=request.payer_name,
        payer_id=request.payer_id,
        receiver_name=request.receiver_name,
        receiver_id=request.receiver_id,
        provider_name=request.provider_name,
        provider_npi=request.provider_npi,
        subscriber_last_name=request.subscriber_last_name,
        subscriber_first_name=request.subscriber_first_name or "",
        member_id=request.member_id,
        patient_last_name=request.patient_last_name,
        patient_first_name=request.patient_first_name,
        payer_claim_number=request.payer_claim_number,
        bill_type=request.bill_type,
        service_from=request.service_from,
        service_to=request.service_to,
    )
    fields.update(kw)
    return ClaimStatus(**fields)


def test_the_sandbox_answers_a_276_with_a_277_that_reads_back_equal():
    paid, pending, denied = read_276(write_276(_requests(), envelope=s.envelope(), batch_id="B1"))
    response = StatusResponse(
        batch_id="ST277-1",
        created=datetime.datetime(2026, 3, 20, 9, 0),
        control_number="0001",
        claims=(
            _answer(
                paid,
                StatusInfo(
                    statuses=(Status("F1", "65"),),
                    date=D(2026, 3, 16),
                    amount=M(210),
                    paid=M("131.4"),
                    adjudication_date=D(2026, 3, 13),
                    payment_method="ACH",
                    check_date=D(2026, 3, 16),
                    check_number="EFT20260316001",
                ),
                payer_claim_number="KHP26000001",
            ),
            _answer(
                pending,
                StatusInfo(statuses=(Status("P1", "20"),), date=D(2026, 3, 20), amount=M(4200)),
            ),
            _answer(
                denied,
                StatusInfo(
                    statuses=(Status("F2", "88", "QC"), Status("F2", "562", "85")),
                    date=D(2026, 3, 16),
                    amount=M(210),
                    paid=M(0),
                ),
                lines=(
                    LineStatus(
                        procedure_qualifier="HC",
                        procedure_code="90791",
                        charge=M(210),
                        paid=M(0),
                        units=M(1),
                        statuses=(StatusInfo(statuses=(Status("F2", "88"),), date=D(2026, 3, 16)),),
                        line_control_number="RBH-1003-1",
                        service_from=D(2026, 3, 2),
                        service_to=D(2026, 3, 2),
                    ),
                ),
            ),
        ),
    )
    text = write_277(response, envelope=s.envelope(), group_control=3)
    assert read_277(text) == [response]
    assert [c.outcome for c in read_277(text)[0].claims] == ["paid", "pending", "denied"]
    assert "STC*F1:65*20260316**210*131.4*20260313*ACH*20260316*EFT20260316001" in text


def test_corrupted_277s_and_276s_fail_only_with_the_readers_own_errors():
    from tests.edi.test_reader_robustness import _only_x12_errors

    _only_x12_errors(read_276, write_276(_requests(), envelope=s.envelope(), batch_id="B"), 276)
    paid = read_276(write_276(_requests()[:1], envelope=s.envelope(), batch_id="B"))[0]
    response = StatusResponse(claims=(_answer(paid, StatusInfo(statuses=(Status("F1", "65"),))),))
    _only_x12_errors(read_277, write_277(response, envelope=s.envelope()), 277)

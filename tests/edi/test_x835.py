"""The 835 reader and balancing (edi/x835.py; REFERENCE.md §7 and §10) against every shared
835 sample, read in place. The figures below were read off the files by hand (BPR02, CLP, SVC,
PLB), not produced by running the reader."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from edi.x12 import X12Error
from edi.x835 import Adjustment, ProviderAdjustment, balance_errors, read_835
from tests.edi.samples import needs_samples, sample, sample_names

D = datetime.date
M = Decimal

# name: (transactions, claims, lines, BPR02 of each transaction, PLB amounts)
READS = {
    "keiron__emedny-medicaid.x12": (1, 3, 10, ["45.75"], []),
    "lfh__cob-contractual-adjustment.x12": (1, 1, 1, ["34.00"], []),
    "lfh__medicare-part-a.x12": (1, 2, 0, ["150000.00"], ["-1.27"]),
    "lfh__secondary-payment.x12": (1, 2, 2, ["1222.00"], []),
    "pyx12__denied-claim-multiple-loops.x12": (1, 1, 3, ["0"], []),
    "stupidedi__era-sample.x12": (1, 1, 5, ["132"], []),
    "stupidedi__secondary-payment-higher-fee-schedule.x12": (1, 1, 1, ["34.00"], []),
    "stupidedi__secondary-payments.x12": (1, 2, 2, ["1222"], []),
    "stupidedi__tr3-dollars-and-data-sent-separately.x12": (1, 2, 2, ["945"], []),
    "stupidedi__tr3-dollars-and-data-together-medicare-part-a.x12": (
        1,
        2,
        0,
        ["150000"],
        ["-1.27"],
    ),
    "stupidedi__x221-case1-cr-terminated.x12": (1, 2, 0, ["150000"], ["-1.27"]),
    "tastypackets__emedny-156-transactions-large.x12": (156, 468, 1560, ["45.75"] * 156, []),
}

# name: why it is refused (a pattern of the X12Error message, which names the segment)
REFUSED = {
    # literal template tokens where the group code and amounts belong
    "affect__two-payments-plb-template-tokens.x12": (
        r"CAS01 'grp_code' is not a claim adjustment group code .*\(segment 23 CAS\)"
    ),
    # the third SVC's amounts are shifted past SVC06 ("SVC*HC:59426******742*742**1")
    "keiron__bcbs-nc-no-envelope.x12": r"SVC02 \(line charge\) is missing \(segment 28 SVC\)",
    # BPR16 reads 20002316: no 23rd month
    "lfh__managed-care.x12": r"BPR16 \(payment date\) is not a CCYYMMDD date: '20002316'",
    # the last claim stops after CLP02 ("CLP*090909*22"): truncated mid-claim
    "oopfactory__ohio-adamh-behavioral-health-4010-envelope.x12": (
        r"CLP03 \(total claim charge\) is missing \(segment 98 CLP\)"
    ),
}


@needs_samples
def test_every_835_sample_is_classified():
    assert set(sample_names("835")) == set(READS) | set(REFUSED)


@needs_samples
@pytest.mark.parametrize("name", sorted(READS))
def test_a_readable_sample_gives_its_transactions_claims_lines_payments_and_plb(name):
    sets, claims, lines, paid, plb = READS[name]
    remittances = read_835(sample("835", name))
    assert len(remittances) == sets
    assert sum(len(r.claims) for r in remittances) == claims
    assert sum(len(c.lines) for r in remittances for c in r.claims) == lines
    assert [r.total_paid for r in remittances] == [M(p) for p in paid]
    assert [p.amount for r in remittances for p in r.provider_adjustments] == [M(a) for a in plb]


@needs_samples
@pytest.mark.parametrize("name", sorted(READS))
def test_every_readable_sample_balances_at_line_claim_and_payment_level(name):
    assert [e for r in read_835(sample("835", name)) for e in balance_errors(r)] == []


@needs_samples
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_an_unreadable_sample_is_refused_with_the_reason(name):
    with pytest.raises(X12Error, match=REFUSED[name]):
        read_835(sample("835", name))


# --- what the samples say, field by field ----------------------------------------------------


@needs_samples
def test_the_tr3_ach_example_reads_payment_payer_payee_claims_and_lines():
    [r] = read_835(sample("835", "stupidedi__tr3-dollars-and-data-sent-separately.x12"))
    assert (r.control_number, r.handling_code, r.credit_debit, r.payment_method) == (
        "112233",
        "I",
        "C",
        "ACH",
    )
    assert (r.payment_date, r.production_date) == (D(2002, 3, 16), D(2002, 3, 14))
    assert (r.trace_number, r.trace_originator) == ("71700666555", "1935665544")
    assert (r.payer_name, r.payer_id) == ("RUSHMORE LIFE", "1935665544")  # TRN03: no N104/2U
    assert (r.payee_name, r.payee_npi, r.payee_tin) == (
        "ACME MEDICAL CENTER",
        "5544667733",
        "777667755",
    )
    assert (r.version, r.interchange_control_number) == ("005010X221A1", "000010216")
    first, second = r.claims
    assert (first.patient_control_number, first.status_code, first.position) == (
        "5554555444",
        "1",
        1,
    )
    assert (first.charge, first.paid, first.patient_responsibility) == (M(800), M(450), M(300))
    assert (first.filing_indicator, first.payer_claim_number) == ("12", "94060555410000")
    assert first.adjustments == (Adjustment("CO", "A2", M(50)),)
    assert (first.patient_last_name, first.patient_first_name, first.member_id) == (
        "BUDD",
        "WILLIAM",
        "33344555510",
    )
    [line] = first.lines
    assert (line.procedure_qualifier, line.procedure_code, line.modifiers) == ("HC", "99211", ())
    assert (line.charge, line.paid, line.units) == (M(800), M(500), None)
    assert (line.service_date_from, line.service_date_to) == (D(2002, 3, 1), D(2002, 3, 4))
    assert line.adjustments == (Adjustment("PR", "1", M(300)),)
    assert second.lines[0].adjustments == (
        Adjustment("PR", "1", M(600)),
        Adjustment("CO", "45", M(50)),
    )


@needs_samples
def test_medicare_part_a_reads_the_plb_with_its_fiscal_period_and_signed_amount():
    [r] = read_835(sample("835", "stupidedi__tr3-dollars-and-data-together-medicare-part-a.x12"))
    assert (r.handling_code, r.payment_format, r.payer_id) == ("C", "CTX", "999")  # REF*2U
    assert r.provider_adjustments == (
        ProviderAdjustment("6543210903", D(2002, 12, 31), "CV", "CP", M("-1.27")),
    )
    assert r.claims_paid == M("149998.73")
    assert r.claims_paid - r.provider_adjusted == r.total_paid
    assert [c.remarks for c in r.claims] == [(), ("MA02",)]  # MOA03
    assert [c.facility_code for c in r.claims] == ["11", "13"]
    assert r.claims[0].statement_from == D(2002, 8, 16)
    assert r.claims[0].statement_to == D(2002, 8, 24)


@needs_samples
def test_the_prose_prefixed_plus_separated_case_file_reads_the_same_figures():
    [r] = read_835(sample("835", "stupidedi__x221-case1-cr-terminated.x12"))
    assert r.version == "005010X221"  # no ST03; GS08 without A1
    assert [c.claim_allowed for c in r.claims] == [M(150000), M(17000)]  # AMT*AU
    assert r.provider_adjustments[0].reference == "CP"  # '>' components as ISA16 says
    assert r.payee_tin == "555555556"


@needs_samples
def test_emedny_medicaid_reads_denied_lines_and_remark_codes():
    [r] = read_835(sample("835", "keiron__emedny-medicaid.x12"))
    paid, timely, partial = r.claims
    assert [c.patient_control_number for c in r.claims] == ["PATIENT ACCOUNT NUMBER"] * 3
    assert [c.member_id for c in r.claims] == ["LL99999L", "LL88888L", "LL77777L"]
    assert (paid.claim_allowed, paid.statement_from) == (M("34.25"), D(2010, 1, 1))
    assert [ln.modifiers for ln in paid.lines] == [("RB",), ("RB",), ("RB",), ()]
    assert paid.lines[3].units == M(2) and paid.lines[3].allowed == M(20)
    assert [ln.adjustments for ln in timely.lines] == [
        (Adjustment("CO", "29", M(12)),),
        (Adjustment("CO", "29", M(22)),),
    ]
    assert [ln.remarks for ln in partial.lines] == [(), (), ("N206",), ("N206",)]
    assert partial.lines[1].service_date_from == D(2013, 9, 17)
    assert (r.payee_npi, r.payee_tin, r.receiver_id) == ("9999999995", "000000000", "ETIN")


@needs_samples
def test_a_zero_pay_advice_with_a_denied_claim():
    [r] = read_835(sample("835", "pyx12__denied-claim-multiple-loops.x12"))
    assert (r.handling_code, r.total_paid, r.payment_method) == ("H", M(0), "NON")
    [claim] = r.claims
    assert (claim.status_code, claim.paid, claim.member_id) == ("4", M(0), "00001612")
    assert (claim.rendering_npi, claim.rendering_other_id) == (None, ("MC", "44452736"))
    assert [ln.units for ln in claim.lines] == [M(68), M(16), M(36)]
    assert {ln.remarks for ln in claim.lines} == {("N14",)}
    assert [a.reason for ln in claim.lines for a in ln.adjustments] == ["16", "A7", "A7"]


@needs_samples
def test_a_secondary_payment_keeps_negative_adjustments():
    [r] = read_835(sample("835", "stupidedi__secondary-payment-higher-fee-schedule.x12"))
    [claim] = r.claims
    assert claim.status_code == "2"
    assert claim.lines[0].adjustments == (
        Adjustment("OA", "23", M(516)),
        Adjustment("OA", "94", M(-9)),
    )
    assert claim.lines[0].allowed == M(550) and claim.lines[0].line_control_number is None


@needs_samples
def test_composites_written_with_another_separator_than_isa16_read_and_are_recorded():
    [r] = read_835(sample("835", "lfh__secondary-payment.x12"))
    assert r.problems == (
        "segment 4 BPR: BPR16 (payment date) is missing",  # in BPR15, as in the file below
        "SVC01 composites use '>', not the declared ':'",
    )
    assert [(ln.procedure_code, ln.modifiers) for ln in r.claims[1].lines] == [
        ("12345", ("26",)),
        ("66543", ("26",)),
    ]
    assert r.claims[1].lines[1].revenue_code == "220"
    assert r.payee_tin == "599944521"  # N1*PE*...*FI


@needs_samples
def test_a_payment_date_missing_from_bpr16_is_recorded_not_guessed():
    # "BPR*I*34.00*C*CHK***********20050318": the date sits in BPR15, one place early
    [r] = read_835(sample("835", "lfh__cob-contractual-adjustment.x12"))
    assert r.payment_date is None
    assert r.problems[0] == "segment 4 BPR: BPR16 (payment date) is missing"


@needs_samples
def test_the_large_emedny_file_holds_156_transactions_and_468_claims():
    remittances = read_835(sample("835", "tastypackets__emedny-156-transactions-large.x12"))
    assert len(remittances) == 156
    assert sum(len(r.claims) for r in remittances) == 468
    assert sum((r.total_paid for r in remittances), M(0)) == M("7137.00")
    assert {r.interchange_control_number for r in remittances} == {"006000600"}


# --- reversals (CLP02 = 22) ------------------------------------------------------------------


def _ohio_without_its_truncated_claim() -> str:
    text = sample("835", "oopfactory__ohio-adamh-behavioral-health-4010-envelope.x12").decode()
    assert "        CLP*090909*22~\r\n" in text
    return text.replace("        CLP*090909*22~\r\n", "")


@needs_samples
def test_reversals_read_with_negative_amounts_once_the_truncated_claim_is_cut():
    [r] = read_835(_ohio_without_its_truncated_claim())
    assert len(r.claims) == 9 and r.version == "5010"
    reversals = [c for c in r.claims if c.reversal]
    assert [(c.patient_control_number, c.charge, c.paid) for c in reversals] == [
        ("123456", M("-42.58"), M("-42.58")),
        ("090909", M("-86.76"), M("-86.76")),
    ]
    assert [ln.units for c in reversals for ln in c.lines] == [M(-2), M(-4)]
    assert reversals[1].lines[0].remarks == ("MA92",)
    assert r.claims[1].lines[0].adjustments[0] == Adjustment("CR", "18", M("25.95"), M(0))
    assert r.claims[4].lines[0].adjustments[1:] == (
        Adjustment("OA", "23", M("57.6"), M(0)),
        Adjustment("OA", "23", M("-1.08"), M(0)),
    )


@needs_samples
def test_the_ohio_file_balances_per_claim_but_not_its_payment():
    # Claims pay 56.52 + 18.88 + 59.69 - 42.58 - 86.76 = 5.75 = BPR02, so the PLB of -1.27
    # (copied from the TR3 example, for provider 123456 in 1996) is not in the payment.
    [r] = read_835(_ohio_without_its_truncated_claim())
    [error] = balance_errors(r)
    assert (error.level, error.expected, error.actual) == ("payment", M("7.02"), M("5.75"))
    assert error.message == (
        "payment: claims paid 5.75 less provider adjustments -1.27 is 7.02, but BPR02 is 5.75"
    )


# --- balancing failures on altered samples ----------------------------------------------------


def _tr3_ach() -> str:
    return sample("835", "stupidedi__tr3-dollars-and-data-sent-separately.x12").decode()


@needs_samples
def test_a_claim_paid_one_dollar_more_fails_the_claim_and_the_payment():
    text = _tr3_ach().replace("CLP*5554555444*1*800*450*", "CLP*5554555444*1*800*451*")
    [r] = read_835(text)
    claim, payment = balance_errors(r)
    assert (claim.level, claim.claim_position, claim.patient_control_number) == (
        "claim",
        1,
        "5554555444",
    )
    assert (claim.expected, claim.actual) == (M(450), M(451))
    assert (payment.level, payment.expected, payment.actual) == ("payment", M(946), M(945))


@needs_samples
def test_a_line_adjustment_that_does_not_add_up_fails_the_line_and_its_claim():
    text = _tr3_ach().replace("CAS*PR*1*600~CAS*CO*45*50~", "CAS*PR*1*600~CAS*CO*45*40~")
    [r] = read_835(text)
    line, claim = balance_errors(r)
    assert (line.level, line.claim_position, line.line_position) == ("line", 2, 1)
    assert (line.expected, line.actual) == (M(560), M(550))
    assert line.message == (
        "claim 2 (8765432112) line 1 (93555): charge 1200 less adjustments 640 is 560, "
        "but SVC03 pays 550"
    )
    assert (claim.level, claim.expected, claim.actual) == ("claim", M(505), M(495))


# --- robustness: the same remittance in other clothes ----------------------------------------


def _emedny() -> str:
    return sample("835", "keiron__emedny-medicaid.x12").decode()


def _same(text: str) -> None:
    [expected] = read_835(_emedny())
    [found] = read_835(text)
    assert found.claims == expected.claims
    assert found.total_paid == expected.total_paid


@needs_samples
def test_a_byte_order_mark_prose_and_crlf_line_breaks_change_nothing():
    _same("\ufeffRemittance for January, as downloaded:\r\n\r\n" + _emedny().replace("~", "~\r\n"))
    _same(("\ufeff" + _emedny()).encode("utf-8"))


@needs_samples
def test_indentation_between_segments_changes_nothing():
    _same(_emedny().replace("~", "~\n    "))


@needs_samples
def test_other_separators_declared_in_the_isa_read_the_same():
    text = _emedny().replace("*", "|").replace(":", ">").replace("^", "!").replace("~", "\n")
    assert text.startswith("ISA|00|")
    _same(text)


@needs_samples
def test_a_bare_transaction_without_isa_and_gs_reads():
    text = _emedny()
    bare = text[text.index("ST*835") : text.index("GE*")]
    [r] = read_835(bare)
    assert (r.interchange_control_number, r.version) == (None, None)
    _same(bare)


@needs_samples
def test_several_interchanges_in_one_file_give_every_835():
    remittances = read_835(_emedny() + "\n" + _tr3_ach())
    assert [r.control_number for r in remittances] == ["1740", "112233"]


@needs_samples
def test_a_file_holding_a_277_is_not_an_835():
    with pytest.raises(X12Error, match=r"transaction set 0001 is a 277, not an 835"):
        read_835(_emedny() + sample("277", "lfh__x212-claim-level-status-response.x12").decode())


@needs_samples
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("BPR*I*45.75*C*ACH*CCP*01*111*DA*33*1234567890**01*111*DA*22*20100101~", ""),
            "does not start with BPR",
        ),
        (
            ("CLP*PATIENT ACCOUNT NUMBER*2*34*0*", "CLP*PATIENT ACCOUNT NUMBER*2*34**"),
            r"CLP04 \(claim payment amount\) is missing",
        ),
        (
            ("CLP*PATIENT ACCOUNT NUMBER*2*34*0*", "CLP**2*34*0*"),
            r"CLP01 \(patient control number\) is missing",
        ),
        (
            ("CAS*CO*29*12~", "CAS*CO*29*amount~"),
            r"CAS03 \(adjustment amount\) is not an amount: 'amount'",
        ),
        (("CAS*CO*29*12~", "CAS*CO*29*1E3~"), "is not an amount: '1E3'"),
        (("CAS*CO*29*12~", "CAS*CO**12~"), r"CAS02 \(adjustment reason code\) is missing"),
        (
            ("SVC*HC:V2020*12*0**0~", "SVC*V2020*12*0**0~"),
            "SVC01 'V2020' has no qualifier and procedure code",
        ),
        (
            ("SVC*HC:V2020*12*0**0~", "SVC*HC:V2020*12.5.0*0**0~"),
            r"SVC02 \(line charge\) is not an amount",
        ),
        (("DTM*232*20100101~", "DTM*232*20100231~"), "not a CCYYMMDD date: '20100231'"),
        (
            ("SE*65*1740~", "PLB*9999999995*20101231*WO*abc~SE*66*1740~"),
            r"PLB04 \(provider adjustment amount\) is not an amount: 'abc'",
        ),
    ],
)
def test_damage_that_money_depends_on_is_refused_with_the_segment(change, message):
    old, new = change
    assert old in _emedny()
    text = _emedny().replace(old, new, 1)
    with pytest.raises(X12Error, match=message) as raised:
        read_835(text)
    assert re.search(r"\(segment \d+ [A-Z0-9]+\)$", str(raised.value))


@needs_samples
def test_a_file_cut_off_mid_claim_is_refused():
    text = _emedny()
    with pytest.raises(X12Error, match="file ends before SE: truncated"):
        read_835(text[: text.index("SVC*HC:V2103*22")])


def test_text_that_is_not_x12_is_refused():
    for data in ("", "hello", b"\x00\xff", "ISA*00"):
        with pytest.raises(X12Error):
            read_835(data)


@needs_samples
def test_corrupted_835s_fail_only_with_the_readers_own_errors():
    from tests.edi.test_reader_robustness import _only_x12_errors

    for seed in (835, 221):
        _only_x12_errors(read_835, _emedny(), seed)
        _only_x12_errors(read_835, _tr3_ach(), seed + 1)

"""The X12 reader: delimiters from the ISA, lenient layout, strict structure, and X12Error as
the only failure (edi/x12.py; REFERENCE.md §10 "Envelope")."""

from __future__ import annotations

import random

import pytest

from edi.x12 import Delimiters, X12Error, parse, transactions
from edi.x837_read import list_claims
from tests.edi.samples import needs_samples, sample, sample_names

ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260406*0930*^*00501"
    "*000000007*0*T*:~"
)
BODY = (
    "GS*HC*SENDER*RECEIVER*20260406*0930*7*X*005010X222A1~"
    "ST*837*0001*005010X222A1~BHT*0019*00*REF1*20260406*0930*CH~"
    "SV1*HC:90834:95*150*UN*1***1:2~REF*X*A^B^C~SE*5*0001~GE*1*7~IEA*1*000000007~"
)
SIMPLE = ISA + BODY


def test_a_plain_interchange_reads_into_groups_transactions_and_segments():
    [interchange] = parse(SIMPLE)
    assert interchange.delimiters == Delimiters("*", ":", "^", "~")
    assert interchange.sender == ("ZZ", "SENDER")
    assert interchange.control_number == "000000007"
    assert interchange.usage == "T"
    assert interchange.problems == ()
    [group] = interchange.groups
    assert (group.functional_id, group.control_number, group.version) == (
        "HC",
        "7",
        "005010X222A1",
    )
    [transaction] = group.transactions
    assert (transaction.set_id, transaction.control_number) == ("837", "0001")
    assert [s.id for s in transaction.segments] == ["ST", "BHT", "SV1", "REF", "SE"]


def test_elements_components_and_repetitions_are_addressed_the_x12_way():
    sv1 = transactions(SIMPLE)[0].body[1]
    assert sv1.id == "SV1" and sv1[2] == "150" and len(sv1) == 7
    assert sv1.component(1, 2) == "90834" and sv1.component(1, 3) == "95"
    assert sv1.components(7) == ("1", "2")
    assert sv1[20] == "" and sv1.component(1, 9) == "" and sv1.components(5) == ()
    ref = transactions(SIMPLE)[0].body[2]
    assert ref.repetitions(2) == ("A", "B", "C")
    assert str(sv1) == "SV1*HC:90834:95*150*UN*1***1:2"


def test_segment_positions_count_over_the_file_and_inside_the_set():
    transaction = transactions(SIMPLE)[0]
    sv1 = transaction.body[1]
    assert sv1.position == 5  # ISA GS ST BHT SV1
    assert transaction.position_of(sv1) == 3  # ST = 1


def test_a_utf8_byte_order_mark_is_ignored():
    assert parse(b"\xef\xbb\xbf" + SIMPLE.encode())[0].control_number == "000000007"
    assert parse("\ufeff" + SIMPLE)[0].groups[0].transactions[0].control_number == "0001"


def test_prose_before_the_isa_is_skipped():
    text = "Sent by ISABEL on Monday.\r\nFile follows:\r\n\r\n" + SIMPLE
    assert len(transactions(text)) == 1


def test_line_breaks_and_indentation_between_segments_are_tolerated():
    pretty = SIMPLE.replace("~", "~\r\n    ")
    assert [s.elements for s in transactions(pretty)[0].segments] == [
        s.elements for s in transactions(SIMPLE)[0].segments
    ]


def test_a_line_break_can_be_the_segment_terminator():
    text = SIMPLE.replace("~", "\r\n")
    [interchange] = parse(text)
    assert interchange.delimiters.segment == "\r"
    assert len(interchange.groups[0].transactions[0].segments) == 5


def test_custom_delimiters_come_from_the_isa():
    custom = SIMPLE.replace("*", "|").replace(":", ">").replace("^", "!").replace("~", "\n")
    [interchange] = parse(custom)
    assert interchange.delimiters == Delimiters("|", ">", "!", "\n")
    sv1 = interchange.groups[0].transactions[0].body[1]
    assert sv1.component(1, 2) == "90834"
    assert interchange.groups[0].transactions[0].body[2].repetitions(2) == ("A", "B", "C")


def test_several_interchanges_each_with_their_own_delimiters():
    second = (
        SIMPLE.replace("000000007", "000000008")
        .replace("*", "|")
        .replace(":", ">")
        .replace("~", "!\n")
    )
    interchanges = parse(SIMPLE + "\n\n" + second)
    assert [i.control_number for i in interchanges] == ["000000007", "000000008"]
    assert interchanges[1].delimiters.element == "|"
    assert interchanges[1].groups[0].transactions[0].body[1].component(1, 2) == "90834"


def test_several_groups_and_transaction_sets_in_one_interchange():
    two_sets = BODY.replace(
        "SE*5*0001~",
        "SE*5*0001~ST*837*0002*005010X222A1~BHT*0019*00*R2*20260406*0930*CH~SE*3*0002~",
    ).replace("GE*1*7~", "GE*2*7~")
    group2 = "GS*HC*SENDER*RECEIVER*20260406*0930*8*X*005010X222A1~ST*837*0003~SE*2*0003~GE*1*8~"
    text = ISA + two_sets.replace("IEA*1*", group2 + "IEA*2*")
    [interchange] = parse(text)
    assert [len(g.transactions) for g in interchange.groups] == [2, 1]
    assert [t.control_number for t in transactions(text)] == ["0001", "0002", "0003"]
    assert interchange.problems == ()


def test_wrong_trailer_counts_are_recorded_not_raised():
    text = SIMPLE.replace("SE*5*0001", "SE*9*0002").replace("IEA*1*000000007", "IEA*1*000000001")
    [interchange] = parse(text)
    assert len(interchange.problems) == 3
    assert "SE01 (segment count) is '9', expected 5" in interchange.problems[0]
    assert "SE02" in interchange.problems[1] and "IEA02" in interchange.problems[2]


def test_a_4010_isa_without_a_repetition_separator_reads():
    text = SIMPLE.replace("*^*00501*", "*U*00401*")
    [interchange] = parse(text)
    assert interchange.delimiters.repetition == ""
    assert transactions(text)[0].body[2].repetitions(2) == ("A^B^C",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no ISA segment"),
        ("hello world", "no ISA segment"),
        ("ST*837*0001~SE*2*0001~", "no ISA segment"),
        (ISA[:60], "ISA segment is truncated"),
        (ISA, "file ends before IEA"),
        (ISA + "GS*HC*S*R*20260406*0930*7*X*005010X222A1~ST*837*0001~BHT*0019", "before SE"),
        (SIMPLE.replace("GE*1*7~", ""), "expected ST or GE"),
        (SIMPLE.replace("SE*5*0001~", ""), "GE inside transaction set '0001'"),
        (SIMPLE.replace("BHT*", "bht*"), "not a segment id"),
        (SIMPLE.replace("GS*HC", "XX*HC"), "expected GS or IEA"),
        (SIMPLE + "trailing junk", "unexpected text after IEA"),
        (SIMPLE.replace("*^*00501*", "*:*00501*").replace("*T*:~", "*T**~"), "delimiters"),
        (ISA.replace("*0*T*", "*0*T*X*") + BODY, "delimiters must be single"),
        (ISA.replace("*0*T*", "*0*") + BODY, "delimiters must be single"),
    ],
)
def test_malformed_input_raises_x12error(text, message):
    with pytest.raises(X12Error, match=message):
        parse(text)


def test_the_error_names_the_segment_position():
    with pytest.raises(X12Error) as caught:
        parse(SIMPLE.replace("BHT*", "bht*"))
    assert caught.value.position == 4
    assert "segment 4" in str(caught.value)


def test_non_text_input_is_an_x12error():
    with pytest.raises(X12Error):
        parse(12345)  # type: ignore[arg-type]


def test_bytes_that_are_not_utf8_still_read():
    text = SIMPLE.replace("REF1", "R\xe9F1").encode("latin-1")
    assert transactions(text)[0].body[0][3] == "R\xe9F1"


def test_every_truncation_of_a_file_either_parses_or_raises_x12error():
    for cut in range(len(SIMPLE) + 1):
        try:
            parse(SIMPLE[:cut])
        except X12Error:
            pass


def test_random_corruption_never_raises_anything_but_x12error():
    rng = random.Random(837)
    alphabet = "*:^~\r\n AZ09ISAGSTE"
    for _ in range(400):
        chars = list(SIMPLE)
        for _ in range(rng.randint(1, 6)):
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        try:
            parse("".join(chars))
        except X12Error:
            pass


# --- the shared corpus (../shared/x12-samples, MANIFEST.md) -----------------------------------

# (folder, file, transaction sets, CLM claims) for the files that parse: the counts are the
# MANIFEST's "ST sets" and "CLM claims" columns.
PARSES = [
    ("837P", "imsweb__invalid-bad-code-value.x12", 1, 2),
    ("837P", "imsweb__invalid-missing-elements.x12", 1, 2),
    ("837P", "imsweb__invalid-missing-required-loops.x12", 1, 1),
    ("837P", "imsweb__many-claims-large.x12", 1, 820),
    ("837P", "imsweb__valid-two-claims.x12", 1, 2),
    ("837P", "lfh__x222a2-auto-accident.x12", 1, 1),
    ("837P", "lfh__x222a2-example1-commercial.x12", 1, 1),
    ("837P", "lfh__x222a2-example9-gt-composite.x12", 1, 1),
    ("837P", "oopfactory__examples-1-2-3-two-st.x12", 2, 3),  # BOM, pretty-printed
    ("837P", "oopfactory__professional-claim.x12", 1, 1),
    ("837P", "oopfactory__st1309-xx.x12", 1, 1),  # CR terminator, indented, BOM
    ("837P", "stupidedi__tr3-anesthesia.x12", 1, 1),
    ("837P", "stupidedi__tr3-chiropractic.x12", 1, 1),
    ("837P", "stupidedi__tr3-commercial-health-insurance.x12", 1, 1),
    ("837P", "stupidedi__tr3-drug-in-physician-office.x12", 1, 1),
    ("837P", "stupidedi__tr3-encounter.x12", 1, 1),
    ("837P", "stupidedi__tr3-home-infusion-ndc.x12", 1, 1),
    ("837P", "stupidedi__tr3-medicare-secondary-payer-cob.x12", 1, 1),
    ("837P", "stupidedi__tr3-out-of-network-repriced.x12", 1, 1),
    ("837P", "stupidedi__tr3-oxygen.x12", 1, 1),
    ("837P", "stupidedi__tr3-ppo-repriced.x12", 1, 1),
    ("837P", "stupidedi__tr3-wheelchair.x12", 1, 1),
    ("837P", "uhin__psychotherapy-90834-icd10.x12", 1, 1),
    ("837I", "imsweb__x223a2-single-claim.x12", 1, 1),
    ("837I", "lfh__x223a3-institutional-claim.x12", 1, 1),
    ("837I", "lfh__x223a3-two-claims-single-provider.x12", 1, 2),
    ("837I", "oopfactory__institutional-claim-with-cob.x12", 1, 1),
    ("837I", "oopfactory__spec-3-1-1-gs08-mislabelled.x12", 1, 1),  # ISA11 = ISA16 = '^'
    ("837I", "stupidedi__tr3-institutional-claim.x12", 1, 1),
    ("837I", "stupidedi__tr3-out-of-network-repriced.x12", 1, 1),
    ("837I", "stupidedi__tr3-two-claims-same-provider.x12", 1, 2),
    ("999", "imsweb__999-accepted.x12", 1, None),
    ("999", "imsweb__999-rejected.x12", 1, None),
    ("999", "oopfactory__999-wisconsin-dhs.x12", 1, None),
    ("999", "pyx12__999-for-834-multiple-st.x12", 4, None),
    ("999", "stupidedi__999-response-to-3-837s.x12", 1, None),
    ("277", "imsweb__277ca-accepted.x12", 1, None),
    ("277", "imsweb__277ca-rejected.x12", 1, None),
    ("277", "imsweb__x212-status-response.x12", 1, None),
    ("277", "lfh__x212-claim-level-status-response.x12", 1, None),
    ("277", "lfh__x212-provider-level-status-response.x12", 1, None),
    ("277", "oopfactory__277ca-deidentified-from-nth.x12", 1, None),
]
# Files that must fail, with why: the "short example" 277CA stops after its second HL.
FAILS = [("277", "oopfactory__277ca-from-bogeyone.x12", "file ends before SE: truncated")]


@needs_samples
def test_every_sample_file_is_classified():
    listed = {(kind, name) for kind, name, *_ in PARSES + FAILS}
    on_disk = {
        (kind, name) for kind in ("837P", "837I", "999", "277") for name in sample_names(kind)
    }
    assert on_disk == listed


@needs_samples
@pytest.mark.parametrize(("kind", "name", "sets", "claims"), PARSES)
def test_sample_parses(kind, name, sets, claims):
    data = sample(kind, name)
    assert len(transactions(data)) == sets
    if claims is not None:
        assert len(list_claims(data)) == claims


@needs_samples
@pytest.mark.parametrize(("kind", "name", "message"), FAILS)
def test_sample_fails_with_x12error(kind, name, message):
    with pytest.raises(X12Error, match=message):
        parse(sample(kind, name))


@needs_samples
def test_a_carriage_return_terminated_indented_file_with_a_bom_reads_cleanly():
    [interchange] = parse(sample("837P", "oopfactory__st1309-xx.x12"))
    assert interchange.delimiters.segment == "\r"
    assert interchange.groups[0].transactions[0].body[0][3] == "000003774;440;1309"
    assert interchange.problems == ()


@needs_samples
def test_prose_and_plus_separators_in_the_835_case_file():
    [interchange] = parse(sample("835", "stupidedi__x221-case1-cr-terminated.x12"))
    assert interchange.delimiters.element == "+"
    assert interchange.groups[0].version == "005010X221"


@needs_samples
def test_loose_segment_counts_in_a_sample_are_reported_as_problems():
    [interchange] = parse(sample("837P", "imsweb__valid-two-claims.x12"))
    assert interchange.problems == ("segment 36 SE: SE01 (segment count) is '25', expected 34",)

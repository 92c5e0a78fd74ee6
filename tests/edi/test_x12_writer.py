"""The envelope writer: fixed-width ISA, caller's control numbers, SE01 counts, delimiters
(edi/x12_writer.py; REFERENCE.md §10 "Envelope")."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from edi.x12 import Delimiters, X12Error, parse
from edi.x12_writer import (
    Envelope,
    GroupSpec,
    Repeated,
    TransactionSpec,
    amount,
    render_segment,
    write_interchange,
)

WHEN = datetime.datetime(2026, 4, 6, 9, 5)


def _envelope(**kw) -> Envelope:
    kw.setdefault("sender_id", "RBH0001")
    kw.setdefault("receiver_id", "SANDBOXCH")
    kw.setdefault("control_number", 42)
    kw.setdefault("created", WHEN)
    return Envelope(**kw)


def _groups(control: int = 9, sets: int = 1) -> list[GroupSpec]:
    specs = [
        TransactionSpec("837", n, "005010X222A1", [("BHT", "0019", "00", f"B{n}", "20260406")])
        for n in range(1, sets + 1)
    ]
    return [GroupSpec("HC", "005010X222A1", control, specs)]


def test_the_isa_is_106_characters_with_padded_ids_and_the_callers_control_number():
    text = write_interchange(_envelope(), _groups())
    isa = text.split("~")[0] + "~"
    assert len(isa) == 106
    assert isa == (
        "ISA*00*          *00*          *ZZ*RBH0001        *ZZ*SANDBOXCH      *260406*0905*^*"
        "00501*000000042*0*P*:~"
    )
    assert text.endswith("IEA*1*000000042~")


def test_envelope_counts_and_control_numbers_agree_and_read_back_without_problems():
    text = write_interchange(_envelope(usage="T", ack_requested=True), _groups(control=77, sets=3))
    [interchange] = parse(text)
    assert interchange.problems == ()
    assert interchange.usage == "T" and interchange.header[14] == "1"
    [group] = interchange.groups
    assert group.control_number == "77" and group.trailer.elements == ("GE", "3", "77")
    assert [t.control_number for t in group.transactions] == ["0001", "0002", "0003"]
    assert group.transactions[0].segments[-1].elements == ("SE", "3", "0001")


def test_string_control_numbers_are_kept_and_must_be_4_to_9_characters():
    spec = TransactionSpec("837", "000123456", "005010X222A1", [("BHT", "0019")])
    text = write_interchange(_envelope(), [GroupSpec("HC", "005010X222A1", 1, [spec])])
    assert "ST*837*000123456*005010X222A1~" in text
    with pytest.raises(X12Error, match="ST02"):
        bad = TransactionSpec("837", "12", "005010X222A1", [("BHT", "0019")])
        write_interchange(_envelope(), [GroupSpec("HC", "005010X222A1", 1, [bad])])


def test_custom_delimiters_and_line_breaks_read_back_to_the_same_elements():
    delimiters = Delimiters(element="|", component=">", repetition="!", segment="\n")
    plain = parse(write_interchange(_envelope(), _groups()))
    custom = parse(write_interchange(_envelope(delimiters=delimiters), _groups()))
    pretty = parse(write_interchange(_envelope(newline=True), _groups()))
    assert custom[0].delimiters == delimiters
    for other in (custom, pretty):
        assert [s.elements[1:] for s in other[0].groups[0].transactions[0].segments] == [
            s.elements[1:] for s in plain[0].groups[0].transactions[0].segments
        ]


def test_composites_join_with_the_component_separator_and_trailing_empties_are_dropped():
    spec = ("SV1", ("HC", "90834", "95", "", ""), "150", "UN", "1", None, "", ("1", "2"), None, "")
    assert render_segment(spec) == "SV1*HC:90834:95*150*UN*1***1:2"
    assert render_segment(("NM1", "87", "2", None, "")) == "NM1*87*2"


def test_repeated_values_join_with_the_repetition_separator_and_read_back_as_repetitions():
    spec = ("EB", "1", None, Repeated(("30", "MH", "A6")), "HM")
    assert render_segment(spec) == "EB*1**30^MH^A6*HM"
    assert render_segment(spec, Delimiters("|", "!", "{", "~")) == "EB|1||30{MH{A6|HM"
    with pytest.raises(X12Error, match="contains a delimiter"):
        render_segment(("EB", "1", None, Repeated(("30", "M^H"))))


@pytest.mark.parametrize("value", ["A*B", "A~B", "A:B", "A^B"])
def test_a_value_containing_a_delimiter_is_refused(value):
    with pytest.raises(X12Error, match="contains a delimiter"):
        render_segment(("NM1", "85", "2", value))


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"sender_id": "X" * 16}, "1 to 15"),
        ({"receiver_id": ""}, "1 to 15"),
        ({"usage": "X"}, "P or T"),
        ({"control_number": 0}, "ISA13"),
        ({"control_number": 10**9}, "ISA13"),
        ({"delimiters": Delimiters(repetition="")}, "repetition separator"),
    ],
)
def test_bad_envelopes_are_refused(kw, message):
    with pytest.raises(X12Error, match=message):
        _envelope(**kw)


def test_delimiters_must_be_distinct_punctuation():
    with pytest.raises(X12Error):
        Delimiters(element="*", component="*")
    with pytest.raises(X12Error):
        Delimiters(element="A")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("150.00", "150"),
        ("150.50", "150.5"),
        ("0.00", "0"),
        ("-12.30", "-12.3"),
        ("1E+2", "100"),
        ("8400", "8400"),
    ],
)
def test_amounts_are_written_without_exponent_or_trailing_zeros(value, text):
    assert amount(Decimal(value)) == text


def test_an_amount_must_be_a_decimal():
    with pytest.raises(X12Error):
        amount(1.5)  # type: ignore[arg-type]

"""Every reader fails only with X12Error, whatever it is fed: random corruption of files the
writers produce never escapes as another exception type (edi/x12.py `only_x12_errors`)."""

from __future__ import annotations

import random

import pytest

from edi.ack277 import read_277ca, write_277ca
from edi.ack999 import ack999_for, read_999, write_999
from edi.x12 import X12Error, only_x12_errors
from edi.x837 import write_837i, write_837p
from edi.x837_read import list_claims
from tests.edi import scenarios as s
from tests.edi.test_ack277 import _ack


def _corruptions(text: str, seed: int, count: int = 300):
    rng = random.Random(seed)
    alphabet = "*:^~-.0123456789AZ \n"
    for _ in range(count):
        chars = list(text)
        for _ in range(rng.randint(1, 4)):
            chars[rng.randrange(len(chars))] = rng.choice(alphabet)
        yield "".join(chars)


def _only_x12_errors(reader, text: str, seed: int) -> None:
    """The reader's own checks must catch the damage: the catch-all that turns any other
    exception into an 'unreadable X12' error is a safety net, not the way errors are found."""
    for corrupted in _corruptions(text, seed):
        try:
            reader(corrupted)
        except X12Error as exc:
            assert not str(exc).startswith("unreadable X12"), (str(exc), corrupted)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_list_claims_on_corrupted_837s(seed):
    _only_x12_errors(
        list_claims, write_837p(s.secondary(), envelope=s.envelope(), group_control=1), seed
    )
    _only_x12_errors(
        list_claims, write_837i(s.residential(), envelope=s.envelope(), group_control=1), seed
    )


def test_the_safety_net_turns_a_reader_bug_into_an_x12error():
    @only_x12_errors
    def buggy(_: str) -> None:
        raise KeyError("boom")

    with pytest.raises(X12Error, match="unreadable X12: KeyError"):
        buggy("ISA")


def test_read_999_on_corrupted_999s():
    received = write_837p(s.outpatient(), envelope=s.envelope(), group_control=1)
    [ack] = ack999_for(received)
    _only_x12_errors(read_999, write_999(ack, envelope=s.envelope(), group_control=2), 999)


def test_read_277ca_on_corrupted_277s():
    _only_x12_errors(read_277ca, write_277ca(_ack(), envelope=s.envelope(), group_control=3), 277)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_read_270_and_read_271_on_corrupted_eligibility_files(seed):
    from edi.x270 import read_270, write_270
    from edi.x271 import read_271, write_271
    from tests.edi.test_x270_x271 import _envelope, _inquiry, _rich_response

    dependent = _inquiry(member_id="W2", patient_last_name="RIVERA", trace_number="T2")
    _only_x12_errors(
        read_270, write_270([_inquiry(), dependent], envelope=_envelope(), batch_id="B1"), seed
    )
    _only_x12_errors(read_271, write_271([_rich_response()], envelope=_envelope()), seed)

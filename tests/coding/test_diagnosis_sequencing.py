"""Ranked diagnoses follow ICD-10-CM sequencing (REFERENCE.md §5, §14): substance use in
pregnancy (O99.31-/O99.32-) comes first with the use it complicates (Guidelines I.C.15.a.1);
F02 follows the physiological condition its "code first" note names; a Z code is primary only
where the payer allows it."""

from __future__ import annotations

import pytest

from coding.codesets.icd10 import validate_icd10
from coding.diagnoses import DiagnosisRules, sequencing_errors


@pytest.mark.parametrize("code", ["O99.310", "O99.323", "G30.9", "G31.83", "G20.A1", "B20"])
def test_the_codes_bh_claims_need_from_other_chapters_are_bundled(code):
    assert validate_icd10(code).billable


@pytest.mark.parametrize(
    ("codes", "program", "error"),
    [
        (["O99.310", "F10.20"], "sud", None),
        (["F10.20", "O99.310"], "sud", "chapter 15 codes come first"),
        (["O99.310", "F33.1"], "mh", "needs the alcohol-use code (F10.-)"),
        (["O99.320", "F11.20"], "sud", None),
        (["O99.320", "F10.20"], "sud", "needs the drug-use code"),
        (["G30.9", "F02.80"], "mh", None),
        (["F02.80", "G30.9"], "mh", "code first the underlying physiological condition"),
        (["F02.80"], "mh", "code first"),
        (["F33.1", "G31.83", "F02.80"], "mh", None),
        (["Z63.0", "F43.23"], "mh", "does not accept one as the primary"),
        (["F43.23", "Z63.0"], "mh", None),
        (["F33.1", "F10.20"], "sud", "needs a substance-use primary diagnosis"),
        (["F10.20", "F33.1"], "sud", None),
    ],
)
def test_sequencing_at_its_boundaries(codes, program, error):
    errors = sequencing_errors(codes, program)
    if error is None:
        assert errors == []
    else:
        assert any(error in e for e in errors), errors


def test_a_payer_may_accept_a_z_code_as_primary():
    rules = DiagnosisRules(z_code_primary_allowed=True, payer_name="Plan Z")
    assert sequencing_errors(["Z63.0", "F43.23"], "mh", rules) == []
    strict = DiagnosisRules(payer_name="Plan S")
    assert "Plan S does not accept" in sequencing_errors(["Z63.0"], "mh", strict)[0]

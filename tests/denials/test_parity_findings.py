"""Parity findings state only what the payer's recorded comparators show (29 CFR
2590.712(c)): an unknown med/surg limit is no finding; an explicit "no limit" is."""

from __future__ import annotations

from denials.parity import findings


def _kinds(comparators):
    found = findings(
        root_cause="benefit_limit", level="outpatient", program="mh", comparators=comparators
    )
    return [f.kind for f in found]


def test_no_comparator_data_makes_no_visit_limit_finding():
    assert "visit_limit" not in _kinds({})
    assert "visit_limit" not in _kinds({"medsurg_visit_limits": {"iop": 20}})


def test_an_explicit_no_limit_for_med_surg_is_a_finding():
    assert "visit_limit" in _kinds({"medsurg_visit_limits": {"outpatient": None}})


def test_a_lower_mh_limit_than_med_surg_is_a_finding():
    comparators = {
        "medsurg_visit_limits": {"outpatient": 60},
        "mhsud_visit_limits": {"outpatient": 20},
    }
    assert "visit_limit" in _kinds(comparators)
    comparators["mhsud_visit_limits"]["outpatient"] = 60
    assert "visit_limit" not in _kinds(comparators)

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


def test_medicare_advantage_goes_to_the_independent_review_entity_without_a_filing_deadline():
    import datetime as dt

    from denials import appeals

    assert appeals.level_name("medicare_advantage", 2).startswith("Independent review entity")
    assert (
        appeals.level_deadline(
            payer_kind="medicare_advantage",
            level=2,
            start=dt.date(2026, 3, 1),
            payer_window_days=60,
        )
        is None
    )
    assert appeals.level_name("medicare_advantage", 3) == appeals.ALJ


def test_the_alj_and_court_minimums_follow_the_year():
    import datetime as dt
    from decimal import Decimal

    from denials.appeals import amount_in_controversy_short

    def short(amount, level, on):
        return amount_in_controversy_short(
            payer_kind="medicare", level=level, amount=Decimal(amount), on=on
        )

    assert short("195", 3, dt.date(2025, 6, 1)) is None  # $190 in 2025
    assert "$200" in short("195", 3, dt.date(2026, 6, 1))  # $200 in 2026
    assert short("1900", 5, dt.date(2025, 6, 1)) is None
    assert "$1,960" in short("1900", 5, dt.date(2026, 6, 1))
    assert short("10", 1, dt.date(2026, 6, 1)) is None  # redetermination: no minimum
    assert (
        amount_in_controversy_short(
            payer_kind="commercial", level=2, amount=Decimal("1"), on=dt.date(2026, 1, 1)
        )
        is None
    )

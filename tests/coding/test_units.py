"""Minutes -> units under each rounding rule."""

import pytest

from coding import (
    CMS_8_MINUTE_RULE,
    CPT_MIDPOINT_RULE,
    MICHIGAN_PER_15_MIN,
    MICHIGAN_UP_TO_15_MIN,
    RoundingKind,
    RoundingRule,
    bands_rule,
    count_units,
    explain_units,
)

EIGHT_MINUTE_CASES = [
    (0, 0),
    (7, 0),
    (8, 1),
    (22, 1),
    (23, 2),
    (37, 2),
    (38, 3),
    (52, 3),
    (53, 4),
    (67, 4),
    (68, 5),
]


@pytest.mark.parametrize(("minutes", "units"), EIGHT_MINUTE_CASES)
def test_cms_8_minute_rule(minutes, units):
    assert count_units(minutes, CMS_8_MINUTE_RULE) == units


@pytest.mark.parametrize(("minutes", "units"), EIGHT_MINUTE_CASES)
def test_cpt_midpoint_15_minute_units(minutes, units):
    assert count_units(minutes, CPT_MIDPOINT_RULE) == units


@pytest.mark.parametrize(
    ("unit_minutes", "minutes", "units"),
    [(30, 15, 0), (30, 16, 1), (30, 45, 1), (30, 46, 2), (60, 30, 0), (60, 31, 1), (60, 91, 2)],
)
def test_cpt_midpoint_longer_units(unit_minutes, minutes, units):
    rule = RoundingRule(RoundingKind.CPT_MIDPOINT, unit_minutes=unit_minutes)
    assert count_units(minutes, rule) == units


@pytest.mark.parametrize(
    ("minutes", "units"), [(0, 0), (1, 0), (14, 0), (15, 1), (29, 1), (30, 2), (44, 2), (45, 3)]
)
def test_michigan_per_15_minutes(minutes, units):
    assert count_units(minutes, MICHIGAN_PER_15_MIN) == units


@pytest.mark.parametrize(("minutes", "units"), [(0, 0), (1, 1), (15, 1), (16, 2), (30, 2), (31, 3)])
def test_michigan_up_to_15_minutes(minutes, units):
    assert count_units(minutes, MICHIGAN_UP_TO_15_MIN) == units


@pytest.mark.parametrize(("minutes", "units"), [(0, 0), (9, 0), (10, 1), (39, 1), (40, 2), (99, 2)])
def test_explicit_band_table_stays_flat_after_last_band(minutes, units):
    rule = bands_rule([(40, 2), (10, 1)], label="state X table")
    assert count_units(minutes, rule) == units


@pytest.mark.parametrize(
    ("rule", "minutes", "units"),
    [
        (RoundingRule(max_units=4), 120, 4),
        (RoundingRule(max_units=4), 53, 4),
        (RoundingRule(max_units=4), 38, 3),
        (bands_rule([(1, 1), (16, 2), (31, 3)], "cap", max_units=2), 45, 2),
    ],
)
def test_max_units_cap(rule, minutes, units):
    assert count_units(minutes, rule) == units


@pytest.mark.parametrize(
    "rule", [CMS_8_MINUTE_RULE, CPT_MIDPOINT_RULE, MICHIGAN_PER_15_MIN, MICHIGAN_UP_TO_15_MIN]
)
def test_negative_minutes_raise(rule):
    with pytest.raises(ValueError, match=r"minutes cannot be negative \(got -1\)"):
        count_units(-1, rule)


def test_explain_units_names_rule_and_threshold():
    units, reason = explain_units(23, CMS_8_MINUTE_RULE)
    assert units == 2
    assert reason == (
        "23 min under CMS 8-minute rule (15-min units, a unit counts from 8 min) → 2 unit(s)"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": RoundingKind.CMS_8_MINUTE, "unit_minutes": 30},
        {"kind": RoundingKind.CPT_MIDPOINT, "count_unit_at": 5},
        {"kind": RoundingKind.STATE_TABLE, "count_unit_at": 16},
        {"kind": RoundingKind.STATE_TABLE, "unit_minutes": 0},
        {"kind": "no_such_rule"},
    ],
)
def test_inconsistent_rules_rejected(kwargs):
    with pytest.raises(ValueError):
        RoundingRule(**kwargs)

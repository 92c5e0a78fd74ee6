"""PHP/IOP program-day qualification and each payer short-day outcome."""

import pytest

from coding import (
    LevelOfCareCode,
    PayerRules,
    ProgramDayRules,
    ServiceFacts,
    ShortDayOutcome,
    code_service,
    evaluate_day,
    evaluate_program_week,
)

PHP = LevelOfCareCode("S0201", revenue_code="0913", label="MH PHP per diem")
IOP = LevelOfCareCode("S9480", revenue_code="0905", label="MH IOP per diem")


def rules(outcome: str = "deny", day_h: float = 4, week_h: float = 20) -> ProgramDayRules:
    return ProgramDayRules(
        min_hours_per_day=day_h,
        min_hours_per_week=week_h,
        short_day_outcome=outcome,
        downcode_to=IOP,
    )


def day_facts(minutes: int, week: tuple[int, ...] = ()) -> ServiceFacts:
    return ServiceFacts(
        kind="program_day",
        minutes=minutes,
        rendering_license="psychiatrist",
        facility_pos="52",
        week_minutes=week,
    )


def payer(outcome: str) -> PayerRules:
    return PayerRules(program_day=rules(outcome), level_of_care=PHP)


@pytest.mark.parametrize("minutes", [240, 300])
@pytest.mark.parametrize("outcome", list(ShortDayOutcome))
def test_day_at_or_above_minimum_qualifies_whatever_the_outcome(minutes, outcome):
    day = evaluate_day(minutes, rules(outcome), PHP)
    assert day.qualifies and day.outcome is None and day.billed == PHP
    assert "≥ 4 h daily minimum" in day.reason


@pytest.mark.parametrize(
    ("outcome", "billed"),
    [("deny", None), ("downcode", IOP), ("pay", PHP), ("informational", PHP)],
)
def test_day_below_minimum_applies_payer_outcome(outcome, billed):
    day = evaluate_day(239, rules(outcome), PHP)
    assert not day.qualifies
    assert day.outcome == outcome
    assert day.billed == billed
    assert "< 4 h daily minimum" in day.reason and f"'{outcome}'" in day.reason


def test_absent_day_is_not_a_short_day():
    day = evaluate_day(0, rules("pay"), PHP)
    assert (day.qualifies, day.outcome, day.billed) == (False, None, None)
    assert "did not attend" in day.reason


@pytest.mark.parametrize(
    ("week", "met"),
    [
        ((240, 240, 240, 240, 240), True),
        ((240, 240, 240, 240, 239), False),
        ((300, 300, 300, 300, 0), True),
        ((360, 360, 360), False),
    ],
)
def test_weekly_minimum(week, met):
    result = evaluate_program_week(week, rules("deny"), PHP)
    assert result.meets_weekly_minimum is met
    assert result.total_minutes == sum(week)
    assert len(result.days) == len(week)
    assert ("(met)" if met else "(not met)") in result.reason


def test_week_reports_each_day():
    result = evaluate_program_week((240, 200, 0), rules("downcode"), PHP)
    assert [d.qualifies for d in result.days] == [True, False, False]
    assert [d.billed for d in result.days] == [PHP, IOP, None]


@pytest.mark.parametrize(
    ("outcome", "billable", "codes", "revenue"),
    [
        ("deny", False, (), None),
        ("downcode", True, ("S9480",), "0905"),
        ("pay", True, ("S0201",), "0913"),
        ("informational", True, ("S0201",), "0913"),
    ],
)
def test_engine_short_day(outcome, billable, codes, revenue):
    result = code_service(day_facts(180), payer(outcome))
    assert result.billable is billable
    assert result.codes == codes
    if billable:
        line = result.lines[0]
        assert (line.units, line.pos, line.revenue_code) == (1, "52", revenue)
    else:
        assert "< 4 h daily minimum" in result.errors[0]
    assert bool(result.warnings) is (outcome == "informational")


def test_engine_full_day_with_week_below_weekly_minimum_warns():
    result = code_service(day_facts(240, week=(240, 240, 240)), payer("deny"))
    assert result.billable and result.codes == ("S0201",)
    assert result.program_week is not None and not result.program_week.meets_weekly_minimum
    assert any("< 20 h weekly minimum" in w for w in result.warnings)


def test_engine_hourly_level_of_care_uses_unit_rule():
    from coding import RoundingRule

    hourly = LevelOfCareCode("H2012", unit_rule=RoundingRule(unit_minutes=60))
    result = code_service(
        day_facts(250), PayerRules(program_day=rules("deny"), level_of_care=hourly)
    )
    assert result.lines[0].units == 4


def test_engine_program_day_without_level_of_care_is_refused():
    result = code_service(day_facts(240))
    assert not result.billable
    assert "no level-of-care code" in result.errors[0]


def test_negative_program_minutes_raise():
    with pytest.raises(ValueError, match="day 2 cannot be negative"):
        day_facts(240, week=(240, -10))

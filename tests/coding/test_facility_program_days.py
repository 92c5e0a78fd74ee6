"""Facility programs billed as facilities (REFERENCE.md §14): a program day is billed by the
program (not refused or modified because of who led the day's group); residential and
withdrawal management per census day (admission day counts, discharge day does not, leave
days per payer); H0015's "at least 3 days a week"."""

from __future__ import annotations

import datetime

import pytest

from coding import LevelOfCareCode, PayerRules, ProgramDayRules, ServiceFacts, code_service
from coding.census import census_day, census_days
from coding.types import DayBasis, LeaveDays

D = datetime.date
IOP = LevelOfCareCode(hcpcs="H0015", revenue_code="0906")
RESIDENTIAL = LevelOfCareCode(hcpcs="H0018", revenue_code="1002")


def day_facts(license_type: str = "addiction_counselor", **kw) -> ServiceFacts:
    base = dict(kind="program_day", minutes=200, rendering_license=license_type)
    base.update(kw)
    return ServiceFacts(**base)


@pytest.mark.parametrize("leader", ["peer_specialist", "associate", "addiction_counselor"])
def test_a_program_day_is_billed_by_the_program_whoever_led_it(leader):
    rules = PayerRules(name="Plan", level_of_care=IOP, accepted_licenses=frozenset({"lcsw"}))
    result = code_service(day_facts(leader), rules)
    assert result.billable and result.lines[0].billed_provider.value == "facility"
    assert result.lines[0].modifiers == ()


def test_credential_modifiers_go_on_per_diem_lines_only_where_the_payer_asks():
    modifiers = {"addiction_counselor": "HN"}
    plain = PayerRules(level_of_care=IOP, license_modifiers=modifiers)
    asks = PayerRules(
        level_of_care=IOP, license_modifiers=modifiers, credential_modifiers_on_per_diem=True
    )
    assert code_service(day_facts(), plain).lines[0].modifiers == ()
    assert code_service(day_facts(), asks).lines[0].modifiers == ("HN",)


@pytest.mark.parametrize(
    ("day", "counts", "why"),
    [
        (D(2026, 3, 1), False, "before the admission"),
        (D(2026, 3, 2), True, "admission day"),
        (D(2026, 3, 3), True, "in census at midnight"),
        (D(2026, 3, 9), True, "in census at midnight"),
        (D(2026, 3, 10), False, "discharge day"),
        (D(2026, 3, 11), False, "after the discharge"),
    ],
)
def test_census_days_of_a_stay(day, counts, why):
    answer = census_day(day, D(2026, 3, 2), D(2026, 3, 10))
    assert answer.counts is counts and why in answer.reason


def test_a_same_day_admission_and_discharge_counts_once():
    assert census_day(D(2026, 3, 2), D(2026, 3, 2), D(2026, 3, 2)).counts
    stay = census_days(D(2026, 3, 1), D(2026, 3, 31), D(2026, 3, 2), D(2026, 3, 10))
    assert sum(1 for _, answer in stay if answer.counts) == 8  # 2nd..9th


def _census_rules(leave: LeaveDays = LeaveDays.NON_COVERED, hours: float = 0) -> PayerRules:
    program = ProgramDayRules(
        basis=DayBasis.CENSUS,
        min_hours_per_day=hours,
        min_hours_per_week=0,
        leave_days=leave,
        short_day_outcome="deny",
    )
    return PayerRules(name="Plan", level_of_care=RESIDENTIAL, program_day=program)


def test_a_residential_day_needs_no_attended_minutes():
    facts = day_facts(minutes=None, census=census_day(D(2026, 3, 3), D(2026, 3, 2), None))
    result = code_service(facts, _census_rules())
    assert result.billable and result.codes == ("H0018",) and result.lines[0].units == 1


def test_the_discharge_day_is_not_billed():
    facts = day_facts(census=census_day(D(2026, 3, 10), D(2026, 3, 2), D(2026, 3, 10)))
    result = code_service(facts, _census_rules())
    assert not result.billable and "discharge day" in result.errors[0]


@pytest.mark.parametrize(
    ("rule", "billable"), [(LeaveDays.BILL, True), (LeaveDays.NON_COVERED, False)]
)
def test_leave_days_follow_the_payers_rule(rule, billable):
    leave = census_day(D(2026, 3, 5), D(2026, 3, 2), None, {D(2026, 3, 5)})
    result = code_service(day_facts(minutes=0, census=leave), _census_rules(rule))
    assert result.billable is billable
    if not billable:
        assert "occurrence span 74" in result.errors[0]


def test_a_payer_hour_minimum_still_applies_to_a_census_day():
    census = census_day(D(2026, 3, 3), D(2026, 3, 2), None)
    rules = _census_rules(hours=5)
    assert code_service(day_facts(minutes=180, census=census), rules).billable is False
    assert code_service(day_facts(minutes=300, census=census), rules).billable is True


@pytest.mark.parametrize(("days", "met"), [((200, 200, 0, 0, 0), False), ((200, 200, 200), True)])
def test_h0015_needs_three_days_a_week(days, met):
    program = ProgramDayRules(min_hours_per_day=3, min_hours_per_week=0, min_days_per_week=3)
    rules = PayerRules(level_of_care=IOP, program_day=program)
    result = code_service(day_facts(week_minutes=days), rules)
    assert result.program_week.meets_days_minimum is met
    assert any("3 days a week" in w for w in result.warnings) is (not met)


def test_a_payer_may_bill_withdrawal_management_by_attendance(in_org_a):
    """Ambulatory withdrawal management (ASAM 1-WM/2-WM) is not a census service: the payer
    says so as data (program_minimums basis)."""
    from payers.rules import payer_rules_for
    from tests import factories

    census = factories.payer(name="Census WM")
    ambulatory = factories.payer(
        name="Ambulatory WM",
        program_minimums={
            "withdrawal_management": {
                "min_hours_per_day": 2,
                "min_hours_per_week": 0,
                "short_day_outcome": "deny",
                "basis": "attendance",
            }
        },
    )
    assert payer_rules_for(census, level="withdrawal_management").program_day.basis == "census"
    rules = payer_rules_for(ambulatory, level="withdrawal_management")
    assert rules.program_day.basis == "attendance" and rules.program_day.min_hours_per_day == 2


def test_interactive_complexity_is_not_added_to_a_program_days_lines():
    """A program day's lines are the program's; 90785 would be a line without a revenue code
    on the institutional claim."""
    rules = PayerRules(name="Plan", level_of_care=IOP)
    result = code_service(day_facts(interactive_complexity=True), rules)
    assert result.codes == ("H0015",)
    assert any("not added to a program day" in r for r in result.reasons)

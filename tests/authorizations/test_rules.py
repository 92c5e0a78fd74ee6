"""The pure authorization rules, table by table: authorized code tokens, line matching (code,
revenue code, modifiers), what a service debits, the coverage, span and provider checks, and
whether a service needs an authorization. Sources: REFERENCE.md §6 (codes and modifiers, unit
types, the NPI an authorization is tied to; outpatient care authorized after N visits) and §14
(units come off the authorization on the coverage billed that date; days once per day by the
billed day; CPT, HCPCS or revenue codes such as 1002, with modifiers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from authorizations import rules
from authorizations.rules import AuthFacts, BilledLine, PayerAuthRules, ServiceForAuth

DAY = dt.date(2026, 11, 2)


def auth(**over: Any) -> AuthFacts:
    fields: dict[str, Any] = dict(
        id=1,
        number="AUTH-1",
        coverage_id=10,
        coverage_label="Plan (primary)",
        level="residential",
        episode_id=None,
        codes=("1002",),
        unit_type="days",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 11, 30),
        usable=True,
        status_label="Approved",
        units_authorized=Decimal("10"),
        units_remaining=Decimal("10"),
    )
    return AuthFacts(**{**fields, **over})


def service(*lines: BilledLine, **over: Any) -> ServiceForAuth:
    fields: dict[str, Any] = dict(
        on_date=DAY, level="residential", episode_id=None, coverage_id=10, lines=lines
    )
    return ServiceForAuth(**{**fields, **over})


RESIDENTIAL_DAY = BilledLine("H0018", 1, revenue_code="1002", provider_id=7)


@pytest.mark.parametrize(
    ("typed", "token"),
    [
        ("h0015", "H0015"),
        (" H0015:hq ", "H0015:HQ"),
        ("H2036:U1:HF", "H2036:HF:U1"),  # a requirement does not depend on modifier order
        ("H2036:HF:HF", "H2036:HF"),
        ("1002", "1002"),
        ("0906", "0906"),
        ("90837:95", "90837:95"),
        ("0001U", "0001U"),
    ],
)
def test_authorized_codes_are_normalized_tokens(typed, token):
    assert rules.parse_code(typed).token == token


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("9083", "is not a CPT/HCPCS code"),  # 4 digits but no revenue-code category 9xxx
        ("ABC", "is not a CPT/HCPCS code"),
        ("H0015:HQX", "a modifier is 2 letters or digits"),
        ("H0015:", "a modifier is 2 letters or digits"),
        ("90837:95:GT:HO:HN:AJ", "at most 4 modifiers"),
    ],
)
def test_malformed_tokens_are_named(typed, fragment):
    assert fragment in rules.code_errors([typed])[0]


def test_codes_typed_as_text_are_split_normalized_and_deduplicated():
    assert rules.normalize_codes("h0015:hq, 1002; H0015:HQ 90837") == ["H0015:HQ", "1002", "90837"]


@pytest.mark.parametrize(
    ("token", "line", "matches"),
    [
        ("H0015", BilledLine("H0015"), True),
        ("H0015", BilledLine("H0015", modifiers=("HQ",)), True),  # extra modifiers are fine
        ("H0015:HQ", BilledLine("H0015"), False),
        ("H0015:HQ", BilledLine("H0015", modifiers=("95", "HQ")), True),
        ("H0015:HQ:TF", BilledLine("H0015", modifiers=("HQ",)), False),
        ("90837", BilledLine("90834"), False),
        ("1002", RESIDENTIAL_DAY, True),  # residential authorized by revenue code (§14)
        ("1002", BilledLine("H0018", revenue_code="1001"), False),
        ("1002", BilledLine("H0018"), False),
        ("H0018", RESIDENTIAL_DAY, True),
    ],
)
def test_a_line_matches_by_code_or_revenue_code_and_required_modifiers(token, line, matches):
    assert rules.parse_code(token).matches(line) is matches


@pytest.mark.parametrize(
    ("on_date", "why"),
    [
        (dt.date(2026, 9, 30), "service_date"),
        (dt.date(2026, 10, 1), None),  # first authorized day
        (dt.date(2026, 11, 30), None),  # last authorized day
        (dt.date(2026, 12, 1), "service_date"),
    ],
)
def test_the_authorized_span_includes_its_first_and_last_day(on_date, why):
    found = rules.mismatch(auth(), service(RESIDENTIAL_DAY, on_date=on_date), RESIDENTIAL_DAY)
    assert (found[0] if found else None) == why


@pytest.mark.parametrize(
    ("over", "service_over", "why"),
    [
        ({}, {}, None),
        ({"coverage_id": 11, "coverage_label": "Plan B (secondary)"}, {}, "coverage"),
        ({}, {"coverage_id": None}, "coverage"),
        ({"level": "php"}, {}, "level"),
        ({"usable": False, "status_label": "Pended"}, {}, "status"),
        ({"episode_id": 3}, {"episode_id": 4}, "episode"),
        ({"episode_id": 3}, {"episode_id": 3}, None),
        ({"codes": ("H0019",)}, {}, "codes"),
        ({"codes": ()}, {}, None),  # no codes: any code at its level
    ],
)
def test_an_authorization_pays_only_on_the_billed_coverage_level_episode_and_codes(
    over, service_over, why
):
    found = rules.mismatch(auth(**over), service(RESIDENTIAL_DAY, **service_over), RESIDENTIAL_DAY)
    assert (found[0] if found else None) == why


@pytest.mark.parametrize(
    ("tied", "auth_provider", "line_provider", "why"),
    [
        (False, 8, 7, None),  # the payer does not tie: the provider is information only
        (True, 7, 7, None),
        (True, 8, 7, "provider"),
        (True, None, 7, None),  # tied payer, authorization names nobody (legacy row)
    ],
)
def test_the_provider_is_checked_where_the_payer_ties_it(tied, auth_provider, line_provider, why):
    line = BilledLine("H0018", revenue_code="1002", provider_id=line_provider)
    facts = auth(tied_to_provider=tied, provider_id=auth_provider, provider_name="Dr. Tied")
    found = rules.mismatch(facts, service(line, provider_names={7: "Sam Lee"}), line)
    assert (found[0] if found else None) == why
    if why:
        assert "tied to Dr. Tied; H0018 is billed under Sam Lee" in found[1]


CRISIS = (BilledLine("90839", 1), BilledLine("90840", 2))


@pytest.mark.parametrize(
    ("unit_type", "lines", "extra", "debit"),
    [
        ("days", (RESIDENTIAL_DAY, BilledLine("90837", revenue_code="1002")), {}, "1"),
        ("days", (RESIDENTIAL_DAY,), {"days_taken": frozenset({1})}, "0"),  # day debited
        ("days", (RESIDENTIAL_DAY,), {"held": frozenset({1})}, "0"),  # by this service
        ("visits", CRISIS, {}, "1"),  # one per billed visit, whatever its lines
        ("units_15", CRISIS, {}, "3"),  # the lines' units
        ("hours", CRISIS, {"minutes": 100}, "1.67"),
        ("hours", CRISIS, {"minutes": None}, "0"),
    ],
)
def test_what_a_service_debits_by_unit_type(unit_type, lines, extra, debit):
    facts = auth(unit_type=unit_type, codes=())
    plan = rules.plan_debits(service(*lines, **extra), [facts])
    assert plan.amounts.get(1, Decimal(0)) == Decimal(debit)
    assert not plan.problems


def test_each_line_debits_the_authorization_that_lists_it_and_no_other():
    em = auth(id=1, number="EM", level="outpatient", codes=("99214",), unit_type="visits")
    therapy = auth(id=2, number="PT", level="outpatient", codes=("90836",), unit_type="visits")
    lines = (BilledLine("99214"), BilledLine("90836"), BilledLine("90785"))
    plan = rules.plan_debits(service(*lines, level="outpatient"), [em, therapy])
    assert plan.amounts == {1: Decimal(1), 2: Decimal(1)}
    assert [line.code for line in plan.lines[1]] == ["99214"]
    assert [line.code for line in plan.lines[2]] == ["90836"]


def test_a_line_goes_to_the_next_authorization_when_the_first_has_too_few_units():
    first = auth(id=1, number="A", unit_type="units_15", codes=(), units_remaining=Decimal(2))
    second = auth(id=2, number="B", unit_type="units_15", codes=())
    plan = rules.plan_debits(service(*CRISIS), [first, second])
    assert plan.amounts == {1: Decimal(1), 2: Decimal(2)}


def test_a_listed_line_that_cannot_be_paid_is_a_problem_naming_what_is_left():
    short = auth(unit_type="units_15", codes=(), units_remaining=Decimal(1))
    plan = rules.plan_debits(service(BilledLine("90840", 2)), [short])
    assert plan.problems["units"] == (
        "Not enough authorized units for 90840 (AUTH-1: 1 unit left).",
    )


@pytest.mark.parametrize(
    ("limit", "level", "prior", "needed"),
    [
        (8, "outpatient", 7, False),  # visit 8 of 8 without one
        (8, "outpatient", 8, True),  # visit 9 needs one
        (8, None, 8, True),  # a service outside any program is outpatient too
        (8, "iop", 20, None),  # the visit rule is about outpatient care only
        (None, "outpatient", 50, None),  # blank: outpatient visits never need one
    ],
)
def test_outpatient_visits_need_an_authorization_after_the_payers_count(
    limit, level, prior, needed
):
    payer = PayerAuthRules("Blue plan", outpatient_visits_before_auth=limit)
    found = rules.visit_rule(payer, level, prior)
    assert (found[0] if found else None) is needed


def test_a_code_on_the_payers_list_needs_an_authorization_at_any_level():
    payer = PayerAuthRules("MCO", required_codes=frozenset({"96130"}))
    found = rules.requirement(payer, "outpatient", (BilledLine("96130"), BilledLine("90837")))
    assert [found.needs(BilledLine(code)) for code in ("96130", "90837")] == [True, False]
    assert "MCO requires authorization for 96130" in found.reasons


def test_a_level_on_the_payers_list_needs_an_authorization_for_every_line():
    payer = PayerAuthRules("MCO", required_levels=frozenset({"residential"}))
    found = rules.requirement(payer, "residential", (RESIDENTIAL_DAY,))
    assert found.needs(RESIDENTIAL_DAY) and found.needs(BilledLine("90837"))


def test_the_answer_names_the_covering_authorization_and_what_is_left():
    payer = PayerAuthRules("MCO", required_levels=frozenset({"residential"}))
    check = rules.authorization_check(
        service(RESIDENTIAL_DAY), payer, [auth(units_remaining=Decimal(3))]
    )
    assert (check.needed, check.covered, check.holds_claim) == (True, True, False)
    assert check.message == "Needs authorization: yes, covered by AUTH-1, 3 of 10 days left."


def test_the_answer_says_why_none_covers_it():
    payer = PayerAuthRules("MCO", required_levels=frozenset({"residential"}))
    secondary = auth(coverage_id=11, coverage_label="Plan B (secondary)")
    check = rules.authorization_check(service(RESIDENTIAL_DAY), payer, [secondary])
    assert check.holds_claim
    assert check.message == (
        "Needs authorization: yes, none covers it (AUTH-1 is on Plan B (secondary), "
        "not the coverage billed on 2026-11-02)."
    )


def test_no_coverage_needs_no_authorization():
    check = rules.authorization_check(service(RESIDENTIAL_DAY, coverage_id=None), None, [])
    assert (check.needed, check.holds_claim) == (False, False)
    assert check.message.startswith("Needs authorization: no (no coverage in force")


def test_a_service_that_bills_nothing_holds_no_claim():
    payer = PayerAuthRules("MCO", required_levels=frozenset({"residential"}))
    check = rules.authorization_check(service(), payer, [auth()])
    assert (check.needed, check.holds_claim) == (True, False)
    assert check.message == (
        "Needs authorization: yes, but the service bills nothing, so it uses none."
    )

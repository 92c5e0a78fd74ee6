"""The behavioral-health benefit card (edi/benefits.py): what each 271 sample says, what it
leaves unknown (and why), carve-outs, rejections, in- vs out-of-network, and changes().

Rules under test (REFERENCE.md §10 "270/271"): CAQH CORE lets payers omit cost share for MH, A6,
A7, A8 and AI, so a missing figure is unknown with that reason, never zero; loop 2120 names the
carve-out administrator; the plan-level answer (30) fills service types with nothing of their
own, and says so."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from decimal import Decimal

import pytest

from edi.benefits import Change, benefit_card, benefit_cards, changes
from edi.eligibility_scenarios import CARVE_OUT_ADMINISTRATOR, CARVE_OUT_PHONE, answer
from edi.x270 import BH_SERVICE_TYPES, EligibilityInquiry
from edi.x271 import read_271
from tests.edi.samples import needs_samples, sample, sample_names

D = datetime.date
M = Decimal
TODAY = D(2026, 11, 27)
GAINWELL = "kartik__gainwell-style-medicaid-with-mental-health.x12"


def _inquiry(member_id: str) -> EligibilityInquiry:
    return EligibilityInquiry(
        payer_name="SYNTH HEALTH PLAN",
        payer_id="SYN01",
        provider_name="RIVERSIDE COUNSELING",
        provider_npi="1234567893",
        member_id=member_id,
        subscriber_last_name="RIVERA",
        subscriber_first_name="ANA",
        service_types=("30", "MH"),
        service_date=D(2026, 11, 30),
        trace_number="T1",
    )


def _card(member_id: str):
    return benefit_card(answer(_inquiry(member_id), today=TODAY))


def _figures(card):
    for s in card.services:
        for terms in (s.in_network, s.out_of_network):
            for f in dataclasses.fields(terms):
                value = getattr(terms, f.name)
                if hasattr(value, "known"):
                    yield s.service_type, terms.network, f.name, value


# --- the samples ----------------------------------------------------------------------------


@needs_samples
@pytest.mark.parametrize("name", sample_names("271"))
def test_no_card_from_any_sample_shows_an_unknown_figure_as_zero(name):
    for card in benefit_cards(read_271(sample("271", name))):
        assert [s.service_type for s in card.services] == list(BH_SERVICE_TYPES)
        for where in _figures(card):
            figure = where[-1]
            assert figure.known or (figure.value is None and figure.reason), where


@needs_samples
def test_the_gainwell_medicaid_card_says_mh_is_covered_and_its_cost_share_is_unknown():
    cards = benefit_cards(read_271(sample("271", GAINWELL)))
    card = cards[0]
    assert (card.status, card.member_id, card.member_name) == (
        "active",
        "SUB000001",
        "TEST001 MEMBER001",
    )
    assert (card.plan_description, card.insurance_type, card.plan_date) == (
        "TEST PLAN|A001|MEDICAID",
        "MC",
        D(2026, 4, 22),
    )
    assert (card.plan_begin, card.plan_end, card.carve_out) == (None, None, None)
    mh = card.mental_health
    assert (mh.covered, mh.from_plan_level, mh.authorization_required) == (True, False, None)
    assert mh.in_network.copay.value is None
    assert mh.in_network.copay.reason == (
        "the payer returned no mental health copay; CAQH CORE makes MH discretionary "
        "(REFERENCE.md §10)"
    )
    assert "out-of-network coinsurance" in mh.out_of_network.coinsurance.reason
    # psychotherapy is not listed: the active plan (30) covers it, nothing more is known
    a6 = card.service("A6")
    assert (a6.covered, a6.from_plan_level, a6.in_network.copay.value) == (True, True, None)
    # the plan sponsor named in 2120 is a contact, not a carve-out administrator
    [sponsor] = card.contacts
    assert (sponsor.name, sponsor.phone) == ("PLAN SPONSOR 001", "8665550001")
    assert Counter(c.status for c in cards) == Counter(active=136, rejected=13, unknown=4)


@needs_samples
def test_the_gainwell_rejections_read_in_plain_words():
    cards = benefit_cards(read_271(sample("271", GAINWELL)))
    reasons = Counter(r for c in cards if c.status == "rejected" for r in c.status_reasons)
    assert reasons == Counter(
        {
            "subscriber name is invalid or missing (AAA 73, correct and resubmit)": 8,
            "birth date does not match the payer's record for this member (AAA 71, correct "
            "and resubmit)": 4,
            "subscriber not found (AAA 75, correct and resubmit)": 1,
        }
    )


@needs_samples
def test_a_copay_given_only_for_the_whole_plan_is_shown_as_the_plans_and_network_unstated():
    card = benefit_cards(read_271(sample("271", GAINWELL)))[139]  # EB*B**30^35^47***23*5.00
    assert card.status == "unknown"  # no EB01 1-8: coverage itself was not stated
    assert card.status_reasons == ("the payer returned no active or inactive coverage (EB01 1-8)",)
    copay = card.mental_health.in_network.copay
    assert (copay.value, copay.from_plan_level, copay.network_stated, copay.period) == (
        M("5.00"),
        True,
        False,
        "calendar year",
    )
    assert card.mental_health.out_of_network.copay.value == M("5.00")


@needs_samples
@pytest.mark.parametrize(
    "name", ["lfh__subscriber-benefit-response.x12", "lfh__dependent-benefit-response.x12"]
)
def test_the_guide_response_card_has_mh_copays_in_and_out_of_network(name):
    [card] = benefit_cards(read_271(sample("271", name)))
    assert (card.status, card.plan_begin, card.plan_description) == (
        "active",
        D(2006, 1, 1),
        "GOLD 123 PLAN",
    )
    mh = card.mental_health
    assert (mh.covered, mh.from_plan_level) == (True, False)
    assert (mh.in_network.copay.value, mh.in_network.copay.period) == (M("10.00"), "visit")
    assert mh.out_of_network.copay.value == M("30.00")
    assert mh.in_network.deductible.value is None
    assert "CAQH CORE makes MH discretionary" in mh.in_network.deductible.reason
    # substance-use services: only the plan-level active status is known
    ai = card.service("AI")
    assert (ai.covered, ai.from_plan_level, ai.in_network.copay.value) == (True, True, None)


@needs_samples
@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("kartik__rejected-subscriber.x12", "72", "member id is invalid or missing"),
        ("lfh__subscriber-error-response.x12", "50", "provider is not eligible to make inquiries"),
        ("oopfactory__from-georgiosd.x12", "42", "cannot respond right now"),
    ],
)
def test_a_rejected_inquiry_gives_a_rejected_card_with_nothing_known(name, code, words):
    [card] = benefit_cards(read_271(sample("271", name)))
    assert card.status == "rejected"
    [reason] = card.status_reasons
    assert words in reason and f"AAA {code}" in reason
    assert card.mental_health.covered is None
    assert all(not figure.known for *_, figure in _figures(card))
    assert words in card.mental_health.in_network.copay.reason


@needs_samples
@pytest.mark.parametrize("name", ["kartik__active-coverage.x12", "kartik__ls-le-wrapper.x12"])
def test_a_bare_active_response_covers_bh_from_the_plan_level_only(name):
    [card] = benefit_cards(read_271(sample("271", name)))
    assert card.status == "active" and card.plan_date == D(2026, 4, 12)
    assert {(s.covered, s.from_plan_level) for s in card.services} == {(True, True)}
    assert not any(figure.known for *_, figure in _figures(card))


# --- the sandbox scenarios ------------------------------------------------------------------


def test_the_active_card_has_bh_cost_share_by_network_and_limits():
    card = _card("M1")
    assert (card.status, card.plan_begin, card.plan_end) == (
        "active",
        D(2026, 1, 1),
        D(2026, 12, 31),
    )
    mh = card.mental_health
    assert (mh.in_network.copay.value, mh.out_of_network.copay.value) == (M(25), M(60))
    assert (mh.in_network.coinsurance.value, mh.out_of_network.coinsurance.value) == (
        M("0.2"),
        M("0.4"),
    )
    assert (mh.in_network.deductible.value, mh.in_network.deductible_remaining.value) == (
        M(1500),
        M(400),
    )
    assert mh.in_network.deductible.from_plan_level  # the deductible is the plan's (30)
    assert (mh.in_network.out_of_pocket.value, mh.in_network.out_of_pocket_remaining.value) == (
        M(6000),
        M("4200.5"),
    )
    assert mh.out_of_network.deductible.value is None  # only in-network was returned
    a6 = card.service("A6").in_network
    assert (a6.visits_allowed.value, a6.visits_used.value, a6.visits_remaining.value) == (
        M(30),
        M(8),
        M(22),
    )
    assert card.service("A7").authorization_required is True
    assert card.service("A7").messages == ("PRIOR AUTHORIZATION REQUIRED FOR INPATIENT AND PHP",)
    assert card.authorization_required is True
    ai = card.service("AI")
    assert ai.covered is True and ai.in_network.copay.value is None
    assert "CAQH CORE makes AI discretionary" in ai.in_network.copay.reason


def test_the_carved_out_card_names_the_administrator_and_its_phone():
    card = _card("M7")
    assert card.status == "active"  # the medical plan is active; BH is someone else's
    assert (card.carve_out.name, card.carve_out.phone, card.carve_out.contact) == (
        CARVE_OUT_ADMINISTRATOR,
        CARVE_OUT_PHONE,
        "PROVIDER SERVICES",
    )
    assert "MH" in card.carve_out.service_types and "AI" in card.carve_out.service_types
    mh = card.mental_health
    assert mh.covered is None and mh.carve_out == card.carve_out
    assert mh.in_network.copay.reason == (
        f"mental health is carved out to {CARVE_OUT_ADMINISTRATOR} ({CARVE_OUT_PHONE}): ask them"
    )
    assert card.contacts == ()  # the administrator is the carve-out, not a contact


def test_a_2120_payer_other_than_the_source_on_an_mh_benefit_is_a_carve_out():
    response = answer(_inquiry("M1"), today=TODAY)
    mh = dataclasses.replace(response.benefits[1])  # EB*1 for MH and the other BH types
    other = dataclasses.replace(response.payer, name="OTHER BH PAYER", contacts=())
    same = response.payer
    with_other = dataclasses.replace(mh, entities=(other,))
    with_same = dataclasses.replace(mh, entities=(same,))
    benefits = list(response.benefits)
    benefits[1] = with_other
    assert benefit_card(dataclasses.replace(response, benefits=tuple(benefits))).carve_out.name == (
        "OTHER BH PAYER"
    )
    benefits[1] = with_same
    assert benefit_card(dataclasses.replace(response, benefits=tuple(benefits))).carve_out is None


def test_the_inactive_card_has_last_years_dates_and_no_coverage():
    card = _card("M8")
    assert (card.status, card.plan_begin, card.plan_end) == (
        "inactive",
        D(2025, 1, 1),
        D(2025, 12, 31),
    )
    assert card.mental_health.covered is False and card.mental_health.from_plan_level
    assert card.mental_health.in_network.copay.reason == "coverage is inactive"


def test_the_invalid_member_card_is_rejected_with_the_reason():
    card = _card("M9")
    assert card.status == "rejected"
    assert card.status_reasons == (
        "member id is invalid or missing (AAA 72, correct and resubmit)",
    )


def test_a_figure_stated_for_neither_network_applies_to_both():
    response = answer(_inquiry("M1"), today=TODAY)
    copays = [b for b in response.benefits if b.info == "B"]
    either = dataclasses.replace(copays[0], network="W", amount=M(35))
    rest = tuple(b for b in response.benefits if b.info != "B")
    card = benefit_card(dataclasses.replace(response, benefits=(*rest, either)))
    mh = card.mental_health
    assert (mh.in_network.copay.value, mh.out_of_network.copay.value) == (M(35), M(35))
    assert mh.in_network.copay.network_stated is False


# --- changes --------------------------------------------------------------------------------


def test_an_unchanged_card_has_no_changes():
    assert changes(_card("M1"), _card("M1")) == []


def test_a_first_card_lists_every_fact_as_new():
    found = changes(None, _card("M1"))
    assert Change("status", "", "active") in found
    assert Change("MH in-network copay", "", "$25.00 per visit") in found


def test_a_carve_out_shows_which_lines_changed_and_from_what():
    found = {c.what: c for c in changes(_card("M1"), _card("M7"))}
    assert "status" not in found  # still active
    assert found["carve-out administrator"] == Change(
        "carve-out administrator", "", CARVE_OUT_ADMINISTRATOR
    )
    assert found["MH in-network copay"] == Change(
        "MH in-network copay", "$25.00 per visit", "unknown"
    )
    assert found["MH in-network coinsurance"].before == "20% per visit"
    assert found["MH covered"] == Change("MH covered", "yes", "unknown")


def test_losing_coverage_changes_the_status_and_the_dates():
    found = {c.what: c for c in changes(_card("M1"), _card("M8"))}
    assert found["status"] == Change("status", "active", "inactive")
    assert found["plan end"] == Change("plan end", "2026-12-31", "2025-12-31")
    assert found["A6 in-network visits remaining"] == Change(
        "A6 in-network visits remaining", "22", "unknown"
    )


@needs_samples
def test_another_payer_named_under_eb_r_is_listed_as_other_coverage():
    card = benefit_cards(read_271(sample("271", GAINWELL)))[136]  # EB*R**30^35^47*MC*...
    assert [e.name for e in card.other_payers] == ["SUPPLEMENTAL DESK 137"]
    assert any(
        c.what == "other payers" and c.after == "SUPPLEMENTAL DESK 137" for c in changes(None, card)
    )


def test_a_card_that_answers_about_substance_use_is_marked_as_part_2_data():
    assert _card("M1").mentions_sud is True  # EB*1 lists AI
    [plain] = benefit_cards(
        [answer(_inquiry("M8"), today=TODAY)]  # inactive: EB*6 for 30 only
    )
    assert plain.mentions_sud is False


def test_an_inquiry_about_substance_use_services_is_a_part_2_disclosure():
    assert _inquiry("M1").discloses_sud is False
    assert dataclasses.replace(_inquiry("M1"), service_types=("MH", "AI")).discloses_sud is True


def test_an_eligibility_range_gives_the_eligibility_begin_and_end():
    from edi.x271 import DateRange

    response = answer(_inquiry("M1"), today=TODAY)
    ranged = dataclasses.replace(response, dates=(DateRange("307", D(2026, 2, 1), D(2026, 7, 31)),))
    card = benefit_card(ranged)
    assert (card.eligibility_begin, card.eligibility_end) == (D(2026, 2, 1), D(2026, 7, 31))
    assert (card.plan_begin, card.plan_end) == (None, None)


def _with(response, *benefits):
    return dataclasses.replace(response, benefits=(*response.benefits[:1], *benefits))


def test_a_service_the_payer_does_not_cover_says_so_instead_of_unknown_cost_share():
    from edi.x271 import Benefit

    response = answer(_inquiry("M1"), today=TODAY)
    card = benefit_card(_with(response, Benefit(info="I", service_types=("AI", "AJ", "AK"))))
    ai = card.service("AI")
    assert (ai.covered, ai.in_network.copay.value) == (False, None)
    assert ai.in_network.copay.reason == "substance abuse is not covered"
    assert card.mental_health.covered is True and card.mental_health.from_plan_level


def test_a_visit_limit_given_as_a_delivery_pattern_and_the_individual_deductible_are_read():
    from edi.x271 import Benefit, Delivery

    response = answer(_inquiry("M1"), today=TODAY)
    limit = Benefit(
        info="F",
        service_types=("MH",),
        deliveries=(Delivery(quantity_qualifier="VS", quantity=M(20), period="23"),),
    )
    family = Benefit(info="C", coverage_level="FAM", service_types=("MH",), time_period="23",
                     amount=M(3000))  # fmt: skip
    single = Benefit(info="C", coverage_level="IND", service_types=("MH",), time_period="23",
                     amount=M(1500))  # fmt: skip
    mh = benefit_card(_with(response, limit, family, single)).mental_health
    assert mh.in_network.visits_allowed.value == M(20)
    assert mh.out_of_network.visits_allowed.value == M(20)  # no EB12: either network
    assert mh.in_network.deductible.value == M(1500)
    assert mh.in_network.visits_remaining.value is None

"""Professional coding rules from the 2026-11 review (REFERENCE.md §14): psychotherapy add-ons
only after the E/M families CPT lists, Medicare crisis at non-office sites (G0017/G0018),
crisis minutes summed per date, group time inside the group, and incident-to supervisors."""

from __future__ import annotations

import datetime

import pytest

from coding import CrisisSiteCodes, PayerRules, ServiceFacts, code_service
from coding.psychotherapy import addon_em_family, crisis_codes
from coding.types import minutes_within

MEDICARE_CRISIS = CrisisSiteCodes(
    first="G0017", each_additional="G0018", places_of_service=frozenset({"12", "15"})
)
MEDICARE = PayerRules(name="Medicare", crisis_site=MEDICARE_CRISIS)


def em(code: str, minutes: int = 40) -> ServiceFacts:
    return ServiceFacts(
        kind="em_with_psychotherapy",
        em_code=code,
        minutes=minutes,
        rendering_license="psychiatrist",
        facility_pos="11",
    )


# --- Add-ons go only with the E/M families CPT lists (BCBSIL psychiatry policy, CPT) ------


@pytest.mark.parametrize(
    "code",
    ["99202", "99215", "99221", "99239", "99304", "99316", "99341", "99350", "99213"],
)
def test_an_add_on_follows_each_listed_e_m_family_at_its_edges(code):
    result = code_service(em(code))
    assert result.billable and result.codes == (code, "90836")


@pytest.mark.parametrize(
    ("code", "what"),
    [
        ("99285", "an emergency department visit"),
        ("99281", "an emergency department visit"),
        ("99492", "a care-management code"),
        ("99494", "a care-management code"),
        ("99217", "not in them"),  # observation discharge, deleted in 2023
        ("99240", "not in them"),
        ("99351", "not in them"),
    ],
)
def test_an_add_on_with_an_e_m_outside_those_families_is_refused_with_the_reason(code, what):
    result = code_service(em(code))
    assert not result.billable and result.lines == ()
    assert len(result.errors) == 1
    assert f"{code} is {what}" in result.errors[0]
    assert "office/outpatient 99202-99215" in result.errors[0]


def test_an_e_m_outside_the_families_is_billed_alone_when_there_is_no_add_on_time():
    result = code_service(em("99285", minutes=10))
    assert result.billable and result.codes == ("99285",)


def test_addon_families_are_named():
    assert addon_em_family("99214") == "office/outpatient 99202-99215"
    assert addon_em_family("99345") == "home/residence 99341-99350"
    assert addon_em_family("99492") is None


# --- Crisis: G0017/G0018 at Medicare non-office sites (cms.gov Psychotherapy for Crisis) ---


def crisis(minutes: int, **kw) -> ServiceFacts:
    base = dict(kind="crisis", minutes=minutes, rendering_license="lcsw", facility_pos="11")
    base.update(kw)
    return ServiceFacts(**base)


def test_medicare_crisis_in_person_at_home_is_g0017_and_g0018():
    result = code_service(crisis(80, patient_at_home=True), MEDICARE)
    assert [(line.code, line.units) for line in result.lines] == [("G0017", 1), ("G0018", 1)]
    assert any("POS 12" in r and "G0017/G0018" in r for r in result.reasons)


def test_medicare_crisis_in_a_mobile_unit_is_g0017():
    result = code_service(crisis(45, facility_pos="15"), MEDICARE)
    assert result.codes == ("G0017",)


@pytest.mark.parametrize(
    ("facts", "why"),
    [
        (crisis(45), "office"),
        (crisis(45, facility_pos="21"), "inpatient hospital"),
        (crisis(45, patient_at_home=True, modality="video"), "telehealth to the home"),
    ],
)
def test_medicare_crisis_elsewhere_stays_90839(facts, why):
    assert code_service(facts, MEDICARE).codes[0] == "90839", why


def test_a_payer_without_site_codes_bills_90839_at_home():
    assert code_service(crisis(45, patient_at_home=True), PayerRules()).codes == ("90839",)


# --- Crisis minutes of one date add up (REFERENCE.md §14, BCBSIL policy) -----------------


@pytest.mark.parametrize(
    ("before", "minutes", "expected"),
    [
        (0, 45, [("90839", 1)]),
        (40, 45, [("90840", 1)]),  # 85 min that day: 90839 was coded on the first
        (20, 15, [("90839", 1)]),  # 35 min that day: now crisis
        (35, 20, []),  # 55 min: nothing more than the 90839 already coded
        (74, 1, [("90840", 1)]),  # 75 min reaches the first 90840 unit
        (74, 0, []),
        (100, 5, [("90840", 1)]),  # 105 min: second 90840 unit
        (0, 105, [("90839", 1), ("90840", 2)]),
    ],
)
def test_crisis_codes_for_this_service_are_what_it_adds_to_the_days_total(
    before, minutes, expected
):
    decisions = crisis_codes(minutes, before=before)
    assert [(d.code, d.units) for d in decisions] == expected


def test_a_second_crisis_service_that_adds_no_unit_is_not_billed_on_its_own():
    result = code_service(crisis(20, crisis_minutes_before=35))
    assert not result.billable and result.errors == ()
    assert any("included in the earlier crisis service" in w for w in result.warnings)


def test_two_short_crisis_services_are_crisis_together():
    result = code_service(crisis(15, crisis_minutes_before=20))
    assert result.codes == ("90839",)
    assert any("20 + 15 = 35 minutes that day" in r for r in result.reasons)


def test_a_day_under_30_crisis_minutes_is_coded_as_psychotherapy():
    result = code_service(crisis(10, crisis_minutes_before=10))
    assert result.billable is False  # 10 minutes of psychotherapy is under 16
    result = code_service(crisis(20, crisis_minutes_before=5))
    assert result.codes == ("90832",)


# --- Group time counts only inside the group's start and stop (REFERENCE.md §14) --------

T = datetime.datetime(2026, 11, 2, 18, 0, tzinfo=datetime.UTC)


def at(minutes: int) -> datetime.datetime:
    return T + datetime.timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("arrive", "leave", "expected"),
    [
        (0, 60, 60),
        (-15, 60, 60),  # came early
        (0, 90, 60),  # stayed late
        (-30, 90, 60),
        (20, 40, 20),
        (-30, -5, 0),  # left before the group started
        (61, 90, 0),
    ],
)
def test_attended_minutes_are_clipped_to_the_group(arrive, leave, expected):
    assert minutes_within(at(arrive), at(leave), at(0), at(60)) == expected


# --- Incident-to: which supervisors and where (42 CFR 410.26; REFERENCE.md §14) -----------

INCIDENT_TO = PayerRules(
    name="Medicare",
    pays_under_supervisor=True,
    supervisor_licenses=frozenset({"psychiatrist", "psychologist", "pmhnp", "pa", "cns"}),
    supervision_places=frozenset({"11", "12"}),
)


def associate(supervisor: str, pos: str = "11") -> ServiceFacts:
    return ServiceFacts(
        kind="individual",
        minutes=53,
        rendering_license="associate",
        supervising_license=supervisor,
        facility_pos=pos,
    )


@pytest.mark.parametrize("supervisor", ["psychiatrist", "psychologist", "pmhnp", "pa", "cns"])
def test_an_auxiliary_clinicians_service_is_billed_under_an_eligible_supervisor(supervisor):
    result = code_service(associate(supervisor), INCIDENT_TO)
    assert result.billable and result.lines[0].billed_provider.value == "supervising"


@pytest.mark.parametrize("supervisor", ["lcsw", "lmft", "lpc"])
def test_csw_mft_and_mhc_cannot_be_the_supervising_biller(supervisor):
    result = code_service(associate(supervisor), INCIDENT_TO)
    assert not result.billable
    assert "does not pay services billed under a supervising" in result.errors[0]


def test_incident_to_is_refused_in_an_institutional_setting():
    result = code_service(associate("psychologist", pos="21"), INCIDENT_TO)
    assert not result.billable
    assert "only at POS 11, 12; this one is at 21" in result.errors[0]

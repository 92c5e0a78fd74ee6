"""Codes depend on the program (MH vs SUD), not only on the level (REFERENCE.md §14): a
payer's code map is keyed by program x level x service kind, over its program-independent
columns. Checked through the starter catalog and stored sessions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from coding import PayerRules, ServiceCode, ServiceFacts, code_service
from coding.types import RoundingRule
from patients.coding_bridge import preview_for
from patients.services.clinical import episode_admit, group_session_record, session_record
from payers.catalog import catalog_install
from payers.rules import payer_rules_for
from payers.services.payers import payer_update
from tests import factories

DAY = datetime.date(2026, 11, 2)
START = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)
MEDICAID, MCO, PPO = (
    "State Medicaid (example)",
    "Medicaid MCO (example)",
    "Commercial PPO (example)",
)


@pytest.fixture
def payers(in_org_a):
    return {p.name: p for p, _ in catalog_install(org=in_org_a)}


def _patient_in(payer, program, level, dx=None):
    patient = factories.patient()
    factories.coverage(patient_obj=patient, payer_obj=payer)
    diagnosis = dx or ("F10.20" if program == "sud" else "F33.1")
    episode_admit(
        patient=patient,
        program=program,
        level=level,
        admit_date=DAY - datetime.timedelta(days=7),
        diagnoses=[diagnosis],
        facility=factories.facility(pos="57" if program == "sud" else "53"),
    )
    return patient


def _record(patient, kind, minutes=None, provider=None, **extra):
    facts = dict(patient=patient, kind=kind, rendering_provider=provider or factories.provider())
    if kind == "program_day":
        facts.update(service_date=DAY, attended_minutes=minutes or 200)
    else:
        facts.update(starts_at=START, ends_at=START + datetime.timedelta(minutes=minutes or 53))
    facts.update(extra)
    return session_record(actor=None, **facts)


def _lines(session):
    result = preview_for(session_like=session)
    assert result.billable, (result.errors, result.reasons)
    return [(line.code, line.units, line.revenue_code, line.modifiers) for line in result.lines]


@pytest.mark.parametrize(
    ("program", "code", "revenue_code"),
    [("mh", "S9480", "0905"), ("sud", "H0015", "0906")],
)
def test_an_iop_day_at_medicaid_is_coded_by_its_program(payers, program, code, revenue_code):
    patient = _patient_in(payers[MEDICAID], program, "iop")
    [(billed, units, rev, _)] = _lines(_record(patient, "program_day"))
    assert (billed, units, rev) == (code, 1, revenue_code)


@pytest.mark.parametrize(("program", "revenue_code"), [("mh", "1001"), ("sud", "1002")])
def test_commercial_residential_gets_the_programs_revenue_code(payers, program, revenue_code):
    patient = _patient_in(payers[PPO], program, "residential")
    [(_, _, rev, _)] = _lines(_record(patient, "program_day", minutes=600))
    assert rev == revenue_code


def test_an_mh_group_at_the_mco_is_90853_and_an_sud_group_is_h0005(payers):
    mh = _patient_in(payers[MCO], "mh", "outpatient")
    sud = _patient_in(payers[MCO], "sud", "outpatient")
    group = group_session_record(
        actor=None,
        facilitator=factories.provider(license_type="lcsw"),
        starts_at=START,
        ends_at=START + datetime.timedelta(minutes=60),
        attendees=[{"patient": mh}, {"patient": sud}],
    )
    rows = {s.patient_id: s for s in group.attendees.all()}
    [(mh_code, mh_units, _, _)] = _lines(rows[mh.pk])
    assert (mh_code, mh_units) == ("90853", 1)
    [(sud_code, sud_units, _, sud_mods)] = _lines(rows[sud.pk])
    assert (sud_code, sud_units) == ("H0005", 4) and "HQ" in sud_mods


def test_medicaid_bills_sud_counseling_as_h0004_per_15_minutes(payers):
    patient = _patient_in(payers[MEDICAID], "sud", "outpatient")
    [(code, units, _, _)] = _lines(_record(patient, "individual", minutes=53))
    assert (code, units) == ("H0004", 3)  # whole 15-minute units only (state table)


def test_medicaid_bills_mh_psychotherapy_with_cpt(payers):
    patient = _patient_in(payers[MEDICAID], "mh", "outpatient")
    [(code, units, _, _)] = _lines(_record(patient, "individual", minutes=53))
    assert (code, units) == ("90837", 1)


@pytest.mark.parametrize(
    ("kind", "code", "modifier"),
    [("family_with_patient", "90847", "HR"), ("family_without_patient", "90846", "HS")],
)
def test_medicaid_family_modifiers_follow_whether_the_client_was_there(
    payers, kind, code, modifier
):
    patient = _patient_in(payers[MEDICAID], "mh", "outpatient")
    [(billed, _, _, modifiers)] = _lines(_record(patient, kind, minutes=50))
    assert billed == code and modifier in modifiers


@pytest.mark.parametrize(
    ("kind", "code", "minutes", "units"),
    [
        ("peer_support", "H0038", 45, 3),
        ("case_management", "T1017", 30, 2),
        ("skills_training", "H2014", 60, 4),
        ("community_support", "H0036", 15, 1),
        ("crisis", "H2011", 90, 6),
    ],
)
def test_medicaid_community_services_are_billed_with_its_hcpcs_codes(
    payers, kind, code, minutes, units
):
    patient = _patient_in(payers[MEDICAID], "mh", "outpatient")
    extra = {}
    if kind == "peer_support":  # peers work under a supervisor (REFERENCE.md §4)
        provider = factories.provider(license_type="peer_specialist")
        extra["supervising_provider"] = factories.provider(license_type="lcsw")
    else:
        provider = factories.provider(license_type="lcsw")
    [(billed, billed_units, _, _)] = _lines(
        _record(patient, kind, minutes=minutes, provider=provider, **extra)
    )
    assert (billed, billed_units) == (code, units)


def test_a_community_service_at_a_payer_without_a_code_is_refused_with_the_reason(payers):
    patient = _patient_in(payers[PPO], "mh", "outpatient")
    result = preview_for(session_like=_record(patient, "peer_support", minutes=30))
    assert not result.billable
    assert "Commercial PPO (example) has no code for peer support" in result.errors[0]


def test_a_peer_cannot_bill_psychotherapy_through_a_remapped_code():
    rules = PayerRules(
        name="Medicaid",
        accepted_licenses=frozenset({"peer_specialist", "lcsw"}),
        service_codes={"individual": ServiceCode(hcpcs="H0004", unit_rule=RoundingRule())},
    )
    facts = ServiceFacts(kind="individual", minutes=53, rendering_license="peer_specialist")
    result = code_service(facts, rules)
    assert not result.billable and "cannot bill psychotherapy code 90832" in result.errors[0]


def test_without_an_episode_the_program_independent_columns_apply(payers):
    rules = payer_rules_for(payers[MEDICAID], level="iop", program=None)
    assert rules.level_of_care is None  # no IOP code without knowing the program
    # H0035 is mental-health PHP (§14): MH's own code; SUD PHP has none until configured.
    assert payer_rules_for(payers[MEDICAID], level="php", program="mh").level_of_care.hcpcs == (
        "H0035"
    )
    assert payer_rules_for(payers[MEDICAID], level="php", program="sud").level_of_care is None


@pytest.mark.parametrize(("program", "code"), [("mh", "S9480"), ("sud", "H0015")])
def test_a_short_php_day_is_downcoded_to_the_programs_own_iop_code(payers, program, code):
    rules = payer_rules_for(payers[MCO], level="php", program=program)
    assert rules.program_day.downcode_to.hcpcs == code


@pytest.mark.parametrize(
    ("program_codes", "message"),
    [
        ({"xx": {}}, "Unknown program 'xx'"),
        ({"mh": {"detox": {}}}, "MH detox: unknown level of care"),
        ({"mh": {"any": {"massage": {"hcpcs": "H0004"}}}}, "unknown service kind 'massage'"),
        (
            {"sud": {"iop": {"program_day": {"hcpcs": "H0015", "pos": "52"}}}},
            "POS 52 is partial hospitalization",
        ),
        ({"sud": {"any": {"program_day": {"hcpcs": "H0015"}}}}, "belong to a level of care"),
        ({"mh": {"any": {"peer_support": {"unit": "per_15min"}}}}, "needs a code, or modifiers"),
        ({"mh": {"any": {"peer_support": {"hcpcs": "H38"}}}}, "code 'H38' must be"),
        ({"mh": {"any": {"peer_support": {"hcpcs": "H0038", "unit": "weekly"}}}}, "unit must"),
        ({"sud": {"any": {"group": {"mode": "hourly", "code": "H0005"}}}}, "mode must be"),
    ],
)
def test_bad_program_codes_are_refused_with_the_program_level_and_kind(
    payers, program_codes, message
):
    payer = payers[PPO]
    with pytest.raises(ValidationError) as refused:
        payer_update(payer=payer, actor=None, program_codes=program_codes)
    errors = refused.value.message_dict["program_codes"]
    assert any(message in error for error in errors), errors
    payer.refresh_from_db()
    assert "mh" in payer.program_codes  # unchanged


def test_an_iop_on_pos_52_is_refused_in_the_program_independent_map_too(payers):
    payer = payers[PPO]
    entry = {"hcpcs": "S9480", "revenue_code": "0905", "pos": "52", "unit": "per_diem"}
    with pytest.raises(ValidationError) as refused:
        payer_update(payer=payer, actor=None, level_of_care_codes={"iop": entry})
    assert "POS 52 is partial hospitalization" in str(refused.value)


@pytest.mark.parametrize(
    ("payer", "program", "rule"),
    [
        (MCO, "sud", True),
        (PPO, "sud", True),
        (MEDICAID, "sud", True),
        (MCO, "mh", False),
    ],
)
def test_h0015s_three_days_a_week_rides_on_its_code_at_every_payer(payers, payer, program, rule):
    rules = payer_rules_for(payers[payer], level="iop", program=program)
    facts = ServiceFacts(
        kind="program_day", minutes=200, rendering_license="lcsw", week_minutes=(200, 200)
    )
    result = code_service(facts, rules)
    assert result.program_week.meets_days_minimum is (not rule)
    assert any("3 days a week" in w for w in result.warnings) is rule

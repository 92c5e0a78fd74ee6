"""Payer and facility pages: billing managers edit structured rules that reach the engine;
everyone else may look; bad input gets field errors (400) and saves nothing."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest

from coding import Attendance, ServiceFacts, code_service, count_units
from coding.types import LEVEL_CHOICES
from facilities.models import Facility
from payers.models import FeeScheduleRate, Payer
from payers.rules import payer_rules_for
from payers.views import PayerForm, payer_initial
from rcm.tenancy import org_context
from tests import factories
from tests.payers.conftest import PAGES, reload

pytestmark = pytest.mark.django_db
MEDICAID = "State Medicaid (example)"


def form_data(payer: Payer, **changes: Any) -> dict[str, Any]:
    """What the edit form posts back when its initial values are submitted, plus changes."""
    form = PayerForm(initial=payer_initial(payer))
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form.get_initial_for_field(field, name))
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _url(payer: Payer, suffix: str = "") -> str:
    return f"{PAGES}payers/{payer.public_id}/{suffix}"


def test_everyone_with_a_role_sees_the_payer_list_but_only_managers_get_the_buttons(
    catalog, manager, biller
):
    page = biller.get(f"{PAGES}payers/")
    assert page.status_code == 200 and MEDICAID in page.text
    assert "install-starter" not in page.text
    assert "install-starter" in manager.get(f"{PAGES}payers/").text


def test_installing_starter_payers_from_the_page_is_idempotent(org_a, manager):
    url = f"{PAGES}payers/install-starter/"
    assert manager.post(url).status_code == 302
    assert manager.post(url).status_code == 302
    with org_context(org_a):
        assert Payer.objects.count() == 5
    assert manager.get(url).status_code == 405


def test_a_biller_cannot_install_create_or_edit(catalog, biller):
    payer = catalog[MEDICAID]
    assert biller.post(f"{PAGES}payers/install-starter/").status_code == 403
    assert biller.get(f"{PAGES}payers/new/").status_code == 403
    assert biller.get(_url(payer, "edit/")).status_code == 403
    assert biller.post(_url(payer, "edit/"), form_data(payer, name="Hacked")).status_code == 403
    assert biller.post(_url(payer, "rates/new/"), {"code": "90837"}).status_code == 403
    assert biller.get(f"{PAGES}facilities/new/").status_code == 403
    assert biller.get(_url(payer)).status_code == 200


def test_the_detail_page_reads_the_rules_in_plain_words(catalog, biller):
    page = biller.get(_url(catalog["Medicare Part B"])).text
    assert "Units: CMS 8-minute rule" in page
    assert (
        "Telehealth: POS 10 at home / 02 elsewhere, modifier 95 video, 93 audio-only "
        "(patient at home only)"
    ) in page
    assert "G0410" in page and "0915" in page and "41" in page  # PHP row
    assert "$155.00" in page  # fee schedule
    medicaid = biller.get(_url(catalog[MEDICAID])).text
    assert "per 15 min: whole units only" in medicaid
    assert "bills others&#x27; services under a supervisor with HO" in medicaid


def test_saving_the_edit_form_unchanged_keeps_the_engines_rules(org_a, catalog, manager):
    cases = [(lv, pg) for lv in [None, *dict(LEVEL_CHOICES)] for pg in (None, "mh", "sud")]
    for payer in catalog.values():
        with org_context(org_a):
            before = [payer_rules_for(payer, level=lv, program=pg) for lv, pg in cases]
        response = manager.post(_url(payer, "edit/"), form_data(payer))
        assert response.status_code == 302, (payer.name, response.context["form"].errors)
        stored = reload(org_a, payer)
        with org_context(org_a):
            after = [payer_rules_for(stored, level=lv, program=pg) for lv, pg in cases]
        unlabelled = [
            dataclasses.replace(r, telehealth=dataclasses.replace(r.telehealth, label=""))
            for r in (*before, *after)
        ]
        for case, old, new in zip(cases, unlabelled[: len(cases)], unlabelled[len(cases) :]):
            assert old == new, (payer.name, case)
        assert stored.program_codes == payer.program_codes, payer.name
        assert stored.parity_comparators["applies"] == payer.parity_comparators["applies"]


def _group_23_minutes(rules):
    facts = ServiceFacts(
        kind="group", rendering_license="lcsw", facility_pos="11", attendees=(Attendance("p1", 23),)
    )
    return code_service(facts, rules)


def test_switching_rounding_to_cms_changes_the_engines_units(org_a, catalog, manager):
    payer = catalog[MEDICAID]  # state table: whole 15-minute units only
    with org_context(org_a):
        assert count_units(23, payer_rules_for(payer).rounding) == 1
    data = form_data(
        payer,
        rounding_rule="cms_8_minute",
        group_mode="per_15min",
        group_code="h0005",
        group_modifiers="hq",
    )
    assert manager.post(_url(payer, "edit/"), data).status_code == 302
    stored = reload(org_a, payer)
    assert stored.rounding_params == {"label": "per 15 min: whole units only"}
    with org_context(org_a):
        rules = payer_rules_for(stored)
    assert count_units(23, rules.rounding) == 2
    line = _group_23_minutes(rules).lines[0]
    assert (line.code, line.units, line.modifiers) == ("H0005", 2, ("HQ", "AJ"))


def test_the_form_saves_every_structured_rule(org_a, catalog, manager):
    payer = catalog["Blue plan (example)"]
    data = form_data(
        payer,
        kind="commercial",
        claim_filing_indicator="12",
        timely_filing_days="120",
        appeal_window_days="65",
        rounding_rule="state_table",
        count_unit_at="15",
        max_units="8",
        th_use_facility_pos="",
        th_video_modifier="GT",
        th_audio_only_allowed="",
        accepted_license_types=["lcsw", "associate"],
        pays_under_supervisor="on",
        supervision_modifiers="HL, HO",
        licmod_lcsw="aj",
        auth_required_levels=["php", "residential"],
        auth_required_codes="96130 H0015",
        outpatient_visits_before_auth="8",
        auth_tied_to_provider="on",
        family_min_minutes="45",
        eval_90791="H0031",
        loc_otp_hcpcs="H0020",
        loc_otp_revenue_code="0919",
        loc_otp_pos="58",
        loc_otp_unit="per_diem",
        loc_iop_hcpcs="S9480",
        loc_iop_unit="per_15min",
        pm_php_day="5",
        pm_php_week="25",
        pm_php_short="downcode",
        pm_php_down_hcpcs="S9480",
        pm_residential_review="14",
        mh_review_php="5",
        ms_review_skilled_nursing="10",
        ms_auth_levels=["inpatient"],
        ms_visits_before_auth="",
    )
    assert manager.post(_url(payer, "edit/"), data).status_code == 302
    p = reload(org_a, payer)
    assert (p.claim_filing_indicator, p.timely_filing_days, p.appeal_window_days) == ("12", 120, 65)
    assert p.rounding_params == {"count_unit_at": 15, "max_units": 8, "label": "CPT midpoint rule"}
    assert p.telehealth["video_modifier"] == "GT" and p.telehealth["audio_only_allowed"] is False
    assert p.supervision_modifiers == ["HL", "HO"] and p.license_modifiers == {"lcsw": "AJ"}
    assert p.auth_required_codes == ["96130", "H0015"] and p.outpatient_visits_before_auth == 8
    assert p.auth_tied_to_provider is True
    assert p.level_of_care_codes["otp"] == {
        "hcpcs": "H0020",
        "revenue_code": "0919",
        "pos": "58",
        "unit": "per_diem",
    }
    assert p.level_of_care_codes["iop"]["unit_rule"] == {
        "kind": "state_table",
        "count_unit_at": 15,
        "max_units": 8,
    }
    assert p.program_minimums["php"]["downcode_to"] == {"hcpcs": "S9480"}
    assert p.program_minimums["residential"] == {
        "min_hours_per_day": 0.0,
        "min_hours_per_week": 0.0,
        "short_day_outcome": "pay",
        "plan_review_days": 14,
    }
    assert p.parity_comparators["mhsud_review_interval_days"]["php"] == 5
    assert p.parity_comparators["medsurg_review_interval_days"]["skilled_nursing"] == 10
    assert p.parity_comparators["medsurg_auth_required_levels"] == ["inpatient"]
    with org_context(org_a):
        rules = payer_rules_for(p, level="php")
        iop = payer_rules_for(p, level="iop")
    assert rules.program_day.downcode_to.hcpcs == "S9480"
    assert rules.evaluation_code_overrides == {"90791": "H0031"}
    assert rules.family_min_minutes == 45
    assert iop.level_of_care.unit_rule.count_unit_at == 15


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accepted_license_types": ["lcsw", "shaman"]}, "accepted_license_types"),
        ({"licmod_lcsw": "AJX"}, "licmod_lcsw"),
        ({"supervision_modifiers": "HO, H"}, "supervision_modifiers"),
        ({"timely_filing_days": "-3"}, "timely_filing_days"),
        ({"claim_filing_indicator": "XX"}, "claim_filing_indicator"),
        ({"loc_iop_revenue_code": "906"}, "loc_iop_revenue_code"),
        ({"loc_iop_hcpcs": "", "loc_iop_revenue_code": "0906"}, "loc_iop_hcpcs"),
        ({"loc_iop_type_of_bill": "131"}, "loc_iop_type_of_bill"),
        ({"th_home_pos": "100"}, "th_home_pos"),
        ({"rounding_rule": "state_table", "count_unit_at": ""}, "count_unit_at"),
        ({"rounding_bands": "8:1"}, "rounding_bands"),
        ({"pm_php_short": "downcode", "pm_php_down_hcpcs": ""}, "pm_php_down_hcpcs"),
        ({"pm_php_day": "25"}, "pm_php_day"),
        ({"supervisor_license_types": ["lcsw", "wizard"]}, "supervisor_license_types"),
        ({"supervision_places_of_service": "11, 1A"}, "supervision_places_of_service"),
        ({"crisis_first_code": "G0017", "crisis_additional_code": ""}, "crisis_first_code"),
        ({"crisis_first_code": "G001"}, "crisis_first_code"),
        ({"crisis_places_of_service": "12 ZZ"}, "crisis_places_of_service"),
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(org_a, catalog, manager, changes, field):
    payer = catalog[MEDICAID]
    data = form_data(payer, **{"timely_filing_days": "200", **changes})
    response = manager.post(_url(payer, "edit/"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert reload(org_a, payer).timely_filing_days == 180


def test_a_service_error_without_a_form_field_is_shown_on_the_form(org_a, catalog, manager):
    other = catalog["Blue plan (example)"]
    payer = catalog[MEDICAID]
    response = manager.post(_url(payer, "edit/"), form_data(payer, name=other.name))
    assert response.status_code == 400
    assert "already exists" in response.context["form"].errors["name"][0]


def test_a_new_payer_is_created_from_the_form(org_a, manager):
    page = manager.get(f"{PAGES}payers/new/")
    assert page.status_code == 200
    data = form_data(Payer(), name="Tiny EAP", kind="commercial", claim_filing_indicator="CI")
    response = manager.post(f"{PAGES}payers/new/", data)
    assert response.status_code == 302
    with org_context(org_a):
        payer = Payer.objects.get(name="Tiny EAP")
        assert payer_rules_for(payer).telehealth.home_pos == "10"


def test_a_rate_is_added_and_a_negative_rate_is_refused(org_a, catalog, manager):
    payer = catalog[MEDICAID]
    url = _url(payer, "rates/new/")
    good = {
        "code": "h2019",
        "modifiers": "ho",
        "license_type": "lpc",
        "rate": "22.50",
        "effective_from": "2026-03-01",
    }
    assert manager.get(url).status_code == 200
    assert manager.post(url, good).status_code == 302
    bad = manager.post(url, {**good, "code": "H2017", "rate": "-1"})
    assert bad.status_code == 400 and "rate" in bad.context["rate_form"].errors
    with org_context(org_a):
        rates = FeeScheduleRate.objects.filter(payer=payer)
        assert rates.filter(code="H2019", modifiers=["HO"], license_type="lpc").exists()
        assert not rates.filter(code="H2017").exists()


def test_a_rate_added_through_htmx_swaps_the_fee_schedule(catalog, manager):
    payer = catalog[MEDICAID]
    data = {"code": "H0004", "rate": "30", "effective_from": "2026-02-01"}
    response = manager.post(_url(payer, "rates/new/"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="fee-schedule"')
    assert "H0004" in response.text
    error = manager.post(
        _url(payer, "rates/new/"), {**data, "modifiers": "A B C D E"}, HTTP_HX_REQUEST="true"
    )
    assert "At most 4" in error.text


FACILITY = {
    "name": "Northside IOP",
    "npi": "1234567893",
    "taxonomy": "261qm0801x",
    "address_line1": "5 Oak St",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "pos": "53",
    "is_active": "on",
}


def test_facilities_are_created_and_edited(org_a, manager, biller):
    assert manager.post(f"{PAGES}facilities/new/", FACILITY).status_code == 302
    with org_context(org_a):
        facility = Facility.objects.get(name="Northside IOP")
    assert facility.taxonomy == "261QM0801X"
    url = f"{PAGES}facilities/{facility.public_id}/edit/"
    assert manager.post(url, {**FACILITY, "pos": "57"}).status_code == 302
    with org_context(org_a):
        assert Facility.objects.get(pk=facility.pk).pos == "57"
    assert "Northside IOP" in biller.get(f"{PAGES}facilities/").text
    assert biller.get(url).status_code == 403


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"npi": "1234567890"}, "npi"),
        ({"taxonomy": "261QM0801"}, "taxonomy"),
        ({"pos": "5"}, "pos"),
        ({"bill_type": "131"}, "bill_type"),
    ],
)
def test_a_bad_facility_gets_a_field_error_and_saves_nothing(org_a, manager, changes, field):
    response = manager.post(f"{PAGES}facilities/new/", {**FACILITY, **changes})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    with org_context(org_a):
        assert not Facility.objects.exists()


def test_another_orgs_payer_and_facility_answer_404(org_a, org_b, manager):
    with org_context(org_b):
        payer = factories.payer()
        facility = factories.facility()
    for url in (
        _url(payer),
        _url(payer, "edit/"),
        _url(payer, "rates/new/"),
        f"{PAGES}facilities/{facility.public_id}/edit/",
    ):
        assert manager.get(url).status_code == 404, url
    assert (
        manager.post(
            _url(payer, "rates/new/"),
            {"code": "90837", "rate": "1", "effective_from": "2026-01-01"},
        ).status_code
        == 404
    )
    with org_context(org_b):
        assert not FeeScheduleRate.objects.exists()


def test_a_payer_with_rules_the_engine_cannot_use_is_flagged(org_a, biller):
    with org_context(org_a):
        payer = factories.payer(telehealth={"zoom": True})
    page = biller.get(_url(payer)).text
    assert "Rules the coding engine cannot use" in page
    assert datetime.date.today()  # page rendered without a server error


def test_the_form_saves_incident_to_crisis_site_and_z_code_rules(org_a, catalog, manager):
    payer = catalog[MEDICAID]
    data = form_data(
        payer,
        pays_under_supervisor="on",
        supervisor_license_types=["psychologist", "pmhnp"],
        supervision_places_of_service="11 12",
        crisis_first_code="g0017",
        crisis_additional_code="G0018",
        crisis_places_of_service="12, 15",
        z_code_primary_allowed="on",
    )
    assert manager.post(_url(payer, "edit/"), data).status_code == 302
    stored = reload(org_a, payer)
    assert stored.crisis_site_codes == {
        "first": "G0017",
        "each_additional": "G0018",
        "places_of_service": ["12", "15"],
    }
    assert stored.z_code_primary_allowed is True
    with org_context(org_a):
        rules = payer_rules_for(stored)
    assert rules.crisis_site.places_of_service == frozenset({"12", "15"})
    assert rules.supervisor_licenses == frozenset({"psychologist", "pmhnp"})
    assert rules.supervision_places == frozenset({"11", "12"})

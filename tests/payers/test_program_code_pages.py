"""Codes by program on the payer pages: billing managers edit `Payer.program_codes` through
structured rows (a program day per level, then group, evaluation and service codes at any
level), the engine bills what they saved for that program only, bad rows get field errors and
save nothing, and the detail page reads the codes in plain words."""

from __future__ import annotations

import html
import re

import pytest
from django.core.exceptions import ValidationError

from coding import ServiceFacts, code_service
from payers.rules import SERVICE_CODE_KINDS, payer_rules_for
from payers.services.payers import payer_update
from payers.views import PayerForm, payer_columns
from payers.views.program_codes import errors_on_rows
from payers.views.summaries import SERVICE_LABELS
from rcm.tenancy import org_context
from tests.payers.conftest import PAGES, reload
from tests.payers.test_pages import form_data

pytestmark = pytest.mark.django_db
MEDICAID, MCO = "State Medicaid (example)", "Medicaid MCO (example)"


def _url(payer, suffix=""):
    return f"{PAGES}payers/{payer.public_id}/{suffix}"


def _row(page: str, testid: str) -> str:
    """The text of the table row or list marked `testid`, tags stripped."""
    found = re.search(rf'data-testid="{testid}">(.*?)</(tr|ul)>', page, re.S)
    assert found, testid
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()))


def _iop_day(rules):
    facts = ServiceFacts(
        kind="program_day",
        rendering_license="psychiatrist",  # no license modifier at the State Medicaid payer
        minutes=200,
        facility_pos="57",
        week_minutes=(200, 200, 200),
    )
    [line] = code_service(facts, rules).lines
    return line.code, line.revenue_code, line.modifiers


def test_every_service_kind_a_payer_may_code_has_a_row():
    assert set(SERVICE_LABELS) == set(SERVICE_CODE_KINDS)


def test_the_edit_form_gives_back_each_starter_payers_program_codes_exactly(catalog):
    assert catalog[MEDICAID].program_codes["sud"]["any"]["group"]["code"] == "H0005"
    for payer in catalog.values():
        form = PayerForm(data=form_data(payer))
        assert form.is_valid(), (payer.name, form.errors)
        assert payer_columns(form.cleaned_data)["program_codes"] == payer.program_codes, payer.name


def test_an_sud_iop_code_saved_on_the_page_changes_what_the_engine_bills_for_sud_only(
    org_a, catalog, manager
):
    payer = catalog[MEDICAID]
    with org_context(org_a):
        assert _iop_day(payer_rules_for(payer, level="iop", program="sud"))[:2] == (
            "H0015",
            "0906",
        )
    data = form_data(
        payer,
        pc_sud_iop_program_day_hcpcs="h2036",
        pc_sud_iop_program_day_modifiers="hf",
        pc_sud_iop_program_day_revenue_code="0906",
    )
    assert manager.post(_url(payer, "edit/"), data).status_code == 302
    stored = reload(org_a, payer)
    assert stored.program_codes["sud"]["iop"]["program_day"]["hcpcs"] == "H2036"
    with org_context(org_a):
        sud = _iop_day(payer_rules_for(stored, level="iop", program="sud"))
        mh = _iop_day(payer_rules_for(stored, level="iop", program="mh"))
        unknown = payer_rules_for(stored, level="iop", program=None)
    assert sud == ("H2036", "0906", ("HF",))
    assert mh == ("S9480", "0905", ())
    assert unknown.level_of_care is None  # no program: no IOP code, as before


def test_rows_filled_on_the_page_are_stored_with_only_what_was_entered(org_a, catalog, manager):
    payer = catalog[MCO]  # MH has no code of its own at any level
    data = form_data(
        payer,
        pc_sud_otp_program_day_hcpcs="H0020",
        pc_sud_otp_program_day_pos="58",
        pc_mh_any_evaluation_90791="H0031",
        pc_mh_any_peer_support_hcpcs="H0038",
        pc_mh_any_peer_support_unit="per_15min",
        pc_mh_any_family_with_patient_modifiers="HR",
    )
    assert manager.post(_url(payer, "edit/"), data).status_code == 302
    codes = reload(org_a, payer).program_codes
    assert codes["sud"]["otp"] == {
        "program_day": {"hcpcs": "H0020", "pos": "58", "unit": "per_diem"}
    }
    assert codes["mh"]["any"] == {
        "evaluation": {"90791": "H0031"},
        "peer_support": {"hcpcs": "H0038", "unit": "per_15min"},
        "family_with_patient": {"modifiers": ["HR"]},
    }


def test_a_cleared_row_stores_nothing_and_the_program_independent_rule_applies(
    org_a, catalog, manager
):
    payer = catalog[MCO]
    cleared = {f"pc_sud_any_group_{part}": "" for part in ("mode", "code", "modifiers")}
    assert manager.post(_url(payer, "edit/"), form_data(payer, **cleared)).status_code == 302
    stored = reload(org_a, payer)
    assert "any" not in stored.program_codes["sud"]
    with org_context(org_a):
        group = payer_rules_for(stored, level="outpatient", program="sud").group
    assert (group.mode, group.code) == ("per_session", "90853")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"pc_sud_iop_program_day_pos": "52"},
            "pc_sud_iop_program_day_pos",
            "POS 52 is partial hospitalization",
        ),
        ({"pc_mh_any_peer_support_hcpcs": "H38"}, "pc_mh_any_peer_support_hcpcs", "Enter a CPT"),
        (
            {"pc_sud_any_skills_training_unit": "per_15min"},
            "pc_sud_any_skills_training_hcpcs",
            "Enter a code, or modifiers",
        ),
        (
            {"pc_mh_otp_program_day_revenue_code": "0919"},
            "pc_mh_otp_program_day_hcpcs",
            "Enter the code billed for this program day",
        ),
        (
            {"pc_mh_inpatient_program_day_unit": "per_hour"},
            "pc_mh_inpatient_program_day_hcpcs",
            "Enter the code billed for this program day",
        ),
        ({"pc_sud_any_group_mode": ""}, "pc_sud_any_group_mode", "Choose how the group"),
        ({"pc_mh_any_group_mode": "per_15min"}, "pc_mh_any_group_code", "Enter the group code"),
        ({"pc_sud_any_evaluation_90792": "9079"}, "pc_sud_any_evaluation_90792", "Enter a CPT"),
        ({"pc_sud_any_group_modifiers": "HQ HF U1 U2 U3"}, "pc_sud_any_group_modifiers", "At most"),
    ],
)
def test_a_bad_program_code_row_gets_a_field_error_and_saves_nothing(
    org_a, catalog, manager, changes, field, message
):
    payer = catalog[MEDICAID]
    data = form_data(payer, **{"timely_filing_days": "200", **changes})
    response = manager.post(_url(payer, "edit/"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in errors[field][0], errors
    assert f'aria-label="{response.context["form"].fields[field].label}"' in response.text
    stored = reload(org_a, payer)
    assert stored.timely_filing_days == 180
    assert stored.program_codes == payer.program_codes


POS_52 = "POS 52 is partial hospitalization; an IOP uses its real site."


def test_service_messages_land_on_the_cell_they_name_and_the_rest_stay_as_they_are():
    refused = ValidationError(
        {
            "program_codes": [
                f"SUD iop program day: {POS_52}",
                "SUD any group: mode must be per_session or per_15min.",
                "MH any peer support: needs a code, or modifiers to add to the CPT code.",
                "MH outpatient peer support: needs a code, or modifiers to add to the CPT code.",
            ],
            "name": ["A payer with this name already exists."],
        }
    )
    routed = errors_on_rows(refused).message_dict
    assert routed["pc_sud_iop_program_day_pos"] == [POS_52]
    assert routed["pc_sud_any_group_mode"] == ["Mode must be per_session or per_15min."]
    assert routed["pc_mh_any_peer_support_hcpcs"][0].startswith("Needs a code")
    assert routed["program_codes"] == [refused.message_dict["program_codes"][3]]
    assert routed["name"] == ["A payer with this name already exists."]


def test_codes_the_page_has_no_row_for_are_listed_and_kept_when_it_is_saved(
    org_a, catalog, manager
):
    payer = catalog[MCO]
    codes = {**payer.program_codes}
    codes["sud"] = {**codes["sud"], "outpatient": {"peer_support": {"hcpcs": "H0038"}}}
    with org_context(org_a):
        payer_update(payer=payer, program_codes=codes)
    page = manager.get(_url(payer, "edit/")).text
    assert "SUD Outpatient, peer support: H0038, per session" in _row(page, "program-codes-kept")
    data = form_data(payer, pc_mh_any_crisis_hcpcs="H2011", pc_mh_any_crisis_unit="per_15min")
    assert manager.post(_url(payer, "edit/"), data).status_code == 302
    stored = reload(org_a, payer).program_codes
    assert stored["sud"]["outpatient"] == {"peer_support": {"hcpcs": "H0038"}}
    assert stored["mh"]["any"]["crisis"] == {"hcpcs": "H2011", "unit": "per_15min"}


def test_the_detail_page_reads_each_programs_codes_and_what_applies_without_them(catalog, biller):
    page = biller.get(_url(catalog[MEDICAID])).text
    mh_iop = _row(page, "program-code-mh-iop-program_day")
    sud_iop = _row(page, "program-code-sud-iop-program_day")
    assert mh_iop == "Intensive outpatient (IOP) Program day MH IOP per diem S9480 0905 — per diem"
    assert sud_iop == (
        "Intensive outpatient (IOP) Program day SUD IOP per diem H0015 0906 — per diem"
    )
    assert _row(page, "program-code-sud-any-group") == (
        "Any level Group H0005 — HQ per 15 minutes attended"
    )
    mh_independent = _row(page, "program-codes-mh-independent")
    assert "H0035" in _row(page, "program-code-mh-php-program_day")  # MH PHP: MH's own
    assert "Withdrawal management (detox) program day: H0010 (rev 1002), per diem" in (
        mh_independent
    )
    assert "Group: 90853, one unit per session" in mh_independent
    assert "Evaluation: 90791 billed as H0031" in mh_independent
    assert "Individual psychotherapy: their CPT codes" in mh_independent
    assert "Individual psychotherapy" not in _row(page, "program-codes-sud-independent")
    medicare = biller.get(_url(catalog["Medicare Part B"])).text
    assert "No MH codes of its own." in medicare
    assert "Peer support, case management, skills training, community support: no code" in (
        _row(medicare, "program-codes-sud-independent")
    )

"""API: payers, fee-schedule rates and facilities, with field-keyed errors, role checks,
the engine's rules endpoint, and 404 for another org's objects."""

from __future__ import annotations

from typing import Any

import pytest

from facilities.models import Facility
from payers.models import FeeScheduleRate, Payer
from rcm.tenancy import org_context
from tests import factories
from tests.payers.conftest import API

pytestmark = pytest.mark.django_db

NEW_PAYER = {
    "name": "Regional HMO",
    "kind": "commercial",
    "claim_filing_indicator": "HM",
    "timely_filing_days": 90,
    "appeal_window_days": 180,
    "rounding_rule": "cpt_midpoint",
    "accepted_license_types": ["lcsw", "lpc", "psychiatrist"],
    "license_modifiers": {"lcsw": "AJ"},
    "telehealth": {"use_facility_pos": True, "video_modifier": "95"},
    "level_of_care_codes": {
        "iop": {
            "hcpcs": "S9480",
            "revenue_code": "0905",
            "type_of_bill": "13",
            "pos": "53",  # a CMHC; POS 52 is partial hospitalization, never IOP (§14)
            "unit": "per_diem",
        }
    },
    "program_minimums": {
        "iop": {"min_hours_per_day": 3, "min_hours_per_week": 9, "short_day_outcome": "deny"}
    },
    "parity_comparators": {"applies": True, "medsurg_auth_required_levels": ["inpatient"]},
}


def _post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", data, content_type="application/json")


def _patch(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.patch(f"{API}{path}", data, content_type="application/json")


def test_a_manager_creates_reads_updates_and_deletes_a_payer(org_a, manager):
    created = _post(manager, "payers/", NEW_PAYER)
    assert created.status_code == 201, created.json()
    pid = created.json()["id"]
    assert manager.get(f"{API}payers/{pid}/").json()["license_modifiers"] == {"lcsw": "AJ"}
    assert _patch(manager, f"payers/{pid}/", {"timely_filing_days": 120}).status_code == 200
    listed = manager.get(f"{API}payers/?kind=commercial").json()["results"]
    assert [(p["name"], p["timely_filing_days"]) for p in listed] == [("Regional HMO", 120)]
    assert manager.delete(f"{API}payers/{pid}/").status_code == 204
    with org_context(org_a):
        assert not Payer.objects.exists()


def test_the_rules_endpoint_returns_the_engines_view(org_a, manager):
    pid = _post(manager, "payers/", NEW_PAYER).json()["id"]
    rules = manager.get(f"{API}payers/{pid}/rules/?level=iop").json()
    assert rules["rounding"]["kind"] == "cpt_midpoint"
    assert rules["accepted_licenses"] == ["lcsw", "lpc", "psychiatrist"]
    assert rules["license_modifiers"] == {"lcsw": "AJ"}
    assert rules["telehealth"]["use_facility_pos"] is True
    assert rules["level_of_care"]["hcpcs"] == "S9480"
    assert rules["program_day"]["short_day_outcome"] == "deny"
    _patch(manager, f"payers/{pid}/", {"rounding_rule": "cms_8_minute"})
    assert manager.get(f"{API}payers/{pid}/rules/").json()["rounding"]["kind"] == "cms_8_minute"
    assert manager.get(f"{API}payers/{pid}/rules/?level=spa").status_code == 400


def test_stored_rules_the_engine_cannot_build_are_a_400_naming_the_column(org_a, manager):
    with org_context(org_a):
        payer = factories.payer(telehealth={"zoom": True})
    response = manager.get(f"{API}payers/{payer.public_id}/rules/")
    assert response.status_code == 400 and "telehealth" in response.json()


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"accepted_license_types": ["lcsw", "shaman"]}, "accepted_license_types"),
        ({"supervision_modifiers": ["HOX"]}, "supervision_modifiers"),
        ({"license_modifiers": {"lcsw": "AJX"}}, "license_modifiers"),
        ({"claim_filing_indicator": "XX"}, "claim_filing_indicator"),
        (
            {"level_of_care_codes": {"iop": {"hcpcs": "S9480", "revenue_code": "905"}}},
            "level_of_care_codes",
        ),
        ({"telehealth": {"home_pos": "1O"}}, "telehealth"),
        ({"program_minimums": {"php": {"short_day_outcome": "maybe"}}}, "program_minimums"),
        ({"timely_filing_days": 0}, "timely_filing_days"),
    ],
)
def test_bad_payer_data_is_a_400_keyed_by_field_and_saves_nothing(org_a, manager, changes, column):
    response = _post(manager, "payers/", {**NEW_PAYER, **changes})
    assert response.status_code == 400
    assert column in response.json(), response.json()
    with org_context(org_a):
        assert not Payer.objects.exists()


def test_a_bad_update_is_a_400_and_changes_nothing(org_a, manager):
    pid = _post(manager, "payers/", NEW_PAYER).json()["id"]
    bad = _patch(
        manager, f"payers/{pid}/", {"timely_filing_days": 30, "auth_required_codes": ["ABC"]}
    )
    assert bad.status_code == 400 and "auth_required_codes" in bad.json()
    assert manager.get(f"{API}payers/{pid}/").json()["timely_filing_days"] == 90


def test_the_payer_rule_tying_authorizations_to_the_provider_is_read_and_written(org_a, manager):
    """REFERENCE.md §6: an authorization may be tied to the provider's NPI."""
    created = _post(manager, "payers/", NEW_PAYER).json()
    assert created["auth_tied_to_provider"] is False
    tied = _patch(manager, f"payers/{created['id']}/", {"auth_tied_to_provider": True})
    assert tied.status_code == 200 and tied.json()["auth_tied_to_provider"] is True
    bad = _patch(manager, f"payers/{created['id']}/", {"auth_tied_to_provider": "maybe"})
    assert bad.status_code == 400 and "auth_tied_to_provider" in bad.json()


def test_fee_rates_are_created_filtered_and_checked(org_a, manager):
    pid = _post(manager, "payers/", NEW_PAYER).json()["id"]
    rate = {
        "payer": pid,
        "code": "90837",
        "modifiers": ["95"],
        "license_type": "lcsw",
        "rate": "120.00",
        "effective_from": "2026-01-01",
    }
    created = _post(manager, "fee-schedule-rates/", rate)
    assert created.status_code == 201, created.json()
    assert created.json()["payer"] == pid
    listed = manager.get(f"{API}fee-schedule-rates/?payer__public_id={pid}").json()["results"]
    assert [r["rate"] for r in listed] == ["120.00"]
    for bad, column in (
        ({"rate": "-1"}, "rate"),
        ({"modifiers": ["1", "2", "3", "4", "5"]}, "modifiers"),
        ({"modifiers": ["95X"]}, "modifiers"),
        ({"code": "H001"}, "code"),
        ({"effective_to": "2025-01-01"}, "effective_to"),
    ):
        response = _post(manager, "fee-schedule-rates/", {**rate, "code": "90834", **bad})
        assert response.status_code == 400 and column in response.json(), (bad, response.json())
    rid = created.json()["id"]
    assert _patch(manager, f"fee-schedule-rates/{rid}/", {"rate": "-3"}).status_code == 400
    with org_context(org_a):
        assert list(FeeScheduleRate.objects.values_list("code", flat=True)) == ["90837"]


def test_facilities_are_created_and_a_bad_npi_or_taxonomy_is_refused(org_a, manager):
    facility = {
        "name": "Eastside PHP",
        "npi": "1234567893",
        "taxonomy": "261QM0801X",
        "address_line1": "9 Elm St",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "pos": "52",
    }
    assert _post(manager, "facilities/", facility).status_code == 201
    bad_npi = _post(manager, "facilities/", {**facility, "name": "B", "npi": "1234567890"})
    assert bad_npi.status_code == 400 and "check digit" in bad_npi.json()["npi"][0]
    bad_tax = _post(manager, "facilities/", {**facility, "name": "C", "taxonomy": "XYZ"})
    assert bad_tax.status_code == 400 and "taxonomy" in bad_tax.json()
    bad_pos = _post(manager, "facilities/", {**facility, "name": "D", "pos": "5"})
    assert bad_pos.status_code == 400 and "pos" in bad_pos.json()
    with org_context(org_a):
        assert list(Facility.objects.values_list("name", flat=True)) == ["Eastside PHP"]


def test_a_biller_reads_but_cannot_write(org_a, biller, catalog):
    pid = catalog["Medicare Part B"].public_id
    assert biller.get(f"{API}payers/").status_code == 200
    assert biller.get(f"{API}payers/{pid}/rules/").status_code == 200
    assert biller.get(f"{API}facilities/").status_code == 200
    assert _post(biller, "payers/", NEW_PAYER).status_code == 403
    assert _patch(biller, f"payers/{pid}/", {"timely_filing_days": 1}).status_code == 403
    assert biller.delete(f"{API}payers/{pid}/").status_code == 403
    assert _post(biller, "fee-schedule-rates/", {"payer": str(pid)}).status_code == 403
    assert _post(biller, "facilities/", {"name": "X"}).status_code == 403


def test_another_orgs_payer_is_404_and_cannot_be_referenced(org_a, org_b, manager):
    with org_context(org_b):
        payer = factories.payer()
        facility = factories.facility()
        rate = FeeScheduleRate.objects.create(
            payer=payer, code="90837", rate="1", effective_from="2026-01-01"
        )
    for path in (
        f"payers/{payer.public_id}/",
        f"payers/{payer.public_id}/rules/",
        f"facilities/{facility.public_id}/",
        f"fee-schedule-rates/{rate.public_id}/",
    ):
        assert manager.get(f"{API}{path}").status_code == 404, path
    assert _patch(manager, f"payers/{payer.public_id}/", {"name": "x"}).status_code == 404
    response = _post(
        manager,
        "fee-schedule-rates/",
        {
            "payer": str(payer.public_id),
            "code": "90837",
            "rate": "1",
            "effective_from": "2026-01-01",
        },
    )
    assert response.status_code == 400 and "payer" in response.json()


def test_deleting_a_payer_in_use_is_refused_not_a_server_error(org_a, manager):
    with org_context(org_a):
        coverage = factories.coverage()
    response = manager.delete(f"{API}payers/{coverage.payer.public_id}/")
    assert response.status_code == 400 and "in use" in response.json()["non_field_errors"][0]

"""Levels billed service by service (Medicare PHP/IOP, REFERENCE.md §14): the starter Medicare
profile's service codes and payment classes reach the engine, bad entries are refused with
messages naming the service or class, and the payer page keeps them when it is saved."""

from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from payers.catalog import MEDICARE, MEDICARE_PROGRAM_SERVICES
from payers.models import Payer
from payers.rules import payer_rules_for
from payers.services.payers import payer_create, payer_update
from rcm.tenancy import org_context
from tests.payers.conftest import PAGES, reload
from tests.payers.test_pages import form_data

pytestmark = pytest.mark.django_db
MEDICARE_NAME = MEDICARE["name"]


def _errors(call) -> list[str]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict["level_of_care_codes"]


@pytest.mark.parametrize(
    ("level", "condition", "apcs"),
    [("php", "41", ("5863", "5864")), ("iop", "92", ("5861", "5862"))],
)
def test_medicare_bills_php_and_iop_service_by_service(org_a, catalog, level, condition, apcs):
    with org_context(org_a):
        rules = payer_rules_for(catalog[MEDICARE_NAME], level=level, program="mh")
    day = rules.level_of_care
    assert day.hcpcs == "" and day.condition_codes == (condition,)
    group = day.per_service.services["group_psychotherapy"]
    assert (group.hcpcs, group.revenue_code, group.unit_minutes) == ("G0410", "0915", 45)
    assert day.per_service.services["individual_psychotherapy"].revenue_code == "0914"
    assert [(c.from_services, c.apc) for c in day.per_service.payment_classes] == [
        (3, apcs[0]),
        (4, apcs[1]),
    ]


def test_per_diem_payers_keep_their_per_diem_codes(org_a, catalog):
    with org_context(org_a):
        rules = payer_rules_for(catalog["Commercial PPO (example)"], level="php", program="mh")
    assert rules.level_of_care.hcpcs == "S0201" and rules.level_of_care.per_service is None


def _medicare_fields(**level_changes):
    php = {**copy.deepcopy(MEDICARE["level_of_care_codes"]["php"]), **level_changes}
    return {"name": "Medicare", "kind": "medicare", "claim_filing_indicator": "MB",
            "level_of_care_codes": {"php": php}}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"services": {}}, "needs the codes of its services"),
        ({"services": {"yoga": {"hcpcs": "G0176"}}}, "unknown program-day service 'yoga'"),
        ({"services": {"activity_therapy": {"revenue_code": "0904"}}}, "needs the HCPCS code"),
        (
            {"services": {"group_psychotherapy": {"hcpcs": "G0410", "unit_minutes": 0}}},
            "unit minutes must be a whole number",
        ),
        (
            {"services": {"group_psychotherapy": {"hcpcs": "G0410", "revenue_code": "915"}}},
            "revenue code '915' must be 4 digits",
        ),
        ({"payment_classes": [{"from_services": 3}]}, "needs a label"),
        (
            {"payment_classes": [{"from_services": 3, "label": "3", "apc": "58"}]},
            "must be 4 digits",
        ),
        (
            {
                "payment_classes": [
                    {"from_services": 3, "label": "a"},
                    {"from_services": 3, "label": "b"},
                ]
            },
            "start at the same number of services",
        ),
        ({"unit": "per_diem", "hcpcs": "S0201"}, "need the per-service unit"),
    ],
)
def test_bad_per_service_entries_are_refused_with_a_message_naming_them(in_org_a, change, fragment):
    messages = _errors(lambda: payer_create(**_medicare_fields(**change)))
    assert any(fragment in m for m in messages), messages


def test_a_per_service_level_without_services_in_program_codes_is_not_allowed(in_org_a):
    codes = {"mh": {"php": {"program_day": {"unit": "per_service", "label": "x"}}}}
    with pytest.raises(ValidationError) as info:
        payer_create(name="X", kind="medicare", claim_filing_indicator="MB", program_codes=codes)
    assert "program_codes" in info.value.message_dict


def test_saving_the_payer_page_keeps_the_service_codes_and_payment_classes(org_a, catalog, manager):
    payer = catalog[MEDICARE_NAME]
    response = manager.post(
        f"{PAGES}payers/{payer.public_id}/edit/", form_data(payer, name="Medicare B")
    )
    assert response.status_code == 302
    stored = reload(org_a, payer)
    assert stored.name == "Medicare B"
    assert stored.level_of_care_codes == payer.level_of_care_codes
    assert stored.level_of_care_codes["php"]["services"] == MEDICARE_PROGRAM_SERVICES


def test_switching_a_per_service_level_to_a_per_diem_code_drops_its_services(
    org_a, catalog, manager
):
    payer = catalog[MEDICARE_NAME]
    data = form_data(payer, loc_php_hcpcs="S0201", loc_php_unit="per_diem")
    assert manager.post(f"{PAGES}payers/{payer.public_id}/edit/", data).status_code == 302
    php = reload(org_a, payer).level_of_care_codes["php"]
    assert php["hcpcs"] == "S0201" and "services" not in php


def test_the_payer_page_lists_each_service_of_a_per_service_level(catalog, biller):
    payer = catalog[MEDICARE_NAME]
    page = biller.get(f"{PAGES}payers/{payer.public_id}/").text
    assert "billed service by service" in page
    assert "G0410" in page and "0915" in page and "APC 5864" in page


def test_a_per_service_level_updates_through_the_service(in_org_a):
    payer = payer_create(**_medicare_fields())
    codes = copy.deepcopy(payer.level_of_care_codes)
    codes["php"]["services"]["group_psychotherapy"]["unit_minutes"] = 50
    payer_update(payer=payer, actor=None, level_of_care_codes=codes)
    rules = payer_rules_for(Payer.objects.get(pk=payer.pk), level="php")
    assert rules.level_of_care.per_service.services["group_psychotherapy"].unit_minutes == 50

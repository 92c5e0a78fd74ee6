"""The starter catalog installs five payers whose rules the coding engine accepts."""

from __future__ import annotations

import pytest

from coding import RoundingKind, count_units
from payers.catalog import STARTER_PAYERS, catalog_install, catalog_names
from payers.models import FeeScheduleRate, Payer
from payers.rules import payer_rules_for, validate_payer_rule_data
from rcm.tenancy import org_context

pytestmark = pytest.mark.django_db


def test_installing_the_catalog_gives_five_payers_whose_rules_build(org_a):
    installed = catalog_install(org=org_a)
    assert [created for _, created in installed] == [True] * 5
    with org_context(org_a):
        payers = list(Payer.objects.order_by("name"))
        assert sorted(p.name for p in payers) == sorted(catalog_names())
        for payer in payers:
            assert validate_payer_rule_data(payer) == {}
            for level in [None, *payer.level_of_care_codes, *payer.program_minimums]:
                assert payer_rules_for(payer, level=level).name == payer.name


def test_installing_twice_changes_nothing_and_keeps_edits(org_a):
    catalog_install(org=org_a)
    with org_context(org_a):
        Payer.objects.filter(name="Medicare Part B").update(timely_filing_days=300)
        rates = FeeScheduleRate.objects.count()
    again = catalog_install(org=org_a)
    assert [created for _, created in again] == [False] * 5
    with org_context(org_a):
        assert Payer.objects.count() == 5
        assert FeeScheduleRate.objects.count() == rates
        assert Payer.objects.get(name="Medicare Part B").timely_filing_days == 300


def test_installing_by_name_installs_only_those(org_a):
    catalog_install(org=org_a, names=["Medicare Part B"])
    with org_context(org_a):
        assert list(Payer.objects.values_list("name", flat=True)) == ["Medicare Part B"]


def test_an_unknown_name_is_refused(org_a):
    with pytest.raises(ValueError, match="not in the starter catalog"):
        catalog_install(org=org_a, names=["Nope"])


def test_each_org_gets_its_own_copy(org_a, org_b):
    catalog_install(org=org_a)
    catalog_install(org=org_b, names=["Blue plan (example)"])
    with org_context(org_b):
        assert Payer.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "minutes", "units"),
    [
        ("Medicare Part B", 23, 2),  # CMS 8-minute rule
        ("State Medicaid (example)", 23, 1),  # per 15 min: whole units only
        ("Medicaid MCO (example)", 23, 2),  # a unit counts from 8 minutes
        ("Medicaid MCO (example)", 500, 16),  # capped at 16 units
        ("Commercial PPO (example)", 7, 0),  # CPT midpoint
    ],
)
def test_catalog_rounding_reaches_the_engine(org_a, name, minutes, units):
    catalog_install(org=org_a, names=[name])
    with org_context(org_a):
        rules = payer_rules_for(Payer.objects.get(name=name))
    assert count_units(minutes, rules.rounding) == units


def test_medicare_profile_matches_the_reference(org_a):
    catalog_install(org=org_a, names=["Medicare Part B"])
    with org_context(org_a):
        payer = Payer.objects.get(name="Medicare Part B")
        rules = payer_rules_for(payer, level="php")
    assert rules.rounding.kind is RoundingKind.CMS_8_MINUTE
    assert (rules.telehealth.home_pos, rules.telehealth.other_site_pos) == ("10", "02")
    assert "addiction_counselor" not in rules.accepted_licenses
    assert rules.program_day.min_hours_per_week == 20
    assert payer.level_of_care_codes["php"]["condition_codes"] == ["41"]
    assert payer.level_of_care_codes["iop"]["condition_codes"] == ["92"]
    assert (payer.timely_filing_days, payer.appeal_window_days) == (365, 120)


def test_the_catalog_itself_is_not_mutated_by_installing(org_a):
    before = repr(STARTER_PAYERS)
    catalog_install(org=org_a)
    assert repr(STARTER_PAYERS) == before

"""payer_create / payer_update / fee_rate_set refuse bad rule data with field messages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from payers.models import FeeScheduleRate, Payer
from payers.services.payers import fee_rate_set, fee_rate_update, payer_create, payer_update
from tests import factories

pytestmark = pytest.mark.django_db
JAN = datetime.date(2026, 1, 1)


def _create(**fields):
    base = {"name": "Acme", "kind": "commercial", "claim_filing_indicator": "CI"}
    return payer_create(**{**base, **fields})


def _errors(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


def test_a_minimal_commercial_payer_is_created(in_org_a):
    payer = _create()
    assert payer.pk and payer.org_id == in_org_a.pk


@pytest.mark.parametrize(
    ("fields", "column", "fragment"),
    [
        ({"claim_filing_indicator": "XX"}, "claim_filing_indicator", "not an X12 claim filing"),
        ({"timely_filing_days": 0}, "timely_filing_days", "at least 1"),
        ({"accepted_license_types": ["lcsw", "shaman"]}, "accepted_license_types", "'shaman'"),
        ({"supervision_modifiers": ["HOX"]}, "supervision_modifiers", "2 capital letters"),
        ({"license_modifiers": {"lcsw": "AJX"}}, "license_modifiers", "modifier for lcsw"),
        ({"license_modifiers": {"wizard": "AJ"}}, "license_modifiers", "Unknown license type"),
        ({"auth_required_levels": ["spa"]}, "auth_required_levels", "Unknown level of care"),
        ({"auth_required_codes": ["9083"]}, "auth_required_codes", "CPT or HCPCS"),
        ({"auth_tied_to_provider": "yes"}, "auth_tied_to_provider", "true or false"),
        ({"rounding_rule": "state_table"}, "rounding_params", "needs the minute"),
        ({"rounding_params": {"count_unit_at": 15}}, "rounding_params", "only apply to a state"),
        ({"telehealth": {"home_pos": "1"}}, "telehealth", "2-digit place of service"),
        ({"telehealth": {"zoom": True}}, "telehealth", "unknown setting(s): zoom"),
        (
            {"level_of_care_codes": {"iop": {"hcpcs": "H0015", "revenue_code": "906"}}},
            "level_of_care_codes",
            "revenue code '906' must be 4 digits",
        ),
        (
            {"level_of_care_codes": {"iop": {"hcpcs": "H0015", "type_of_bill": "131"}}},
            "level_of_care_codes",
            "type of bill '131' must be 2 digits",
        ),
        (
            {"level_of_care_codes": {"iop": {"hcpcs": "H0015", "pos": "5"}}},
            "level_of_care_codes",
            "place of service '5'",
        ),
        (
            {"level_of_care_codes": {"iop": {"revenue_code": "0906"}}},
            "level_of_care_codes",
            "HCPCS/CPT code None",
        ),
        (
            {"level_of_care_codes": {"iop": {"hcpcs": "H0015", "unit": "per_15min"}}},
            "level_of_care_codes",
            "needs a unit_rule",
        ),
        (
            {"program_minimums": {"php": {"short_day_outcome": "downcode"}}},
            "program_minimums",
            "needs the code to downcode to",
        ),
        (
            {"program_minimums": {"php": {"min_hours_per_day": 30}}},
            "program_minimums",
            "from 0 to 24",
        ),
        ({"group_billing": {"mode": "per_hour"}}, "group_billing", "mode must be one of"),
        (
            {"evaluation_code_overrides": {"90834": "H0004"}},
            "evaluation_code_overrides",
            "Only 90791 and 90792",
        ),
        (
            {"parity_comparators": {"medsurg_auth_required_levels": ["spa"]}},
            "parity_comparators",
            "Unknown med/surg category",
        ),
        (
            {"parity_comparators": {"mhsud_review_interval_days": {"php": 0}}},
            "parity_comparators",
            "whole number",
        ),
    ],
)
def test_bad_rule_data_is_refused_with_a_field_message(in_org_a, fields, column, fragment):
    errors = _errors(lambda: _create(**fields))
    assert column in errors, errors
    assert any(fragment in m for m in errors[column]), errors[column]
    assert not Payer.objects.exists()


def test_a_duplicate_name_is_a_name_error(in_org_a):
    _create()
    assert "already exists" in _errors(lambda: _create())["name"][0]


def test_an_update_that_fails_leaves_the_stored_payer_unchanged(in_org_a):
    payer = _create(timely_filing_days=90)
    _errors(
        lambda: payer_update(payer=payer, timely_filing_days=120, supervision_modifiers=["TOOLONG"])
    )
    assert Payer.objects.get(pk=payer.pk).timely_filing_days == 90


def test_an_unknown_field_is_a_programming_error(in_org_a):
    with pytest.raises(TypeError, match="unexpected field"):
        _create(colour="blue")


def test_a_rate_is_set_and_the_same_start_date_updates_it(in_org_a):
    payer = factories.payer()
    first = fee_rate_set(
        payer=payer, code="90837", rate="120.00", effective_from=JAN, modifiers=["HO", "95"]
    )
    again = fee_rate_set(
        payer=payer, code="90837", rate="125.00", effective_from=JAN, modifiers=["95", "HO"]
    )
    assert again.pk == first.pk and again.rate == Decimal("125.00")
    assert again.modifiers == ["95", "HO"]


def test_a_later_rate_ends_the_open_ended_earlier_one(in_org_a):
    payer = factories.payer()
    old = fee_rate_set(payer=payer, code="90834", rate="100", effective_from=JAN)
    fee_rate_set(payer=payer, code="90834", rate="110", effective_from=datetime.date(2027, 1, 1))
    old.refresh_from_db()
    assert old.effective_to == datetime.date(2026, 12, 31)


def test_a_rate_inside_a_closed_range_is_refused(in_org_a):
    payer = factories.payer()
    fee_rate_set(
        payer=payer,
        code="90834",
        rate="100",
        effective_from=JAN,
        effective_to=datetime.date(2026, 12, 31),
    )
    errors = _errors(
        lambda: fee_rate_set(
            payer=payer, code="90834", rate="90", effective_from=datetime.date(2026, 6, 1)
        )
    )
    assert "Overlaps" in errors["effective_from"][0]


@pytest.mark.parametrize(
    ("fields", "column"),
    [
        ({"rate": "-1"}, "rate"),
        ({"rate": "abc"}, "rate"),
        ({"rate": "1.234"}, "rate"),
        ({"code": "9083"}, "code"),
        ({"modifiers": ["HO", "HN", "HP", "AH", "AJ"]}, "modifiers"),
        ({"modifiers": ["HOX"]}, "modifiers"),
        ({"license_type": "wizard"}, "license_type"),
        ({"effective_to": datetime.date(2025, 1, 1)}, "effective_to"),
    ],
)
def test_bad_rates_are_refused(in_org_a, fields, column):
    payer = factories.payer()
    base = {"code": "90837", "rate": "120", "effective_from": JAN}
    errors = _errors(lambda: fee_rate_set(payer=payer, **{**base, **fields}))
    assert column in errors
    assert not FeeScheduleRate.objects.exists()


def test_a_rate_update_is_checked_too(in_org_a):
    rate = fee_rate_set(payer=factories.payer(), code="90837", rate="120", effective_from=JAN)
    assert "rate" in _errors(lambda: fee_rate_update(rate_obj=rate, rate="-5"))
    assert FeeScheduleRate.objects.get(pk=rate.pk).rate == Decimal("120")

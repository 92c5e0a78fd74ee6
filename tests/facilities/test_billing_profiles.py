"""Billing profiles: what a valid one holds, each bad input refused with a clear field error
and nothing saved, and which profile a claim bills under (the precedence table)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from facilities.models import BillingProfile, Facility
from facilities.selectors import billing_identities, billing_identity_for
from facilities.services import (
    billing_profile_create,
    billing_profile_deactivate,
    billing_profile_update,
    facility_create,
    facility_update,
)
from rcm.tenancy import org_context
from tests import factories
from tests.facilities.conftest import NPI, profile_data

pytestmark = pytest.mark.django_db


def _errors(run: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        run()
    return caught.value.message_dict


def test_a_profile_is_saved_with_its_digits_normalized(in_org_a):
    facility = factories.facility()
    profile = billing_profile_create(facility=facility, program="sud", **profile_data())
    assert (profile.tin, profile.postal_code, profile.state) == ("123456789", "972011234", "OR")
    assert profile.npi == NPI and profile.payer is None and profile.is_active


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"npi": "1234567890"}, "npi", "check digit"),
        ({"npi": "12345"}, "npi", "10 digits"),
        ({"tin": "12-345678"}, "tin", "9 digits"),
        ({"tin": "12345678X"}, "tin", "9 digits"),
        ({"tin": ""}, "tin", "9-digit TIN"),
        ({"postal_code": "97201"}, "postal_code", "ZIP+4"),
        ({"postal_code": "9720-11234"}, "postal_code", "ZIP+4"),
        ({"address_line1": "PO Box 77"}, "address_line1", "street address"),
        ({"address_line1": "P.O. Box 77"}, "address_line1", "street address"),
        ({"address_line2": "p o box 12"}, "address_line2", "street address"),
        ({"taxonomy": "261QM0801"}, "taxonomy", "taxonomy code"),
        ({"state": "Oregon"}, "state", "2-letter"),
        ({"pay_to_address_line1": "PO Box 9"}, "pay_to_city", "pay-to address"),
        (
            {"pay_to_address_line1": "PO Box 9", "pay_to_city": "Portland", "pay_to_state": "OR"},
            "pay_to_postal_code",
            "pay-to address",
        ),
        ({"billing_name": ""}, "billing_name", "blank"),
        ({"billing_name": "x" * 61}, "billing_name", "at most 60"),
    ],
)
def test_bad_billing_facts_are_refused_with_a_field_error_and_nothing_saved(
    in_org_a, changes, field, words
):
    facility = factories.facility()
    errors = _errors(lambda: billing_profile_create(facility=facility, **profile_data(**changes)))
    assert field in errors, errors
    assert words.lower() in " ".join(errors[field]).lower(), errors[field]
    assert not BillingProfile.objects.exists()


def test_a_po_box_is_fine_as_the_pay_to_address(in_org_a):
    pay_to = {
        "pay_to_address_line1": "PO Box 4410",
        "pay_to_city": "Portland",
        "pay_to_state": "OR",
        "pay_to_postal_code": "97208",
    }
    profile = billing_profile_create(facility=factories.facility(), **profile_data(**pay_to))
    assert profile.pay_to_address_line1 == "PO Box 4410"


def test_a_street_named_like_a_po_box_is_not_refused(in_org_a):
    profile = billing_profile_create(
        facility=factories.facility(), **profile_data(address_line1="12 Poblano Ave")
    )
    assert profile.address_line1 == "12 Poblano Ave"


def test_one_profile_per_facility_program_and_payer_and_one_for_any_payer(in_org_a):
    facility, payer = factories.facility(), factories.payer(name="Acme")
    billing_profile_create(facility=facility, program="mh", payer=payer, **profile_data())
    billing_profile_create(facility=facility, program="mh", **profile_data())
    for again in ({"payer": payer}, {}):
        errors = _errors(
            lambda again=again: billing_profile_create(
                facility=facility, program="mh", **again, **profile_data()
            )
        )
        assert "already has a billing profile" in errors["payer"][0]
    assert BillingProfile.objects.count() == 2


def test_the_database_refuses_a_second_any_payer_profile_too(in_org_a):
    first = factories.billing_profile(program="sud")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.billing_profile(first.facility, program="sud")


def test_an_update_is_checked_like_a_create_and_saves_nothing_when_wrong(in_org_a):
    profile = factories.billing_profile()
    errors = _errors(
        lambda: billing_profile_update(profile=profile, address_line1="PO Box 1", tin="1")
    )
    assert set(errors) == {"address_line1", "tin"}
    fresh = BillingProfile.objects.get(pk=profile.pk)
    assert fresh.address_line1 != "PO Box 1"


def test_facility_tin_is_nine_digits_or_blank(in_org_a):
    facility = facility_create(
        name="North", address_line1="1 A St", city="X", state="or", postal_code="97201",
        tin="12-3456789",
    )  # fmt: skip
    assert facility.tin == "123456789"
    assert "tin" in _errors(lambda: facility_update(facility=facility, tin="12345"))
    assert Facility.objects.get(pk=facility.pk).tin == "123456789"
    assert facility_update(facility=facility, tin="").tin == ""


# --- Precedence ----------------------------------------------------------------------------


@pytest.fixture
def scoped(in_org_a):
    """A facility with all four kinds of profile, for MH + Acme, Acme, MH and any."""
    facility = factories.facility(name="Main", npi=factories.type2_npi(1), tin="111111111")
    acme, other = factories.payer(name="Acme"), factories.payer(name="Other")
    made = {
        "mh+acme": factories.billing_profile(facility, program="mh", payer=acme),
        "acme": factories.billing_profile(facility, payer=acme),
        "mh": factories.billing_profile(facility, program="mh"),
        "any": factories.billing_profile(facility),
    }
    return facility, {"acme": acme, "other": other, None: None}, made


@pytest.mark.parametrize(
    ("program", "payer", "drop", "expected"),
    [
        ("mh", "acme", (), "mh+acme"),
        ("sud", "acme", (), "acme"),
        (None, "acme", (), "acme"),
        ("mh", "other", (), "mh"),
        ("mh", None, (), "mh"),
        ("sud", "other", (), "any"),
        (None, None, (), "any"),
        ("mh", "acme", ("mh+acme",), "acme"),
        ("mh", "acme", ("mh+acme", "acme"), "mh"),
        ("mh", "acme", ("mh+acme", "acme", "mh"), "any"),
        ("mh", "acme", ("mh+acme", "acme", "mh", "any"), "facility"),
        ("sud", "other", ("any",), "facility"),
    ],
)
def test_the_most_specific_active_profile_wins(scoped, program, payer, drop, expected):
    facility, payers, made = scoped
    for name in drop:
        billing_profile_deactivate(profile=made[name])
    identity = billing_identity_for(facility=facility, program=program, payer=payers[payer])
    if expected == "facility":
        assert identity.source == "facility"
        assert (identity.name, identity.npi, identity.tin) == ("Main", facility.npi, "111111111")
        assert identity.pay_to is None
    else:
        assert str(made[expected].public_id) in identity.source
        assert identity.npi == made[expected].npi
        assert identity.name == made[expected].billing_name


def test_the_bulk_resolver_answers_like_the_single_one_without_querying(
    scoped, django_assert_num_queries
):
    facility, payers, made = scoped
    plain = factories.facility(name="No profiles")
    cases = [(program, payer) for program in ("mh", "sud", None) for payer in payers.values()]
    expected = [
        billing_identity_for(facility=facility, program=program, payer=payer)
        for program, payer in cases
    ]
    resolver = billing_identities(org=facility.org)
    with django_assert_num_queries(0):
        got = [
            resolver.identity(facility=facility, program=program, payer=payer)
            for program, payer in cases
        ]
        assert resolver.identity(facility=plain.pk, program="mh", payer=None).source == "facility"
    assert got == expected


def test_the_pay_to_address_comes_with_the_profile(in_org_a):
    profile = factories.billing_profile(
        pay_to_address_line1="PO Box 4410",
        pay_to_city="Portland",
        pay_to_state="OR",
        pay_to_postal_code="972084410",
    )
    identity = billing_identity_for(facility=profile.facility, program="mh", payer=None)
    assert identity.pay_to is not None
    assert (identity.pay_to.line1, identity.pay_to.postal_code) == ("PO Box 4410", "972084410")
    assert identity.postal_code == "627011234"


def test_the_resolver_never_sees_another_orgs_profiles(org_a, org_b):
    with org_context(org_b):
        theirs = factories.billing_profile()
    with org_context(org_a):
        resolver = billing_identities(org=org_a)
        with pytest.raises(Facility.DoesNotExist):
            resolver.identity(facility=theirs.facility_id, program="mh", payer=None)

"""Usage figures are annotations: right numbers, and one query however many rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from authorizations.models import UnitLedgerEntry
from authorizations.selectors import (
    authorization_for_service,
    authorizations_needing_attention,
    authorizations_with_usage,
)
from authorizations.services import units_release_for_session
from tests import factories
from tests.authorizations.util import TODAY, consume, program_day


def _auth(**fields):
    return factories.authorization(**fields)


def _by_number(org, today=TODAY, **filters):
    return {
        a.auth_number: a for a in authorizations_with_usage(org=org, filters=filters, today=today)
    }


def test_usage_sums_consumption_and_releases_from_the_ledger(iop):
    for day in (TODAY, TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=2)):
        consume(program_day(iop, day), "H0015")
    voided = iop.auth.ledger.first().session
    units_release_for_session(session=voided)
    row = _by_number(iop.auth.org)[iop.auth.auth_number]
    assert (row.units_used, row.units_remaining) == (Decimal("2"), Decimal("8"))
    assert (row.days_to_expiry, row.expiring, row.exhausted, row.expired) == (
        28,
        False,
        False,
        False,
    )


def test_an_authorization_with_no_ledger_has_used_nothing(in_org_a):
    auth = _auth(units_authorized=Decimal("12"))
    row = _by_number(in_org_a)[auth.auth_number]
    assert (row.units_used, row.units_remaining) == (Decimal("0"), Decimal("12"))


@pytest.mark.parametrize(
    ("end", "days", "expiring", "expired"),
    [
        (TODAY + dt.timedelta(days=15), 15, False, False),
        (TODAY + dt.timedelta(days=14), 14, True, False),
        (TODAY, 0, True, False),
        (TODAY - dt.timedelta(days=1), -1, False, True),
    ],
)
def test_days_to_expiry_and_the_expiring_flag(in_org_a, end, days, expiring, expired):
    auth = _auth(start_date=dt.date(2026, 10, 1), end_date=end)
    row = _by_number(in_org_a)[auth.auth_number]
    assert (row.days_to_expiry, row.expiring, row.expired) == (days, expiring, expired)


@pytest.mark.parametrize(
    ("next_review", "due"),
    [
        (None, False),
        (TODAY + dt.timedelta(days=3), False),
        (TODAY + dt.timedelta(days=2), True),
        (TODAY - dt.timedelta(days=4), True),
    ],
)
def test_review_due_when_the_next_review_is_within_two_days(in_org_a, next_review, due):
    auth = _auth(next_review_date=next_review)
    assert _by_number(in_org_a)[auth.auth_number].review_due is due


def test_exhausted_when_nothing_remains(in_org_a):
    auth = _auth(units_authorized=Decimal("2"))
    UnitLedgerEntry.objects.create(
        authorization=auth, kind="adjust", units=Decimal("-2"), service_date=TODAY
    )
    row = _by_number(in_org_a)[auth.auth_number]
    assert (row.units_remaining, row.exhausted) == (Decimal("0"), True)


def test_the_list_is_one_query_for_one_or_twenty_authorizations(
    in_org_a, django_assert_num_queries
):
    for count in (1, 20):
        for _ in range(count - len(list(authorizations_with_usage(org=in_org_a)))):
            auth = _auth()
            UnitLedgerEntry.objects.create(
                authorization=auth, kind="adjust", units=Decimal("-1"), service_date=TODAY
            )
        with django_assert_num_queries(1):
            rows = list(authorizations_with_usage(org=in_org_a, today=TODAY))
            labels = [
                (
                    r.coverage.patient.display_name,
                    r.coverage.patient.mrn,
                    r.coverage.payer.name,
                    r.units_remaining,
                )
                for r in rows
            ]
        assert len(labels) == count


def test_filters_by_status_level_and_patient(in_org_a):
    iop = _auth(level_of_care="iop")
    denied = _auth(status="denied")
    assert set(_by_number(in_org_a, status="denied")) == {denied.auth_number}
    assert set(_by_number(in_org_a, level_of_care="iop")) == {iop.auth_number}
    patient_id = iop.coverage.patient.public_id
    assert set(_by_number(in_org_a, patient=patient_id)) == {iop.auth_number}


def test_needing_attention_lists_in_force_auths_that_expire_run_out_or_await_review(in_org_a):
    expiring = _auth(end_date=TODAY + dt.timedelta(days=5))
    review = _auth(next_review_date=TODAY + dt.timedelta(days=1))
    used_up = _auth(units_authorized=Decimal("0"))
    _auth()  # fine: ends 2026-12-31, units left, no review
    _auth(end_date=TODAY + dt.timedelta(days=5), status="denied")
    _auth(start_date=dt.date(2026, 9, 1), end_date=TODAY - dt.timedelta(days=3))  # expired
    rows = authorizations_needing_attention(org=in_org_a, today=TODAY)
    assert {r.auth_number for r in rows} == {
        expiring.auth_number,
        review.auth_number,
        used_up.auth_number,
    }


def test_another_orgs_authorizations_never_appear(in_org_a, org_b):
    from rcm.tenancy import org_context

    with org_context(org_b):
        factories.authorization()
    mine = _auth()
    assert set(_by_number(in_org_a)) == {mine.auth_number}


def test_the_authorization_for_a_service_matches_patient_level_code_and_date(iop):
    find = dict(patient=iop.patient, level="iop", code="h0015")
    assert authorization_for_service(**find, on_date=TODAY) == iop.auth
    assert authorization_for_service(**find, on_date=dt.date(2026, 12, 1)) is None
    assert authorization_for_service(**{**find, "code": "S9480"}, on_date=TODAY) is None
    assert authorization_for_service(**{**find, "level": "php"}, on_date=TODAY) is None

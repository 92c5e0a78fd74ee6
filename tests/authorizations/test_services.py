"""Recording authorizations and concurrent reviews: field errors for bad input, nothing saved
on failure, reviews appended as history while they extend the authorization."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from authorizations.models import ConcurrentReview, PriorAuthorization
from authorizations.services import (
    authorization_create,
    authorization_update,
    concurrent_review_record,
)
from tests import factories
from tests.authorizations.util import use_days


def _fields(coverage: Any, **over: Any) -> dict[str, Any]:
    fields = dict(
        coverage=coverage,
        level_of_care="php",
        codes=["H0035"],
        unit_type="days",
        units_authorized=Decimal("10"),
        start_date=dt.date(2026, 11, 2),
        end_date=dt.date(2026, 11, 15),
        status="approved",
        auth_number="P-1",
    )
    return {**fields, **over}


def _errors(**over: Any) -> dict[str, list[str]]:
    coverage = over.pop("coverage", None) or factories.coverage()
    with pytest.raises(ValidationError) as exc:
        authorization_create(actor=None, **_fields(coverage, **over))
    assert not PriorAuthorization.objects.exists()
    return exc.value.message_dict


def test_a_valid_authorization_is_recorded_with_upper_cased_codes(in_org_a):
    auth = authorization_create(actor=None, **_fields(factories.coverage(), codes="h0035, s0201"))
    assert auth.codes == ["H0035", "S0201"]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"units_authorized": Decimal("-1")}, "units_authorized"),
        ({"end_date": dt.date(2026, 11, 1)}, "end_date"),
        ({"codes": ["9083"]}, "codes"),
        ({"codes": ["H0035", "h-15x"]}, "codes"),
        ({"level_of_care": "spa"}, "level_of_care"),
        ({"unit_type": "weeks"}, "unit_type"),
        ({"status": "maybe"}, "status"),
        ({"next_review_date": dt.date(2026, 10, 1)}, "next_review_date"),
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(in_org_a, over, field):
    assert field in _errors(**over)


def test_every_problem_is_reported_at_once(in_org_a):
    errors = _errors(units_authorized=Decimal("-5"), end_date=dt.date(2026, 1, 1), codes=["XYZ"])
    assert {"units_authorized", "end_date", "codes"} <= set(errors)


def test_coverage_not_active_on_the_dates_is_refused(in_org_a):
    ended = factories.coverage(end_date=dt.date(2026, 11, 10))
    assert "not active" in _errors(coverage=ended)["coverage"][0]


def test_coverage_of_another_patient_than_the_episode_is_refused(in_org_a):
    episode = factories.episode(level="php")
    assert "different patient" in _errors(episode=episode)["coverage"][0]


def test_a_duplicate_number_on_the_same_coverage_is_refused(in_org_a):
    coverage = factories.coverage()
    authorization_create(actor=None, **_fields(coverage))
    with pytest.raises(ValidationError) as exc:
        authorization_create(actor=None, **_fields(coverage))
    assert "auth_number" in exc.value.message_dict
    assert PriorAuthorization.objects.count() == 1


def test_update_validates_like_create_and_keeps_the_old_values(iop):
    with pytest.raises(ValidationError) as exc:
        authorization_update(authorization=iop.auth, actor=None, end_date=dt.date(2026, 9, 1))
    assert "end_date" in exc.value.message_dict
    iop.auth.refresh_from_db()
    assert iop.auth.end_date == dt.date(2026, 11, 30)


def test_authorized_units_cannot_drop_below_what_is_used(iop):
    use_days(iop, 4)
    with pytest.raises(ValidationError, match="already used"):
        authorization_update(authorization=iop.auth, actor=None, units_authorized=Decimal("3"))
    assert (
        authorization_update(
            authorization=iop.auth, actor=None, units_authorized=Decimal("4")
        ).units_authorized
        == 4
    )


def test_the_coverage_of_a_recorded_authorization_cannot_change(iop):
    other = factories.coverage(patient_obj=iop.patient, priority=2)
    with pytest.raises(ValidationError) as exc:
        authorization_update(authorization=iop.auth, actor=None, coverage=other)
    assert "coverage" in exc.value.message_dict


def _review(auth: Any, **over: Any) -> ConcurrentReview:
    fields = dict(
        review_date=dt.date(2026, 11, 28),
        outcome="approved",
        units_added=Decimal("6"),
        new_end_date=dt.date(2026, 12, 14),
        next_review_date=dt.date(2026, 12, 7),
        criteria="asam",
        reviewer="Dr. Plan",
        notes="Meets 2.1 continued stay",
        actor=None,
    )
    return concurrent_review_record(authorization=auth, **{**fields, **over})


def test_an_approved_review_extends_units_and_end_date_and_sets_the_next_review(iop):
    review = _review(iop.auth)
    iop.auth.refresh_from_db()
    assert (iop.auth.units_authorized, iop.auth.end_date, iop.auth.next_review_date) == (
        Decimal("16"),
        dt.date(2026, 12, 14),
        dt.date(2026, 12, 7),
    )
    assert review.authorization == iop.auth


def test_reviews_are_appended_as_history_not_overwritten(iop):
    _review(iop.auth)
    _review(
        iop.auth,
        review_date=dt.date(2026, 12, 7),
        outcome="partial",
        units_added=Decimal("3"),
        new_end_date=dt.date(2026, 12, 21),
        next_review_date=dt.date(2026, 12, 18),
    )
    iop.auth.refresh_from_db()
    assert list(iop.auth.reviews.order_by("review_date").values_list("outcome", "units_added")) == [
        ("approved", Decimal("6")),
        ("partial", Decimal("3")),
    ]
    assert (iop.auth.units_authorized, iop.auth.end_date) == (Decimal("19"), dt.date(2026, 12, 21))


def test_a_denied_review_ends_the_stay_at_the_last_covered_day(iop):
    _review(
        iop.auth,
        outcome="denied",
        units_added=Decimal("0"),
        new_end_date=dt.date(2026, 11, 20),
        next_review_date=None,
    )
    iop.auth.refresh_from_db()
    assert (iop.auth.units_authorized, iop.auth.end_date, iop.auth.next_review_date) == (
        Decimal("10"),
        dt.date(2026, 11, 20),
        None,
    )


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"units_added": Decimal("-2")}, "units_added"),
        ({"outcome": "denied"}, "units_added"),
        ({"new_end_date": dt.date(2026, 11, 1)}, "new_end_date"),
        ({"next_review_date": dt.date(2026, 11, 1)}, "next_review_date"),
        ({"review_date": dt.date(2026, 9, 1)}, "review_date"),
        ({"outcome": "granted"}, "outcome"),
    ],
)
def test_a_bad_review_gets_a_field_error_and_changes_nothing(iop, over, field):
    with pytest.raises(ValidationError) as exc:
        _review(iop.auth, **over)
    assert field in exc.value.message_dict
    iop.auth.refresh_from_db()
    assert (iop.auth.units_authorized, iop.auth.reviews.count()) == (Decimal("10"), 0)


def test_a_denied_authorization_cannot_be_reviewed(iop):
    iop.auth.status = "denied"
    iop.auth.save()
    with pytest.raises(ValidationError) as exc:
        _review(iop.auth)
    assert "authorization" in exc.value.message_dict


@pytest.mark.parametrize(
    "codes", [["h0015"], ["H0015:HQX"], ["H0015 HQ"], ["90837:95:GT:HO:HN:AJ"]]
)
def test_the_database_refuses_codes_that_are_not_tokens(iop, codes):
    """The token grammar (REFERENCE.md §6/§14: codes with modifiers) is a constraint too."""
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PriorAuthorization.objects.filter(pk=iop.auth.pk).update(codes=codes)


def test_the_database_takes_code_tokens_with_modifiers_and_revenue_codes(iop):
    PriorAuthorization.objects.filter(pk=iop.auth.pk).update(codes=["H0015:HQ:TF", "1002", "0001U"])
    assert PriorAuthorization.objects.get(pk=iop.auth.pk).codes == ["H0015:HQ:TF", "1002", "0001U"]

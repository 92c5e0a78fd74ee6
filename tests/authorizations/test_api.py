"""The authorization API: org-scoped, validated with field errors, filterable, role-checked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from authorizations.models import ConcurrentReview, PriorAuthorization, UnitLedgerEntry
from rcm.models import PhiAccess
from rcm.tenancy import org_context
from tests import factories
from tests.authorizations.util import consume, program_day, use_days

API = "/api/o/clinic-a/"


@pytest.fixture
def biller(client, org_a):
    client.force_login(factories.member(org_a, role="biller"))
    return client


def _payload(coverage: Any, **over: Any) -> dict[str, Any]:
    data = dict(
        coverage=str(coverage.public_id),
        level_of_care="iop",
        codes=["H0015"],
        unit_type="days",
        units_authorized="12",
        start_date="2026-11-02",
        end_date="2026-11-29",
        status="approved",
        auth_number="API-1",
        next_review_date="2026-11-16",
        criteria="asam",
    )
    return {**data, **over}


def _post(client, path: str, data: dict[str, Any]) -> Any:
    return client.post(API + path, data, content_type="application/json")


def test_creating_returns_the_authorization_with_its_usage(biller, iop):
    response = _post(
        biller,
        "authorizations/",
        _payload(iop.coverage, episode=str(iop.episode.public_id), codes=["h0015"]),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["codes"] == ["H0015"]
    assert (body["units_used"], body["units_remaining"]) == ("0.00", "12.00")
    assert body["patient"] == str(iop.patient.public_id)
    assert isinstance(body["days_to_expiry"], int)


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"units_authorized": "-3"}, "units_authorized"),
        ({"end_date": "2026-11-01"}, "end_date"),
        ({"codes": ["90837", "BAD"]}, "codes"),
        ({"level_of_care": "spa"}, "level_of_care"),
        ({"start_date": "2025-06-01"}, "coverage"),
    ],
)
def test_bad_input_is_a_400_with_a_field_error_and_nothing_is_saved(biller, iop, over, field):
    before = PriorAuthorization.objects.count()
    response = _post(biller, "authorizations/", _payload(iop.coverage, **over))
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert PriorAuthorization.objects.count() == before


def test_codes_with_modifiers_and_revenue_codes_and_a_provider_are_recorded(biller, iop):
    """REFERENCE.md §6/§14: procedure or revenue codes with modifiers; the provider's NPI."""
    provider = factories.provider()
    response = _post(
        biller,
        "authorizations/",
        _payload(iop.coverage, codes=["h0015:tf:hq", "1002"], provider=str(provider.public_id)),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["codes"] == ["H0015:HQ:TF", "1002"]
    assert response.json()["provider"] == str(provider.public_id)


@pytest.mark.parametrize(
    ("codes", "fragment"),
    [
        (["H0015:HQX"], "a modifier is 2 letters or digits"),
        (["9002"], "is not a CPT/HCPCS code"),
        (["H0015:HQ:TF:U1:U2:U3"], "at most 4 modifiers"),
    ],
)
def test_a_malformed_code_token_is_a_400_naming_it(biller, iop, codes, fragment):
    response = _post(biller, "authorizations/", _payload(iop.coverage, codes=codes))
    assert response.status_code == 400
    assert fragment in response.json()["codes"][0]


def test_a_payer_that_ties_authorizations_needs_the_provider(biller, iop):
    iop.coverage.payer.auth_tied_to_provider = True
    iop.coverage.payer.save()
    response = _post(biller, "authorizations/", _payload(iop.coverage))
    assert response.status_code == 400 and "provider" in response.json()


def test_coverage_of_another_patient_is_refused(biller, iop):
    stranger = factories.coverage()
    response = _post(
        biller, "authorizations/", _payload(stranger, episode=str(iop.episode.public_id))
    )
    assert response.status_code == 400
    assert "different patient" in response.json()["coverage"][0]


def test_another_orgs_coverage_is_not_a_valid_reference(biller, iop, org_b):
    with org_context(org_b):
        theirs = factories.coverage()
    response = _post(biller, "authorizations/", _payload(theirs))
    assert response.status_code == 400
    assert "coverage" in response.json()


def test_another_orgs_authorization_answers_404(biller, iop, org_b):
    with org_context(org_b):
        theirs = factories.authorization()
    url = f"{API}authorizations/{theirs.public_id}/"
    assert biller.get(url).status_code == 404
    assert (
        biller.patch(url, {"units_authorized": "99"}, content_type="application/json").status_code
        == 404
    )
    with org_context(org_b):
        assert PriorAuthorization.objects.get().units_authorized == Decimal("12")


def test_a_clinician_may_read_but_not_create(client, org_a, iop):
    client.force_login(factories.member(org_a, role="clinician"))
    assert client.get(API + "authorizations/").status_code == 200
    assert _post(client, "authorizations/", _payload(iop.coverage)).status_code == 403
    assert _post(client, "concurrent-reviews/", {}).status_code == 403


def test_leadership_cannot_read_authorizations(client, org_a, iop):
    client.force_login(factories.member(org_a, role="leadership"))
    assert client.get(API + "authorizations/").status_code == 403


def test_the_list_carries_usage_filters_and_logs_the_phi_read(biller, iop):
    use_days(iop, 3)
    factories.authorization(level_of_care="php", status="denied")
    response = biller.get(
        API + "authorizations/", {"level_of_care": "iop", "patient": str(iop.patient.public_id)}
    )
    rows = response.json()["results"]
    assert [(r["id"], r["units_used"], r["units_remaining"]) for r in rows] == [
        (str(iop.auth.public_id), "3.00", "7.00")
    ]
    assert [
        r["status"]
        for r in biller.get(API + "authorizations/", {"status": "denied"}).json()["results"]
    ] == ["denied"]
    assert PhiAccess.objects.filter(
        action="api", object_type="authorizations.PriorAuthorization"
    ).exists()


def test_the_needs_attention_filter(biller, in_org_a):
    today = timezone.localdate()
    soon = factories.authorization(
        start_date=today - dt.timedelta(days=3), end_date=today + dt.timedelta(days=3)
    )
    fine = factories.authorization(
        start_date=today - dt.timedelta(days=3), end_date=today + dt.timedelta(days=60)
    )
    rows = biller.get(API + "authorizations/", {"needs_attention": "true"}).json()["results"]
    assert [r["id"] for r in rows] == [str(soon.public_id)]
    rest = biller.get(API + "authorizations/", {"needs_attention": "false"}).json()["results"]
    assert [r["id"] for r in rest] == [str(fine.public_id)]


def test_patch_is_validated_by_the_service(biller, iop):
    url = f"{API}authorizations/{iop.auth.public_id}/"
    bad = biller.patch(url, {"end_date": "2026-09-01"}, content_type="application/json")
    assert bad.status_code == 400 and "end_date" in bad.json()
    good = biller.patch(url, {"units_authorized": "14"}, content_type="application/json")
    assert good.status_code == 200 and good.json()["units_remaining"] == "14.00"


def test_a_review_posted_through_the_api_extends_the_authorization(biller, iop):
    response = _post(
        biller,
        "concurrent-reviews/",
        dict(
            authorization=str(iop.auth.public_id),
            review_date="2026-11-28",
            outcome="approved",
            units_added="5",
            new_end_date="2026-12-12",
            next_review_date="2026-12-05",
        ),
    )
    assert response.status_code == 201, response.json()
    iop.auth.refresh_from_db()
    assert (iop.auth.units_authorized, iop.auth.end_date) == (Decimal("15"), dt.date(2026, 12, 12))
    listed = biller.get(
        API + "concurrent-reviews/", {"authorization__public_id": str(iop.auth.public_id)}
    ).json()
    assert [r["outcome"] for r in listed["results"]] == ["approved"]


def test_a_bad_review_is_a_400_and_saves_nothing(biller, iop):
    response = _post(
        biller,
        "concurrent-reviews/",
        dict(
            authorization=str(iop.auth.public_id),
            review_date="2026-11-28",
            outcome="denied",
            units_added="5",
        ),
    )
    assert response.status_code == 400 and "units_added" in response.json()
    assert not ConcurrentReview.objects.exists()


def test_reviews_are_history_and_cannot_be_edited(biller, iop):
    review = ConcurrentReview.objects.create(
        authorization=iop.auth, review_date=iop.auth.start_date
    )
    url = f"{API}concurrent-reviews/{review.public_id}/"
    assert biller.patch(url, {"notes": "x"}, content_type="application/json").status_code == 405
    assert biller.delete(url).status_code == 405


def test_the_ledger_is_listed_and_read_only(biller, iop):
    day = program_day(iop)
    consume(day, "H0015")
    rows = biller.get(
        API + "auth-ledger/", {"authorization__public_id": str(iop.auth.public_id)}
    ).json()["results"]
    assert [(r["kind"], r["units"], r["session"]) for r in rows] == [
        ("consume", "-1.00", str(day.public_id))
    ]
    assert _post(biller, "auth-ledger/", {"kind": "adjust"}).status_code == 405
    assert UnitLedgerEntry.objects.count() == 1


def test_the_openapi_schema_describes_the_endpoints(client, org_a):
    client.force_login(factories.member(org_a, role="admin"))
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for prefix in ("authorizations", "concurrent-reviews", "auth-ledger"):
        assert f"/api/o/{{org_slug}}/{prefix}/" in paths
    auth_schema = schema["components"]["schemas"]["PriorAuthorization"]["properties"]
    assert {"units_used", "units_remaining", "days_to_expiry"} <= set(auth_schema)
    params = {p["name"] for p in paths["/api/o/{org_slug}/authorizations/"]["get"]["parameters"]}
    assert {"status", "level_of_care", "patient", "needs_attention"} <= params

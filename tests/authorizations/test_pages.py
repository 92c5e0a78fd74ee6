"""Authorization pages: the list shows usage and expiry, forms show field errors, roles hold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from authorizations.models import ConcurrentReview, PriorAuthorization, UnitLedgerEntry
from rcm.models import PhiAccess
from rcm.tenancy import org_context
from tests import factories
from tests.authorizations.util import use_days

PAGES = "/o/clinic-a/authorizations/"


@pytest.fixture
def biller(client, org_a):
    client.force_login(factories.member(org_a, role="biller"))
    return client


def _html(response) -> str:
    """The page's HTML (a form re-shown with errors answers 400)."""
    assert response.status_code in (200, 400), response.status_code
    return response.content.decode()


def test_the_list_shows_patient_payer_units_used_remaining_and_days_to_expiry(biller, iop):
    use_days(iop, 4)
    html = _html(biller.get(PAGES))
    days = (iop.auth.end_date - timezone.localdate()).days
    for text in (
        iop.patient.display_name,
        iop.patient.mrn,
        iop.coverage.payer.name,
        iop.auth.auth_number,
        "H0015",
        "4 / 10",
        ">6<",
        f"{days} day",
    ):
        assert text in html, text
    assert PhiAccess.objects.filter(action="list", object_ids=[str(iop.auth.public_id)]).exists()


def test_the_list_badges_expiring_exhausted_and_review_due(biller, in_org_a):
    today = timezone.localdate()
    factories.authorization(
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=4),
        next_review_date=today + dt.timedelta(days=1),
        units_authorized=Decimal("0"),
    )
    html = _html(biller.get(PAGES))
    for badge in ('warn">expiring', 'bad">exhausted', 'warn">review due'):
        assert f'class="badge {badge}' in html, badge


def test_the_list_filters_by_status_level_and_needing_attention(biller, in_org_a):
    today = timezone.localdate()
    iop = factories.authorization(
        level_of_care="iop",
        auth_number="IOP-1",
        start_date=today - dt.timedelta(days=5),
        end_date=today + dt.timedelta(days=60),
    )
    factories.authorization(status="denied", auth_number="DEN-1")
    factories.authorization(
        auth_number="SOON-1",
        start_date=today - dt.timedelta(days=5),
        end_date=today + dt.timedelta(days=2),
    )
    assert "DEN-1" not in _html(biller.get(PAGES, {"level_of_care": "iop"}))
    assert iop.auth_number in _html(biller.get(PAGES, {"level_of_care": "iop"}))
    assert "IOP-1" not in _html(biller.get(PAGES, {"status": "denied"}))
    attention = _html(biller.get(PAGES, {"needs_attention": "1"}))
    assert "SOON-1" in attention and "IOP-1" not in attention


def test_an_htmx_filter_gets_only_the_rows_partial(biller, iop):
    html = _html(biller.get(PAGES, {"status": "approved"}, headers={"HX-Request": "true"}))
    assert 'id="auth-rows"' in html and "<html" not in html


def test_the_list_page_makes_the_same_number_of_queries_for_1_or_20_rows(biller, in_org_a):
    counts = []
    for total in (1, 20):
        while PriorAuthorization.objects.count() < total:
            auth = factories.authorization()
            UnitLedgerEntry.objects.create(
                authorization=auth, kind="adjust", units=Decimal("-1"), service_date=auth.start_date
            )
        with CaptureQueriesContext(connection) as queries:
            assert biller.get(PAGES).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_detail_shows_reviews_and_ledger_and_logs_the_read(biller, iop):
    use_days(iop, 1)
    ConcurrentReview.objects.create(
        authorization=iop.auth,
        review_date=iop.auth.start_date,
        outcome="approved",
        reviewer="Dr. Utilization",
    )
    html = _html(biller.get(f"{PAGES}{iop.auth.public_id}/"))
    assert "Dr. Utilization" in html and "Consumed by a service" in html
    assert "9 remaining" in html
    assert PhiAccess.objects.filter(action="detail").exists()


def test_another_orgs_authorization_page_is_404(biller, iop, org_b):
    with org_context(org_b):
        theirs = factories.authorization()
    assert biller.get(f"{PAGES}{theirs.public_id}/").status_code == 404
    assert biller.get(f"{PAGES}{theirs.public_id}/reviews/new/").status_code == 404


def _form(coverage, **over):
    data = dict(
        coverage=str(coverage.public_id),
        level_of_care="php",
        codes="H0035",
        unit_type="days",
        units_authorized="10",
        start_date="2026-11-02",
        end_date="2026-11-15",
        status="approved",
        auth_number="WEB-1",
    )
    return {**data, **over}


def test_creating_from_the_form_redirects_to_the_detail(biller, iop):
    response = biller.post(f"{PAGES}new/", _form(iop.coverage))
    auth = PriorAuthorization.objects.get(auth_number="WEB-1")
    assert response.status_code == 302 and str(auth.public_id) in response["Location"]


def test_the_form_shows_field_errors_and_saves_nothing(biller, iop):
    html = _html(
        biller.post(
            f"{PAGES}new/",
            _form(iop.coverage, units_authorized="-2", end_date="2026-11-01", codes="ABC"),
        )
    )
    for field in ("units_authorized", "end_date", "codes"):
        assert f'data-testid="error-{field}"' in html, field
    assert "Units cannot be negative." in html
    assert not PriorAuthorization.objects.filter(auth_number="WEB-1").exists()


def test_the_form_records_code_tokens_and_the_rendering_provider(biller, iop):
    provider = factories.provider()
    form = _form(iop.coverage, codes="h0035:hq, 0912", provider=str(provider.public_id))
    assert biller.post(f"{PAGES}new/", form).status_code == 302
    auth = PriorAuthorization.objects.get(auth_number="WEB-1")
    assert (auth.codes, auth.provider) == (["H0035:HQ", "0912"], provider)
    html = _html(biller.get(f"{PAGES}{auth.public_id}/"))
    assert "H0035:HQ, 0912" in html and str(provider) in html


def test_the_form_names_a_bad_modifier(biller, iop):
    html = _html(biller.post(f"{PAGES}new/", _form(iop.coverage, codes="H0035:HQX")))
    assert 'data-testid="error-codes"' in html and "a modifier is 2 letters or digits" in html


def test_the_detail_says_when_the_payer_ties_the_authorization_to_its_provider(biller, iop):
    iop.coverage.payer.auth_tied_to_provider = True
    iop.coverage.payer.save()
    html = _html(biller.get(f"{PAGES}{iop.auth.public_id}/"))
    assert "ties authorizations to the provider" in html


def test_recording_a_review_from_the_form_extends_the_authorization(biller, iop):
    url = f"{PAGES}{iop.auth.public_id}/reviews/new/"
    response = biller.post(
        url,
        dict(
            review_date="2026-11-28",
            outcome="approved",
            units_added="4",
            new_end_date="2026-12-10",
            next_review_date="2026-12-05",
        ),
    )
    assert response.status_code == 302
    iop.auth.refresh_from_db()
    assert (iop.auth.units_authorized, iop.auth.next_review_date) == (
        Decimal("14"),
        dt.date(2026, 12, 5),
    )


def test_a_bad_review_form_shows_the_field_error(biller, iop):
    html = _html(
        biller.post(
            f"{PAGES}{iop.auth.public_id}/reviews/new/",
            dict(review_date="2026-11-28", outcome="approved", new_end_date="2026-11-01"),
        )
    )
    assert 'data-testid="error-new_end_date"' in html
    assert not ConcurrentReview.objects.exists()


def test_a_clinician_sees_the_list_but_cannot_open_the_forms(client, org_a, iop):
    client.force_login(factories.member(org_a, role="clinician"))
    assert client.get(PAGES).status_code == 200
    assert client.get(f"{PAGES}new/").status_code == 403
    assert client.post(f"{PAGES}new/", _form(iop.coverage)).status_code == 403
    assert client.get(f"{PAGES}{iop.auth.public_id}/reviews/new/").status_code == 403
    assert not PriorAuthorization.objects.filter(auth_number="WEB-1").exists()


def test_the_review_form_logs_the_read_of_the_authorization(biller, iop):
    assert biller.get(f"{PAGES}{iop.auth.public_id}/reviews/new/").status_code == 200
    assert PhiAccess.objects.filter(action="detail", object_ids=[str(iop.auth.public_id)]).exists()


def test_the_new_authorization_form_logs_the_patients_its_choices_name(biller, iop):
    html = _html(biller.get(f"{PAGES}new/"))
    assert iop.patient.mrn in html
    log = PhiAccess.objects.get(action="list")
    assert (log.object_type, log.object_ids) == ("patients.Coverage", [str(iop.coverage.public_id)])

"""The claim pages: every queue renders with its count, filters and pages, saved filters, next
claim, bulk submit, and one claim with its lines, findings, history and actions; a stale version
says so; roles without claims get 403, other orgs 404, Part 2 claims stay withheld."""

from __future__ import annotations

from typing import Any

import pytest

from claims.models import Claim, ClaimEvent, SavedQueueFilter, SubmissionBatch
from claims.selectors import QUEUES
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders, claimdata

pytestmark = pytest.mark.usefixtures("on_today")


@pytest.fixture
def biller(org_a, client):
    user = factories.member(org_a, role="biller", username="bea.biller", part2_access=True)
    client.force_login(user)
    return user


def _url(org, path: str = "") -> str:
    return f"/o/{org.slug}/claims/{path}"


def _fresh(org, claim) -> Claim:
    with org_context(org):
        return Claim.objects.get(pk=claim.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("queue", list(QUEUES))
def test_each_queue_renders_with_its_tabs_and_counts(client, org_a, biller, queue):
    with org_context(org_a):
        claimdata.claim(status="held", control_number="H-1", hold_codes=("NOTE-UNSIGNED",))
        claimdata.claim(status="ready", control_number="R-1")
        claimdata.sent(control_number="A-1", days_ago=45)
    response = client.get(_url(org_a), {"queue": queue})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="count-held">1<' in html and 'data-testid="count-ready">1<' in html
    assert 'data-testid="count-awaiting_payment">1<' in html
    expected = {
        "held": "H-1",
        "ready": "R-1",
        "awaiting_payment": "A-1",
        "follow_up": "A-1",
        "ar": "A-1",
    }
    if queue in expected:
        assert f'data-claim="{expected[queue]}"' in html
    else:
        assert 'data-testid="queue-empty"' in html
    assert "js/claims-keys" in html and "<script>" not in html  # no inline script (CSP)


@pytest.mark.django_db
def test_filters_sorting_and_pages_come_from_the_query_string(client, org_a, biller):
    with org_context(org_a):
        aetna = factories.payer(name="Aetna")
        for n in range(3):
            claimdata.claim(control_number=f"AET-{n}", payer=aetna, charge=str(100 + n))
        claimdata.claim(control_number="OTHER")
    response = client.get(
        _url(org_a), {"queue": "held", "payer": str(aetna.public_id), "sort": "-amount"}
    )
    html = response.content.decode()
    assert html.index('data-claim="AET-2"') < html.index('data-claim="AET-0"')
    assert 'data-claim="OTHER"' not in html
    assert 'data-testid="count-held">3<' in html  # counts follow the filters
    bad = client.get(_url(org_a), {"queue": "held", "amount_min": "lots", "age_max": "-1"})
    assert bad.status_code == 400
    assert "Amount min" in bad.content.decode() and "Age max" in bad.content.decode()
    assert client.get(_url(org_a), {"queue": "nope"}).status_code == 400


@pytest.mark.django_db
def test_an_htmx_filter_change_answers_only_the_results(client, org_a, biller):
    with org_context(org_a):
        claimdata.claim(control_number="H-1")
    response = client.get(_url(org_a), {"queue": "held"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="queue-results"' in html and "<html" not in html and 'data-claim="H-1"' in html


@pytest.mark.django_db
def test_the_awaiting_payment_queue_shows_aging_buckets(client, org_a, biller):
    with org_context(org_a):
        claimdata.sent(control_number="young", days_ago=3)
        claimdata.sent(control_number="old", days_ago=95)
    html = client.get(_url(org_a), {"queue": "awaiting_payment"}).content.decode()
    assert 'data-testid="bucket-0-30"' in html and 'data-testid="bucket-91-120"' in html
    only_old = client.get(_url(org_a), {"queue": "awaiting_payment", "bucket": "91-120"})
    assert 'data-claim="old"' in only_old.content.decode()
    assert 'data-claim="young"' not in only_old.content.decode()
    html = only_old.content.decode()
    held_tab = html[html.rindex("<a", 0, html.index('data-testid="tab-held"')) :]
    assert "bucket=" not in held_tab[: held_tab.index(">")]


@pytest.mark.django_db
def test_a_queue_page_lists_phi_and_logs_the_read(client, org_a, biller):
    from rcm.models import PhiAccess

    with org_context(org_a):
        claim = claimdata.claim()
    client.get(_url(org_a), {"queue": "held"})
    with org_context(org_a):
        row = PhiAccess.objects.get(user=biller, action="list")
    assert row.object_type == "claims.Claim" and row.object_ids == [str(claim.public_id)]


@pytest.mark.django_db
def test_saved_filters_are_saved_applied_and_deleted(client, org_a, biller):
    with org_context(org_a):
        aetna = factories.payer(name="Aetna")
    response = client.post(
        _url(org_a, "filters/"),
        {"name": "Aetna big", "queue": "ready", "payer": str(aetna.public_id), "amount_min": "500"},
    )
    assert response.status_code == 302
    with org_context(org_a):
        saved = SavedQueueFilter.objects.get(user=biller)
    assert (saved.queue, saved.params) == (
        "ready",
        {"payer": str(aetna.public_id), "amount_min": "500"},
    )
    page = client.get(_url(org_a)).content.decode()
    assert "Aetna big" in page and f"payer={aetna.public_id}" in page
    again = client.post(_url(org_a, "filters/"), {"name": "Aetna big", "queue": "ready"})
    assert again.status_code == 302
    with org_context(org_a):
        assert SavedQueueFilter.objects.filter(user=biller).count() == 1
    client.post(_url(org_a, f"filters/{saved.public_id}/delete/"))
    with org_context(org_a):
        assert not SavedQueueFilter.objects.filter(user=biller).exists()


@pytest.mark.django_db
def test_nobody_deletes_another_billers_saved_filter(client, org_a, biller):
    other = factories.member(org_a, role="biller")
    with org_context(org_a):
        theirs = SavedQueueFilter.objects.create(user=other, name="Theirs", queue="held")
    assert client.post(_url(org_a, f"filters/{theirs.public_id}/delete/")).status_code == 404
    assert "Theirs" not in client.get(_url(org_a)).content.decode()


@pytest.mark.django_db
def test_next_claim_opens_the_most_urgent_claim_assigned_to_you(client, org_a, biller):
    with org_context(org_a):
        small = claimdata.claim(status="ready", control_number="small", charge="50")
        big = claimdata.claim(status="ready", control_number="big", charge="900")
    response = client.post(_url(org_a, "next/"), {"queue": "ready"})
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org_a.slug}/claims/{big.public_id}/?queue=ready"
    assert _fresh(org_a, big).assigned_to_id == biller.pk
    # From the claim page, "next" passes over the claim being left.
    response = client.post(_url(org_a, "next/"), {"queue": "ready", "skip": str(big.public_id)})
    assert response["Location"] == f"/o/{org_a.slug}/claims/{small.public_id}/?queue=ready"
    nothing = client.post(_url(org_a, "next/"), {"queue": "rejected"}, follow=True)
    assert "No claim is waiting in Rejected" in nothing.content.decode()


def _sendable(**fields: Any) -> Claim:
    """A ready claim the 837 mapping takes (tests.claims.builders: billing identity, address)."""
    patient = factories.patient(
        address_line1="12 Elm Road", city="Portland", state="OR", postal_code="97202"
    )
    return builders.claim(patient=patient, **fields)


@pytest.mark.django_db
def test_bulk_submit_batches_the_selected_ready_claims(client, org_a, biller):
    with org_context(org_a):
        factories.clearinghouse_account()
        payer = factories.payer(name="Acme Health")
        one = _sendable(payer=payer, control_number="T0000000001")
        two = _sendable(payer=payer, control_number="T0000000002")
        left = _sendable(payer=payer, control_number="T0000000003")
    response = client.post(
        _url(org_a, "submit/"),
        {"queue": "ready", "claim": [f"{one.public_id}:1", f"{two.public_id}:1"]},
        follow=True,
    )
    html = response.content.decode()
    assert "Submitted 2 claim(s) in 1 batch(es): awaiting acknowledgment" in html
    assert [_fresh(org_a, c).status for c in (one, two, left)] == ["queued", "queued", "ready"]
    with org_context(org_a):
        batch = SubmissionBatch.objects.get()
        assert batch.claim_count == 2 and batch.created_by_id == biller.pk
    waiting = client.get(_url(org_a), {"queue": "submitted"}).content.decode()
    assert 'data-claim="T0000000001"' in waiting and 'data-testid="count-submitted">2<' in waiting


@pytest.mark.django_db
def test_bulk_submit_refuses_the_lot_when_one_claim_changed_or_is_not_ready(client, org_a, biller):
    with org_context(org_a):
        factories.clearinghouse_account()
        one = _sendable(control_number="T0000000011")
        held = _sendable(control_number="T0000000012", status="held")
    stale = client.post(
        _url(org_a, "submit/"), {"queue": "ready", "claim": [f"{one.public_id}:7"]}, follow=True
    )
    assert "Changed since you opened the queue: T0000000011" in stale.content.decode()
    unready = client.post(
        _url(org_a, "submit/"),
        {"queue": "ready", "claim": [f"{one.public_id}:1", f"{held.public_id}:1"]},
        follow=True,
    )
    assert "not ready: T0000000012" in unready.content.decode()
    nothing = client.post(_url(org_a, "submit/"), {"queue": "ready"}, follow=True)
    assert "Select the ready claims" in nothing.content.decode()
    with org_context(org_a):
        assert not SubmissionBatch.objects.exists()
    assert _fresh(org_a, one).status == "ready"


@pytest.mark.django_db
def test_submitting_one_claim_from_its_page_and_the_clearinghouse_refusal(client, org_a, biller):
    with org_context(org_a):
        claim = _sendable()
    url = _url(org_a, f"{claim.public_id}/submit/")
    refused = client.post(url, {"version": 1})
    assert refused.status_code == 400
    assert "no active clearinghouse account" in refused.content.decode()
    with org_context(org_a):
        factories.clearinghouse_account()
    done = client.post(url, {"version": 1}, follow=True)
    assert "awaiting acknowledgment" in done.content.decode()
    assert _fresh(org_a, claim).status == "queued"


@pytest.mark.django_db
def test_the_837_page_shows_the_claim_as_it_would_be_sent_and_logs_the_read(client, org_a, biller):
    from rcm.models import PhiAccess

    with org_context(org_a):
        claim = _sendable(control_number="T0000000021")
    no_account = client.get(_url(org_a, f"{claim.public_id}/837/")).content.decode()
    assert "no active clearinghouse account" in no_account
    with org_context(org_a):
        factories.clearinghouse_account()
    html = client.get(_url(org_a, f"{claim.public_id}/837/")).content.decode()
    assert "ISA*" in html and "\nCLM*T0000000021*" in html  # one segment a line
    with org_context(org_a):
        assert (
            PhiAccess.objects.filter(
                user=biller, action="detail", object_ids=[str(claim.public_id)]
            ).count()
            == 2
        )
    assert _fresh(org_a, claim).status == "ready"  # a preview saves nothing


@pytest.mark.django_db
def test_the_claim_page_shows_header_lines_diagnoses_findings_history_and_sessions(
    client, org_a, biller
):
    with org_context(org_a):
        payer = factories.payer(name="Harbor Health Plan")
        patient = factories.patient(first_name="Dana", last_name="Whitfield")
        claim = claimdata.claim(
            patient=patient,
            payer=payer,
            hold_codes=("NOTE-UNSIGNED",),
            diagnoses=["F41.1", "Z63.0"],
            findings=(
                {"code": "ZIP4", "severity": "warning", "message": "No ZIP+4", "fix": "Add it"},
            ),
        )
        ClaimEvent.objects.create(claim=claim, kind="note", actor=biller, note="Called the payer")
        session = claim.services.get().session
    response = client.get(_url(org_a, f"{claim.public_id}/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Whitfield, Dana" in html and "Harbor Health Plan" in html
    assert 'data-testid="claim-version">1<' in html and "Held by the scrubber" in html
    assert 'data-code="NOTE-UNSIGNED"' in html and 'href="/fix/NOTE-UNSIGNED/"' in html
    assert html.index('data-code="NOTE-UNSIGNED"') < html.index('data-code="ZIP4"')
    assert "90837" in html and "<code>Z63.0</code>" in html
    assert "bea.biller" in html and "Called the payer" in html
    assert f"/patients/sessions/{session.public_id}/" in html
    assert f"/claims/{claim.public_id}/837/" in html


@pytest.mark.django_db
def test_hold_note_assign_and_cancel_post_the_version_and_land_in_the_history(
    client, org_a, biller
):
    with org_context(org_a):
        claim = claimdata.claim(status="ready")
    url = _url(org_a, f"{claim.public_id}/")
    response = client.post(url + "assign/", {"version": 1, "queue": "ready"})
    assert response.status_code == 302 and response["Location"].endswith("?queue=ready")
    client.post(url + "hold/", {"hold-version": 2, "hold-reason": "Waiting on the payer's answer"})
    assert _fresh(org_a, claim).status == "on_hold"
    client.post(
        url + "note/",
        {"note-version": 3, "note-note": "Call back", "note-follow_up_on": "2026-11-20"},
    )
    client.post(url + "cancel/", {"cancel-version": 4, "cancel-reason": "Billed on paper"})
    fresh = _fresh(org_a, claim)
    assert (fresh.status, fresh.assigned_to_id, str(fresh.follow_up_on)) == (
        "cancelled",
        biller.pk,
        "2026-11-20",
    )
    with org_context(org_a):
        kinds = list(claim.events.values_list("kind", flat=True).order_by("pk"))
    assert kinds == ["built", "assigned", "held", "note", "cancelled"]
    html = client.get(url).content.decode()
    assert "Waiting on the payer" in html and "Billed on paper" in html


@pytest.mark.django_db
def test_a_stale_version_answers_409_with_a_clear_message_and_changes_nothing(
    client, org_a, biller
):
    with org_context(org_a):
        claim = claimdata.claim(status="ready")
    url = _url(org_a, f"{claim.public_id}/")
    client.post(url + "assign/", {"version": 1})  # someone (here: the same biller) moved it on
    response = client.post(url + "hold/", {"hold-version": 1, "hold-reason": "too late"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed since you opened it; reload it" in html
    assert 'data-testid="claim-version">2<' in html  # the page shows the claim as it is now
    assert _fresh(org_a, claim).status == "ready"


@pytest.mark.django_db
def test_an_action_without_its_reason_is_refused_with_the_form_shown_again(client, org_a, biller):
    with org_context(org_a):
        claim = claimdata.claim(status="ready")
    response = client.post(_url(org_a, f"{claim.public_id}/hold/"), {"hold-version": 1})
    assert response.status_code == 400
    assert "Fill in: Reason" in response.content.decode()
    no_version = client.post(_url(org_a, f"{claim.public_id}/assign/"), {})
    assert no_version.status_code == 400
    assert "which version" in no_version.content.decode()
    wrong_state = client.post(_url(org_a, f"{claim.public_id}/release/"), {"version": 1})
    assert wrong_state.status_code == 400
    assert "Only a claim a biller held is released" in wrong_state.content.decode()


@pytest.mark.django_db
def test_void_builds_a_frequency_8_claim_and_shows_it(client, org_a, biller):
    with org_context(org_a):
        claim = claimdata.sent(status="accepted", days_ago=10, payer_claim_number="PCN77")
    response = client.post(
        _url(org_a, f"{claim.public_id}/void/"),
        {"void-version": 1, "void-reason": "Billed the wrong patient"},
    )
    assert response.status_code == 302
    with org_context(org_a):
        void = Claim.objects.get(original=claim)
    assert void.frequency == "8" and _fresh(org_a, claim).status == "voided"
    assert response["Location"].startswith(f"/o/{org_a.slug}/claims/{void.public_id}/")


@pytest.mark.django_db
def test_rescrub_and_release_run_the_scrubber_again(client, org_a, biller):
    with org_context(org_a):
        claim = claimdata.claim(status="on_hold")
    response = client.post(_url(org_a, f"{claim.public_id}/release/"), {"version": 1})
    assert response.status_code == 302
    assert _fresh(org_a, claim).status in ("held", "ready")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role,status",
    [
        ("admin", 200),
        ("billing_manager", 200),
        ("biller", 200),
        ("intake", 403),
        ("clinician", 403),
        ("leadership", 403),
        ("compliance", 403),
    ],
)
def test_only_roles_that_work_claims_see_the_claim_pages(client, org_a, role, status):
    with org_context(org_a):
        claim = claimdata.claim()
    client.force_login(factories.member(org_a, role=role))
    assert client.get(_url(org_a)).status_code == status
    assert client.get(_url(org_a, f"{claim.public_id}/")).status_code == status
    assert client.post(_url(org_a, f"{claim.public_id}/assign/"), {"version": 1}).status_code in (
        302 if status == 200 else 403,
    )
    nav = client.get(f"/o/{org_a.slug}/").content.decode()
    assert (f'href="/o/{org_a.slug}/claims/"' in nav) is (status == 200)


@pytest.mark.django_db
def test_only_billing_managers_and_admins_build_claims(client, org_a):
    client.force_login(factories.member(org_a, role="biller"))
    assert 'data-testid="build-claims"' not in client.get(_url(org_a)).content.decode()
    assert client.post(_url(org_a, "build/")).status_code == 403
    client.force_login(factories.member(org_a, role="billing_manager"))
    assert 'data-testid="build-claims"' in client.get(_url(org_a)).content.decode()


@pytest.mark.django_db
def test_another_orgs_claim_is_not_found(client, org_a, org_b, biller):
    with org_context(org_b):
        theirs = claimdata.claim()
    assert client.get(_url(org_a, f"{theirs.public_id}/")).status_code == 404
    assert (
        client.post(_url(org_a, f"{theirs.public_id}/assign/"), {"version": 1}).status_code == 404
    )
    assert client.get(_url(org_b)).status_code == 404


@pytest.mark.django_db
def test_part2_claims_are_withheld_from_billers_without_part2_access(client, org_a):
    with org_context(org_a):
        claimdata.claim(control_number="MH-1")
        sud = claimdata.claim(control_number="SUD-1", part2=True)
    client.force_login(factories.member(org_a, role="biller", part2_access=False))
    html = client.get(_url(org_a)).content.decode()
    assert 'data-claim="MH-1"' in html and "SUD-1" not in html
    assert 'data-testid="count-held">1<' in html
    assert client.get(_url(org_a, f"{sud.public_id}/")).status_code == 404
    assert client.post(_url(org_a, f"{sud.public_id}/assign/"), {"version": 1}).status_code == 404
    client.post(_url(org_a, "next/"), {"queue": "held"})
    client.post(_url(org_a, "next/"), {"queue": "held"})
    assert _fresh(org_a, sud).assigned_to_id is None
    client.force_login(factories.member(org_a, role="biller", part2_access=True))
    assert client.get(_url(org_a, f"{sud.public_id}/")).status_code == 200


def _page_queries(client, url: str, params: dict[str, str] | None = None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_the_queue_page_and_a_claim_page_cost_the_same_queries_for_few_or_many_rows(
    client, org_a, biller
):
    with org_context(org_a):
        payer = factories.payer()
        first = claimdata.claim(payer=payer, hold_codes=("NOTE-UNSIGNED",), assigned_to=biller)
    few = _page_queries(client, _url(org_a), {"queue": "held"})
    one_line = _page_queries(client, _url(org_a, f"{first.public_id}/"))
    with org_context(org_a):
        for _ in range(25):
            claimdata.claim(payer=factories.payer(), hold_codes=("AUTH",), assigned_to=biller)
        big = claimdata.claim(payer=payer)
        for n in range(2, 9):
            session = factories.session(patient_obj=big.patient, status="completed")
            big.lines.create(
                number=n,
                control_number=f"{big.control_number}-{n}",
                service_date=big.service_from,
                code="90834",
                units=1,
                charge=100,
                rendering_provider=factories.provider(),
                session=session,
            )
            big.services.create(session=session)
            big.events.create(kind="note", actor=biller, note=f"call {n}")
            big.findings.create(code=f"W{n}", severity="warning", message="m", line_number=n)
    many = _page_queries(client, _url(org_a), {"queue": "held"})
    many_lines = _page_queries(client, _url(org_a, f"{big.public_id}/"))
    assert many == few
    assert many_lines == one_line


@pytest.mark.django_db
def test_after_an_htmx_filter_change_next_claim_and_save_use_the_new_filters(client, org_a, biller):
    with org_context(org_a):
        aetna = factories.payer(name="Aetna")
    html = client.get(
        _url(org_a), {"queue": "ready", "payer": str(aetna.public_id)}, HTTP_HX_REQUEST="true"
    ).content.decode()
    next_form = html[html.index('data-testid="next-claim-form"') : html.index("</form>")]
    assert f'name="payer" value="{aetna.public_id}"' in next_form
    assert 'data-testid="save-filter"' in html

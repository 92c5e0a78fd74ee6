"""The Remittances page (upload and post, inline or by the task the page polls; the list and one
remittance), the posting exceptions queue and its resolve action (page and API), and the
patient page's account panel with patient payments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims.models import Claim
from denials import uploads
from denials.models import PatientLedgerEntry, PostingException, Remittance
from denials.tasks import post_upload
from rcm.models import PhiAccess
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders
from tests.denials import era
from tests.denials.era import adj, clp, line_of

M = Decimal
BASE = "/o/clinic-a/denials/"
API = "/api/o/clinic-a/"


@pytest.fixture
def biller(org_a, client):
    user = factories.member(org_a, role="biller", username="rita.remit", part2_access=True)
    client.force_login(user)
    return user


def _paid_and_unknown(org):
    """An 835 paying one of our claims (CO-45, PR-2) and one claim we never sent."""
    with org_context(org):
        claim = builders.claim(
            status=Claim.Status.ACCEPTED, lines=[{"code": "90834", "charge": M("150.00")}]
        )
        (line,) = claim.lines.all()
        paid = clp(
            claim, (line_of(line, "80.00", adj("CO", "45", "50.00"), adj("PR", "2", "20.00")),)
        )
        stranger = clp(
            claim,
            (line_of(line, "10.00", adj("CO", "45", "140.00")),),
            position=2,
            patient_control_number="NOTOURS01",
        )
        content = era.file_of(era.remittance((paid, stranger), trace="UP-1"))
    return claim, content


@pytest.mark.django_db
def test_uploading_an_835_posts_it_and_shows_the_summary_and_its_exceptions(client, org_a, biller):
    claim, content = _paid_and_unknown(org_a)
    upload = SimpleUploadedFile("era.835", content)
    response = client.post(BASE + "remittances/", {"files": [upload]})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="posting-summary"' in page
    assert "NOTOURS01" in page  # the unmatched claim's exception is listed
    with org_context(org_a):
        claim.refresh_from_db()
        assert claim.status == Claim.Status.PAID
        assert PostingException.objects.filter(kind="unmatched_claim").count() == 1
        rem = Remittance.objects.get()
    listing = client.get(BASE + "remittances/").content.decode()
    assert "UP-1" in listing and str(rem.public_id) in listing


@pytest.mark.django_db
def test_an_upload_without_files_is_refused_with_a_message(client, org_a, biller):
    response = client.post(BASE + "remittances/", {})
    assert response.status_code == 400
    assert b"Choose one or more" in response.content


@pytest.mark.django_db
def test_a_large_upload_is_posted_by_the_task_while_the_page_polls_its_progress(
    client, org_a, biller, monkeypatch
):
    claim, content = _paid_and_unknown(org_a)
    monkeypatch.setattr(uploads, "INLINE_MAX_BYTES", 10)
    with org_context(org_a):
        queued = uploads.upload_post(files=[("big.835", content)], actor=biller)
    assert queued["state"] == "queued"
    token = queued["token"]
    waiting = client.get(BASE + f"remittances/progress/?job={token}")
    assert b"Posting in the background" in waiting.content and b"every 1s" in waiting.content
    assert post_upload.apply(args=(org_a.pk, token, biller.pk)).get() == "done"
    done = client.get(BASE + f"remittances/progress/?job={token}").content.decode()
    assert 'data-testid="posting-summary"' in done and "every 1s" not in done
    assert "NOTOURS01" in done
    with org_context(org_a):
        claim.refresh_from_db()
        assert claim.status == Claim.Status.PAID


@pytest.mark.django_db
def test_another_orgs_upload_token_finds_nothing(client, org_a, org_b, biller):
    _, content = _paid_and_unknown(org_b)
    with org_context(org_b):
        uploads.INLINE_MAX_BYTES, saved = 10, uploads.INLINE_MAX_BYTES
        try:
            token = uploads.upload_post(files=[("b.835", content)], actor=None)["token"]
        finally:
            uploads.INLINE_MAX_BYTES = saved
    assert client.get(BASE + f"remittances/progress/?job={token}").status_code == 404


@pytest.mark.django_db
def test_the_remittance_page_shows_lines_adjustments_with_carc_meanings_and_logs_the_read(
    client, org_a, biller
):
    claim, content = _paid_and_unknown(org_a)
    client.post(BASE + "remittances/", {"files": [SimpleUploadedFile("era.835", content)]})
    with org_context(org_a):
        rem = Remittance.objects.get()
    page = client.get(BASE + f"remittances/{rem.public_id}/").content.decode()
    assert claim.control_number in page and "CO-45" in page and "PR-2" in page
    assert "Coinsurance" in page or "coinsurance" in page
    with org_context(org_a):
        assert PhiAccess.objects.filter(user=biller, action="detail").exists()


@pytest.mark.django_db
def test_resolving_an_exception_needs_a_note_and_records_who_and_when(client, org_a, biller):
    _, content = _paid_and_unknown(org_a)
    client.post(BASE + "remittances/", {"files": [SimpleUploadedFile("era.835", content)]})
    with org_context(org_a):
        row = PostingException.objects.get()
    queue = client.get(BASE + "exceptions/?kind=unmatched_claim").content.decode()
    assert "NOTOURS01" in queue
    client.post(BASE + f"exceptions/{row.public_id}/resolve/", {"note": ""})
    with org_context(org_a):
        row.refresh_from_db()
        assert row.status == "open"
    client.post(BASE + f"exceptions/{row.public_id}/resolve/", {"note": "Other clinic's claim"})
    with org_context(org_a):
        row.refresh_from_db()
        assert (row.status, row.resolved_by, row.resolution) == (
            "resolved",
            biller,
            "Other clinic's claim",
        )
        assert row.resolved_at is not None
    assert "NOTOURS01" not in client.get(BASE + "exceptions/").content.decode()


@pytest.mark.django_db
def test_the_api_lists_open_exceptions_and_resolves_one_with_a_note(client, org_a, biller):
    _, content = _paid_and_unknown(org_a)
    client.post(BASE + "remittances/", {"files": [SimpleUploadedFile("era.835", content)]})
    rows = client.get(API + "posting-exceptions/").json()
    rows = rows.get("results", rows)
    assert [r["kind"] for r in rows] == ["unmatched_claim"]
    url = API + f"posting-exceptions/{rows[0]['id']}/resolve/"
    assert client.post(url, {}, content_type="application/json").status_code == 400
    done = client.post(url, {"note": "Not ours"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    again = client.get(API + "posting-exceptions/").json()
    assert again.get("results", again) == []
    remits = client.get(API + "remittances/").json()
    assert [r["trace_number"] for r in remits.get("results", remits)] == ["UP-1"]


@pytest.mark.django_db
def test_the_patient_page_shows_the_balance_and_a_payment_lowers_it(client, org_a, biller):
    claim, content = _paid_and_unknown(org_a)
    client.post(BASE + "remittances/", {"files": [SimpleUploadedFile("era.835", content)]})
    patient_url = f"/o/clinic-a/patients/{claim.patient.public_id}/"
    page = client.get(patient_url).content.decode()
    assert 'data-testid="patient-balance"' in page and "20.00" in page
    assert "PR-2 coinsurance" in page
    client.post(
        BASE + f"patients/{claim.patient.public_id}/payment/",
        {"amount": "15.00", "method": "card", "reference": "R-77"},
    )
    client.post(
        BASE + f"patients/{claim.patient.public_id}/payment/", {"amount": "-3", "method": "card"}
    )
    with org_context(org_a):
        amounts = sorted(PatientLedgerEntry.objects.values_list("amount", flat=True))
    assert amounts == [M("-15.00"), M("20.00")]
    assert "<strong>5.00</strong>" in client.get(patient_url).content.decode()


@pytest.mark.django_db
def test_roles_without_claim_work_cannot_upload_or_resolve_or_take_payments(client, org_a):
    client.force_login(factories.member(org_a, role="clinician"))
    assert client.get(BASE + "remittances/").status_code == 403
    assert client.get(BASE + "exceptions/").status_code == 403
    assert client.get(API + "posting-exceptions/").status_code == 403

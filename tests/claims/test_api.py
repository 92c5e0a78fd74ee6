"""The claims API: queues with the pages' filters and counts, one claim, version-checked actions
(stale: 409), next claim, bulk submit, saved filters and batches; roles, other orgs and Part 2."""

from __future__ import annotations

from typing import Any

import pytest

from claims.models import BatchClaim, Claim, SubmissionBatch
from rcm.models import PhiAccess
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders, claimdata

pytestmark = pytest.mark.usefixtures("on_today")

API = "/api/o/clinic-a/"


@pytest.fixture
def biller(org_a, client):
    user = factories.member(org_a, role="biller", username="bo.biller", part2_access=True)
    client.force_login(user)
    return user


def _post(client, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(API + path, data or {}, content_type="application/json")


def _fresh(org, claim) -> Claim:
    with org_context(org):
        return Claim.objects.get(pk=claim.pk)


@pytest.mark.django_db
def test_a_queue_lists_filtered_sorted_paged_claims(client, org_a, biller):
    with org_context(org_a):
        aetna = factories.payer(name="Aetna")
        for n in range(3):
            claimdata.claim(payer=aetna, control_number=f"A{n}", charge=str(100 + n))
        claimdata.claim(control_number="OTHER")
    response = client.get(
        API + "claims/",
        {"queue": "held", "payer": str(aetna.public_id), "sort": "-amount", "per_page": 2},
    )
    body = response.json()
    assert response.status_code == 200
    assert (body["queue"], body["count"], body["pages"], body["page"]) == ("held", 3, 2, 1)
    assert [r["control_number"] for r in body["results"]] == ["A2", "A1"]
    row = body["results"][0]
    assert row["payer"]["name"] == "Aetna" and row["patient"]["name"].startswith("Rivera")
    assert (row["version"], row["status"], row["total_charge"]) == (1, "held", "102.00")
    assert isinstance(row["age_days"], int) and isinstance(row["filing_days_left"], int)
    page2 = client.get(
        API + "claims/",
        {"payer": str(aetna.public_id), "sort": "-amount", "per_page": 2, "page": 2},
    ).json()
    assert (page2["page"], [r["control_number"] for r in page2["results"]]) == (2, ["A0"])
    with org_context(org_a):
        assert PhiAccess.objects.filter(user=biller, action="api").exists()


@pytest.mark.django_db
def test_bad_queue_filters_answer_400_with_field_messages(client, org_a, biller):
    response = client.get(API + "claims/", {"queue": "lost", "amount_min": "x", "page": "0"})
    assert response.status_code == 400
    assert "queue" in response.json()
    assert client.get(API + "claims/", {"amount_min": "x"}).json().keys() == {"amount_min"}
    assert client.get(API + "claims/", {"page": "0"}).json().keys() == {"page"}


@pytest.mark.django_db
def test_counts_per_queue_and_aging(client, org_a, biller):
    with org_context(org_a):
        claimdata.claim(status="ready")
        claimdata.sent(days_ago=70, charge="80")
    body = client.get(API + "claims/counts/").json()
    assert body["counts"]["ready"] == 1 and body["counts"]["awaiting_payment"] == 1
    aging = {b["key"]: (b["count"], b["amount"]) for b in body["aging"]}
    assert aging["61-90"] == (1, "80.00") and aging["0-30"] == (0, "0.00")


@pytest.mark.django_db
def test_a_claim_answers_with_lines_findings_events_and_sessions(client, org_a, biller):
    with org_context(org_a):
        claim = claimdata.claim(hold_codes=("NOTE-UNSIGNED",))
        session = claim.services.get().session
    body = client.get(API + f"claims/{claim.public_id}/").json()
    assert body["control_number"] == claim.control_number and body["version"] == 1
    assert body["lines"][0]["code"] == "90837" and body["lines"][0]["session"] == str(
        session.public_id
    )
    assert body["findings"][0]["code"] == "NOTE-UNSIGNED"
    assert body["findings"][0]["fix_url"] == "/fix/NOTE-UNSIGNED/"
    assert body["events"] == [
        {
            "kind": "built",
            "actor": "system",
            "from_status": "",
            "to_status": "held",
            "message": "Built from 1",
            "note": "",
            "created_at": body["events"][0]["created_at"],
        }
    ]
    assert body["sessions"][0]["id"] == str(session.public_id)


@pytest.mark.django_db
def test_actions_take_the_version_and_a_stale_one_answers_409(client, org_a, biller):
    with org_context(org_a):
        claim = claimdata.claim(status="ready")
    path = f"claims/{claim.public_id}/"
    held = _post(client, path + "hold/", {"version": 1, "reason": "Payer asked to wait"})
    assert held.status_code == 200 and held.json()["status"] == "on_hold"
    assert held.json()["version"] == 2
    stale = _post(client, path + "cancel/", {"version": 1, "reason": "late"})
    assert stale.status_code == 409
    assert "changed since you opened it" in stale.json()["version"][0]
    assert stale.json()["current_version"] == 2
    assert _fresh(org_a, claim).status == "on_hold"
    no_reason = _post(client, path + "cancel/", {"version": 2})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    wrong_state = _post(client, path + "void/", {"version": 2, "reason": "x"})
    assert wrong_state.status_code == 400 and "status" in wrong_state.json()
    cancelled = _post(client, path + "cancel/", {"version": 2, "reason": "Billed on paper"})
    assert cancelled.json()["status"] == "cancelled"
    assert [e["kind"] for e in cancelled.json()["events"]] == ["built", "held", "cancelled"]


@pytest.mark.django_db
def test_notes_assignments_and_release(client, org_a, biller):
    other = factories.member(org_a, role="biller", username="cy.biller")
    clinician = factories.member(org_a, role="clinician", username="dr.who")
    with org_context(org_a):
        claim = claimdata.claim(status="on_hold")
    path = f"claims/{claim.public_id}/"
    noted = _post(client, path + "note/", {"note": "Called", "follow_up_on": "2026-11-20"})
    assert noted.status_code == 200 and noted.json()["follow_up_on"] == "2026-11-20"
    version = noted.json()["version"]
    mine = _post(client, path + "assign/", {"version": version})
    assert mine.json()["assigned_to"] == biller.username
    theirs = _post(client, path + "assign/", {"version": version + 1, "assignee": other.username})
    assert theirs.json()["assigned_to"] == "cy.biller"
    nobody = _post(client, path + "assign/", {"version": version + 2, "assignee": None})
    assert nobody.json()["assigned_to"] is None
    refused = _post(
        client, path + "assign/", {"version": version + 3, "assignee": clinician.username}
    )
    assert refused.status_code == 400 and "assignee" in refused.json()
    released = _post(client, path + "release/", {"version": version + 3})
    assert released.status_code == 200 and released.json()["status"] in ("held", "ready")


@pytest.mark.django_db
def test_void_and_replace_answer_the_new_claim(client, org_a, biller):
    with org_context(org_a):
        voided = claimdata.sent(days_ago=10)
        replaced = claimdata.sent(days_ago=10)
    void = _post(
        client, f"claims/{voided.public_id}/void/", {"version": 1, "reason": "Wrong patient"}
    )
    assert void.status_code == 200
    assert void.json()["frequency"] == "8"
    assert void.json()["original"]["control_number"] == voided.control_number
    new = _post(client, f"claims/{replaced.public_id}/replace/", {"version": 1, "reason": "Units"})
    assert new.status_code == 200 and new.json()["frequency"] == "7"
    assert _fresh(org_a, replaced).status == "replaced"


@pytest.mark.django_db
def test_rescrub_recodes_and_scrubs_the_claim(client, org_a, biller):
    with org_context(org_a):
        claim = claimdata.claim(status="held", hold_codes=("OLD-CODE",))
    response = _post(client, f"claims/{claim.public_id}/scrub/", {"version": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["version"] > 1 and "OLD-CODE" not in body["hold_codes"]
    assert body["events"][-1]["kind"] in ("scrubbed", "released", "held")


@pytest.mark.django_db
def test_next_claim_is_assigned_and_204_when_the_queue_is_empty(client, org_a, biller):
    with org_context(org_a):
        claim = claimdata.claim(status="rejected")
    response = _post(client, "claims/next/", {"queue": "rejected"})
    assert response.status_code == 200
    assert response.json()["id"] == str(claim.public_id)
    assert response.json()["assigned_to"] == biller.username
    skipped = _post(client, "claims/next/", {"queue": "rejected", "skip": [str(claim.public_id)]})
    assert skipped.status_code == 204
    assert _post(client, "claims/next/", {"queue": "nope"}).status_code == 400


@pytest.mark.django_db
def test_submit_batches_ready_claims_all_or_none(client, org_a, biller):
    with org_context(org_a):
        patient = factories.patient(
            address_line1="12 Elm Road", city="Portland", state="OR", postal_code="97202"
        )
        claim = builders.claim(patient=patient, control_number="T0000000031")
        other = builders.claim(patient=patient, control_number="T0000000032")
    no_account = _post(client, f"claims/{claim.public_id}/submit/", {"version": 1})
    assert no_account.status_code == 400 and "clearinghouse" in no_account.json()
    with org_context(org_a):
        factories.clearinghouse_account()
    body = {"claims": [{"id": str(claim.public_id), "version": 3}]}
    stale = _post(client, "claims/submit/", body)
    assert stale.status_code == 409
    body = {"claims": [{"id": str(claim.public_id), "version": 1}]}
    response = _post(client, "claims/submit/", body)
    assert response.status_code == 200, response.json()
    (batch,) = response.json()
    assert batch["claims"] == ["T0000000031"] and batch["content"] is None
    assert batch["status"] == "built"
    one = _post(client, f"claims/{other.public_id}/submit/", {"version": 1})
    assert one.status_code == 200 and one.json()["status"] == "queued"


@pytest.mark.django_db
def test_batches_show_their_837_only_one_at_a_time_and_part2_only_with_access(client, org_a):
    with org_context(org_a):
        claim = claimdata.claim(status="submitted", part2=True)
        batch = SubmissionBatch.objects.create(
            kind="837p",
            adapter="sandbox",
            interchange_control_number=9,
            group_control_number=9,
            file_name="b9.837",
            content="ISA*00*SECRET~",
            content_sha256="0" * 64,
            claim_count=1,
            part2=True,
        )
        BatchClaim.objects.create(batch=batch, claim=claim, transaction_control_number="0001")
    client.force_login(factories.member(org_a, role="biller", part2_access=True))
    listed = client.get(API + "claim-batches/").json()["results"]
    assert listed[0]["content"] is None and listed[0]["claims"] == [claim.control_number]
    one = client.get(API + f"claim-batches/{batch.public_id}/").json()
    assert one["content"] == "ISA*00*SECRET~"
    client.force_login(factories.member(org_a, role="biller", part2_access=False))
    assert client.get(API + f"claim-batches/{batch.public_id}/").status_code == 404
    assert client.get(API + "claim-batches/").json()["results"] == []


@pytest.mark.django_db
def test_saved_filters_are_each_billers_own(client, org_a, biller):
    with org_context(org_a):
        aetna = factories.payer(name="Aetna")
    made = _post(
        client,
        "claim-filters/",
        {
            "name": "Aetna",
            "queue": "ready",
            "params": {"payer": str(aetna.public_id), "sort": "-amount"},
        },
    )
    assert made.status_code == 201, made.json()
    assert made.json()["params"] == {"payer": str(aetna.public_id), "sort": "-amount"}
    dup = _post(client, "claim-filters/", {"name": "Aetna", "queue": "held"})
    assert dup.status_code == 400 and "name" in dup.json()
    bad = _post(
        client, "claim-filters/", {"name": "Bad", "queue": "held", "params": {"age_min": "-1"}}
    )
    assert bad.status_code == 400 and "params" in bad.json()
    client.force_login(factories.member(org_a, role="biller"))
    assert client.get(API + "claim-filters/").json() == []
    assert client.delete(API + f"claim-filters/{made.json()['id']}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["intake", "clinician", "leadership", "compliance"])
def test_roles_that_do_not_work_claims_are_refused(client, org_a, role):
    with org_context(org_a):
        claim = claimdata.claim()
    client.force_login(factories.member(org_a, role=role))
    assert client.get(API + "claims/").status_code == 403
    assert client.get(API + f"claims/{claim.public_id}/").status_code == 403
    assert (
        _post(client, f"claims/{claim.public_id}/hold/", {"version": 1, "reason": "x"}).status_code
        == 403
    )
    assert client.get(API + "claim-batches/").status_code == 403


@pytest.mark.django_db
def test_other_orgs_and_withheld_part2_claims_are_not_found(client, org_a, org_b):
    with org_context(org_b):
        theirs = claimdata.claim()
    with org_context(org_a):
        sud = claimdata.claim(part2=True, status="ready")
    client.force_login(factories.member(org_a, role="biller", part2_access=False))
    assert client.get(API + f"claims/{theirs.public_id}/").status_code == 404
    assert client.get(API + f"claims/{sud.public_id}/").status_code == 404
    assert (
        _post(client, f"claims/{sud.public_id}/hold/", {"version": 1, "reason": "x"}).status_code
        == 404
    )
    assert client.get(API + "claims/", {"queue": "ready"}).json()["count"] == 0
    assert _post(client, "claims/next/", {"queue": "ready"}).status_code == 204


@pytest.mark.django_db
def test_the_schema_documents_the_claims_api(client, org_a):
    client.force_login(factories.member(org_a))
    schema = client.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    hold = paths["/api/o/{org_slug}/claims/{public_id}/hold/"]["post"]
    assert set(hold["responses"]) == {"200", "400", "404", "409"}
    ref = hold["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ref]["required"]) == {"version", "reason"}
    names = {p["name"] for p in paths["/api/o/{org_slug}/claims/"]["get"]["parameters"]}
    assert {"queue", "sort", "payer", "edit_code", "assigned", "bucket", "page"} <= names
    assert "204" in paths["/api/o/{org_slug}/claims/next/"]["post"]["responses"]
    for path in (
        "claims/counts/",
        "claims/submit/",
        "claim-batches/{public_id}/",
        "claim-filters/",
    ):
        assert f"/api/o/{{org_slug}}/{path}" in paths


@pytest.mark.django_db
def test_the_queue_and_claim_answers_cost_the_same_queries_for_few_or_many_rows(
    client, org_a, biller
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(API + path).status_code == 200
        return len(ctx.captured_queries)

    with org_context(org_a):
        first = claimdata.claim(assigned_to=biller)
    few, one = queries("claims/?queue=held"), queries(f"claims/{first.public_id}/")
    with org_context(org_a):
        for _ in range(20):
            claimdata.claim(assigned_to=biller)
        for n in range(2, 6):
            session = factories.session(patient_obj=first.patient, status="completed")
            first.lines.create(
                number=n,
                control_number=f"{first.control_number}-{n}",
                service_date=first.service_from,
                code="90834",
                units=1,
                charge=100,
                rendering_provider=factories.provider(),
                session=session,
            )
            first.services.create(session=session)
            first.events.create(kind="note", actor=biller, note="n")
    assert queries("claims/?queue=held") == few
    assert queries(f"claims/{first.public_id}/") == one

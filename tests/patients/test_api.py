import datetime

import pytest
from rest_framework.test import APIClient

from patients.models import Coverage, Patient, Session
from patients.services.clinical import episode_admit
from rcm.models import ApiToken, PhiAccess
from rcm.tenancy import org_context
from tests import factories

API = "/api/o/clinic-a/"
DAY = datetime.date(2026, 11, 2)


def _client(org, role="admin"):
    # Program staff whom an admin has granted Part 2 access (the world has SUD patients).
    _, raw = ApiToken.issue(user=factories.member(org, role=role, part2_access=True), name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api(org_a):
    return _client(org_a)


@pytest.fixture
def world(org_a):
    with org_context(org_a):
        payer = factories.payer(auth_required_levels=["php"])
        patient = factories.patient(last_name="Marlowe", mrn="M1")
        factories.coverage(patient_obj=patient, payer_obj=payer, member_id="MAR-1")
        facility = factories.facility()
        episode = episode_admit(
            patient=patient,
            program="sud",
            level="iop",
            asam_level="2.1",
            admit_date=DAY,
            diagnoses=["F11.20"],
            facility=facility,
        )
        provider = factories.provider()
    return {
        "payer": payer,
        "patient": patient,
        "facility": facility,
        "episode": episode,
        "provider": provider,
    }


def _count(org, model):
    with org_context(org):
        return model.objects.count()


def test_create_a_patient_with_nested_coverage_then_read_filter_and_patch(api, org_a, world):
    body = {
        "first_name": "Kit",
        "last_name": "Apitest",
        "date_of_birth": "1985-05-05",
        "sex": "M",
        "ssn": "123456789",
        "coverage": {
            "payer": str(world["payer"].public_id),
            "member_id": "KA-9",
            "effective_date": "2026-01-01",
        },
    }
    response = api.post(f"{API}patients/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["mrn"] == "P000001" and data["ssn_last4"] == "6789" and "ssn" not in data
    found = api.get(f"{API}patients/", {"mrn": "p000001"}).json()["results"]
    assert [p["id"] for p in found] == [data["id"]]
    patched = api.patch(f"{API}patients/{data['id']}/", {"city": "Salem"}, format="json")
    assert patched.status_code == 200 and patched.json()["city"] == "Salem"


def test_search_param_uses_the_blind_index(api, world):
    for term, hits in (("marlowe", 1), ("MAR-1", 1), ("1990-01-15", 1), ("Nobody", 0)):
        results = api.get(f"{API}patients/", {"search": term}).json()["results"]
        assert len(results) == hits, term


def test_invalid_registration_is_a_400_with_nested_field_errors(api, org_a, world):
    body = {
        "first_name": "",
        "last_name": "",
        "date_of_birth": "1985-05-05",
        "coverage": {
            "payer": str(world["payer"].public_id),
            "member_id": "??",
            "effective_date": "2026-01-01",
        },
    }
    response = api.post(f"{API}patients/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {"first_name", "last_name", "coverage"} <= set(errors)
    assert "member_id" in errors["coverage"]
    assert _count(org_a, Patient) == 1 and _count(org_a, Coverage) == 1


def test_overlapping_coverage_is_a_400_on_priority_and_end_date_patch_works(api, world):
    pid = str(world["patient"].public_id)
    body = {
        "patient": pid,
        "payer": str(world["payer"].public_id),
        "member_id": "NEW-2",
        "effective_date": "2026-03-01",
    }
    response = api.post(f"{API}coverages/", body, format="json")
    assert response.status_code == 400 and "priority" in response.json()
    cov = api.get(f"{API}coverages/", {"patient": pid}).json()["results"][0]
    ended = api.patch(f"{API}coverages/{cov['id']}/", {"end_date": "2026-02-28"}, format="json")
    assert ended.status_code == 200 and ended.json()["end_date"] == "2026-02-28"
    assert api.post(f"{API}coverages/", body, format="json").status_code == 201
    bad = api.patch(f"{API}coverages/{cov['id']}/", {"member_id": "X-1"}, format="json")
    assert bad.status_code == 400


def test_episode_create_with_nested_diagnoses_and_a_bad_code(api, world):
    _ = api.patch(
        f"{API}episodes/{world['episode'].public_id}/",
        {"discharge_date": "2026-11-20"},
        format="json",
    )
    assert _.status_code == 200 and _.json()["status"] == "discharged"
    body = {
        "patient": str(world["patient"].public_id),
        "program": "sud",
        "level": "php",
        "asam_level": "2.5",
        "admit_date": "2026-11-21",
        "diagnoses": ["F11.20", "F99.9X"],
    }
    response = api.post(f"{API}episodes/", body, format="json")
    assert response.status_code == 400 and "diagnoses" in response.json()
    body["diagnoses"] = ["F11.20", {"code": "Z59.00"}]
    response = api.post(f"{API}episodes/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [d["code"] for d in data["diagnoses"]] == ["F11.20", "Z59.00"]
    assert data["part2_applies"] is True and data["current_level"]["level"] == "php"


def test_segment_create_is_a_transition_with_the_auth_answer(api, world):
    body = {
        "episode": str(world["episode"].public_id),
        "level": "php",
        "asam_edition": "3",
        "asam_level": "2.5",
        "start_date": "2026-11-09",
    }
    response = api.post(f"{API}level-of-care-segments/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["authorization"]["action_needed"] is True
    again = api.post(
        f"{API}level-of-care-segments/", {**body, "start_date": "2026-11-05"}, format="json"
    )
    assert again.status_code == 400 and "on_date" in again.json()
    rows = api.get(
        f"{API}level-of-care-segments/", {"episode": str(world["episode"].public_id)}
    ).json()["results"]
    assert sorted(r["end_date"] or "" for r in rows) == ["", "2026-11-08"]


def test_treatment_plan_with_goals_and_signing(api, world):
    body = {
        "episode": str(world["episode"].public_id),
        "effective_date": "2026-11-02",
        "goals": [{"description": "Attend 3 groups a week", "diagnosis_codes": ["F11.20"]}],
    }
    response = api.post(f"{API}treatment-plans/", body, format="json")
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert plan["review_due_date"] == "2026-12-02" and plan["level"] == "iop"
    sign_url = f"{API}treatment-plans/{plan['id']}/sign/"
    unlinked = api.post(sign_url, {}, format="json")  # an admin with no provider of their own
    assert unlinked.status_code == 400 and "signed_by" in unlinked.json()
    clinician = factories.member(world["provider"].org, role="clinician", part2_access=True)
    with org_context(world["provider"].org):
        type(world["provider"]).objects.filter(pk=world["provider"].pk).update(user=clinician)
    _, raw = ApiToken.issue(user=clinician, name="sign")
    as_clinician = APIClient()
    as_clinician.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    signed = as_clinician.post(sign_url, {}, format="json")
    assert signed.status_code == 200 and signed.json()["signed_at"]
    assert signed.json()["signed_by"] == str(world["provider"].public_id)
    bad = {**body, "goals": [{"description": "x", "diagnosis_codes": ["F32.1"]}]}
    assert api.post(f"{API}treatment-plans/", bad, format="json").status_code == 400


def _session_body(world, **over):
    body = {
        "patient": str(world["patient"].public_id),
        "kind": "individual",
        "starts_at": "2026-11-02T15:00:00Z",
        "ends_at": "2026-11-02T15:53:00Z",
        "rendering_provider": str(world["provider"].public_id),
    }
    body.update(over)
    return body


def test_session_create_returns_the_coding_explanation(org_a, world):
    clinician = _client(org_a, "clinician")
    response = clinician.post(f"{API}sessions/", _session_body(world), format="json")
    assert response.status_code == 201, response.json()
    coding = response.json()["coding"]
    assert coding["billable"] and coding["lines"][0]["code"] == "90837"
    short = clinician.post(
        f"{API}sessions/", _session_body(world, ends_at="2026-11-02T15:10:00Z"), format="json"
    )
    assert short.status_code == 201 and short.json()["coding"]["billable"] is False
    negative = clinician.post(
        f"{API}sessions/",
        _session_body(world, kind="program_day", attended_minutes=-5),
        format="json",
    )
    assert negative.status_code == 400 and "attended_minutes" in negative.json()


def test_session_list_has_no_query_per_row(api, org_a, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def list_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"{API}sessions/")
        return len(response.json()["results"]), len(ctx.captured_queries)

    def add(n):
        with org_context(org_a):
            for _ in range(n):
                factories.session(
                    patient_obj=factories.patient(),
                    episode=world["episode"],
                    provider_obj=world["provider"],
                )

    add(1)
    one = list_queries()
    add(5)
    six = list_queries()
    assert (one[0], six[0]) == (1, 6) and one[1] == six[1]


def test_sessions_without_an_episode_cost_no_query_per_row_either(api, org_a, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def list_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"{API}sessions/")
        return len(response.json()["results"]), len(ctx.captured_queries)

    def add(n):
        with org_context(org_a):
            for _ in range(n):
                patient = factories.patient()
                factories.episode(patient_obj=patient)  # in force, but not on the session
                factories.session(patient_obj=patient, provider_obj=world["provider"])

    add(1)
    one = list_queries()
    add(5)
    six = list_queries()
    assert (one[0], six[0]) == (1, 6) and one[1] == six[1]


def test_crisis_sessions_cost_no_query_per_row(api, org_a, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def list_queries():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"{API}sessions/")
        return len(response.json()["results"]), len(ctx.captured_queries)

    def add(n):
        with org_context(org_a):
            for _ in range(n):
                factories.session(
                    patient_obj=factories.patient(),
                    provider_obj=world["provider"],
                    kind="crisis",
                    minutes=45,
                )

    add(1)
    one = list_queries()
    add(5)
    six = list_queries()
    assert (one[0], six[0]) == (1, 6) and one[1] == six[1]


def test_group_session_with_attendees(org_a, world):
    clinician = _client(org_a, "clinician")
    with org_context(org_a):
        other = factories.patient()
    body = {
        "facilitator": str(world["provider"].public_id),
        "facility": str(world["facility"].public_id),
        "topic": "Relapse prevention",
        "starts_at": "2026-11-03T17:00:00Z",
        "ends_at": "2026-11-03T18:30:00Z",
        "attendees": [
            {"patient": str(world["patient"].public_id)},
            {"patient": str(other.public_id), "arrived_at": "2026-11-03T17:30:00Z"},
        ],
    }
    response = clinician.post(f"{API}group-sessions/", body, format="json")
    assert response.status_code == 201, response.json()
    assert sorted(a["minutes"] for a in response.json()["attendees"]) == [60, 90]
    assert _count(org_a, Session) == 2


def test_group_sessions_filter_by_the_facilitys_public_id_not_its_integer_id(org_a, world):
    clinician = _client(org_a, "clinician")
    body = {
        "facilitator": str(world["provider"].public_id),
        "facility": str(world["facility"].public_id),
        "starts_at": "2026-11-03T17:00:00Z",
        "ends_at": "2026-11-03T18:30:00Z",
        "attendees": [{"patient": str(world["patient"].public_id)}],
    }
    group = clinician.post(f"{API}group-sessions/", body, format="json").json()
    by_uuid = clinician.get(f"{API}group-sessions/", {"facility": str(world["facility"].public_id)})
    assert by_uuid.status_code == 200 and [g["id"] for g in by_uuid.json()["results"]] == [
        group["id"]
    ]
    by_pk = clinician.get(f"{API}group-sessions/", {"facility": world["facility"].pk})
    assert by_pk.status_code == 400


def test_roles_on_the_api(org_a, world):
    assert _client(org_a, "leadership").get(f"{API}patients/").status_code == 403
    clinician = _client(org_a, "clinician")
    assert clinician.get(f"{API}patients/").status_code == 200
    body = {"first_name": "A", "last_name": "B", "date_of_birth": "1990-01-01"}
    assert clinician.post(f"{API}patients/", body, format="json").status_code == 403


def test_api_reads_are_logged(api, org_a, world):
    api.get(f"{API}patients/{world['patient'].public_id}/")
    api.get(f"{API}episodes/")
    with org_context(org_a):
        rows = list(PhiAccess.objects.order_by("id").values_list("action", "object_type"))
    assert rows == [("api", "patients.Patient"), ("api", "patients.EpisodeOfCare")]


def test_another_orgs_ids_are_not_accepted(org_a, org_b, world):
    other_api = _client(org_b)
    assert (
        other_api.get(f"/api/o/clinic-b/patients/{world['patient'].public_id}/").status_code == 404
    )
    body = {
        "patient": str(world["patient"].public_id),
        "payer": str(world["payer"].public_id),
        "member_id": "X-1",
        "effective_date": "2026-01-01",
    }
    response = other_api.post("/api/o/clinic-b/coverages/", body, format="json")
    assert response.status_code == 400 and {"patient", "payer"} <= set(response.json())


def test_patient_search_by_post_keeps_the_term_out_of_the_url_and_logs_the_read(org_a, world):
    client = _client(org_a, role="biller")  # billers may read patients, not edit them
    found = client.post(f"{API}patients/search/", {"term": "marlowe"}, format="json")
    assert found.status_code == 200 and [p["mrn"] for p in found.json()] == ["M1"]
    assert client.post(f"{API}patients/search/", {}, format="json").status_code == 400
    with org_context(org_a):
        assert PhiAccess.objects.filter(path=f"{API}patients/search/").count() == 1

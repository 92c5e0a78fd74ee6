"""The API's `correct/` and `corrections/` actions on sessions: through session_correct, 400
with field messages, 403 without the capability that records sessions, 404 for outsiders."""

from rest_framework.test import APIClient

from patients.models import Session
from patients.services.clinical import session_lock_for_claim
from rcm.models import ApiToken
from rcm.tenancy import org_context
from tests import factories


def _fresh(org, session):
    with org_context(org):
        return Session.objects.get(pk=session.pk)


def _api(org, role="billing_manager"):
    user = factories.member(org, role=role)
    _, raw = ApiToken.issue(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, user


def _api_url(org, session, action="correct/"):
    return f"/api/o/{org.slug}/sessions/{session.public_id}/{action}"


def test_the_api_corrects_a_session_and_lists_its_history(org_a, recorded):
    api, user = _api(org_a)
    session = recorded["session"]
    body = {"reason": "Ended early", "ends_at": "2026-11-02T15:40:00Z", "revision": 0}
    response = api.post(_api_url(org_a, session), body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["revision"] == 1 and data["coding"]["lines"][0]["code"] == "90834"
    assert data["ends_at"].startswith("2026-11-02T15:40:00")
    history = api.get(_api_url(org_a, session, "corrections/")).json()
    assert [(row["who"], row["reason"]) for row in history] == [(user.username, "Ended early")]
    assert [c["field"] for c in history[0]["changes"]] == ["ends_at"]


def test_the_api_needs_a_reason_refuses_other_fields_and_saves_nothing(org_a, recorded):
    api, _ = _api(org_a)
    session = recorded["session"]
    response = api.post(_api_url(org_a, session), {"ends_at": "2026-11-02T15:40:00Z"})
    assert response.status_code == 400 and "reason" in response.json()
    response = api.post(
        _api_url(org_a, session),
        {"reason": "x", "patient": str(session.patient.public_id), "status": "cancelled"},
        format="json",
    )
    assert response.status_code == 400 and {"patient", "status"} == set(response.json())
    response = api.post(
        _api_url(org_a, session),
        {"reason": "x", "ends_at": "2026-11-02T14:00:00Z"},
        format="json",
    )
    assert response.json() == {"ends_at": ["The end must be after the start."]}
    assert _fresh(org_a, session).revision == 0


def test_the_api_refuses_a_session_on_a_claim(org_a, recorded):
    api, _ = _api(org_a)
    session = recorded["session"]
    with org_context(org_a):
        session_lock_for_claim(sessions=[session], claim_reference="CLM-9", actor=None)
    response = api.post(
        _api_url(org_a, session), {"reason": "x", "attended_minutes": 30}, format="json"
    )
    assert response.status_code == 400
    assert "claim CLM-9" in response.json()["non_field_errors"][0]
    assert api.get(f"/api/o/{org_a.slug}/sessions/{session.public_id}/").json()[
        "claim_reference"
    ] == ("CLM-9")


def test_api_roles_and_outsiders(org_a, org_b, recorded):
    session = recorded["session"]
    body = {"reason": "x", "ends_at": "2026-11-02T15:40:00Z"}
    biller, _ = _api(org_a, "biller")
    assert biller.post(_api_url(org_a, session), body, format="json").status_code == 403
    assert biller.get(_api_url(org_a, session, "corrections/")).status_code == 200
    outsider, _ = _api(org_b, "admin")
    url = f"/api/o/{org_b.slug}/sessions/{session.public_id}/correct/"
    assert outsider.post(url, body, format="json").status_code == 404
    assert _fresh(org_a, session).revision == 0


def test_the_schema_describes_the_correction_action(client, org_a):
    client.force_login(factories.member(org_a))
    schema = client.get("/api/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/o/{org_slug}/sessions/{public_id}/correct/"]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "reason" in body["required"] and "ends_at" in body["properties"]
    assert "/api/o/{org_slug}/sessions/{public_id}/corrections/" in schema["paths"]


def test_the_api_accepts_exactly_the_fields_the_service_corrects():
    from patients.api.clinical import SessionCorrectionSerializer
    from patients.services.corrections import CORRECTABLE_FIELDS

    fields = set(SessionCorrectionSerializer().fields) - {"reason", "revision"}
    assert fields == set(CORRECTABLE_FIELDS)

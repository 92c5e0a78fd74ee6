"""REST endpoints: part2-consents (create through the service, revoke action, never edited or
deleted) and disclosures (read-only). Roles, other orgs and the PHI access log."""

from __future__ import annotations

import json

import pytest

from consent.models import Disclosure, Part2Consent
from rcm.models import PhiAccess
from rcm.tenancy import org_context
from tests import factories
from tests.consent.elements import (
    MISSING_ELEMENTS,
    MISSING_IDS,
    days_ago,
    valid_elements,
    without,
)


def _url(org, suffix: str = "") -> str:
    return f"/api/o/{org.slug}/part2-consents/{suffix}"


def _post(client, url: str, payload: dict):
    return client.post(url, json.dumps(payload, default=str), content_type="application/json")


def _count(org, model=Part2Consent) -> int:
    with org_context(org):
        return model.objects.count()


@pytest.fixture
def intake_client(client, org_a):
    client.force_login(factories.member(org_a, role="intake", part2_access=True))
    return client


@pytest.fixture
def patient_a(org_a):
    with org_context(org_a):
        return factories.patient()


@pytest.fixture
def consent_a(org_a, patient_a):
    with org_context(org_a):
        return factories.part2_consent(patient_a, signed_on=days_ago(30))


def test_intake_records_a_complete_consent(intake_client, org_a, patient_a):
    payload = {**valid_elements(), "patient": str(patient_a.public_id)}
    response = _post(intake_client, _url(org_a), payload)
    assert response.status_code == 201, response.json()
    assert response.json()["patient"] == str(patient_a.public_id)
    with org_context(org_a):
        assert Part2Consent.objects.get(public_id=response.json()["id"]).patient == patient_a


def test_the_api_takes_purposes_and_recipient_kinds_as_codes(intake_client, org_a, patient_a):
    """42 CFR 2.31(a)(4)-(5) as data, with the service's messages on a bad code."""
    payload = {**valid_elements(), "patient": str(patient_a.public_id)}
    body = _post(intake_client, _url(org_a), payload).json()
    assert body["purposes"] == ["treatment", "payment", "operations"]
    assert body["recipient_kinds"] == ["provider", "health_plan", "clearinghouse"]
    bad = _post(intake_client, _url(org_a), {**payload, "recipient_kinds": ["insurer"]})
    assert bad.status_code == 400
    assert bad.json()["recipient_kinds"] == ["Element 4: unknown kind of recipient: insurer."]


@pytest.mark.parametrize(("keys", "field", "prefix"), MISSING_ELEMENTS, ids=MISSING_IDS)
def test_each_missing_element_answers_400_on_its_field_and_saves_nothing(
    intake_client, org_a, patient_a, keys, field, prefix
):
    payload = {**without(keys), "patient": str(patient_a.public_id)}
    response = _post(intake_client, _url(org_a), payload)
    assert response.status_code == 400
    assert response.json()[field][0].startswith(prefix)
    assert _count(org_a) == 0


def test_a_missing_patient_answers_400_as_element_1(intake_client, org_a):
    response = _post(intake_client, _url(org_a), valid_elements())
    assert response.status_code == 400
    assert response.json()["patient"][0].startswith("Element 1:")


def test_a_patient_of_another_org_is_not_found_and_nothing_saved(intake_client, org_a, org_b):
    with org_context(org_b):
        other = factories.patient()
    response = _post(
        intake_client, _url(org_a), {**valid_elements(), "patient": str(other.public_id)}
    )
    assert response.status_code == 400 and "patient" in response.json()
    assert _count(org_a) == 0 and _count(org_b) == 0


def test_counseling_notes_in_a_tpo_consent_answer_400(intake_client, org_a, patient_a):
    payload = {
        **valid_elements(information_scope="Claims data and counseling notes"),
        "patient": str(patient_a.public_id),
    }
    response = _post(intake_client, _url(org_a), payload)
    assert (
        response.status_code == 400
        and "separate consent" in response.json()["information_scope"][0]
    )


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_consent_is_never_edited_or_deleted(intake_client, org_a, consent_a, method):
    response = getattr(intake_client, method)(
        _url(org_a, f"{consent_a.public_id}/"), "{}", content_type="application/json"
    )
    assert response.status_code == 405
    assert _count(org_a) == 1


def test_the_revoke_action_revokes_once(intake_client, org_a, consent_a):
    url = _url(org_a, f"{consent_a.public_id}/revoke/")
    response = _post(intake_client, url, {"revoked_on": days_ago(1), "method": "written"})
    assert response.status_code == 200
    assert response.json()["revoked_on"] == days_ago(1).isoformat()
    again = _post(intake_client, url, {"revoked_on": days_ago(0), "method": "written"})
    assert again.status_code == 400 and "already revoked" in again.json()["revoked_on"][0]


def test_a_revocation_dated_before_the_signature_answers_400(intake_client, org_a, consent_a):
    url = _url(org_a, f"{consent_a.public_id}/revoke/")
    response = _post(intake_client, url, {"revoked_on": days_ago(31), "method": "written"})
    assert response.status_code == 400 and "prospective" in response.json()["revoked_on"][0]


def test_a_biller_can_read_but_not_record_or_revoke_consent(client, org_a, patient_a, consent_a):
    client.force_login(factories.member(org_a, role="biller"))
    assert client.get(_url(org_a)).status_code == 200
    created = _post(client, _url(org_a), {**valid_elements(), "patient": str(patient_a.public_id)})
    revoked = _post(
        client,
        _url(org_a, f"{consent_a.public_id}/revoke/"),
        {"revoked_on": days_ago(1), "method": "written"},
    )
    assert (created.status_code, revoked.status_code) == (403, 403)
    assert _count(org_a) == 1


def test_leadership_cannot_read_consents(client, org_a, consent_a):
    client.force_login(factories.member(org_a, role="leadership"))
    assert client.get(_url(org_a)).status_code == 403


def test_another_orgs_member_gets_404_for_a_consent(client, org_a, org_b, consent_a):
    client.force_login(factories.member(org_b, role="admin"))
    assert client.get(_url(org_b, f"{consent_a.public_id}/")).status_code == 404
    assert client.post(_url(org_b, f"{consent_a.public_id}/revoke/")).status_code == 404


def test_reading_a_consent_is_logged_as_phi_access(intake_client, org_a, consent_a):
    response = intake_client.get(_url(org_a, f"{consent_a.public_id}/"))
    assert response.status_code == 200 and response.json()["signer_name"] == "Alex Rivera"
    with org_context(org_a):
        log = PhiAccess.objects.get()
    assert (log.action, log.object_ids) == ("api", [str(consent_a.public_id)])


def test_consents_filter_by_patient(intake_client, org_a, consent_a):
    with org_context(org_a):
        factories.part2_consent()
    rows = intake_client.get(_url(org_a), {"patient": str(consent_a.patient.public_id)})
    assert [r["id"] for r in rows.json()["results"]] == [str(consent_a.public_id)]


def test_disclosures_are_listed_per_patient_and_read_only(intake_client, org_a, consent_a):
    with org_context(org_a):
        factories.disclosure(consent_a, reference="CLM1")
    url = f"/api/o/{org_a.slug}/disclosures/"
    rows = intake_client.get(url, {"patient": str(consent_a.patient.public_id)}).json()
    assert [(r["consent"], r["reference"]) for r in rows["results"]] == [
        (str(consent_a.public_id), "CLM1")
    ]
    assert _post(intake_client, url, {"recipient": "x"}).status_code == 403  # intake logs none
    assert _count(org_a, Disclosure) == 1


def test_a_method_the_route_lacks_answers_404_for_another_orgs_consent(
    client, org_a, org_b, consent_a
):
    client.force_login(factories.member(org_b, role="admin"))
    assert client.get(_url(org_b, f"{consent_a.public_id}/revoke/")).status_code == 404
    client.force_login(factories.member(org_a, role="admin", part2_access=True))
    assert client.get(_url(org_a, f"{consent_a.public_id}/revoke/")).status_code == 405

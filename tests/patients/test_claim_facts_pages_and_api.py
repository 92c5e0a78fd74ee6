"""The claim facts on the pages (admission form, claim-facts edit, discharge, coverage edit,
patient edit) and in the API (episodes, coverages, patients): saved when right, field errors
and nothing saved when wrong, roles without the right get 403, other orgs 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from patients.models import Coverage, EpisodeOfCare, Patient
from patients.services.clinical import episode_admit
from rcm.models import ApiToken
from rcm.tenancy import org_context
from tests import factories

pytestmark = pytest.mark.django_db
PAGES = "/o/clinic-a/patients/"
API = "/api/o/clinic-a/"
DAY = dt.date(2026, 10, 1)


@pytest.fixture
def world(org_a):
    with org_context(org_a):
        patient = factories.patient(mrn="W1")
        medicare = factories.payer(name="Medicare", kind="medicare", claim_filing_indicator="MB")
        coverage = factories.coverage(patient_obj=patient, payer_obj=medicare, priority=2)
        episode = episode_admit(
            patient=patient, program="mh", level="php", admit_date=DAY, diagnoses=["F33.1"]
        )
        doctor = factories.provider(credentials="MD", license_type="psychiatrist")
    return {"patient": patient, "coverage": coverage, "episode": episode, "doctor": doctor}


def _login(client: Any, org: Any, role: str) -> Any:
    client.force_login(factories.member(org, role=role))
    return client


def _api(org: Any, role: str = "intake") -> APIClient:
    _, raw = ApiToken.issue(user=factories.member(org, role=role), name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _reload(org: Any, obj: Any) -> Any:
    with org_context(org):
        return type(obj).objects.get(pk=obj.pk)


# --- Pages -------------------------------------------------------------------------------------


def test_admission_facts_are_taken_on_the_admit_form(client, org_a, world):
    _login(client, org_a, "intake")
    with org_context(org_a):
        patient = factories.patient()
    data = {
        "program": "mh",
        "level": "iop",
        "asam_edition": "3",
        "admit_date": "2026-10-05",
        "dx_1": "F33.1",
        "admission_hour": "9",
        "admission_type": "3",
        "admission_source": "2",
        "attending_provider": str(world["doctor"].public_id),
        "occurrence_codes": "11 2026-09-20\n",
        "value_codes": "",
    }
    response = client.post(f"{PAGES}{patient.public_id}/episodes/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    with org_context(org_a):
        episode = EpisodeOfCare.objects.get(patient=patient)
    assert (episode.admission_hour, episode.admission_source) == (9, "2")
    assert episode.attending_provider_id == world["doctor"].pk
    assert episode.occurrence_codes == [{"code": "11", "date": "2026-09-20"}]


def test_claim_facts_are_edited_on_their_page_and_shown_on_the_episode(client, org_a, world):
    _login(client, org_a, "billing_manager")
    url = f"{PAGES}episodes/{world['episode'].public_id}/claim-facts/"
    assert client.get(url).status_code == 200
    data = {
        "admission_hour": "23",
        "admission_type": "1",
        "admission_source": "1",
        "referring_provider_name": "Dr. Ref",
        "referring_provider_npi": factories.type2_npi(99),
        "occurrence_codes": "11 2026-09-20",
        "value_codes": "80 12\nA1 20.50",
    }
    assert client.post(url, data).status_code == 302
    page = client.get(f"{PAGES}episodes/{world['episode'].public_id}/").text
    assert "1 Emergency" in page and "Dr. Ref" in page and "A1 20.50" in page
    unparsed = client.post(url, {**data, "value_codes": "80"})
    assert "code and its amount" in unparsed.context["form"].errors["value_codes"][0]
    bad = client.post(
        url, {**data, "value_codes": "80 1.234", "referring_provider_npi": "1234567890"}
    )
    assert bad.status_code == 200
    assert {"value_codes", "referring_provider_npi"} <= set(bad.context["form"].errors)
    assert _reload(org_a, world["episode"]).value_codes[1] == {"code": "A1", "amount": "20.50"}


def test_a_still_open_episode_refuses_a_discharge_status_on_the_page(client, org_a, world):
    _login(client, org_a, "intake")
    url = f"{PAGES}episodes/{world['episode'].public_id}/claim-facts/"
    response = client.post(url, {"patient_status": "01", "discharge_hour": "10"})
    assert {"patient_status", "discharge_hour"} <= set(response.context["form"].errors)
    assert _reload(org_a, world["episode"]).patient_status == ""


def test_the_discharge_takes_the_hour_and_the_status(client, org_a, world):
    _login(client, org_a, "intake")
    url = f"{PAGES}episodes/{world['episode'].public_id}/discharge/"
    form = {"discharge_date": "2026-10-20", "discharge_hour": "15", "patient_status": "01"}
    assert client.post(url, {**form, "discharge_hour": "25"}).status_code == 302
    assert _reload(org_a, world["episode"]).status == "active"
    assert client.post(url, form).status_code == 302
    episode = _reload(org_a, world["episode"])
    assert (episode.status, episode.discharge_hour, episode.patient_status) == (
        "discharged",
        15,
        "01",
    )


def test_coverage_subscriber_facts_msp_and_assignment_are_edited(client, org_a, world):
    _login(client, org_a, "intake")
    url = f"{PAGES}coverages/{world['coverage'].public_id}/edit/"
    assert client.get(url).status_code == 200
    data = {
        "relationship": "01",
        "subscriber_first_name": "Jo",
        "subscriber_last_name": "Smith",
        "subscriber_date_of_birth": "1950-03-03",
        "subscriber_address_line1": "5 Oak St",
        "subscriber_city": "Salem",
        "subscriber_state": "OR",
        "subscriber_postal_code": "97301",
        "subscriber_sex": "M",
        "msp_type": "12",
        "assignment_of_benefits": "no",
    }
    assert client.post(url, {**data, "subscriber_postal_code": "973"}).status_code == 200
    assert _reload(org_a, world["coverage"]).subscriber_city == ""
    assert client.post(url, data).status_code == 302
    cov = _reload(org_a, world["coverage"])
    assert (cov.subscriber_city, cov.msp_type, cov.assignment_of_benefits) == ("Salem", "12", False)


def test_a_new_coverage_is_assigned_unless_the_form_says_no(client, org_a, world):
    _login(client, org_a, "intake")
    with org_context(org_a):
        payer = factories.payer()
    data = {
        "payer": str(payer.public_id),
        "member_id": "ZZ123",
        "effective_date": "2026-01-01",
        "priority": "1",
        "relationship": "18",
    }
    assert (
        client.post(f"{PAGES}{world['patient'].public_id}/coverages/new/", data).status_code == 302
    )
    with org_context(org_a):
        assert Coverage.objects.get(
            member_id_bidx__isnull=False, payer=payer
        ).assignment_of_benefits


def test_the_patient_edit_page_records_the_signature_on_file(client, org_a, world):
    _login(client, org_a, "intake")
    url = f"{PAGES}{world['patient'].public_id}/edit/"
    page = client.get(url)
    assert page.status_code == 200
    data = {k: v for k, v in page.context["form"].initial.items() if v not in (None, "")}
    data["date_of_birth"] = data["date_of_birth"].isoformat()
    assert client.post(url, {**data, "signature_on_file_date": "2026-09-01"}).status_code == 302
    patient = _reload(org_a, world["patient"])
    assert patient.signature_on_file_date == dt.date(2026, 9, 1) and patient.mrn == "W1"
    assert "2026-09-01" in client.get(f"{PAGES}{world['patient'].public_id}/").text


@pytest.mark.parametrize("role", ["biller", "clinician", "leadership", "compliance"])
def test_roles_that_cannot_edit_patients_get_403(client, org_a, world, role):
    _login(client, org_a, role)
    for url in (
        f"{PAGES}episodes/{world['episode'].public_id}/claim-facts/",
        f"{PAGES}coverages/{world['coverage'].public_id}/edit/",
        f"{PAGES}{world['patient'].public_id}/edit/",
    ):
        assert client.post(url, {"admission_hour": "1"}).status_code == 403, url


def test_another_orgs_episode_coverage_and_patient_answer_404(client, org_a, org_b, world):
    _login(client, org_b, "admin")
    for url in (
        f"/o/{org_b.slug}/patients/episodes/{world['episode'].public_id}/claim-facts/",
        f"/o/{org_b.slug}/patients/coverages/{world['coverage'].public_id}/edit/",
        f"/o/{org_b.slug}/patients/{world['patient'].public_id}/edit/",
    ):
        assert client.get(url).status_code == 404, url


# --- API ---------------------------------------------------------------------------------------


def test_episode_claim_facts_are_read_and_patched(org_a, world):
    api = _api(org_a)
    url = f"{API}episodes/{world['episode'].public_id}/"
    body = {
        "admission_hour": 7,
        "admission_type": "3",
        "attending_provider": str(world["doctor"].public_id),
        "value_codes": [{"code": "80", "amount": "12"}],
    }
    response = api.patch(url, body, format="json")
    assert response.status_code == 200, response.json()
    got = response.json()
    assert got["attending_provider"] == str(world["doctor"].public_id)
    assert got["value_codes"] == [{"code": "80", "amount": "12"}]
    bad = api.patch(url, {"admission_type": "8", "occurrence_codes": "11"}, format="json")
    assert bad.status_code == 400 and {"admission_type", "occurrence_codes"} <= set(bad.json())
    done = api.patch(
        url,
        {"discharge_date": "2026-10-20", "discharge_hour": 10, "patient_status": "01"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["patient_status"]) == ("discharged", "01")


def test_discharge_facts_are_not_taken_at_admission(org_a, world):
    api = _api(org_a)
    body = {
        "patient": str(world["patient"].public_id),
        "program": "sud",
        "admit_date": "2026-10-02",
        "level": "iop",
        "diagnoses": ["F10.20"],
        "patient_status": "01",
    }
    response = api.post(f"{API}episodes/", body, format="json")
    assert response.status_code == 400 and "patient_status" in response.json()


def test_coverage_subscriber_facts_in_the_api(org_a, world):
    api = _api(org_a)
    url = f"{API}coverages/{world['coverage'].public_id}/"
    body = {
        "relationship": "01",
        "subscriber_first_name": "Jo",
        "subscriber_last_name": "Smith",
        "subscriber_date_of_birth": "1950-03-03",
        "subscriber_city": "Bend",
        "msp_type": "43",
        "assignment_of_benefits": False,
    }
    response = api.patch(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["subscriber_city"], response.json()["msp_type"]) == ("Bend", "43")
    assert api.patch(url, {"member_id": "NEW"}, format="json").status_code == 400
    self_again = api.patch(url, {"relationship": "18"}, format="json").json()
    assert (self_again["subscriber_city"], self_again["subscriber_first_name"]) == ("", "")
    assert api.patch(url, {"msp_type": "77"}, format="json").status_code == 400
    assert _reload(org_a, world["coverage"]).msp_type == "43"
    assert not _reload(org_a, world["coverage"]).assignment_of_benefits


def test_the_patient_signature_on_file_in_the_api(org_a, world):
    api = _api(org_a)
    url = f"{API}patients/{world['patient'].public_id}/"
    response = api.patch(url, {"signature_on_file_date": "2026-08-01"}, format="json")
    assert response.status_code == 200 and response.json()["signature_on_file_date"] == "2026-08-01"
    with org_context(org_a):
        assert Patient.objects.get(pk=world["patient"].pk).signature_on_file_date == dt.date(
            2026, 8, 1
        )


def test_a_biller_reads_but_cannot_patch_claim_facts(org_a, world):
    api = _api(org_a, role="biller")
    url = f"{API}episodes/{world['episode'].public_id}/"
    assert api.get(url).status_code == 200
    assert api.patch(url, {"admission_hour": 3}, format="json").status_code == 403


def test_another_orgs_attending_provider_is_refused(org_a, org_b, world):
    with org_context(org_b):
        theirs = factories.provider()
    api = _api(org_a)
    url = f"{API}episodes/{world['episode'].public_id}/"
    response = api.patch(url, {"attending_provider": str(theirs.public_id)}, format="json")
    assert response.status_code == 400 and "attending_provider" in response.json()

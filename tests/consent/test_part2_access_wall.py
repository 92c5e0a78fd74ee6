"""A member without Part 2 access (e.g. an outside biller with no QSOA on file) never sees a
Part 2 patient or any of their records, through the ORM, the pages or the API."""

from __future__ import annotations

import pytest

from authorizations.models import PriorAuthorization
from consent.models import Part2Consent
from patients.models import Coverage, EpisodeOfCare, Patient, Session
from rcm.models import Membership
from rcm.tenancy import org_context
from tests import factories


@pytest.fixture
def mixed_clinic(org_a):
    with org_context(org_a):
        mh = factories.patient(last_name="Mhonly", mrn="MH-1")
        sud = factories.patient(last_name="Sudprog", mrn="SUD-1")
        factories.episode(patient_obj=mh, program="mh")
        factories.episode(patient_obj=sud, program="sud", part2_applies=True)
        cov = factories.coverage(patient_obj=sud)
        factories.coverage(patient_obj=mh)
        factories.authorization(coverage_obj=cov)
        factories.session(patient_obj=sud)
        factories.session(patient_obj=mh)
        factories.part2_consent(patient_obj=sud)
    return org_a, mh, sud


def _counts(org, part2_access):
    with org_context(org, part2_access=part2_access):
        return {
            m.__name__: m.objects.count()
            for m in (Patient, Coverage, EpisodeOfCare, Session, PriorAuthorization, Part2Consent)
        }


@pytest.mark.django_db
def test_the_orm_withholds_every_record_of_a_part2_patient_without_access(mixed_clinic):
    org, _, _ = mixed_clinic
    assert _counts(org, True) == {
        "Patient": 2,
        "Coverage": 2,
        "EpisodeOfCare": 2,
        "Session": 2,
        "PriorAuthorization": 1,
        "Part2Consent": 1,
    }
    assert _counts(org, False) == {
        "Patient": 1,
        "Coverage": 1,
        "EpisodeOfCare": 1,
        "Session": 1,
        "PriorAuthorization": 0,
        "Part2Consent": 0,
    }


@pytest.mark.django_db
def test_pages_and_api_follow_the_members_part2_access(client, mixed_clinic):
    org, mh, sud = mixed_clinic
    outsider = factories.member(org, role="biller", username="outside.biller")
    with org_context(org):
        Membership.objects.filter(user=outsider).update(part2_access=False)
    client.force_login(outsider)
    assert client.get(f"/o/{org.slug}/patients/{sud.public_id}/").status_code == 404
    assert client.get(f"/o/{org.slug}/patients/{mh.public_id}/").status_code == 200
    listed = client.get(f"/api/o/{org.slug}/patients/").json()["results"]
    assert [p["mrn"] for p in listed] == ["MH-1"]
    assert client.get(f"/api/o/{org.slug}/part2-consents/").json()["results"] == []
    found = client.post(f"/o/{org.slug}/patients/", {"name": "Sudprog"})
    assert b"No patient matches." in found.content and b"SUD-1" not in found.content


@pytest.mark.django_db
def test_an_admin_grants_part2_access_once_a_qsoa_is_on_file(client, mixed_clinic):
    org, _, _ = mixed_clinic
    outsider = factories.member(org, role="biller")
    with org_context(org):
        membership = Membership.objects.get(user=outsider)
        Membership.objects.filter(pk=membership.pk).update(part2_access=False)
    client.force_login(factories.member(org, role="admin"))
    url = f"/api/o/{org.slug}/memberships/{membership.public_id}/"
    response = client.patch(url, {"part2_access": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["part2_access"] is True
    assert (
        client.patch(url, {"role": "admin"}, content_type="application/json").json()["role"]
        == "biller"
    )  # role is read-only here
    client.force_login(outsider)
    assert (
        client.patch(url, {"part2_access": True}, content_type="application/json").status_code
        == 403
    )
    client.force_login(outsider)
    assert len(client.get(f"/api/o/{org.slug}/patients/").json()["results"]) == 2

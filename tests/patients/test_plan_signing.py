"""Clinicians sign treatment plans as themselves, from the episode page."""

from __future__ import annotations

import pytest

from patients.models import TreatmentPlan
from patients.services.clinical import treatment_plan_create
from rcm.tenancy import org_context
from tests import factories
from tests.factories import TODAY


@pytest.mark.django_db
def test_a_linked_clinician_signs_the_plan_and_an_unlinked_user_is_told_why(client, org_a):
    with org_context(org_a):
        episode = factories.episode()
        episode.diagnoses.create(rank=1, code="F32.9")
        provider = factories.provider()
        plan = treatment_plan_create(
            episode=episode,
            effective_date=TODAY,
            goals=[{"description": "Sleep 7h", "diagnosis_codes": ["F32.9"]}],
        )
    url = f"/o/{org_a.slug}/patients/plans/{plan.public_id}/sign/"
    client.force_login(factories.member(org_a, role="leadership"))
    assert client.post(url).status_code == 403
    client.force_login(factories.member(org_a, role="clinician"))
    page = client.post(url, follow=True)
    assert b"not linked to an active provider" in page.content
    clinician = factories.member(org_a, role="clinician")
    with org_context(org_a):
        type(provider).objects.filter(pk=provider.pk).update(user=clinician)
    client.force_login(clinician)
    detail = client.get(f"/o/{org_a.slug}/patients/episodes/{episode.public_id}/")
    assert b"Sign as me" in detail.content
    client.post(url)
    with org_context(org_a):
        signed = TreatmentPlan.objects.select_related("signed_by").get(pk=plan.pk)
        assert signed.signed_at is not None and signed.signed_by == provider

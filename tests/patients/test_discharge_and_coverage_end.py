"""Discharge an episode and end a coverage from the pages; bad dates get a message, not a 500."""

from __future__ import annotations

import datetime as dt

import pytest

from patients.models import Coverage, EpisodeOfCare
from rcm.tenancy import org_context
from tests import factories


@pytest.mark.django_db
def test_intake_discharges_an_episode_and_ends_a_coverage(client, org_a):
    with org_context(org_a):
        episode = factories.episode(admit_date=dt.date(2026, 10, 1))
        coverage = factories.coverage(patient_obj=episode.patient)
    client.force_login(factories.member(org_a, role="intake"))
    base = f"/o/{org_a.slug}/patients"
    bad = client.post(
        f"{base}/episodes/{episode.public_id}/discharge/",
        {"discharge_date": "2026-09-01"},
        follow=True,
    )
    assert bad.status_code == 200
    with org_context(org_a):
        assert EpisodeOfCare.objects.get(pk=episode.pk).status == "active"
    assert (
        client.post(
            f"{base}/episodes/{episode.public_id}/discharge/", {"discharge_date": "not a date"}
        ).status_code
        == 302
    )
    client.post(f"{base}/episodes/{episode.public_id}/discharge/", {"discharge_date": "2026-11-20"})
    client.post(f"{base}/coverages/{coverage.public_id}/end/", {"end_date": "2026-11-30"})
    with org_context(org_a):
        ep = EpisodeOfCare.objects.get(pk=episode.pk)
        assert (ep.status, ep.discharge_date) == ("discharged", dt.date(2026, 11, 20))
        assert ep.segments.get().end_date == dt.date(2026, 11, 20)
        assert Coverage.objects.get(pk=coverage.pk).end_date == dt.date(2026, 11, 30)


@pytest.mark.django_db
def test_a_clinician_cannot_discharge(client, org_a):
    with org_context(org_a):
        episode = factories.episode()
    client.force_login(factories.member(org_a, role="clinician"))
    url = f"/o/{org_a.slug}/patients/episodes/{episode.public_id}/discharge/"
    assert client.post(url, {"discharge_date": "2026-11-20"}).status_code == 403

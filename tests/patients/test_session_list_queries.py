"""The sessions API codes every row it lists; program-day weeks load in one query, so the
query count doesn't grow with the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import Session
from rcm.tenancy import org_context
from tests import factories


def _program_days(org, weeks: int) -> None:
    with org_context(org):
        provider = factories.provider()
        facility = factories.facility(pos="57")
        for n in range(weeks):
            patient = factories.patient()
            episode = factories.episode(
                patient_obj=patient, level="iop", program="sud", admit_date=dt.date(2026, 1, 5)
            )
            for day in range(3):
                Session.objects.create(
                    patient=patient,
                    episode=episode,
                    kind="program_day",
                    facility=facility,
                    service_date=dt.date(2026, 1, 5) + dt.timedelta(weeks=n, days=day),
                    attended_minutes=180,
                    rendering_provider=provider,
                )


def _queries(client, org) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/o/{org.slug}/sessions/?limit=100")
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.json()["results"])


@pytest.mark.django_db
def test_listing_program_days_costs_the_same_queries_for_few_or_many_weeks(client, org_a):
    client.force_login(factories.member(org_a, role="billing_manager"))
    _program_days(org_a, 1)
    few, rows_few = _queries(client, org_a)
    _program_days(org_a, 6)
    many, rows_many = _queries(client, org_a)
    assert (rows_few, rows_many) == (3, 21)
    assert many == few

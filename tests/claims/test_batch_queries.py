"""Building and submitting claims take a fixed number of queries however many claims: the
queries of a batch of six patients' claims are as many as those of a batch of two."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import ChargemasterEntry, Claim, SubmissionBatch
from claims.services import claims_build
from claims.submission import claims_submit
from patients.models import EpisodeDiagnosis, Session
from tests import factories
from tests.claims import builders

TODAY = factories.TODAY


def _queries(call: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return len(ctx.captured_queries), result


@pytest.fixture
def clinic(in_org_a: Any) -> dict[str, Any]:
    site = factories.facility(
        npi="1234567893", taxonomy="261QM0801X", tin="123456789", postal_code="627011234"
    )
    payer = factories.payer(timely_filing_days=365)
    ChargemasterEntry.objects.create(
        code="90837", amount=Decimal("200.00"), effective_from=dt.date(2026, 1, 1)
    )
    from credentialing.services import enrollment_upsert

    provider = factories.licensed(factories.provider(), state="IL")
    enrollment_upsert(
        provider=provider, payer=payer, status="enrolled", effective_date=dt.date(2026, 1, 1)
    )
    return {"site": site, "payer": payer, "provider": provider}


def _patients_with_sessions(clinic: dict[str, Any], count: int) -> list[int]:
    ids = []
    for _ in range(count):
        patient = factories.patient()
        factories.coverage(patient_obj=patient, payer_obj=clinic["payer"])
        episode = factories.episode(
            patient_obj=patient, facility=clinic["site"], admit_date=TODAY - dt.timedelta(days=7)
        )
        EpisodeDiagnosis.objects.create(episode=episode, rank=1, code="F33.1")
        for days_ago in (0, 1):
            start = dt.datetime.combine(
                TODAY - dt.timedelta(days=days_ago), dt.time(15), tzinfo=dt.UTC
            )
            factories.session(
                patient_obj=patient,
                provider_obj=clinic["provider"],
                facility=clinic["site"],
                episode=episode,
                service_date=start.date(),
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=53),
            )
        ids.append(patient.pk)
    return ids


def test_building_six_patients_claims_takes_as_many_queries_as_two(clinic: Any) -> None:
    claims_build(through=TODAY, patients=_patients_with_sessions(clinic, 1))  # warm caches
    two, six = _patients_with_sessions(clinic, 2), _patients_with_sessions(clinic, 6)
    queries_two, built_two = _queries(lambda: claims_build(through=TODAY, patients=two))
    queries_six, built_six = _queries(lambda: claims_build(through=TODAY, patients=six))
    assert (built_two.claims, built_six.claims) == (4, 12)
    assert queries_six == queries_two


def test_submitting_six_claims_takes_as_many_queries_as_two(in_org_a: Any) -> None:
    factories.clearinghouse_account()
    payer = factories.payer(name="Acme Health")

    def ready(count: int) -> list[Claim]:
        return [
            builders.claim(
                patient=factories.patient(
                    address_line1="12 Elm Road", city="Portland", state="OR", postal_code="97202"
                ),
                payer=payer,
            )
            for _ in range(count)
        ]

    claims_submit(claims=ready(1), actor=None, enqueue=False)  # warm caches
    two, six = ready(2), ready(6)
    queries_two, (batch_two,) = _queries(lambda: claims_submit(claims=two, actor=None))
    queries_six, (batch_six,) = _queries(lambda: claims_submit(claims=six, actor=None))
    assert (batch_two.claim_count, batch_six.claim_count) == (2, 6)
    assert batch_six.status == SubmissionBatch.Status.BUILT
    locked = Session.objects.filter(claim_reference__in=[c.control_number for c in six])
    assert locked.exclude(claim_locked_at=None).count() == 6
    assert queries_six == queries_two

"""Recording a session consumes the authorization's units: once, in the auth's unit type."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest

from authorizations.models import UnitLedgerEntry
from patients.services.sessions import session_record
from rcm.tenancy import org_context
from tests import factories

START = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def iop_patient(org_a):
    with org_context(org_a):
        payer = factories.payer(
            level_of_care_codes={
                "iop": {
                    "hcpcs": "H0015",
                    "revenue_code": "0906",
                    "type_of_bill": "13",
                    "pos": "57",
                }
            },
            program_minimums={
                "iop": {
                    "min_hours_per_day": 3,
                    "min_hours_per_week": 9,
                    "short_day_outcome": "deny",
                }
            },
        )
        patient = factories.patient()
        cov = factories.coverage(patient_obj=patient, payer_obj=payer)
        episode = factories.episode(
            patient_obj=patient, level="iop", program="sud", admit_date=dt.date(2026, 10, 1)
        )
        auth = factories.authorization(
            coverage_obj=cov,
            episode=episode,
            level_of_care="iop",
            codes=["H0015"],
            unit_type="days",
            units_authorized=Decimal("2"),
        )
        provider = factories.provider()
        facility = factories.facility(pos="57")
    return org_a, patient, episode, auth, provider, facility


def _program_day(ctx, day: int, minutes: int = 200, **extra):
    _, patient, episode, _, provider, facility = ctx
    return session_record(
        actor=None,
        patient=patient,
        episode=episode,
        kind="program_day",
        service_date=dt.date(2026, 11, day),
        attended_minutes=minutes,
        rendering_provider=provider,
        facility=facility,
        **extra,
    )


@pytest.mark.django_db
def test_a_recorded_program_day_consumes_one_authorized_day(iop_patient):
    org, patient, _, auth, _, _ = iop_patient
    with org_context(org):
        session = _program_day(iop_patient, 2)
        entry = UnitLedgerEntry.objects.get(session=session)
        assert (entry.authorization_id, entry.kind, entry.units) == (
            auth.pk,
            "consume",
            Decimal("-1.00"),
        )


@pytest.mark.django_db
def test_a_short_denied_day_or_a_cancelled_day_consumes_nothing(iop_patient):
    org, patient, _, auth, _, _ = iop_patient
    with org_context(org):
        short = _program_day(iop_patient, 3, minutes=60)
        cancelled = _program_day(iop_patient, 4, status="cancelled")
        assert not UnitLedgerEntry.objects.filter(session__in=[short, cancelled]).exists()


@pytest.mark.django_db
def test_an_exhausted_authorization_does_not_block_recording_the_service(iop_patient):
    org, patient, _, auth, _, _ = iop_patient
    with org_context(org):
        for day in (2, 3, 4):
            _program_day(iop_patient, day)
        assert UnitLedgerEntry.objects.filter(authorization=auth).count() == 2
        assert patient.sessions.count() == 3


@pytest.mark.django_db
def test_a_refused_consumption_logs_ids_and_field_names_but_no_auth_number_or_date(
    iop_patient, caplog
):
    org, _, _, auth, _, _ = iop_patient
    with org_context(org):
        _program_day(iop_patient, 2)
        _program_day(iop_patient, 3)
        with caplog.at_level(logging.INFO, logger="authorizations.consumption"):
            third = _program_day(iop_patient, 4)
    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("authoriz"))
    assert str(third.public_id) in text and "units" in text
    assert auth.auth_number not in text
    assert "2026-11-04" not in text and "left" not in text

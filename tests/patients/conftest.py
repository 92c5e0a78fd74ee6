"""Shared rows for the session-correction page and API tests."""

import datetime

import pytest

from patients.services.clinical import episode_admit, session_record
from rcm.tenancy import org_context
from tests import factories

DAY = datetime.date(2026, 11, 2)
START = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def recorded(org_a):
    """A 53-minute individual session at 15:00 UTC by Rita Moreno; Omar Diaz also practises."""
    with org_context(org_a):
        patient = factories.patient(mrn="C100")
        factories.coverage(patient_obj=patient)
        facility = factories.facility(pos="11", name="Main clinic")
        episode_admit(
            patient=patient,
            program="mh",
            level="outpatient",
            admit_date=DAY,
            diagnoses=["F41.1"],
            facility=facility,
        )
        provider = factories.provider(first_name="Rita", last_name="Moreno", credentials="LCSW")
        other = factories.provider(first_name="Omar", last_name="Diaz", credentials="LPC")
        session = session_record(
            actor=None,
            patient=patient,
            kind="individual",
            starts_at=START,
            ends_at=START + datetime.timedelta(minutes=53),
            rendering_provider=provider,
        )
    return {"session": session, "provider": provider, "other": other, "facility": facility}

"""Authorized units follow the services inside a program day: a payer that bills the day
service by service (Medicare PHP, REFERENCE.md §14) debits each line's units, and replacing
the day's services gives the old debit back and consumes for the new lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from authorizations.rules import UNITS_15
from authorizations.selectors import session_debits
from patients.services.clinical import episode_admit, program_day_services_set, session_record
from payers.catalog import catalog_install
from tests import factories

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 2)


def _debited(session) -> Decimal:
    return sum((abs(e.units) for e in session_debits(session=session)), Decimal("0"))


def test_changing_a_program_days_services_moves_the_g0410_units_debited(in_org_a):
    medicare = next(p for p, _ in catalog_install(org=in_org_a) if p.kind == "medicare")
    patient = factories.patient()
    coverage = factories.coverage(patient_obj=patient, payer_obj=medicare)
    episode = episode_admit(
        patient=patient,
        program="mh",
        level="php",
        admit_date=DAY - dt.timedelta(days=7),
        diagnoses=["F33.1"],
        facility=factories.facility(),
    )
    factories.authorization(
        coverage_obj=coverage,
        episode=episode,
        level_of_care="php",
        codes=["G0410"],
        unit_type=UNITS_15,
        units_authorized=Decimal("20"),
    )
    day = session_record(
        actor=None,
        patient=patient,
        episode=episode,
        kind="program_day",
        service_date=DAY,
        attended_minutes=300,
        rendering_provider=factories.provider(),
        services=[{"kind": "group_psychotherapy", "minutes": 50}],
    )
    assert _debited(day) == 1
    two_long_groups = [{"kind": "group_psychotherapy", "minutes": 90}] * 2
    day = program_day_services_set(session=day, services=two_long_groups, actor=None)[0].session
    assert _debited(day) == 4

"""A retroactive authorization debits the services recorded before it as recording would have
(`units_consume_retro`): the same debits, day by day, as consuming session by session."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from authorizations.consumption import consume_for_session, lines_of
from authorizations.models import UnitLedgerEntry
from authorizations.services import units_consume_retro
from patients.models import Session
from patients.selectors import coding_ready_sessions
from tests import factories

DAYS = [dt.date(2026, 10, 26), dt.date(2026, 10, 28), dt.date(2026, 10, 28), dt.date(2026, 10, 29)]


def _iop_patient(payer: Any, provider: Any, site: Any, units: str) -> tuple[Any, list[Any]]:
    patient = factories.patient()
    cov = factories.coverage(patient_obj=patient, payer_obj=payer)
    episode = factories.episode(
        patient_obj=patient, program="sud", level="iop", admit_date=dt.date(2026, 10, 19)
    )
    auth = factories.authorization(
        coverage_obj=cov,
        episode=episode,
        level_of_care="iop",
        codes=["H0015"],
        unit_type="days",
        units_authorized=Decimal(units),
        start_date=dt.date(2026, 10, 19),
        end_date=dt.date(2026, 11, 30),
    )
    for day in DAYS:  # two program days on the 28th: the program bills one per diem a date
        start = dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)
        factories.session(
            patient_obj=patient,
            provider_obj=provider,
            kind="program_day",
            episode=episode,
            facility=site,
            service_date=day,
            starts_at=None,
            ends_at=None,
            arrived_at=start,
            departed_at=start + dt.timedelta(minutes=200),
            attended_minutes=200,
        )
    sessions = coding_ready_sessions(Session.objects.filter(patient=patient)).select_related(
        "patient", "episode", "rendering_provider", "supervising_provider"
    )
    return auth, list(sessions.order_by("service_date", "pk"))


def _debits(auth: Any) -> list[tuple[dt.date, Decimal]]:
    rows = UnitLedgerEntry.objects.filter(authorization=auth, kind="consume")
    return sorted(rows.values_list("service_date", "units"))


def test_a_retro_authorization_debits_as_session_by_session_consumption_would(in_org_a):
    payer = factories.payer()
    site = factories.facility()
    provider = factories.licensed(factories.provider(), state="IL")
    for units in ("10", "2"):  # enough days, and fewer days than the sessions bill
        retro, retro_sessions = _iop_patient(payer, provider, site, units)
        units_consume_retro(
            authorization=retro, sessions=[(s, lines_of(s)) for s in retro_sessions]
        )
        live, live_sessions = _iop_patient(payer, provider, site, units)
        for session in live_sessions:
            consume_for_session(session)
        assert _debits(retro) == _debits(live)
        assert len(_debits(retro)) == min(int(units), 3)


def test_a_retro_authorization_leaves_sessions_that_already_have_a_debit(in_org_a):
    payer = factories.payer()
    provider = factories.licensed(factories.provider(), state="IL")
    retro, sessions = _iop_patient(payer, provider, factories.facility(), "10")
    first = sessions[0]
    consume_for_session(first)  # debited when it was recorded: a standing debit
    units_consume_retro(authorization=retro, sessions=[(s, lines_of(s)) for s in sessions])
    assert UnitLedgerEntry.objects.filter(session=first, kind="consume").count() == 1

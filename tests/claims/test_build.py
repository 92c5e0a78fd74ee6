"""Building claims from sessions: grouping (837P per patient, coverage, billing and rendering
provider and date; 837I per episode, level, authorization and billing cycle), control numbers,
charges, idempotence, replacement and void, optimistic locking, append-only history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from claims.models import Claim, ClaimEvent, ClaimLine, ClaimService
from claims.services import (
    StaleClaim,
    claim_cancel,
    claim_hold,
    claim_release,
    claim_replace,
    claim_scrub,
    claim_void,
    claims_build,
)
from tests import factories

TODAY = factories.TODAY  # Monday 2026-11-02


@pytest.fixture
def clinic(in_org_a: Any) -> SimpleNamespace:
    from claims.models import ChargemasterEntry

    site = factories.facility(
        npi="1234567893", taxonomy="261QM0801X", tin="123456789", postal_code="627011234"
    )
    payer = factories.payer(timely_filing_days=365)
    for code, amount in (
        ("90837", "200.00"),
        ("90834", "150.00"),
        ("90832", "100.00"),
        ("H0015", "300.00"),
        ("90791", "250.00"),
        ("90785", "30.00"),
    ):
        ChargemasterEntry.objects.create(
            code=code, amount=Decimal(amount), effective_from=dt.date(2026, 1, 1)
        )
    pat = factories.patient()
    cov = factories.coverage(patient_obj=pat, payer_obj=payer)
    ep = factories.episode(patient_obj=pat, facility=site)
    from patients.models import EpisodeDiagnosis

    EpisodeDiagnosis.objects.create(episode=ep, rank=1, code="F33.1")
    prov = _enrolled(factories.licensed(factories.provider(), state="IL"), payer)
    return SimpleNamespace(
        site=site, payer=payer, patient=pat, coverage=cov, episode=ep, provider=prov
    )


def _enrolled(prov: Any, payer: Any) -> Any:
    from credentialing.services import enrollment_upsert

    enrollment_upsert(
        provider=prov, payer=payer, status="enrolled", effective_date=dt.date(2026, 1, 1)
    )
    return prov


def _session(c: SimpleNamespace, **fields: Any) -> Any:
    fields.setdefault("facility", c.site)
    fields.setdefault("episode", c.episode)
    return factories.session(
        patient_obj=c.patient, provider_obj=fields.pop("provider", c.provider), **fields
    )


def test_sessions_of_a_day_and_provider_make_one_professional_claim(
    clinic: SimpleNamespace,
) -> None:
    start = dt.datetime(2026, 11, 2, 18, 0, tzinfo=dt.UTC)
    _session(clinic)
    _session(clinic, starts_at=start, ends_at=start + dt.timedelta(minutes=38))
    summary = claims_build(through=TODAY)
    assert (summary.claims, summary.professional, summary.sessions) == (1, 1, 2)
    claim = Claim.objects.get()
    lines = list(claim.lines.order_by("number"))
    assert [ln.code for ln in lines] == ["90837", "90834"]
    assert [ln.control_number for ln in lines] == [
        f"{claim.control_number}-1",
        f"{claim.control_number}-2",
    ]
    assert claim.total_charge == Decimal("350.00")
    assert [ln.charge_source for ln in lines] == ["chargemaster", "chargemaster"]
    assert claim.diagnoses == ["F33.1"] and lines[0].pointers == [1]
    assert claim.billing["npi"] == "1234567893" and claim.billing["tin"] == "123456789"
    assert claim.control_number.startswith("R") and len(claim.control_number) <= 20
    assert ClaimService.objects.filter(claim=claim, active=True).count() == 2
    assert claim.events.filter(kind=ClaimEvent.Kind.BUILT).exists()


def test_other_provider_or_date_makes_another_claim(clinic: SimpleNamespace) -> None:
    _session(clinic)
    _session(clinic, provider=factories.licensed(factories.provider(), state="IL"))
    nxt = dt.datetime(2026, 11, 3, 15, 0, tzinfo=dt.UTC)
    _session(
        clinic,
        service_date=TODAY + dt.timedelta(days=1),
        starts_at=nxt,
        ends_at=nxt + dt.timedelta(minutes=53),
    )
    assert claims_build(through=TODAY + dt.timedelta(days=1)).claims == 3


def test_payer_monthly_period_groups_dates(clinic: SimpleNamespace) -> None:
    clinic.payer.professional_claim_period = "month"
    clinic.payer.save()
    _session(clinic)
    nxt = dt.datetime(2026, 11, 9, 15, 0, tzinfo=dt.UTC)
    _session(
        clinic,
        service_date=TODAY + dt.timedelta(days=7),
        starts_at=nxt,
        ends_at=nxt + dt.timedelta(minutes=53),
    )
    claims_build(through=TODAY + dt.timedelta(days=7))
    claim = Claim.objects.get()
    assert (claim.service_from, claim.service_to) == (TODAY, TODAY + dt.timedelta(days=7))


def test_building_twice_builds_nothing_new(clinic: SimpleNamespace) -> None:
    _session(clinic)
    assert claims_build(through=TODAY).claims == 1
    assert claims_build(through=TODAY).claims == 0
    assert Claim.objects.count() == 1


def test_self_pay_sessions_make_no_claim(in_org_a: Any) -> None:
    pat = factories.patient()
    factories.session(patient_obj=pat)
    assert claims_build(through=TODAY).claims == 0


def test_refused_session_holds_its_claim_without_a_line(clinic: SimpleNamespace) -> None:
    _session(clinic, minutes=10)  # under 16 minutes: no psychotherapy code
    claims_build(through=TODAY)
    claim = Claim.objects.get()
    assert claim.lines.count() == 0
    assert claim.status == Claim.Status.HELD
    assert claim.findings.filter(severity="error").exists()


def test_no_charge_found_is_held(clinic: SimpleNamespace) -> None:
    from claims.models import ChargemasterEntry

    ChargemasterEntry.objects.filter(code="90837").delete()
    _session(clinic)
    claims_build(through=TODAY)
    claim = Claim.objects.get()
    line = claim.lines.get()
    assert (line.charge, line.charge_source) == (Decimal("0"), "")
    assert claim.status == Claim.Status.HELD


def test_fee_schedule_is_the_fallback_charge(clinic: SimpleNamespace) -> None:
    from claims.models import ChargemasterEntry
    from payers.models import FeeScheduleRate

    ChargemasterEntry.objects.filter(code="90837").delete()
    FeeScheduleRate.objects.create(
        payer=clinic.payer, code="90837", rate=Decimal("140.00"), effective_from=dt.date(2026, 1, 1)
    )
    _session(clinic)
    claims_build(through=TODAY)
    line = ClaimLine.objects.get()
    assert (line.charge, line.charge_source) == (Decimal("140.00"), "fee schedule")


# --- Institutional -------------------------------------------------------------------------


@pytest.fixture
def iop(clinic: SimpleNamespace) -> SimpleNamespace:
    from patients.models import EpisodeDiagnosis

    pat = factories.patient()
    cov = factories.coverage(patient_obj=pat, payer_obj=clinic.payer)
    ep = factories.episode(
        patient_obj=pat,
        program="sud",
        level="iop",
        admit_date=dt.date(2026, 10, 26),
        facility=clinic.site,
    )
    EpisodeDiagnosis.objects.create(episode=ep, rank=1, code="F10.20")
    auth = factories.authorization(
        coverage_obj=cov,
        episode=ep,
        level_of_care="iop",
        codes=["H0015"],
        unit_type="days",
        units_authorized=Decimal("30"),
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 12, 31),
    )
    return SimpleNamespace(
        **{**clinic.__dict__, "patient": pat, "coverage": cov, "episode": ep, "auth": auth}
    )


def _program_day(c: SimpleNamespace, day: dt.date, minutes: int = 190) -> Any:
    start = dt.datetime.combine(day, dt.time(15, 0), tzinfo=dt.UTC)
    return factories.session(
        patient_obj=c.patient,
        provider_obj=c.provider,
        kind="program_day",
        episode=c.episode,
        facility=c.site,
        service_date=day,
        starts_at=None,
        ends_at=None,
        arrived_at=start,
        departed_at=start + dt.timedelta(minutes=minutes),
        attended_minutes=minutes,
    )


def test_program_days_bill_on_institutional_claims_cut_at_month_end(iop: SimpleNamespace) -> None:
    days = [dt.date(2026, 10, 27), dt.date(2026, 10, 29), dt.date(2026, 11, 2)]
    for day in days:
        _program_day(iop, day)
    summary = claims_build(through=TODAY)
    assert summary.institutional == 2
    october, november = Claim.objects.order_by("service_from")
    assert october.kind == november.kind == Claim.Kind.INSTITUTIONAL
    assert (october.service_from, october.service_to) == (days[0], days[1])
    assert october.type_of_bill == "132"  # first interim bill of the stay
    assert november.type_of_bill == "133"  # continuing
    line = october.lines.first()
    assert (line.revenue_code, line.code, line.units) == ("0906", "H0015", Decimal("1"))
    assert october.prior_auth_number == iop.auth.auth_number
    assert october.part2 is False and october.diagnoses == ["F10.20"]


def test_authorization_boundary_splits_the_statement_period(iop: SimpleNamespace) -> None:
    iop.auth.end_date = dt.date(2026, 10, 28)
    iop.auth.save()
    factories.authorization(
        coverage_obj=iop.coverage,
        episode=iop.episode,
        level_of_care="iop",
        codes=["H0015"],
        unit_type="days",
        units_authorized=Decimal("30"),
        start_date=dt.date(2026, 10, 29),
        end_date=dt.date(2026, 12, 31),
    )
    _program_day(iop, dt.date(2026, 10, 27))
    _program_day(iop, dt.date(2026, 10, 29))
    claims_build(through=TODAY)
    claims = list(Claim.objects.order_by("service_from"))
    assert len(claims) == 2
    assert claims[0].prior_auth_number != claims[1].prior_auth_number


# --- Lifecycle -------------------------------------------------------------------------------


def _built(c: SimpleNamespace) -> Claim:
    _session(c)
    claims_build(through=TODAY)
    return Claim.objects.get()


def _mark_sent(claim: Claim, payer_number: str = "PCN-PAYER-1") -> None:
    Claim.objects.filter(pk=claim.pk).update(
        status=Claim.Status.ACCEPTED, payer_claim_number=payer_number
    )
    claim.refresh_from_db()


def test_stale_version_is_refused(clinic: SimpleNamespace) -> None:
    claim = _built(clinic)
    old = claim.version
    claim_hold(claim=claim, actor=None, reason="checking the note", version=old)
    with pytest.raises(StaleClaim):
        claim_release(claim=claim, actor=None, version=old)
    claim_release(claim=claim, actor=None, version=claim.version)
    assert claim.status in (Claim.Status.READY, Claim.Status.HELD)


def test_hold_needs_a_reason(clinic: SimpleNamespace) -> None:
    claim = _built(clinic)
    with pytest.raises(ValidationError):
        claim_hold(claim=claim, actor=None, reason="  ")


def test_replacement_takes_the_sessions_and_names_the_original(clinic: SimpleNamespace) -> None:
    claim = _built(clinic)
    _mark_sent(claim)
    replacement = claim_replace(claim=claim, actor=None, reason="minutes corrected")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REPLACED
    assert (replacement.frequency, replacement.original_id) == ("7", claim.pk)
    assert replacement.lines.count() == 1
    assert ClaimService.objects.get(active=True).claim_id == replacement.pk
    assert replacement.control_number != claim.control_number


def test_void_resends_the_lines_and_frees_the_sessions(clinic: SimpleNamespace) -> None:
    claim = _built(clinic)
    _mark_sent(claim)
    void = claim_void(claim=claim, actor=None, reason="billed the wrong patient")
    assert void.frequency == "8" and void.lines.count() == 1
    assert not ClaimService.objects.filter(active=True).exists()
    assert claims_build(through=TODAY).claims == 1  # the session can be billed again


def test_unsent_claim_is_cancelled_not_voided(clinic: SimpleNamespace) -> None:
    claim = _built(clinic)
    with pytest.raises(ValidationError):
        claim_void(claim=claim, actor=None, reason="x")
    claim_cancel(claim=claim, actor=None, reason="duplicate entry")
    assert not ClaimService.objects.filter(active=True).exists()


def test_rescrub_recodes_from_the_corrected_session(clinic: SimpleNamespace) -> None:
    from claims.models import ChargemasterEntry

    ChargemasterEntry.objects.filter(code="90837").delete()
    claim = _built(clinic)
    assert claim.status == Claim.Status.HELD
    ChargemasterEntry.objects.create(
        code="90837", amount=Decimal("210.00"), effective_from=dt.date(2026, 1, 1)
    )
    claim_scrub(claim=claim, actor=None)
    assert claim.lines.get().charge == Decimal("210.00")
    assert "LINE-NO-CHARGE" not in claim.hold_codes


def test_events_are_append_only(clinic: SimpleNamespace) -> None:
    claim = _built(clinic)
    event = claim.events.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        ClaimEvent.objects.filter(pk=event.pk).update(message="rewritten")


def test_a_complete_claim_is_ready(clinic: SimpleNamespace) -> None:
    from patients.models import Session

    _session(clinic)
    Session.objects.update(note_signed_at=dt.datetime(2026, 11, 2, 17, 0, tzinfo=dt.UTC))
    claims_build(through=TODAY)
    claim = Claim.objects.get()
    found = [(f.code, f.message) for f in claim.findings.filter(severity="error")]
    assert found == []
    assert claim.status == Claim.Status.READY


def test_billed_under_the_supervisor_makes_the_supervisor_render(clinic: SimpleNamespace) -> None:
    payer = clinic.payer
    payer.accepted_license_types = ["psychiatrist", "psychologist", "lcsw"]
    payer.pays_under_supervisor = True
    payer.supervision_modifiers = ["HO"]
    payer.save()
    supervisor = _enrolled(factories.licensed(factories.provider(), state="IL"), payer)
    trainee = factories.provider(license_type="associate", supervisor=supervisor)
    _session(clinic, provider=trainee, supervising_provider=supervisor)
    claims_build(through=TODAY)
    claim = Claim.objects.get()
    assert claim.rendering_provider_id == supervisor.pk
    assert claim.supervising_provider_id is None
    assert "HO" in claim.lines.get().modifiers


def test_supervised_clinician_billing_in_own_name_carries_the_supervisor(
    clinic: SimpleNamespace,
) -> None:
    supervisor = _enrolled(factories.licensed(factories.provider(), state="IL"), clinic.payer)
    _session(clinic, supervising_provider=supervisor)
    claims_build(through=TODAY)
    claim = Claim.objects.get()
    assert (claim.rendering_provider_id, claim.supervising_provider_id) == (
        clinic.provider.pk,
        supervisor.pk,
    )


# --- Outside review fixes ----------------------------------------------------------------


def test_a_rejected_claim_is_fixed_and_goes_again(clinic: SimpleNamespace) -> None:
    from claims.models import ClaimEvent as Event

    claim = _built(clinic)
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.REJECTED, rejection="A7:21")
    claim.refresh_from_db()
    claim_scrub(claim=claim, actor=None)
    assert claim.status in (Claim.Status.HELD, Claim.Status.READY)
    assert claim.frequency == "1"  # never adjudicated: sent again as an original
    assert claim.events.filter(kind__in=[Event.Kind.HELD, Event.Kind.RELEASED]).exists()


def test_a_rejected_claim_can_be_cancelled_and_its_sessions_rebuilt(
    clinic: SimpleNamespace,
) -> None:
    claim = _built(clinic)
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.REJECTED)
    claim.refresh_from_db()
    claim_cancel(claim=claim, actor=None, reason="wrong coverage")
    assert claims_build(through=TODAY).claims == 1


def test_an_institutional_replacement_keeps_frequency_7_through_a_rescrub(
    iop: SimpleNamespace,
) -> None:
    _program_day(iop, dt.date(2026, 10, 27))
    claims_build(through=TODAY)
    claim = Claim.objects.get()
    _mark_sent(claim)
    replacement = claim_replace(claim=claim, actor=None, reason="late note")
    assert replacement.type_of_bill == "137"
    claim_scrub(claim=replacement, actor=None)
    assert replacement.type_of_bill == "137"
    assert "TYPE-OF-BILL" not in replacement.hold_codes


def test_claims_built_in_one_run_see_each_other_as_duplicates(clinic: SimpleNamespace) -> None:
    other = _enrolled(factories.licensed(factories.provider(), state="IL"), clinic.payer)
    _session(clinic, kind="evaluation", minutes=60)
    _session(clinic, kind="evaluation", minutes=60, provider=other)
    claims_build(through=TODAY)
    held = [
        c
        for c in Claim.objects.all()
        if "SAME-DAY-LIMIT" in c.hold_codes or "DUPLICATE-CLAIM" in c.hold_codes
    ]
    assert len(held) == 2


def test_an_sud_diagnosis_of_a_part2_patient_makes_an_mh_claim_part2(
    clinic: SimpleNamespace,
) -> None:
    from patients.models import EpisodeDiagnosis

    factories.episode(
        patient_obj=clinic.patient,
        program="sud",
        part2_applies=True,
        admit_date=dt.date(2026, 9, 1),
    )
    EpisodeDiagnosis.objects.create(episode=clinic.episode, rank=2, code="F11.20")
    claim = _built(clinic)
    assert claim.part2 is True
    assert "PART2-CONSENT" in claim.hold_codes


def test_medicare_institutional_claims_go_to_part_a(iop: SimpleNamespace) -> None:
    from claims.edi_map import filing_indicator, payer_id

    payer = iop.payer
    payer.claim_filing_indicator, payer.institutional_filing_indicator = "MB", "MA"
    payer.edi_payer_id, payer.institutional_payer_id = "MACB1", "MACA1"
    payer.save()
    assert (filing_indicator(payer, "837i"), payer_id(payer, "837i")) == ("MA", "MACA1")
    assert (filing_indicator(payer, "837p"), payer_id(payer, "837p")) == ("MB", "MACB1")


def test_in_person_pos_profile_bills_a_home_video_visit_at_the_clinic_pos(
    clinic: SimpleNamespace,
) -> None:
    # A payer that wants "the POS had the service been in person" + 95 (REFERENCE.md §3; NGS
    # "Telehealth Changes for 2024 - Modifier 95 and POS"): the clinic's POS 11, not home (12).
    clinic.payer.telehealth = {"use_facility_pos": True, "video_modifier": "95"}
    clinic.payer.save()
    _session(clinic, modality="video", patient_location="home", patient_state="IL")
    claims_build(through=TODAY)
    line = ClaimLine.objects.get()
    assert line.pos == "11" and "95" in line.modifiers

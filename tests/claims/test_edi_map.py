"""837s built from the database: sessions recorded, claims built by claims_build (or, where
the builder has no path yet, claim rows as it would leave them), mapped by claims.edi_map and
written by edi.x837; pyx12 finds no error in any of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from claims.edi_map import (
    MappingError,
    batch_837,
    claim_parts,
    claims_for_837,
    other_coverages,
    release_of_information,
    write_batch,
)
from claims.models import Claim
from claims.services import claim_replace, claim_void, claims_build
from credentialing.services import enrollment_upsert
from edi.x12 import transactions
from patients.models import GroupSession
from patients.services.episodes import episode_admit
from payers.catalog import catalog_install
from tests import factories
from tests.claims import builders
from tests.edi.pyx12_check import pyx12_errors

DAY = dt.date(2026, 11, 2)  # a Monday
CREATED = dt.datetime(2026, 11, 3, 9, 30)


@pytest.fixture
def world(in_org_a: Any) -> SimpleNamespace:
    payers = {p.name: p for p, _ in catalog_install(org=in_org_a)}
    for n, payer in enumerate(payers.values(), start=1):
        payer.edi_payer_id = f"PAYER{n:02d}"
        payer.save(update_fields=["edi_payer_id"])
    site = factories.facility(
        name="Harbor Main Office",
        npi="1234567893",
        tin="931234567",
        taxonomy="261QM0801X",
        address_line1="200 Harbor Way",
        city="Portland",
        state="OR",
        postal_code="972011234",
        bill_type="13",
    )
    patient = factories.patient(
        first_name="Jordan",
        last_name="Doe",
        sex="F",
        address_line1="12 Elm Road",
        city="Portland",
        state="OR",
        postal_code="97202",
        signature_on_file_date=dt.date(2026, 1, 5),
    )
    account = factories.clearinghouse_account()
    return SimpleNamespace(
        payers=payers,
        commercial=payers["Commercial PPO (example)"],
        medicaid=payers["State Medicaid (example)"],
        site=site,
        patient=patient,
        account=account,
    )


def _provider(world: SimpleNamespace, payer: Any, **fields: Any) -> Any:
    prov = factories.licensed(factories.provider(**fields), state="OR")
    enrollment_upsert(
        provider=prov, payer=payer, status="enrolled", effective_date=dt.date(2026, 1, 1)
    )
    return prov


def _episode(world: SimpleNamespace, payer: Any, *, program="mh", level="outpatient", **kw):
    patient = kw.pop("patient", world.patient)
    if not patient.coverages.exists():
        factories.coverage(patient_obj=patient, payer_obj=payer, member_id="KHP123456")
    admit = kw.pop("admit_date", dt.date(2026, 10, 1))
    episode = episode_admit(
        patient=patient,
        program=program,
        level=level,
        admit_date=admit,
        diagnoses=kw.pop("diagnoses", ["F33.1"]),
        facility=kw.pop("facility", world.site),
    )
    for name, value in kw.items():
        setattr(episode, name, value)
    episode.save()
    return episode


def _session(world: SimpleNamespace, episode: Any, provider: Any, **fields: Any) -> Any:
    minutes = fields.pop("minutes", 53)
    start = dt.datetime.combine(fields.get("service_date", DAY), dt.time(15, 0), tzinfo=dt.UTC)
    fields.setdefault("starts_at", start)
    fields.setdefault("ends_at", start + dt.timedelta(minutes=minutes))
    fields.setdefault("facility", world.site)
    fields.setdefault("patient_state", "OR")
    return factories.session(
        patient_obj=episode.patient, provider_obj=provider, episode=episode, **fields
    )


def _program_day(world: SimpleNamespace, episode: Any, provider: Any, day: dt.date, minutes=200):
    start = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)
    return factories.session(
        patient_obj=episode.patient,
        provider_obj=provider,
        kind="program_day",
        episode=episode,
        facility=world.site,
        service_date=day,
        starts_at=None,
        ends_at=None,
        arrived_at=start,
        departed_at=start + dt.timedelta(minutes=minutes),
        attended_minutes=minutes,
        patient_state="OR",
    )


def _built(through: dt.date = DAY) -> list[Claim]:
    summary = claims_build(through=through)
    assert summary.claims, "nothing was built"
    return list(Claim.objects.filter(pk__in=summary.claim_ids).order_by("pk"))


def write(claims: list[Claim], account: Any, control: int = 123) -> str:
    loaded = claims_for_837([c.pk for c in claims])
    others = other_coverages(loaded)
    parts = [claim_parts(c, others.get(c.pk, ())) for c in loaded]
    batch = batch_837(parts, account=account, reference=f"{control:09d}")
    return write_batch(
        batch,
        kind=loaded[0].kind,
        account=account,
        control=control,
        transaction_control=f"{control:09d}",
        created=CREATED,
    )


def segments(text: str) -> list[str]:
    return [str(s) for t in transactions(text) for s in t.body]


def assert_valid(text: str) -> list[str]:
    assert pyx12_errors(text) == []
    return segments(text)


# --- professional ---------------------------------------------------------------------------


def test_an_outpatient_psychotherapy_claim(world):
    prov = _provider(world, world.commercial, last_name="Rivera", first_name="Ana")
    _session(world, _episode(world, world.commercial), prov)
    (claim,) = _built()
    segs = assert_valid(write([claim], world.account))
    clm = next(s for s in segs if s.startswith("CLM*"))
    assert clm.startswith(f"CLM*{claim.control_number}*") and "*11:B:1*Y*A*Y*Y" in clm
    assert "SBR*P*18*******CI" in segs
    assert any(s.startswith("SV1*HC:90837*") for s in segs)
    assert f"NM1*82*1*Rivera*Ana****XX*{prov.npi}" in segs
    assert "NM1*85*2*Harbor Main Office*****XX*1234567893" in segs
    assert "REF*EI*931234567" in segs


def test_a_telehealth_claim_carries_its_pos_and_modifier(world):
    prov = _provider(world, world.commercial)
    _session(
        world, _episode(world, world.commercial), prov, modality="video", patient_location="home"
    )
    (claim,) = _built()
    segs = assert_valid(write([claim], world.account))
    sv1 = next(s for s in segs if s.startswith("SV1*"))
    assert ":95" in sv1.split("*")[1]
    assert not any(s.startswith("NM1*77") for s in segs)  # no service site for telehealth


def test_a_group_session_claim(world):
    prov = _provider(world, world.commercial)
    episode = _episode(world, world.commercial)
    start = dt.datetime(2026, 11, 2, 17, 0, tzinfo=dt.UTC)
    group = GroupSession.objects.create(
        facilitator=prov,
        facility=world.site,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=60),
    )
    _session(
        world,
        episode,
        prov,
        kind="group",
        group=group,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=60),
        arrived_at=start,
        departed_at=start + dt.timedelta(minutes=60),
    )
    (claim,) = _built()
    segs = assert_valid(write([claim], world.account))
    assert any(s.startswith("SV1*HC:90853*") for s in segs)


def test_a_crisis_claim_with_its_add_on(world):
    prov = _provider(world, world.commercial)
    _session(world, _episode(world, world.commercial), prov, kind="crisis", minutes=80)
    (claim,) = _built()
    segs = assert_valid(write([claim], world.account))
    codes = [s.split("*")[1] for s in segs if s.startswith("SV1*")]
    assert codes == ["HC:90839", "HC:90840"]


def test_a_supervised_claim_names_the_supervisor(world):
    supervisor = _provider(
        world,
        world.commercial,
        license_type="psychologist",
        last_name="Miller",
        first_name="Sarah",
        taxonomy="103TC0700X",
    )
    associate = _provider(world, world.commercial, license_type="lcsw")
    _session(world, _episode(world, world.commercial), associate, supervising_provider=supervisor)
    (claim,) = _built()
    assert claim.supervising_provider_id == supervisor.pk
    segs = assert_valid(write([claim], world.account))
    assert f"NM1*DQ*1*Miller*Sarah****XX*{supervisor.npi}" in segs


def test_a_secondary_claim_carries_the_primary_payer(world):
    primary = factories.coverage(
        patient_obj=world.patient,
        payer_obj=world.commercial,
        member_id="KHP998877",
        relationship="19",
        subscriber_first_name="Robin",
        subscriber_last_name="Smith",
        subscriber_date_of_birth=dt.date(1980, 5, 1),
        subscriber_sex="M",
        subscriber_address_line1="12 Elm Road",
        subscriber_city="Portland",
        subscriber_state="OR",
        subscriber_postal_code="97202",
        group_number="GRP7788",
    )
    secondary = factories.coverage(
        patient_obj=world.patient,
        payer_obj=world.medicaid,
        member_id="MCO555000111",
        priority=2,
    )
    claim = builders.claim(patient=world.patient, coverage=secondary, billing=builders.BILLING)
    segs = assert_valid(write([claim], world.account))
    assert "SBR*S*18*******MC" in segs
    assert f"SBR*P*19*GRP7788******{world.commercial.claim_filing_indicator}" in segs
    assert "OI***Y***Y" in segs
    assert "NM1*IL*1*Smith*Robin****MI*KHP998877" in segs
    assert f"NM1*PR*2*{world.commercial.name}*****PI*{world.commercial.edi_payer_id}" in segs
    assert primary.pk != secondary.pk


def _sent(claim: Claim, payer_claim_number: str) -> Claim:
    Claim.objects.filter(pk=claim.pk).update(
        status=Claim.Status.SUBMITTED, payer_claim_number=payer_claim_number
    )
    claim.refresh_from_db()
    return claim


def test_a_replacement_names_the_original_claim(world):
    prov = _provider(world, world.commercial)
    _session(world, _episode(world, world.commercial), prov)
    (claim,) = _built()
    replacement = claim_replace(
        claim=_sent(claim, "KHP2026110200123"), actor=None, reason="Wrong minutes"
    )
    segs = assert_valid(write([replacement], world.account))
    assert any(s.startswith("CLM*") and ":B:7*" in s for s in segs)
    assert "REF*F8*KHP2026110200123" in segs


def test_a_void_names_the_original_claim(world):
    prov = _provider(world, world.commercial)
    _session(world, _episode(world, world.commercial), prov)
    (claim,) = _built()
    void = claim_void(claim=_sent(claim, "KHP2026110200124"), actor=None, reason="Not seen")
    segs = assert_valid(write([void], world.account))
    assert any(s.startswith("CLM*") and ":B:8*" in s for s in segs)
    assert "REF*F8*KHP2026110200124" in segs


def test_a_replacement_without_the_payers_claim_number_is_refused(world):
    prov = _provider(world, world.commercial)
    _session(world, _episode(world, world.commercial), prov)
    (claim,) = _built()
    replacement = claim_replace(claim=_sent(claim, ""), actor=None, reason="Wrong minutes")
    with pytest.raises(MappingError, match="payer claim number"):
        claim_parts(claims_for_837([replacement.pk])[0])


# --- institutional --------------------------------------------------------------------------


def test_an_iop_program_claim(world):
    prov = _provider(world, world.commercial)
    episode = _episode(
        world,
        world.commercial,
        program="sud",
        level="iop",
        diagnoses=["F10.20"],
        patient_status="30",
        attending_provider=prov,
    )
    factories.authorization(
        coverage_obj=world.patient.coverages.get(),
        episode=episode,
        level_of_care="iop",
        codes=["H0015"],
        unit_type="days",
        units_authorized=Decimal("30"),
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 12, 31),
    )
    for day in (DAY, DAY + dt.timedelta(days=2)):
        _program_day(world, episode, prov, day)
    claims = [c for c in _built(DAY + dt.timedelta(days=2)) if c.kind == "837i"]
    assert claims, "no institutional claim"
    segs = assert_valid(write(claims, world.account))
    clm = next(s for s in segs if s.startswith("CLM*"))
    assert ":A:" in clm
    assert any(s.startswith("SV2*0906*HC:H0015") for s in segs)
    assert f"NM1*71*1*{prov.last_name}*{prov.first_name}****XX*{prov.npi}" in segs
    assert "CL1***30" in segs
    assert "HI*APR:F1020" in segs  # the reason for an outpatient visit


def test_a_php_program_claim(world):
    prov = _provider(world, world.commercial)
    episode = _episode(
        world,
        world.commercial,
        program="mh",
        level="php",
        patient_status="30",
        attending_provider=prov,
    )
    factories.authorization(
        coverage_obj=world.patient.coverages.get(),
        episode=episode,
        level_of_care="php",
        codes=[],
        unit_type="days",
        units_authorized=Decimal("30"),
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 12, 31),
    )
    _program_day(world, episode, prov, DAY, minutes=380)
    claims = [c for c in _built() if c.kind == "837i"]
    assert claims, "no institutional claim"
    segs = assert_valid(write(claims, world.account))
    assert any(s.startswith("SV2*") for s in segs)


def test_a_residential_stay_claim(world):
    campus = factories.facility(
        name="Summit Residential Campus",
        npi="1245319599",
        tin="931234568",
        taxonomy="324500000X",
        address_line1="12 Ridge Rd",
        city="Bend",
        state="OR",
        postal_code="977011234",
        bill_type="86",
    )
    prov = _provider(world, world.commercial, license_type="psychiatrist", taxonomy="2084P0800X")
    admitted = dt.date(2026, 10, 30)
    episode = _episode(
        world,
        world.commercial,
        program="sud",
        level="residential",
        diagnoses=["F10.20"],
        facility=campus,
        admit_date=admitted,
        admission_hour=14,
        admission_type="3",
        admission_source="1",
        patient_status="30",
        attending_provider=prov,
    )
    for offset in range(3):
        factories.session(
            patient_obj=world.patient,
            provider_obj=prov,
            kind="program_day",
            episode=episode,
            facility=campus,
            service_date=admitted + dt.timedelta(days=offset),
            starts_at=None,
            ends_at=None,
            patient_state="OR",
        )
    claims = [c for c in _built(dt.date(2026, 11, 1)) if c.kind == "837i"]
    assert [c.type_of_bill[:2] for c in claims] == ["86", "86"]  # cut at the month's end
    segs = assert_valid(write(claims, world.account))
    assert any(s.startswith("CLM*") and "*86:A:2**A*Y*I" in s for s in segs)  # Part 2: CLM09 I
    assert "DTP*435*DT*202610301400" in segs and "CL1*3*1*30" in segs
    assert any(s.startswith("SV2*1002*HC:H0018*") and "*DA*1" in s for s in segs)
    assert "HI*ABJ:F1020" in segs and "HI*BE:80:::2" in segs
    assert "NM1*85*2*Summit Residential Campus*****XX*1245319599" in segs


# --- the fields the brief names ------------------------------------------------------------


def test_release_of_information_is_i_for_part2_y_with_a_signature_else_i(world):
    signed = builders.claim(patient=world.patient)
    unsigned = builders.claim(patient=factories.patient(signature_on_file_date=None))
    part2 = builders.claim(patient=world.patient, part2=True)
    assert [release_of_information(c) for c in (signed, unsigned, part2)] == ["Y", "I", "I"]


def test_assignment_prior_auth_and_delay_reason_reach_the_claim(world):
    coverage = factories.coverage(
        patient_obj=world.patient, payer_obj=world.commercial, assignment_of_benefits=False
    )
    claim = builders.claim(
        patient=world.patient, coverage=coverage, prior_auth_number="AUTH-77", delay_reason="7"
    )
    segs = assert_valid(write([claim], world.account))
    clm = next(s for s in segs if s.startswith("CLM*")).split("*")
    assert (clm[6], clm[7], clm[8], clm[9], clm[20]) == ("Y", "A", "N", "Y", "7")
    assert "REF*G1*AUTH-77" in segs


def test_a_dependent_patient_gets_a_patient_loop_with_the_subscriber_details(world):
    child = factories.patient(
        first_name="Alex",
        last_name="Smith",
        address_line1="12 Elm Road",
        city="Portland",
        state="OR",
        postal_code="97202",
    )
    coverage = factories.coverage(
        patient_obj=child,
        payer_obj=world.commercial,
        relationship="19",
        subscriber_first_name="Robin",
        subscriber_last_name="Smith",
        subscriber_date_of_birth=dt.date(1980, 5, 1),
        subscriber_sex="M",
        subscriber_address_line1="12 Elm Road",
        subscriber_city="Portland",
        subscriber_state="OR",
        subscriber_postal_code="97202",
    )
    claim = builders.claim(patient=child, coverage=coverage)
    segs = assert_valid(write([claim], world.account))
    assert "PAT*19" in segs and "DMG*D8*19800501*M" in segs
    assert any(s.startswith("NM1*QC*1*Smith*Alex") for s in segs)


def test_medicare_as_secondary_payer_says_why_in_sbr05(world):
    medicare = world.payers["Medicare Part B"]
    factories.coverage(patient_obj=world.patient, payer_obj=world.commercial)
    msp = factories.coverage(
        patient_obj=world.patient,
        payer_obj=medicare,
        priority=2,
        msp_type="12",
        member_id="1EG4TE5MK73",
    )
    claim = builders.claim(patient=world.patient, coverage=msp)
    segs = assert_valid(write([claim], world.account))
    assert "SBR*S*18***12****MB" in segs


def test_claims_of_two_billing_providers_and_patients_share_one_file(world):
    other_billing = {**builders.BILLING, "name": "Harbor Day Programs", "npi": "1245319599"}
    claims = [
        builders.claim(patient=world.patient),
        builders.claim(patient=world.patient),
        builders.claim(
            billing=other_billing,
            patient=factories.patient(
                address_line1="1 Oak St", city="Salem", state="OR", postal_code="97301"
            ),
        ),
    ]
    segs = assert_valid(write(claims, world.account))
    assert sum(1 for s in segs if s.startswith("HL*") and s.endswith("*20*1")) == 2
    assert sum(1 for s in segs if s.startswith("CLM*")) == 3


def test_a_claim_the_837_cannot_carry_is_refused_without_its_values(world):
    bare = factories.patient(address_line1="", postal_code="")
    claim = builders.claim(patient=bare)
    with pytest.raises(MappingError) as refused:
        claim_parts(claims_for_837([claim.pk])[0])
    assert "address" in str(refused.value)
    bad_zip = builders.claim(billing={**builders.BILLING, "postal_code": "97201"})
    with pytest.raises(MappingError) as refused:
        claim_parts(claims_for_837([bad_zip.pk])[0])
    assert "ZIP+4" in str(refused.value) and "97201" not in str(refused.value)

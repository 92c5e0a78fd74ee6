"""Services that bill several lines (crisis 90839 + 90840, E/M + psychotherapy add-on 99214 +
90836) consume against the right line: each line an authorization lists is debited on it, in
that line's units; lines it does not list are not. Authorizations may require modifiers. Where
the payer ties authorizations to the rendering provider, a service billed under another
provider does not use it. Sources: REFERENCE.md §6 (procedure codes and modifiers, unit types,
the NPI an authorization is tied to) and §14 (crisis minutes, E/M add-ons, authorizations)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from authorizations.models import UnitLedgerEntry
from authorizations.services import authorization_create, units_used
from patients.coding_bridge import preview_for
from patients.services.clinical import session_correct, session_record
from tests import factories

START = dt.datetime(2026, 11, 2, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def outpatient(in_org_a):
    payer = factories.payer(
        telehealth={"video_modifier": "95", "home_pos": "10", "other_site_pos": "02"}
    )
    patient = factories.patient(state="OR")  # telehealth: licensed where the patient is
    coverage = factories.coverage(patient_obj=patient, payer_obj=payer)
    factories.episode(patient_obj=patient, admit_date=dt.date(2026, 10, 1))
    return SimpleNamespace(
        payer=payer,
        patient=patient,
        coverage=coverage,
        lcsw=factories.licensed(factories.provider(license_type="lcsw"), "OR"),
        np=factories.provider(license_type="pmhnp", credentials="PMHNP-BC"),
        facility=factories.facility(pos="11"),
    )


def _auth(ns, codes, unit_type="visits", units="10", **fields):
    return factories.authorization(
        coverage_obj=ns.coverage,
        codes=codes,
        unit_type=unit_type,
        units_authorized=Decimal(units),
        **fields,
    )


def _record(ns, minutes, **fields):
    fields.setdefault("rendering_provider", ns.lcsw)
    fields.setdefault("facility", ns.facility)
    return session_record(
        actor=None,
        patient=ns.patient,
        starts_at=START,
        ends_at=START + dt.timedelta(minutes=minutes),
        **fields,
    )


def _crisis(ns, minutes=130, **fields):
    return _record(ns, minutes, kind="crisis", **fields)


def _em(ns, **fields):
    return _record(
        ns,
        60,
        kind="em_with_psychotherapy",
        rendering_provider=ns.np,
        em_code="99214",
        psychotherapy_minutes=40,
        **fields,
    )


def _lines(session):
    return [(line.code, line.units) for line in preview_for(session_like=session).lines]


def test_a_crisis_service_debits_each_listed_line_in_its_units(outpatient):
    units = _auth(outpatient, ["90839", "90840"], unit_type="units_15", units="20")
    session = _crisis(outpatient)
    assert _lines(session) == [("90839", 1), ("90840", 2)]
    entry = UnitLedgerEntry.objects.get(session=session)
    assert (entry.authorization, entry.units) == (units, Decimal("-3"))
    assert entry.memo == "90839 x 1, 90840 x 2: 3 units"


def test_a_crisis_visit_is_one_visit_of_a_visits_authorization(outpatient):
    visits = _auth(outpatient, ["90839", "90840"])
    _crisis(outpatient)
    assert units_used(visits) == 1


def test_a_line_the_authorization_does_not_list_is_not_debited_on_it(outpatient):
    first_hour = _auth(outpatient, ["90839"], unit_type="units_15")
    _crisis(outpatient)
    assert units_used(first_hour) == 1  # 90839 x 1; the two 90840 units are not its lines


def test_an_em_with_psychotherapy_debits_each_line_on_its_own_authorization(outpatient):
    med = _auth(outpatient, ["99214"])
    therapy = _auth(outpatient, ["90836"])
    session = _em(outpatient)
    assert _lines(session) == [("99214", 1), ("90836", 1)]
    assert (units_used(med), units_used(therapy)) == (1, 1)
    assert UnitLedgerEntry.objects.filter(session=session).count() == 2


def test_an_add_on_authorization_is_not_debited_for_the_em_line(outpatient):
    therapy = _auth(outpatient, ["90836"], unit_type="units_15")
    _em(outpatient)
    assert units_used(therapy) == 1


@pytest.mark.parametrize(
    ("codes", "modality", "debited"),
    [
        (["90837:95"], "video", True),  # the required modifier is on the line
        (["90837:95"], "in_person", False),  # in person: no 95, so not this authorization
        (["90837"], "video", True),  # no modifier required: 95 on the line is fine
        (["90837:95:HO"], "video", False),
    ],
)
def test_a_required_modifier_must_be_on_the_line(outpatient, codes, modality, debited):
    auth = _auth(outpatient, codes)
    extra = {"patient_location": "home"} if modality == "video" else {}
    _record(outpatient, 55, kind="individual", modality=modality, **extra)
    assert units_used(auth) == (1 if debited else 0)


@pytest.fixture
def tied(outpatient):
    outpatient.payer.auth_tied_to_provider = True
    outpatient.payer.save()
    outpatient.auth = _auth(outpatient, ["90837"], provider=outpatient.lcsw)
    outpatient.other = factories.provider(license_type="lcsw", last_name="Other")
    return outpatient


def test_a_service_by_the_authorizations_provider_is_debited(tied):
    _record(tied, 55, kind="individual")
    assert units_used(tied.auth) == 1


def test_a_service_by_another_provider_is_not_debited_where_the_payer_ties_them(tied):
    _record(tied, 55, kind="individual", rendering_provider=tied.other)
    assert units_used(tied.auth) == 0


def test_without_the_payer_rule_the_provider_on_the_authorization_is_information_only(tied):
    tied.payer.auth_tied_to_provider = False
    tied.payer.save()
    _record(tied, 55, kind="individual", rendering_provider=tied.other)
    assert units_used(tied.auth) == 1


def test_correcting_the_rendering_provider_moves_the_debit_off_a_tied_authorization(tied):
    session = _record(tied, 55, kind="individual")
    session_correct(
        session=session, actor=None, reason="Covered by a colleague", rendering_provider=tied.other
    )
    assert units_used(tied.auth) == 0


def test_a_tying_payer_needs_the_provider_on_a_new_authorization(tied):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        authorization_create(
            actor=None,
            coverage=tied.coverage,
            level_of_care="outpatient",
            codes=["90837"],
            unit_type="visits",
            units_authorized=Decimal("8"),
            start_date=dt.date(2026, 11, 1),
            end_date=dt.date(2026, 12, 31),
            status="approved",
        )
    assert "ties authorizations to the rendering provider" in exc.value.message_dict["provider"][0]

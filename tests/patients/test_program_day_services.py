"""The services inside a program day, recorded with the day or set later, feed the coding
engine: Medicare bills a PHP/IOP day service by service (a line each with HCPCS and revenue
code, condition code 41/92, the day's payment class by qualifying services: REFERENCE.md §14);
per-diem payers still bill one per-diem line."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from patients.coding_bridge import preview_for
from patients.models import ProgramDayService, Session
from patients.services.clinical import (
    episode_admit,
    program_day_services_set,
    session_lock_for_claim,
    session_record,
)
from payers.catalog import catalog_install
from rcm.models import ApiToken
from rcm.tenancy import org_context
from tests import factories

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 2)
MEDICARE = "Medicare Part B"
PER_DIEM = "Commercial PPO (example)"
API = "/api/o/clinic-a/"
PAGES = "/o/clinic-a/"

FOUR = [
    {"kind": "group_psychotherapy", "minutes": 50},
    {"kind": "group_psychotherapy", "minutes": 50},
    {"kind": "individual_psychotherapy", "minutes": 45},
    {"kind": "activity_therapy", "minutes": 45},
]


def _world(org, payer_name: str, level: str = "php") -> dict:
    with org_context(org):
        payers = {p.name: p for p, _ in catalog_install(org=org)}
        patient = factories.patient()
        factories.coverage(patient_obj=patient, payer_obj=payers[payer_name])
        episode = episode_admit(
            patient=patient,
            program="mh",
            level=level,
            admit_date=DAY - datetime.timedelta(days=7),
            diagnoses=["F33.1"],
            facility=factories.facility(),
        )
        return {"patient": patient, "episode": episode, "provider": factories.provider()}


def _record(world, services=(), attended=300) -> Session:
    return session_record(
        actor=None,
        patient=world["patient"],
        episode=world["episode"],
        kind="program_day",
        service_date=DAY,
        attended_minutes=attended,
        rendering_provider=world["provider"],
        services=list(services),
    )


@pytest.mark.parametrize(
    ("level", "condition", "apc"), [("php", "41", "5864"), ("iop", "92", "5862")]
)
def test_a_medicare_program_day_bills_each_stored_service_with_its_condition_code(
    org_a, level, condition, apc
):
    world = _world(org_a, MEDICARE, level)
    with org_context(org_a):
        day = _record(world, FOUR)
        result = preview_for(session_like=Session.objects.get(pk=day.pk))
    assert result.billable, result.errors
    assert [(ln.code, ln.revenue_code, ln.units) for ln in result.lines] == [
        ("G0410", "0915", 1),
        ("G0410", "0915", 1),
        ("90834", "0914", 1),
        ("G0176", "0904", 1),
    ]
    assert result.condition_codes == (condition,)
    assert (result.payment_class.label, result.payment_class.apc) == ("4 or more services", apc)


def test_a_medicare_day_with_two_services_is_billed_but_gets_no_per_diem(org_a):
    world = _world(org_a, MEDICARE)
    with org_context(org_a):
        result = preview_for(session_like=_record(world, FOUR[:2]))
    assert result.billable
    assert result.payment_class.label == "fewer than 3: no per diem"
    assert result.payment_class.apc is None


def test_a_per_diem_payer_bills_the_same_day_per_diem(org_a):
    world = _world(org_a, PER_DIEM)
    with org_context(org_a):
        result = preview_for(session_like=_record(world, FOUR, attended=390))  # ≥ its 6 h a day
    assert [(ln.code, ln.revenue_code, ln.units) for ln in result.lines] == [("S0201", "0913", 1)]
    assert result.payment_class is None


def test_a_medicare_day_without_services_says_to_record_them(org_a):
    world = _world(org_a, MEDICARE)
    with org_context(org_a):
        result = preview_for(session_like=_record(world))
    assert not result.billable
    assert "record the day's services" in " ".join(result.errors)


def test_services_are_stored_in_order_with_the_day(org_a):
    world = _world(org_a, MEDICARE)
    with org_context(org_a):
        day = _record(world, [{**FOUR[0], "rendering_provider": world["provider"]}, FOUR[2]])
        rows = list(day.program_services.all())
    assert [(r.kind, r.minutes, r.position) for r in rows] == [
        ("group_psychotherapy", 50, 0),
        ("individual_psychotherapy", 45, 1),
    ]
    assert rows[0].rendering_provider_id == world["provider"].pk


@pytest.mark.parametrize(
    ("services", "fragment"),
    [
        ([{"kind": "yoga", "minutes": 30}], "Service 1: unknown service kind 'yoga'"),
        ([{"kind": "group_psychotherapy", "minutes": 0}], "Service 1: minutes must be"),
        ([{"kind": "group_psychotherapy", "minutes": 50, "x": 1}], "unknown field(s) x"),
        ([{"kind": "group_psychotherapy", "minutes": 200}] * 2, "more than the 300 min attended"),
    ],
)
def test_bad_services_are_refused_and_nothing_is_saved(org_a, services, fragment):
    world = _world(org_a, MEDICARE)
    with org_context(org_a):
        with pytest.raises(ValidationError) as info:
            _record(world, services)
        assert not Session.objects.exists() and not ProgramDayService.objects.exists()
    assert any(fragment in m for m in info.value.message_dict["services"])


def test_services_inside_a_session_that_is_not_a_program_day_are_refused(org_a):
    world = _world(org_a, MEDICARE)
    start = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)
    with org_context(org_a), pytest.raises(ValidationError) as info:
        session_record(
            actor=None,
            patient=world["patient"],
            kind="individual",
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=53),
            rendering_provider=world["provider"],
            services=FOUR[:1],
        )
    assert info.value.message_dict["services"] == ["Only a program day has services inside it."]


def test_setting_the_services_replaces_them_and_moves_the_revision_on(org_a):
    world = _world(org_a, MEDICARE)
    with org_context(org_a):
        day = _record(world, FOUR[:1])
        program_day_services_set(session=day, services=FOUR, actor=None)
        stored = Session.objects.get(pk=day.pk)
        assert stored.revision == day.revision + 1
        assert stored.program_services.count() == 4
        assert preview_for(session_like=stored).payment_class.label == "4 or more services"
        program_day_services_set(session=stored, services=[], actor=None)
        assert not stored.program_services.exists()


def test_the_services_of_a_day_on_a_claim_are_not_changed(org_a):
    world = _world(org_a, MEDICARE)
    with org_context(org_a):
        day = _record(world, FOUR)
        session_lock_for_claim(sessions=[day], claim_reference="CLM-1", actor=None)
        with pytest.raises(ValidationError, match="replacement claim"):
            program_day_services_set(session=day, services=FOUR[:1], actor=None)
        assert day.program_services.count() == 4


def _api(org):
    _, raw = ApiToken.issue(user=factories.member(org, role="admin", part2_access=True), name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_the_api_records_a_day_with_its_services_and_explains_the_lines(org_a):
    world = _world(org_a, MEDICARE)
    body = {
        "patient": str(world["patient"].public_id),
        "episode": str(world["episode"].public_id),
        "kind": "program_day",
        "service_date": DAY.isoformat(),
        "attended_minutes": 300,
        "rendering_provider": str(world["provider"].public_id),
        "services": [
            {**FOUR[0], "rendering_provider": str(world["provider"].public_id)},
            *FOUR[1:3],
        ],
    }
    api = _api(org_a)
    response = api.post(f"{API}sessions/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [s["kind"] for s in data["services"]] == [
        "group_psychotherapy",
        "group_psychotherapy",
        "individual_psychotherapy",
    ]
    coding = data["coding"]
    assert [line["code"] for line in coding["lines"]] == ["G0410", "G0410", "90834"]
    assert coding["lines"][0]["service"] == data["services"][0]["id"]
    assert coding["condition_codes"] == ["41"]
    assert coding["payment_class"]["label"] == "3 services"
    assert coding["payment_class"]["apc"] == "5863"

    replaced = api.post(f"{API}sessions/{data['id']}/services/", {"services": FOUR}, format="json")
    assert replaced.status_code == 200, replaced.json()
    assert replaced.json()["coding"]["payment_class"]["label"] == "4 or more services"
    bad = api.post(
        f"{API}sessions/{data['id']}/services/",
        {"services": [{"kind": "nope", "minutes": 5}]},
        format="json",
    )
    assert bad.status_code == 400


def test_the_session_page_lists_the_services_lines_and_payment_class(org_a, client):
    world = _world(org_a, MEDICARE)
    with org_context(org_a):
        day = _record(world, FOUR)
    client.force_login(factories.member(org_a, role="admin", part2_access=True))
    page = client.get(f"{PAGES}patients/sessions/{day.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="program-day-services"' in text and "Activity therapy" in text
    assert "Condition code(s): 41" in text
    assert "4 or more services (APC 5864)" in text

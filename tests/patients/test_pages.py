import datetime

import pytest

from patients.models import Coverage, EpisodeOfCare, Patient, Session
from patients.services.clinical import episode_admit
from rcm.models import PhiAccess
from rcm.tenancy import org_context
from tests import factories

BASE = "/o/clinic-a/patients/"
DAY = datetime.date(2026, 11, 2)


def _login(client, org, role):
    client.force_login(factories.member(org, role=role))
    return client


@pytest.fixture
def intake(client, org_a):
    return _login(client, org_a, "intake")


@pytest.fixture
def world(org_a):
    with org_context(org_a):
        payer = factories.payer(auth_required_levels=["iop"])
        patient = factories.patient(last_name="Zephyr", first_name="Ada", mrn="A100")
        factories.coverage(patient_obj=patient, payer_obj=payer, member_id="ZEP-777")
        facility = factories.facility(pos="11")
        episode = episode_admit(
            patient=patient,
            program="mh",
            level="outpatient",
            admit_date=DAY,
            diagnoses=["F41.1"],
            facility=facility,
        )
        provider = factories.provider()
    return {
        "payer": payer,
        "patient": patient,
        "facility": facility,
        "episode": episode,
        "provider": provider,
    }


def _in(org, fn):
    with org_context(org):
        return fn()


def test_leadership_cannot_view_patients(client, org_a, world):
    _login(client, org_a, "leadership")
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}{world['patient'].public_id}/").status_code == 403


def test_clinician_cannot_register_but_can_record_sessions(client, org_a):
    _login(client, org_a, "clinician")
    assert client.get(f"{BASE}new/").status_code == 403
    assert client.post(f"{BASE}new/", {"first_name": "X"}).status_code == 403
    assert client.get(f"{BASE}sessions/new/").status_code == 200


def test_intake_registers_a_patient_with_coverage(intake, org_a, world):
    response = intake.post(
        f"{BASE}new/",
        {
            "first_name": "Robin",
            "last_name": "Testcase",
            "date_of_birth": "1991-02-03",
            "sex": "F",
            "coverage-payer": str(world["payer"].public_id),
            "coverage-member_id": "RT-123",
            "coverage-priority": "1",
            "coverage-relationship": "18",
            "coverage-effective_date": "2026-01-01",
        },
    )
    assert response.status_code == 302
    patient = _in(org_a, lambda: Patient.objects.get(mrn="P000001"))
    assert response["Location"] == f"{BASE}{patient.public_id}/"
    assert _in(org_a, lambda: patient.coverages.get().member_id) == "RT-123"


def test_the_registration_notice_naming_the_patient_never_goes_into_a_cookie(intake, org_a, world):
    response = intake.post(
        f"{BASE}new/",
        {
            "first_name": "Robin",
            "last_name": "Testcase",
            "date_of_birth": "1991-02-03",
            "sex": "F",
            "coverage-priority": "1",
            "coverage-relationship": "18",
        },
    )
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert not any("Testcase" in str(c.value) for c in response.cookies.values())
    assert "Registered Testcase, Robin" in intake.get(response["Location"]).content.decode()


def test_registration_errors_show_on_the_form_and_save_nothing(intake, org_a, world):
    response = intake.post(
        f"{BASE}new/",
        {
            "first_name": "",
            "last_name": "",
            "date_of_birth": "1991-02-03",
            "sex": "U",
            "coverage-payer": str(world["payer"].public_id),
            "coverage-member_id": "no way!",
            "coverage-priority": "1",
            "coverage-relationship": "18",
            "coverage-effective_date": "2026-01-01",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Required: enter the legal name." in html and "Member ID: 2-30 letters" in html
    assert _in(org_a, lambda: (Patient.objects.count(), Coverage.objects.count())) == (1, 1)


def test_search_page_finds_by_last_name_and_logs_the_list_read(intake, org_a, world):
    assert "Zephyr" not in intake.get(BASE, {"name": "zephyr"}).content.decode()  # no PHI in URLs
    response = intake.post(BASE, {"name": "zephyr"})
    assert "Zephyr, Ada" in response.content.decode()
    log = _in(org_a, lambda: PhiAccess.objects.get(action="list"))
    assert log.object_ids == [str(world["patient"].public_id)]
    assert "Zephyr" not in intake.post(BASE, {"member_id": "NOPE-1"}).content.decode()
    assert "Zephyr" in intake.post(BASE, {"member_id": "zep-777"}).content.decode()


def test_patient_detail_shows_records_and_logs_the_read(intake, org_a, world):
    response = intake.get(f"{BASE}{world['patient'].public_id}/")
    html = response.content.decode()
    assert response.status_code == 200 and "ZEP-777" in html and "F41.1" in html
    log = _in(org_a, lambda: PhiAccess.objects.get(action="detail"))
    assert log.object_ids == [str(world["patient"].public_id)]


def test_admission_form_reports_icd10_problems_per_input(intake, org_a, world):
    _in(org_a, lambda: EpisodeOfCare.objects.update(status="discharged"))
    url = f"{BASE}{world['patient'].public_id}/episodes/new/"
    response = intake.post(
        url,
        {
            "program": "mh",
            "level": "iop",
            "asam_edition": "3",
            "admit_date": "2026-11-03",
            "dx_1": "F41.1",
            "dx_2": "F99.99",
        },
    )
    assert response.status_code == 200 and "unknown code F99.99" in response.content.decode()
    response = intake.post(
        url,
        {
            "program": "mh",
            "level": "iop",
            "asam_edition": "3",
            "admit_date": "2026-11-03",
            "dx_1": "F41.1",
            "dx_2": "Z59.00",
        },
    )
    assert response.status_code == 302


def test_transition_page_previews_the_authorization_need_over_htmx(intake, world):
    url = f"{BASE}episodes/{world['episode'].public_id}/transition/"
    assert intake.get(url).status_code == 200
    response = intake.post(
        url,
        {"new_level": "iop", "on_date": "2026-11-10", "asam_edition": "3"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" not in html and "New authorization needed" in html
    response = intake.post(
        url, {"new_level": "iop", "on_date": "2026-11-10", "asam_edition": "3", "asam_level": "2.1"}
    )
    assert response.status_code == 302


def test_transition_before_the_current_start_is_a_form_error(intake, world):
    url = f"{BASE}episodes/{world['episode'].public_id}/transition/"
    response = intake.post(url, {"new_level": "iop", "on_date": "2026-10-01", "asam_edition": "3"})
    assert response.status_code == 200 and "Before the episode" in response.content.decode()


def _session_form(world, **over):
    data = {
        "patient": "A100",
        "kind": "individual",
        "status": "completed",
        "service_date": "2026-11-02",
        "start_time": "15:00",
        "end_time": "15:53",
        "modality": "in_person",
        "patient_location": "facility",
        "facility": str(world["facility"].public_id),
        "rendering_provider": str(world["provider"].public_id),
    }
    data.update(over)
    return data


def test_session_preview_partial_shows_90837_for_53_minutes(intake, world):
    response = intake.post(
        f"{BASE}sessions/preview/", _session_form(world), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Would bill" in html and ">90837<" in html


def test_session_preview_explains_a_short_session(intake, world):
    response = intake.post(
        f"{BASE}sessions/preview/",
        _session_form(world, end_time="15:12"),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Not billable" in html and "16" in html


def test_saving_a_short_session_keeps_it_and_the_detail_says_why(intake, org_a, world):
    response = intake.post(f"{BASE}sessions/new/", _session_form(world, end_time="15:12"))
    assert response.status_code == 302
    session = _in(org_a, lambda: Session.objects.get())
    page = intake.get(f"{BASE}sessions/{session.public_id}/").content.decode()
    assert "Not billable" in page
    assert _in(org_a, lambda: PhiAccess.objects.filter(action="detail").count()) == 1


def test_session_entry_refuses_negative_minutes(intake, org_a, world):
    response = intake.post(
        f"{BASE}sessions/new/",
        _session_form(
            world, kind="program_day", start_time="", end_time="", attended_minutes="-20"
        ),
    )
    assert response.status_code == 200
    assert "Minutes cannot be negative." in response.content.decode()
    assert _in(org_a, lambda: Session.objects.count()) == 0


def test_session_list_logs_the_rows_it_shows(intake, org_a, world):
    with org_context(org_a):
        factories.session(patient_obj=world["patient"], provider_obj=world["provider"])
    assert intake.get(f"{BASE}sessions/").status_code == 200
    assert _in(org_a, lambda: PhiAccess.objects.filter(action="list").count()) == 1


def test_another_orgs_patient_is_a_404(client, org_a, org_b, world):
    _login(client, org_b, "admin")
    response = client.get(f"/o/clinic-b/patients/{world['patient'].public_id}/")
    assert response.status_code == 404

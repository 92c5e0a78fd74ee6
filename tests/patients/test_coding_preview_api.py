"""`POST /api/o/<org>/coding/preview/` (issue 7 §6): the facts of a session or program day by
public id in, the lines with their reasons, warnings and any refusal out; nothing saved. The
session page's live preview and every session's `coding` come from the same path."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from rest_framework.test import APIClient

from patients.services.clinical import episode_admit, episode_discharge, session_record
from payers.catalog import catalog_install
from rcm.models import ApiToken, PhiAccess
from rcm.permissions import Role
from rcm.tenancy import org_context
from rcm.tenancy.rls import tenant_tables
from tests import factories

DAY = datetime.date(2026, 11, 2)
MEDICAID, MEDICARE = "State Medicaid (example)", "Medicare Part B"


def _api(org, role="billing_manager", *, part2_access=True):
    user = factories.member(org, role=role, part2_access=part2_access)
    _, raw = ApiToken.issue(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _preview(client, org, **facts):
    body = {k: str(v.public_id) if hasattr(v, "public_id") else v for k, v in facts.items()}
    return client.post(f"/api/o/{org.slug}/coding/preview/", body, format="json")


@pytest.fixture
def clinic(org_a):
    with org_context(org_a):
        payers = {p.name: p for p, _ in catalog_install(org=org_a)}
        facility = factories.facility(pos="11", name="Main clinic")
        lcsw = factories.provider(license_type="lcsw", credentials="LCSW")
        psychiatrist = factories.provider(license_type="psychiatrist", credentials="MD")
        patient = factories.patient(mrn="PV1", state="OR")
        factories.coverage(patient_obj=patient, payer_obj=payers[MEDICAID])
        episode_admit(
            patient=patient,
            program="mh",
            level="iop",
            admit_date=DAY,
            diagnoses=["F33.1"],
            facility=facility,
        )
    return {
        "payers": payers,
        "facility": facility,
        "lcsw": lcsw,
        "psychiatrist": psychiatrist,
        "patient": patient,
    }


def _codes(data):
    return [(line["code"], line["units"], line["revenue_code"]) for line in data["lines"]]


# --- The examples the issue names -------------------------------------------------------------


def test_an_mh_iop_day_at_the_state_medicaid_starter_payer_bills_s9480_on_revenue_code_0905(
    org_a, clinic
):
    response = _preview(
        _api(org_a),
        org_a,
        kind="program_day",
        rendering_provider=clinic["lcsw"],
        payer=clinic["payers"][MEDICAID],
        program="mh",
        level="iop",
        service_date="2026-11-02",
        attended_minutes=200,
        facility=clinic["facility"],
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["billable"] and _codes(data) == [("S9480", 1, "0905")]
    line = data["lines"][0]
    assert line["billed_provider"] == "facility"  # a program day is the program's
    assert line["billed_provider_id"] == str(clinic["facility"].public_id)
    assert any("S9480" in reason for reason in line["reasons"])
    assert data["context"]["payer"]["name"] == MEDICAID
    assert (data["context"]["program"], data["context"]["level"]) == ("mh", "iop")
    assert data["context"]["payer_source"] == "named"


def test_an_sud_iop_day_at_the_same_payer_bills_h0015_on_revenue_code_0906(org_a, clinic):
    data = _preview(
        _api(org_a),
        org_a,
        kind="program_day",
        rendering_provider=clinic["lcsw"],
        payer=clinic["payers"][MEDICAID],
        program="sud",
        level="iop",
        attended_minutes=200,
        facility=clinic["facility"],
    ).json()
    assert data["billable"] and _codes(data) == [("H0015", 1, "0906")]
    assert data["lines"][0]["pos"] == "57"  # the payer's POS for the SUD program day


def test_an_ed_visit_with_40_psychotherapy_minutes_is_refused_with_the_reason(org_a, clinic):
    data = _preview(
        _api(org_a),
        org_a,
        kind="em_with_psychotherapy",
        rendering_provider=clinic["psychiatrist"],
        em_code="99285",
        psychotherapy_minutes=40,
        pos="23",
    ).json()
    assert data["billable"] is False and data["lines"] == []
    assert any("99285" in error for error in data["errors"]), data["errors"]
    assert data["context"]["payer_source"] == "none"


def test_medicare_crisis_at_the_patients_home_is_g0017_and_g0018(org_a, clinic):
    data = _preview(
        _api(org_a),
        org_a,
        kind="crisis",
        rendering_provider=clinic["lcsw"],
        payer=clinic["payers"][MEDICARE],
        minutes=80,
        patient_location="home",
    ).json()
    assert data["billable"], data["errors"]
    assert [(line["code"], line["pos"]) for line in data["lines"]] == [
        ("G0017", "12"),
        ("G0018", "12"),
    ]
    assert any("G0017/G0018" in reason for reason in data["lines"][0]["reasons"])


def test_a_group_is_coded_per_attendee_inside_the_groups_time(org_a, clinic):
    data = _preview(
        _api(org_a),
        org_a,
        kind="group",
        rendering_provider=clinic["lcsw"],
        payer=clinic["payers"][MEDICAID],
        program="sud",
        facility=clinic["facility"],
        starts_at="2026-11-02T15:00:00Z",
        ends_at="2026-11-02T16:00:00Z",
        attendees=[
            {"arrived_at": "2026-11-02T14:40:00Z", "departed_at": "2026-11-02T16:20:00Z"},
            {"minutes": 20, "interactive_complexity": True},
            {"minutes": 0},
        ],
    ).json()
    assert data["billable"], data["errors"]
    group_lines = [
        (line["attendee"], line["code"], line["units"], line["modifiers"][:1])
        for line in data["lines"]
        if line["code"] == "H0005"
    ]
    # Per 15 minutes, whole units only: 60 minutes inside the group are 4 units, 20 are 1.
    assert group_lines == [("attendee 1", "H0005", 4, ["HQ"]), ("attendee 2", "H0005", 1, ["HQ"])]
    first = data["lines"][0]["reasons"]
    assert any(reason.startswith("attendee 1:") for reason in first)
    assert not any("attendee 2" in reason or "attendee 3" in reason for reason in first)
    assert any("attendee 3" in reason for reason in data["reasons"])


def test_a_medicare_php_day_bills_a_line_per_service_with_its_condition_code(org_a, clinic):
    data = _preview(
        _api(org_a),
        org_a,
        kind="program_day",
        rendering_provider=clinic["lcsw"],
        payer=clinic["payers"][MEDICARE],
        program="mh",
        level="php",
        attended_minutes=300,
        facility=clinic["facility"],
        services=[
            {"kind": "group_psychotherapy", "minutes": 90},
            {"kind": "individual_psychotherapy", "minutes": 45},
            {"kind": "activity_therapy", "minutes": 50},
        ],
    ).json()
    assert data["billable"], data["errors"]
    assert [(line["service"], line["code"], line["units"]) for line in data["lines"]] == [
        ("service 1", "G0410", 2),
        ("service 2", "90834", 1),
        ("service 3", "G0176", 1),
    ]
    assert data["condition_codes"] == ["41"] and data["payment_class"]["services"] == 4
    assert not any("G0176" in reason for reason in data["lines"][0]["reasons"])


def test_a_named_program_and_level_win_over_the_patients_episode(org_a, clinic):
    # The patient is in an MH IOP episode; asked as SUD IOP, the SUD code comes back.
    data = _preview(
        _api(org_a),
        org_a,
        kind="program_day",
        rendering_provider=clinic["lcsw"],
        patient=clinic["patient"],
        program="sud",
        attended_minutes=200,
        service_date="2026-11-02",
    ).json()
    assert _codes(data) == [("H0015", 1, "0906")]
    context = data["context"]
    assert (context["program"], context["level"], context["payer_source"]) == (
        "sud",
        "iop",
        "primary_coverage",
    )


def test_a_residential_day_counts_by_the_patients_census_not_by_minutes(org_a, clinic):
    with org_context(org_a):
        patient = factories.patient()
        factories.coverage(patient_obj=patient, payer_obj=clinic["payers"][MEDICAID])
        episode = episode_admit(
            patient=patient,
            program="sud",
            level="residential",
            admit_date=DAY,
            diagnoses=["F10.20"],
            facility=clinic["facility"],
        )
        episode_discharge(
            episode=episode, discharge_date=DAY + datetime.timedelta(days=5), actor=None
        )
    api = _api(org_a)
    facts = {"kind": "program_day", "rendering_provider": clinic["lcsw"], "patient": patient}
    data = _preview(api, org_a, service_date="2026-11-03", **facts).json()
    assert data["billable"] and _codes(data) == [("H0018", 1, "1002")], data["errors"]
    last = _preview(api, org_a, service_date="2026-11-07", **facts).json()
    assert not last["billable"] and "the discharge day" in last["errors"][0]
    # Named without a patient, a census day has no admission to count from: refused, not a 400.
    anonymous = _preview(
        api,
        org_a,
        kind="program_day",
        rendering_provider=clinic["lcsw"],
        payer=clinic["payers"][MEDICAID],
        program="sud",
        level="residential",
    ).json()
    assert not anonymous["billable"] and "admission" in anonymous["errors"][0]


def test_a_coverage_names_its_patient_and_its_payer(org_a, clinic):
    with org_context(org_a):
        coverage = clinic["patient"].coverages.get()
    data = _preview(
        _api(org_a),
        org_a,
        kind="individual",
        rendering_provider=clinic["lcsw"],
        coverage=coverage,
        minutes=53,
        facility=clinic["facility"],
        service_date="2026-11-02",
    ).json()
    assert data["context"]["payer_source"] == "coverage"
    assert data["context"]["coverage"] == str(coverage.public_id)
    assert (data["context"]["program"], data["context"]["level"]) == ("mh", "iop")
    assert data["lines"][0]["code"] == "90837"


def test_a_payer_named_null_is_self_pay_whatever_the_patients_coverage(org_a, clinic):
    data = _preview(
        _api(org_a),
        org_a,
        kind="individual",
        rendering_provider=clinic["lcsw"],
        patient=clinic["patient"],
        payer=None,
        minutes=53,
        facility=clinic["facility"],
    ).json()
    assert data["context"]["payer"] is None and data["context"]["payer_source"] == "named"
    assert data["context"]["description"].startswith("self-pay named")
    assert [(line["code"], line["modifiers"]) for line in data["lines"]] == [("90837", [])]


def test_telehealth_is_refused_unless_the_license_is_valid_where_the_patient_was(org_a, clinic):
    with org_context(org_a):
        factories.licensed(clinic["lcsw"], "OR")
    api = _api(org_a)
    video = {
        "kind": "individual",
        "rendering_provider": clinic["lcsw"],
        "payer": clinic["payers"][MEDICAID],
        "minutes": 53,
        "modality": "video",
        "patient_location": "home",
    }
    elsewhere = _preview(api, org_a, patient_state="NY", **video).json()
    assert not elsewhere["billable"]
    refusal = elsewhere["errors"][-1]
    assert refusal.startswith("No license") and " in NY " in refusal, refusal
    oregon = _preview(api, org_a, patient_state="OR", **video).json()
    assert oregon["billable"], oregon["errors"]
    assert "licensed where the patient was (OR)" in oregon["lines"][0]["reasons"]


def test_telehealth_for_a_named_patient_defaults_to_their_address_state(org_a, clinic):
    with org_context(org_a):
        factories.licensed(clinic["lcsw"], "OR")
        patient = factories.patient(state="WA")
        factories.coverage(patient_obj=patient, payer_obj=clinic["payers"][MEDICAID])
    data = _preview(
        _api(org_a),
        org_a,
        kind="individual",
        rendering_provider=clinic["lcsw"],
        patient=patient,
        minutes=53,
        modality="video",
        patient_location="home",
    ).json()
    refusal = data["errors"][-1]
    assert not data["billable"] and refusal.startswith("No license") and " in WA " in refusal


# --- Who may ask ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_role_with_the_api_capability_may_ask(org_a, clinic, role):
    response = _preview(
        _api(org_a, role),
        org_a,
        kind="individual",
        rendering_provider=clinic["lcsw"],
        payer=clinic["payers"][MEDICARE],
        minutes=45,
        facility=clinic["facility"],
    )
    assert response.status_code == 200, (role, response.json())
    assert response.json()["lines"][0]["code"] == "90834"


def test_naming_a_patient_needs_the_capability_to_see_patients(org_a, clinic):
    leadership = _api(org_a, "leadership")
    for named in ({"patient": clinic["patient"]}, {"coverage": "any"}):
        response = _preview(
            leadership, org_a, kind="individual", rendering_provider=clinic["lcsw"], **named
        )
        assert response.status_code == 403, named


def test_another_orgs_ids_are_400s_with_a_field_message(org_a, org_b, clinic):
    with org_context(org_b):
        foreign = {
            "payer": factories.payer(),
            "facility": factories.facility(),
            "supervising_provider": factories.provider(license_type="psychologist"),
            "patient": factories.patient(),
        }
        foreign["coverage"] = factories.coverage(patient_obj=factories.patient())
        foreign_provider = factories.provider()
    api = _api(org_a)
    for field, obj in foreign.items():
        response = _preview(
            api, org_a, kind="individual", rendering_provider=clinic["lcsw"], **{field: obj}
        )
        assert response.status_code == 400, field
        assert "does not exist" in response.json()[field][0], field
    response = _preview(api, org_a, kind="individual", rendering_provider=foreign_provider)
    assert response.status_code == 400 and "rendering_provider" in response.json()


def test_a_part2_patient_is_an_unknown_id_to_a_member_without_part2_access(org_a, clinic):
    with org_context(org_a):
        patient = factories.patient()
        factories.coverage(patient_obj=patient, payer_obj=clinic["payers"][MEDICAID])
        episode_admit(
            patient=patient,
            program="sud",
            level="iop",
            admit_date=DAY,
            diagnoses=["F11.20"],
            facility=clinic["facility"],
        )
        coverage = patient.coverages.get()
    facts = {"kind": "program_day", "rendering_provider": clinic["lcsw"], "attended_minutes": 200}
    without = _api(org_a, "biller", part2_access=False)
    for named in ({"patient": patient}, {"coverage": coverage}):
        response = _preview(without, org_a, service_date="2026-11-02", **facts, **named)
        assert response.status_code == 400, named
        assert list(response.json()) == list(named)
    granted = _preview(_api(org_a, "biller"), org_a, patient=patient, **facts)
    assert granted.status_code == 200 and _codes(granted.json()) == [("H0015", 1, "0906")]


# --- Bad facts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"minutes": -5}, "minutes"),
        ({"kind": "massage"}, "kind"),
        ({"starts_at": "2026-11-02T15:00", "ends_at": "2026-11-02T14:00"}, "ends_at"),
        ({"starts_at": "2026-11-02T15:00", "service_date": "2026-11-03"}, "service_date"),
        ({"minute": 45}, "minute"),
        ({"kind": "program_day", "minutes": 200}, "minutes"),
        ({"kind": "em_with_psychotherapy", "minutes": 30, "em_code": "99214"}, "minutes"),
        ({"attended_minutes": 200}, "attended_minutes"),
        ({"attendees": [{"minutes": 30}]}, "attendees"),
        ({"services": [{"kind": "activity_therapy", "minutes": 50}]}, "services"),
        ({"kind": "program_day", "services": [{"kind": "yoga", "minutes": 50}]}, "services"),
        (  # as on recording: the services happen inside the time attended
            {
                "kind": "program_day",
                "attended_minutes": 60,
                "services": [{"kind": "group_psychotherapy", "minutes": 180}],
            },
            "services",
        ),
        ({"kind": "group", "attendees": [{"arrived_at": "2026-11-02T15:00"}]}, "attendees"),
        ({"pos": "home"}, "pos"),
        ({"patient_state": "ZZ"}, "patient_state"),
        ({"level": "space"}, "level"),
        ({"week_minutes": [180, -1]}, "week_minutes"),
        ({"rendering_provider": "not-a-uuid"}, "rendering_provider"),
    ],
)
def test_bad_facts_are_a_400_with_a_field_message(org_a, clinic, facts, field):
    body = {"kind": "individual", "rendering_provider": clinic["lcsw"], **facts}
    response = _preview(_api(org_a), org_a, **body)
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()


def test_both_a_payer_and_a_coverage_or_a_facility_and_a_pos_are_refused(org_a, clinic):
    with org_context(org_a):
        coverage = clinic["patient"].coverages.get()
    response = _preview(
        _api(org_a),
        org_a,
        kind="individual",
        rendering_provider=clinic["lcsw"],
        payer=clinic["payers"][MEDICARE],
        coverage=coverage,
        facility=clinic["facility"],
        pos="11",
        service_date="2026-11-02",
    )
    assert response.status_code == 400 and {"payer", "pos"} <= set(response.json())


def test_a_time_the_clocks_skip_is_refused_and_naive_times_are_the_orgs(client, clinic, org_a):
    org_a.time_zone = "America/Los_Angeles"
    org_a.save()
    api = _api(org_a)
    base = {"kind": "individual", "rendering_provider": clinic["lcsw"]}
    skipped = _preview(api, org_a, starts_at="2026-03-08T02:30", ends_at="2026-03-08T03:30", **base)
    assert skipped.status_code == 400 and "starts_at" in skipped.json()
    # 01:00 on Nov 3 in Los Angeles is Nov 3 there (it would be Nov 2 read as UTC).
    late = _preview(
        api,
        org_a,
        service_date="2026-11-03",
        starts_at="2026-11-03T01:00",
        ends_at="2026-11-03T01:53",
        facility=clinic["facility"],
        **base,
    )
    assert late.status_code == 200, late.json()
    assert late.json()["lines"][0]["code"] == "90837"


def test_too_few_minutes_is_the_engines_refusal_not_a_400(org_a, clinic):
    data = _preview(
        _api(org_a),
        org_a,
        kind="individual",
        rendering_provider=clinic["lcsw"],
        minutes=10,
        facility=clinic["facility"],
    ).json()
    assert data["billable"] is False and "< 16" in data["errors"][0]


# --- Nothing is saved ------------------------------------------------------------------------


def _contents(org) -> dict[str, str]:
    """Every tenant table's rows (a digest per table), PHI reads apart."""
    prints = {}
    with org_context(org), connection.cursor() as cursor:
        for table in tenant_tables():
            if table == PhiAccess._meta.db_table:
                continue
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "
                f"FROM {table} t"
            )
            prints[table] = cursor.fetchone()
    return prints


def _reads(org):
    with org_context(org):
        return list(PhiAccess.objects.values_list("action", "object_ids"))


def test_a_preview_saves_nothing_and_logs_a_read_only_when_it_names_a_patient(org_a, clinic):
    api = _api(org_a)
    before = _contents(org_a)
    anonymous = _preview(
        api,
        org_a,
        kind="program_day",
        rendering_provider=clinic["lcsw"],
        payer=clinic["payers"][MEDICAID],
        program="mh",
        level="iop",
        attended_minutes=200,
        facility=clinic["facility"],
    )
    assert anonymous.status_code == 200 and _reads(org_a) == []
    named = _preview(
        api,
        org_a,
        kind="program_day",
        rendering_provider=clinic["lcsw"],
        patient=clinic["patient"],
        attended_minutes=200,
        service_date="2026-11-02",
    )
    assert named.status_code == 200 and named.json()["billable"]
    assert _reads(org_a) == [("api", [str(clinic["patient"].public_id)])]
    assert _contents(org_a) == before


# --- One path: the session page, the sessions API and the preview agree ----------------------


def _session_form(clinic, **over):
    data = {
        "patient": "PV1",
        "kind": "individual",
        "status": "completed",
        "service_date": "2026-11-02",
        "start_time": "15:00",
        "end_time": "15:53",
        "modality": "in_person",
        "patient_location": "facility",
        "facility": str(clinic["facility"].public_id),
        "rendering_provider": str(clinic["lcsw"].public_id),
    }
    return {**data, **over}


@pytest.mark.parametrize(
    ("form", "facts"),
    [
        ({}, {"starts_at": "2026-11-02T15:00", "ends_at": "2026-11-02T15:53"}),
        (
            {"kind": "program_day", "attended_minutes": "200", "start_time": "", "end_time": ""},
            {"kind": "program_day", "attended_minutes": 200},
        ),
        (
            {"modality": "video", "patient_location": "home", "facility": ""},
            {
                "starts_at": "2026-11-02T15:00",
                "ends_at": "2026-11-02T15:53",
                "modality": "video",
                "patient_location": "home",
            },
        ),
        (
            {"kind": "crisis", "end_time": "16:20", "patient_location": "home", "facility": ""},
            {
                "kind": "crisis",
                "starts_at": "2026-11-02T15:00",
                "ends_at": "2026-11-02T16:20",
                "patient_location": "home",
            },
        ),
    ],
)
def test_the_session_page_preview_and_the_api_preview_agree_on_the_same_facts(
    client, org_a, clinic, form, facts
):
    client.force_login(factories.member(org_a, role="intake", part2_access=True))
    page = client.post(
        f"/o/{org_a.slug}/patients/sessions/preview/",
        _session_form(clinic, **form),
        headers={"HX-Request": "true"},
    )
    assert page.status_code == 200
    body = {
        "kind": "individual",
        "rendering_provider": clinic["lcsw"],
        "patient": clinic["patient"],
        "service_date": "2026-11-02",
        **facts,
    }
    if "facility" not in form:
        body["facility"] = clinic["facility"]
    api = _preview(_api(org_a), org_a, **body)
    assert api.status_code == 200, api.json()
    assert api.json() == page.context["preview"]["coding"]


def test_a_recorded_sessions_coding_is_what_the_preview_answers(org_a, clinic):
    with org_context(org_a):
        session = session_record(
            actor=None,
            patient=clinic["patient"],
            kind="individual",
            starts_at=datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC),
            ends_at=datetime.datetime(2026, 11, 2, 15, 40, tzinfo=datetime.UTC),
            rendering_provider=clinic["lcsw"],
            facility=clinic["facility"],
        )
    api = _api(org_a)
    stored = api.get(f"/api/o/{org_a.slug}/sessions/{session.public_id}/").json()["coding"]
    asked = _preview(
        api,
        org_a,
        kind="individual",
        rendering_provider=clinic["lcsw"],
        patient=clinic["patient"],
        starts_at="2026-11-02T15:00:00Z",
        ends_at="2026-11-02T15:40:00Z",
        facility=clinic["facility"],
    ).json()
    assert stored == asked and stored["lines"][0]["code"] == "90834"


# --- The schema -------------------------------------------------------------------------------


def _component(schema, ref):
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_the_schema_documents_the_preview_request_response_and_examples(client, org_a, clinic):
    client.force_login(factories.member(org_a))
    schema = client.get("/api/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/o/{org_slug}/coding/preview/"]["post"]
    content = post["requestBody"]["content"]["application/json"]
    request = _component(schema, content["schema"]["$ref"])
    assert set(request["required"]) == {"kind", "rendering_provider"}
    assert {"attendees", "week_minutes", "patient", "coverage", "payer", "level"} <= set(
        request["properties"]
    )
    assert len(content["examples"]) == 3
    ok = post["responses"]["200"]["content"]["application/json"]
    response = _component(schema, ok["schema"]["$ref"])
    line = _component(schema, response["properties"]["lines"]["items"]["$ref"])
    real = _preview(
        _api(org_a),
        org_a,
        kind="individual",
        rendering_provider=clinic["lcsw"],
        minutes=45,
        facility=clinic["facility"],
    ).json()
    assert set(response["properties"]) == set(real)
    assert set(line["properties"]) == set(real["lines"][0])
    session = _component(schema, "#/components/schemas/Session")
    assert session["properties"]["coding"]["allOf"][0]["$ref"] == ok["schema"]["$ref"]


def test_the_documented_mh_iop_example_is_what_the_api_answers(org_a, clinic):
    from patients.api.preview import EXAMPLES

    def example(name):
        return next(e.value for e in EXAMPLES if e.name.startswith(name))

    asked = example("MH IOP day (request)")
    ids = {
        asked["rendering_provider"]: clinic["lcsw"],
        asked["payer"]: clinic["payers"][MEDICAID],
        asked["facility"]: clinic["facility"],
    }
    facts = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in asked.items()}
    real = _preview(_api(org_a), org_a, **facts).json()
    documented = example("MH IOP day at the State Medicaid")
    real["lines"][0]["billed_provider_id"] = documented["lines"][0]["billed_provider_id"]
    real["context"]["payer"]["id"] = documented["context"]["payer"]["id"]
    assert real == documented

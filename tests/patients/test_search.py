import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.selectors import patient_overview, patient_search
from rcm.tenancy import org_context
from tests import factories

DOB = datetime.date(1979, 7, 14)


@pytest.fixture
def people(org_a, org_b):
    with org_context(org_b):
        factories.patient(first_name="Morgan", last_name="Quill", mrn="B1")
    with org_context(org_a):
        quill = factories.patient(
            first_name="Jordan", last_name="Quill", date_of_birth=DOB, mrn="A1"
        )
        other = factories.patient(first_name="Morgan", last_name="Van Quill", mrn="A2")
        factories.coverage(patient_obj=quill, member_id="XQZ-0042")
    return {"quill": quill, "other": other}


def _search(org, **criteria):
    with org_context(org):
        return [p.mrn for p in patient_search(org=org, **criteria)]


def test_last_name_search_is_exact_case_and_space_insensitive(org_a, people):
    assert _search(org_a, name="quill") == ["A1"]
    assert _search(org_a, name=" QUILL ") == ["A1"]
    assert _search(org_a, name="vanquill") == ["A2"]
    assert _search(org_a, name="Qui") == []


def test_first_name_prefix_narrows_after_decryption(org_a, people):
    assert _search(org_a, name="Quill, Jor") == ["A1"]
    assert _search(org_a, name="Quill, Mor") == []
    assert _search(org_a, name="Jordan Quill") == ["A1"]


def test_another_orgs_identical_last_name_is_not_found(org_a, org_b, people):
    assert _search(org_a, name="Quill") == ["A1"]
    assert _search(org_b, name="Quill") == ["B1"]


def test_search_by_dob_member_id_and_mrn(org_a, people):
    assert _search(org_a, dob=DOB) == ["A1"]
    assert _search(org_a, member_id="xqz-0042") == ["A1"]
    assert _search(org_a, member_id="XQZ0042") == ["A1"]  # the index ignores punctuation
    assert _search(org_a, mrn="a2") == ["A2"]
    assert _search(org_a, name="Quill", dob=datetime.date(1990, 1, 1)) == []


def test_empty_criteria_find_nobody(org_a, people):
    assert _search(org_a) == []


def test_search_results_do_not_query_per_patient(org_a):
    with org_context(org_a):
        for n in range(6):
            factories.coverage(patient_obj=factories.patient(last_name="Same", mrn=f"S{n}"))
        with CaptureQueriesContext(connection) as ctx:
            found = patient_search(org=org_a, name="Same")
            [c.payer.name for p in found for c in p.coverages.all()]
    assert len(found) == 6 and len(ctx.captured_queries) <= 3


def test_overview_gathers_coverages_episodes_consents_and_sessions(org_a):
    with org_context(org_a):
        patient = factories.patient()
        factories.coverage(patient_obj=patient)
        factories.episode(patient_obj=patient, program="sud", part2_applies=True, level="iop")
        factories.session(patient_obj=patient)
        overview = patient_overview(patient=patient, today=factories.TODAY)
        assert overview.needs_part2_consent
        factories.part2_consent(patient_obj=patient)
        overview = patient_overview(patient=patient, today=factories.TODAY)
    assert not overview.needs_part2_consent
    assert overview.consents[0].status == "active" and overview.consents[0].badge == "ok"
    assert overview.episodes[0].current.level == "iop"
    assert len(overview.recent_sessions) == 1 and overview.primary is not None

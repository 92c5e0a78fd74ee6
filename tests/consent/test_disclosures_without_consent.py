"""Disclosures that need no consent (42 CFR Part 2 Subparts D and E, and the §2.12(c)(5)/(6)
exceptions) are logged with their legal basis for the accounting of disclosures (§2.25), which
shows the legal basis and the recipient's name and address when known, for 3 years."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from consent import rules
from consent.gate import disclosure_record_without_consent
from consent.models import Disclosure
from consent.selectors import disclosure_accounting
from rcm.tenancy import org_context
from tests import factories
from tests.consent.elements import today

SECTIONS = {
    "medical_emergency": "2.51",
    "research": "2.52",
    "audit_evaluation": "2.53",
    "court_order": "2.64",
    "court_order_criminal": "2.65",
    "court_order_program": "2.66",
    "crime_on_premises": "2.12(c)(5)",
    "child_abuse_report": "2.12(c)(6)",
}


def _log(patient, **overrides):
    values = dict(
        patient=patient,
        legal_basis="medical_emergency",
        basis_detail="Overdose in the waiting room; EMS transport",
        recipient_name="Dr. Ray Okafor, St. Vincent Emergency Department",
        recipient_address="9205 SW Barnes Rd, Portland, OR 97225",
        purpose="Emergency treatment",
        carries=["demographics", "diagnoses", "treatment_records"],
        description="Medication list and SUD diagnosis, by phone",
        channel="phone",
        actor=None,
    )
    values.update(overrides)
    return disclosure_record_without_consent(**values)


@pytest.mark.parametrize("basis", rules.NO_CONSENT_BASES)
def test_each_basis_without_consent_is_logged_with_its_section(in_org_a, basis):
    """42 CFR 2.51-2.53, 2.64-2.66, 2.12(c)(5)/(6): no consent, no §2.32 notice, basis kept."""
    row = _log(factories.patient(), legal_basis=basis, basis_detail="Docket 26-CV-114, 2026-10-01")
    row.refresh_from_db()
    assert (row.legal_basis, row.consent, row.notice_statement) == (basis, None, None)
    assert f"42 CFR {SECTIONS[basis]}" in row.get_legal_basis_display()
    assert row.recipient_address == "9205 SW Barnes Rd, Portland, OR 97225"


@pytest.mark.parametrize("basis", rules.NO_CONSENT_BASES)
def test_each_basis_asks_for_what_its_section_wants_documented(in_org_a, basis):
    """42 CFR 2.51(c) (nature of the emergency), 2.64-2.66 (the order) ...: no detail, no log."""
    with pytest.raises(ValidationError) as exc:
        _log(factories.patient(), legal_basis=basis, basis_detail="  ")
    assert exc.value.message_dict == {"basis_detail": [rules.BASIS_DETAIL[basis]]}
    assert SECTIONS[basis] in rules.BASIS_DETAIL[basis]
    assert Disclosure.objects.count() == 0


@pytest.mark.parametrize(
    ("basis", "text"),
    [("consent", "recorded by the disclosure gate"), ("marketing", "Choose the legal basis")],
)
def test_a_consented_or_unknown_basis_cannot_be_logged_by_hand(in_org_a, basis, text):
    """42 CFR 2.31-2.33: consented disclosures go through the gate, which checks the consent."""
    with pytest.raises(ValidationError) as exc:
        _log(factories.patient(), legal_basis=basis)
    assert text in exc.value.message_dict["legal_basis"][0]
    assert Disclosure.objects.count() == 0


def test_a_log_says_who_received_what(in_org_a):
    """42 CFR 2.25 (45 CFR 164.528(b)(2)): recipient and a description of what was disclosed."""
    with pytest.raises(ValidationError) as exc:
        _log(None, recipient_name="", carries=[], description="")
    assert set(exc.value.message_dict) == {
        "patient",
        "recipient",
        "description",
        "information_categories",
    }


def test_the_database_keeps_consent_and_notice_apart_from_other_bases(in_org_a):
    """42 CFR 2.32 (notice with consent only) as a database invariant."""
    consent = factories.part2_consent()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.disclosure(consent, legal_basis="court_order", basis_detail="Order 1")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.disclosure(consent, consent=None)


def _at(row, day: datetime.date, hour: int, minute: int) -> None:
    moment = datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )
    Disclosure.objects.filter(pk=row.pk).update(disclosed_at=moment)


def test_the_accounting_covers_the_three_years_before_today(in_org_a):
    """42 CFR 2.25(a): disclosures in the 3 years prior to the request, on the clinic's dates."""
    patient = factories.patient()
    start = rules.accounting_start(today())
    inside, outside = _log(patient, reference="IN"), _log(patient, reference="OUT")
    _at(inside, start, 0, 0)
    _at(outside, start - datetime.timedelta(days=1), 23, 59)
    rows = list(disclosure_accounting(patient=patient, today=today()))
    assert [r.reference for r in rows] == ["IN"]


@pytest.mark.parametrize(
    ("day", "start"),
    [
        (datetime.date(2026, 11, 2), datetime.date(2023, 11, 2)),
        (datetime.date(2028, 2, 29), datetime.date(2025, 2, 28)),
    ],
)
def test_the_accounting_period_starts_three_years_back(day, start):
    """42 CFR 2.25(a): 3 years."""
    assert rules.accounting_start(day) == start


# --- Pages and API, with roles ---------------------------------------------------------------


def _page(org, name, patient):
    return reverse(f"consent:{name}", kwargs={"org_slug": org.slug, "public_id": patient.public_id})


@pytest.fixture
def patient_a(org_a):
    with org_context(org_a):
        return factories.patient()


def _form(**overrides):
    data = {
        "legal_basis": "court_order",
        "basis_detail": "Multnomah County Circuit Court, 26-CV-114, order of 2026-10-01",
        "recipient": "Multnomah County Circuit Court",
        "recipient_address": "1200 SW 1st Ave, Portland, OR 97204",
        "purpose": "Noncriminal proceeding under a court order",
        "information_categories": ["attendance", "diagnoses"],
        "description": "Attendance record and diagnoses",
        "channel": "letter",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    [("compliance", 302), ("clinician", 302), ("admin", 302), ("biller", 403), ("intake", 403)],
)
def test_who_may_log_a_disclosure_without_consent(client, org_a, patient_a, role, status):
    """42 CFR 2.51 (clinicians in an emergency), 2.53/2.64 (compliance, admins)."""
    client.force_login(factories.member(org_a, role=role, part2_access=True))
    assert client.post(_page(org_a, "disclosure_create", patient_a), _form()).status_code == status
    with org_context(org_a):
        assert Disclosure.objects.count() == (1 if status == 302 else 0)


def test_the_log_form_shows_the_sections_message_and_saves_nothing(client, org_a, patient_a):
    """42 CFR 2.64: the order must be documented."""
    client.force_login(factories.member(org_a, role="compliance", part2_access=True))
    response = client.post(_page(org_a, "disclosure_create", patient_a), _form(basis_detail=""))
    assert response.status_code == 400
    assert "docket number" in response.content.decode()
    with org_context(org_a):
        assert Disclosure.objects.count() == 0


def test_the_accounting_page_shows_the_legal_basis_and_the_recipients_address(
    client, org_a, patient_a
):
    """42 CFR 2.25: recipient name and address when known; the legal basis of each row."""
    client.force_login(factories.member(org_a, role="compliance", part2_access=True))
    client.post(_page(org_a, "disclosure_create", patient_a), _form())
    with org_context(org_a):
        consent = factories.part2_consent(patient_a)
        factories.disclosure(consent, reference="CLM9")
    html = client.get(_page(org_a, "disclosure_accounting", patient_a)).content.decode()
    assert "Court order, noncriminal purposes (42 CFR 2.64)" in html
    assert "1200 SW 1st Ave, Portland, OR 97204" in html
    assert "Patient consent (42 CFR 2.31, 2.33)" in html and "Statement 1" in html
    assert 'data-testid="accounting-period"' in html
    assert 'data-testid="log-disclosure-link"' in html


def _api(org):
    return f"/api/o/{org.slug}/disclosures/"


def test_the_api_logs_a_disclosure_without_consent(client, org_a, patient_a):
    """42 CFR 2.64 and 2.25: logged with its basis, no §2.32 notice."""
    client.force_login(factories.member(org_a, role="compliance", part2_access=True))
    payload = {**_form(), "patient": str(patient_a.public_id)}
    response = client.post(_api(org_a), json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["legal_basis"], body["consent"], body["notice_statement"]) == (
        "court_order",
        None,
        None,
    )
    assert body["recipient_address"] == "1200 SW 1st Ave, Portland, OR 97204"
    listed = client.get(_api(org_a), {"legal_basis": "court_order"}).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("role", "basis", "status"),
    [("compliance", "consent", 400), ("compliance", "", 400), ("biller", "court_order", 403)],
)
def test_the_api_refuses_consented_rows_and_roles_without_the_capability(
    client, org_a, patient_a, role, basis, status
):
    """42 CFR 2.31-2.33: consented rows come from the gate only."""
    client.force_login(factories.member(org_a, role=role, part2_access=True))
    payload = {**_form(legal_basis=basis), "patient": str(patient_a.public_id)}
    response = client.post(_api(org_a), json.dumps(payload), content_type="application/json")
    assert response.status_code == status
    with org_context(org_a):
        assert Disclosure.objects.count() == 0

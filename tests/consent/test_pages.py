"""Consent capture, detail, revocation and accounting pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consent.forms import TPO_CATEGORIES, TPO_RECIPIENTS
from consent.models import Part2Consent
from rcm.models import PhiAccess
from rcm.tenancy import org_context
from tests import factories
from tests.consent.elements import (
    MISSING_ELEMENTS,
    MISSING_IDS,
    as_post,
    days_ago,
    valid_elements,
    without,
)


def _url(org, name: str, public_id) -> str:
    return reverse(f"consent:{name}", kwargs={"org_slug": org.slug, "public_id": public_id})


def _consents(org) -> int:
    with org_context(org):
        return Part2Consent.objects.count()


def _phi_log(org) -> list[tuple[str, str, list[str]]]:
    with org_context(org):
        return [(r.action, r.object_type, r.object_ids) for r in PhiAccess.objects.order_by("id")]


@pytest.fixture
def intake_client(client, org_a):
    client.force_login(factories.member(org_a, role="intake", part2_access=True))
    return client


@pytest.fixture
def patient_a(org_a):
    with org_context(org_a):
        return factories.patient()


@pytest.fixture
def consent_a(org_a, patient_a):
    with org_context(org_a):
        return factories.part2_consent(patient_a, signed_on=days_ago(30))


def test_the_capture_form_groups_the_ten_elements_with_hints(intake_client, org_a, patient_a):
    response = intake_client.get(_url(org_a, "consent_create", patient_a.public_id))
    html = response.content.decode()
    assert response.status_code == 200
    for n in range(1, 11):
        assert f'data-testid="element-{n}"' in html and f"Element {n}:" in html
    assert "Not &#x27;all records&#x27;." in html
    assert "<script" not in html.split("</head>")[1]  # strict CSP: no inline script


def test_the_tpo_preset_fills_the_standard_class_wording(intake_client, org_a, patient_a):
    plain = intake_client.get(_url(org_a, "consent_create", patient_a.public_id))
    preset = intake_client.get(
        _url(org_a, "consent_create", patient_a.public_id), {"preset": "tpo"}
    )
    html = preset.content.decode()
    assert TPO_RECIPIENTS not in plain.content.decode()
    assert TPO_RECIPIENTS in html
    assert '<option value="tpo" selected>' in html
    assert '<option value="class" selected>' in html
    statement = html.split('name="revocation_rights_stated"')[1].split(">")[0]
    assert "checked" not in statement  # staff confirm the signed form states it


def test_the_tpo_preset_ticks_every_category_but_counseling_notes(intake_client, org_a, patient_a):
    """42 CFR 2.31(a)(3) as data; 2.31(b): never counseling notes in a TPO consent."""
    html = intake_client.get(
        _url(org_a, "consent_create", patient_a.public_id), {"preset": "tpo"}
    ).content.decode()
    ticked = {
        chunk.split('value="')[1].split('"')[0]
        for chunk in html.split('name="information_categories"')[1:]
        if "checked" in chunk.split(">")[0]
    }
    assert ticked == set(TPO_CATEGORIES)


def test_the_tpo_preset_ticks_tpo_purposes_and_recipient_kinds(intake_client, org_a, patient_a):
    """42 CFR 2.31(a)(4)-(5) as data: the standard TPO wording and its ticks go together."""
    html = intake_client.get(
        _url(org_a, "consent_create", patient_a.public_id), {"preset": "tpo"}
    ).content.decode()

    def ticked(name):
        return {
            chunk.split('value="')[1].split('"')[0]
            for chunk in html.split(f'name="{name}"')[1:]
            if "checked" in chunk.split(">")[0]
        }

    assert ticked("purposes") == {"treatment", "payment", "operations"}
    assert ticked("recipient_kinds") == {"provider", "health_plan", "clearinghouse"}


def test_the_detail_page_lists_the_purposes_and_recipient_kinds_named(
    intake_client, org_a, consent_a
):
    """42 CFR 2.31(a)(4)-(5): staff see what the gate compares disclosures with."""
    html = intake_client.get(_url(org_a, "consent_detail", consent_a.public_id)).content.decode()
    purposes = html.split('data-testid="purposes">')[1].split("</td>")[0]
    kinds = html.split('data-testid="recipient-kinds">')[1].split("</td>")[0]
    assert purposes == "Treatment; Payment; Health care operations"
    assert kinds.startswith("Treating providers; Health plans and third-party payers;")


def test_the_detail_page_lists_the_kinds_of_information_released(intake_client, org_a, consent_a):
    """42 CFR 2.31(a)(3): staff see the scope the gate applies."""
    html = intake_client.get(_url(org_a, "consent_detail", consent_a.public_id)).content.decode()
    released = html.split('data-testid="categories">')[1].split("</td>")[0]
    assert released.startswith("Demographics and insurance identifiers; Attendance")


def test_a_complete_form_records_the_consent(intake_client, org_a, patient_a):
    response = intake_client.post(
        _url(org_a, "consent_create", patient_a.public_id), as_post(valid_elements())
    )
    with org_context(org_a):
        consent = Part2Consent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(org_a, "consent_detail", consent.public_id)
    assert consent.patient_id == patient_a.pk


@pytest.mark.parametrize(("keys", "field", "prefix"), MISSING_ELEMENTS, ids=MISSING_IDS)
def test_each_missing_element_shows_its_field_error_and_saves_nothing(
    intake_client, org_a, patient_a, keys, field, prefix
):
    response = intake_client.post(
        _url(org_a, "consent_create", patient_a.public_id), as_post(without(keys))
    )
    html = response.content.decode()
    assert response.status_code == 400
    field_error = html.split(f'data-testid="error-{field}"')[1].split("</div>")[0]
    assert prefix.replace("'", "&#x27;") in field_error
    assert _consents(org_a) == 0


def test_an_empty_form_reports_every_element(intake_client, org_a, patient_a):
    response = intake_client.post(_url(org_a, "consent_create", patient_a.public_id), {})
    html = response.content.decode()
    assert response.status_code == 400
    assert [n for n in range(2, 10) if f'_error"><li>Element {n}:' not in html] == []


def test_a_biller_cannot_record_consent(client, org_a, patient_a):
    client.force_login(factories.member(org_a, role="biller"))
    url = _url(org_a, "consent_create", patient_a.public_id)
    assert client.get(url).status_code == 403
    assert client.post(url, as_post(valid_elements())).status_code == 403
    assert _consents(org_a) == 0


def test_the_detail_page_logs_phi_access_and_shows_the_notice(intake_client, org_a, consent_a):
    response = intake_client.get(_url(org_a, "consent_detail", consent_a.public_id))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="statement-1"' in html and 'data-testid="statement-2"' in html
    assert "Alex Rivera" in html
    assert _phi_log(org_a) == [("detail", "consent.Part2Consent", [str(consent_a.public_id)])]


def test_a_biller_sees_the_consent_without_a_revoke_link(client, org_a, consent_a):
    client.force_login(factories.member(org_a, role="biller", part2_access=True))
    response = client.get(_url(org_a, "consent_detail", consent_a.public_id))
    assert response.status_code == 200 and b"revoke-link" not in response.content
    assert client.get(_url(org_a, "consent_revoke", consent_a.public_id)).status_code == 403


def test_another_orgs_consent_is_not_found(client, org_a, org_b, consent_a):
    client.force_login(factories.member(org_b, role="admin"))
    for name in ("consent_detail", "consent_revoke"):
        assert client.get(_url(org_b, name, consent_a.public_id)).status_code == 404
    for name in ("consent_create", "disclosure_accounting"):
        assert client.get(_url(org_b, name, consent_a.patient.public_id)).status_code == 404


def test_the_revoke_page_records_a_written_revocation(intake_client, org_a, consent_a):
    url = _url(org_a, "consent_revoke", consent_a.public_id)
    assert intake_client.get(url).status_code == 200
    response = intake_client.post(url, {"revoked_on": days_ago(2).isoformat(), "method": "written"})
    assert response.status_code == 302
    with org_context(org_a):
        consent_a.refresh_from_db()
    assert (consent_a.revoked_on, consent_a.revocation_method) == (days_ago(2), "written")
    assert b"already-revoked" in intake_client.get(url).content


def test_a_revocation_before_the_signature_shows_an_error(intake_client, org_a, consent_a):
    url = _url(org_a, "consent_revoke", consent_a.public_id)
    response = intake_client.post(
        url, {"revoked_on": days_ago(40).isoformat(), "method": "written"}
    )
    assert response.status_code == 400 and b"prospective" in response.content
    assert intake_client.post(url, {"revoked_on": days_ago(1).isoformat()}).status_code == 400
    with org_context(org_a):
        consent_a.refresh_from_db()
    assert consent_a.revoked_on is None


def test_the_accounting_lists_disclosures_and_logs_the_read(intake_client, org_a, consent_a):
    with org_context(org_a):
        disclosure = factories.disclosure(consent_a, reference="CLM77")
    response = intake_client.get(_url(org_a, "disclosure_accounting", consent_a.patient.public_id))
    html = response.content.decode()
    assert response.status_code == 200 and "CLM77" in html
    assert 'data-testid="consent-status">Valid' in html
    assert _phi_log(org_a) == [
        ("detail", "patients.Patient", [str(consent_a.patient.public_id)]),
        ("list", "consent.Disclosure", [str(disclosure.public_id)]),
    ]


def test_the_revoke_page_logs_the_read_of_the_consent(intake_client, org_a, consent_a):
    assert intake_client.get(_url(org_a, "consent_revoke", consent_a.public_id)).status_code == 200
    assert _phi_log(org_a) == [("detail", "consent.Part2Consent", [str(consent_a.public_id)])]


def test_a_form_shown_again_with_errors_still_logs_the_phi_it_showed(
    intake_client, org_a, patient_a
):
    # A 400 rolls the request's writes back; the access log row must survive it.
    response = intake_client.post(_url(org_a, "consent_create", patient_a.public_id), {})
    assert response.status_code == 400 and _consents(org_a) == 0
    assert _phi_log(org_a) == [("detail", "patients.Patient", [str(patient_a.public_id)])]

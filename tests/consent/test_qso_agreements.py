"""Qualified service organization agreements (42 CFR 2.11, 2.12(c)(4)): the elements a QSOA must
carry, when it is in force, recording and ending it, and who may do so (pages and API)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from consent import qso_rules
from consent.models import QualifiedServiceAgreement
from consent.services import qso_agreement_end, qso_agreement_record
from rcm.tenancy import org_context
from tests import factories
from tests.consent.elements import today

D = datetime.date


def _fields(**overrides):
    fields = dict(
        services=["billing", "collections"],
        effective_on=D(2026, 1, 1),
        ends_on=None,
        qso_bound_by_part2=True,
        qso_resists_judicial_efforts=True,
        document_reference="contracts/keystone-qsoa-2026.pdf",
    )
    fields.update(overrides)
    return fields


# --- Pure rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on_date", "ends_on", "expected"),
    [
        (D(2025, 12, 31), None, False),
        (D(2026, 1, 1), None, True),
        (D(2030, 1, 1), None, True),
        (D(2026, 6, 29), D(2026, 6, 30), True),
        (D(2026, 6, 30), D(2026, 6, 30), False),
    ],
)
def test_an_agreement_is_in_force_from_its_start_until_its_end_date(on_date, ends_on, expected):
    """42 CFR 2.11: a QSOA in force; its end date is the first day it no longer is."""
    assert (
        qso_rules.in_force(effective_on=D(2026, 1, 1), ends_on=ends_on, on_date=on_date) is expected
    )


@pytest.mark.parametrize(
    ("other", "overlap"),
    [
        ((D(2025, 1, 1), D(2026, 1, 1)), False),  # ends the day this one starts
        ((D(2025, 1, 1), D(2026, 1, 2)), True),
        ((D(2026, 7, 1), None), False),  # starts the day this one ends
        ((D(2026, 6, 30), None), True),
        ((D(2025, 1, 1), None), True),
    ],
)
def test_two_agreement_periods_overlap_only_when_they_share_a_day(other, overlap):
    """42 CFR 2.11: one agreement in force with a QSO at a time, successive ones allowed."""
    assert qso_rules.overlaps(D(2026, 1, 1), D(2026, 7, 1), *other) is overlap


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"services": []}, "services"),
        ({"services": ["billing", "marketing"]}, "services"),
        ({"effective_on": None}, "effective_on"),
        ({"ends_on": D(2026, 1, 1)}, "ends_on"),
        ({"qso_bound_by_part2": False}, "qso_bound_by_part2"),
        ({"qso_resists_judicial_efforts": False}, "qso_resists_judicial_efforts"),
        ({"document_reference": ""}, "document_reference"),
    ],
)
def test_each_missing_qsoa_element_is_refused_on_its_field(overrides, field):
    """42 CFR 2.11: the written agreement, its services and both undertakings."""
    errors = qso_rules.record_errors(
        _fields(**overrides),
        counterparty_kind="billing_company",
        counterparty_is_self=False,
        existing=[],
    )
    assert list(errors) == [field]


@pytest.mark.parametrize(
    ("kind", "is_self", "message"),
    [
        (None, False, "counterparty"),
        ("clinic", False, "counterparty_kind"),
        ("billing_company", True, "counterparty_self"),
    ],
)
def test_the_counterparty_is_another_organization_of_kind_billing_company(kind, is_self, message):
    """42 CFR 2.11: the QSO is an outside organization providing services to the program."""
    errors = qso_rules.record_errors(
        _fields(), counterparty_kind=kind, counterparty_is_self=is_self, existing=[]
    )
    assert errors == {"counterparty": [qso_rules.MSG[message]]}


@pytest.mark.parametrize(
    ("current", "ends_on", "field_error"),
    [
        (None, D(2026, 3, 1), False),
        (None, D(2026, 1, 1), False),  # cancel before it starts
        (None, D(2025, 12, 31), True),
        (D(2026, 6, 1), D(2026, 5, 1), False),
        (D(2026, 6, 1), D(2026, 7, 1), True),  # ending never extends
        (None, None, True),
    ],
)
def test_ending_brings_the_end_date_forward_never_before_the_start(current, ends_on, field_error):
    """42 CFR 2.11: the agreement's term; ending it never extends it."""
    errors = qso_rules.end_errors(
        effective_on=D(2026, 1, 1), current_ends_on=current, ends_on=ends_on
    )
    assert ("ends_on" in errors) is field_error


# --- Services -----------------------------------------------------------------------------------


def test_an_agreement_is_recorded_with_who_recorded_it(in_org_a):
    """42 CFR 2.11, 2.12(c)(4)."""
    company = factories.billing_company(name="Keystone Billing Partners")
    actor = factories.member(in_org_a, role="compliance")
    agreement = qso_agreement_record(counterparty=company, actor=actor, **_fields())
    assert (agreement.counterparty, agreement.recorded_by, agreement.services) == (
        company,
        actor,
        ["billing", "collections"],
    )
    assert agreement.in_force_on(D(2026, 3, 1))


def test_an_invalid_agreement_saves_nothing(in_org_a):
    """42 CFR 2.11: both undertakings, with a billing company."""
    with pytest.raises(ValidationError) as exc:
        qso_agreement_record(
            counterparty=factories.organization(),  # a clinic
            actor=None,
            **_fields(qso_bound_by_part2=False),
        )
    assert set(exc.value.message_dict) == {"counterparty", "qso_bound_by_part2"}
    assert QualifiedServiceAgreement.objects.count() == 0


def test_overlapping_agreements_with_one_company_are_refused_and_successive_ones_allowed(in_org_a):
    """42 CFR 2.11: one agreement in force per QSO at a time."""
    company = factories.billing_company()
    qso_agreement_record(counterparty=company, actor=None, **_fields(ends_on=D(2027, 1, 1)))
    with pytest.raises(ValidationError) as exc:
        qso_agreement_record(
            counterparty=company, actor=None, **_fields(effective_on=D(2026, 12, 1))
        )
    assert (
        "already on file from 2026-01-01 until 2027-01-01"
        in exc.value.message_dict["effective_on"][0]
    )
    assert qso_agreement_record(
        counterparty=company, actor=None, **_fields(effective_on=D(2027, 1, 1))
    )
    assert qso_agreement_record(counterparty=factories.billing_company(), actor=None, **_fields())


def test_ending_an_agreement_records_the_date_and_who(in_org_a):
    """42 CFR 2.11: from the end date on, the QSO no longer qualifies (§2.12(c)(4))."""
    actor = factories.member(in_org_a, role="admin")
    agreement = factories.qso_agreement()
    ended = qso_agreement_end(agreement=agreement, ends_on=D(2026, 6, 1), actor=actor)
    assert (ended.ends_on, ended.ended_by) == (D(2026, 6, 1), actor)
    assert ended.ended_recorded_at is not None
    assert not ended.in_force_on(D(2026, 6, 1))
    with pytest.raises(ValidationError):
        qso_agreement_end(agreement=ended, ends_on=D(2026, 7, 1), actor=actor)


def test_the_database_refuses_an_agreement_without_both_undertakings(in_org_a):
    """42 CFR 2.11 as a database invariant too."""
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.qso_agreement(qso_resists_judicial_efforts=False)


# --- Pages and API, with roles -------------------------------------------------------------------


def _page(org, name, **kwargs):
    return reverse(f"consent:{name}", kwargs={"org_slug": org.slug, **kwargs})


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("compliance", 200),
        ("billing_manager", 403),
        ("biller", 403),
        ("leadership", 403),
    ],
)
def test_only_admins_and_compliance_see_the_agreements(client, org_a, role, status):
    """42 CFR 2.11: agreements are kept by admins and the compliance officer."""
    client.force_login(factories.member(org_a, role=role))
    assert client.get(_page(org_a, "agreement_list")).status_code == status
    assert client.get(_page(org_a, "agreement_create")).status_code == status


def test_compliance_records_and_ends_an_agreement_from_the_pages(client, org_a):
    """42 CFR 2.11: record and end a QSOA on the pages."""
    company = factories.billing_company(name="Keystone Billing Partners")
    client.force_login(factories.member(org_a, role="compliance"))
    form = {
        "counterparty": str(company.public_id),
        "services": ["billing", "collections"],
        "effective_on": "2026-01-01",
        "qso_bound_by_part2": "on",
        "qso_resists_judicial_efforts": "on",
        "document_reference": "contracts/keystone.pdf",
    }
    assert client.post(_page(org_a, "agreement_create"), form).status_code == 302
    with org_context(org_a):
        agreement = QualifiedServiceAgreement.objects.get()
    listing = client.get(_page(org_a, "agreement_list")).content.decode()
    assert "Keystone Billing Partners" in listing and "In force" in listing
    end_url = _page(org_a, "agreement_end", public_id=agreement.public_id)
    assert client.get(end_url).status_code == 200
    assert client.post(end_url, {"ends_on": today().isoformat()}).status_code == 302
    with org_context(org_a):
        agreement.refresh_from_db()
    assert agreement.ends_on == today()
    assert "Ended" in client.get(_page(org_a, "agreement_list")).content.decode()


def test_the_form_names_each_missing_undertaking_and_saves_nothing(client, org_a):
    """42 CFR 2.11: both undertakings, or nothing is saved."""
    company = factories.billing_company()
    client.force_login(factories.member(org_a, role="admin"))
    form = {
        "counterparty": str(company.public_id),
        "services": ["billing"],
        "effective_on": "2026-01-01",
    }
    response = client.post(_page(org_a, "agreement_create"), form)
    html = response.content.decode()
    assert response.status_code == 400
    assert "fully bound by Part 2" in html and "resist in judicial proceedings" in html
    with org_context(org_a):
        assert QualifiedServiceAgreement.objects.count() == 0


def test_a_biller_cannot_end_an_agreement(client, org_a):
    """42 CFR 2.11: only admins and compliance end an agreement."""
    with org_context(org_a):
        agreement = factories.qso_agreement()
    client.force_login(factories.member(org_a, role="biller"))
    url = _page(org_a, "agreement_end", public_id=agreement.public_id)
    assert client.post(url, {"ends_on": today().isoformat()}).status_code == 403


def _api(org, suffix=""):
    return f"/api/o/{org.slug}/qso-agreements/{suffix}"


def test_the_api_records_and_ends_an_agreement(client, org_a):
    """42 CFR 2.11 through the API."""
    company = factories.billing_company()
    client.force_login(factories.member(org_a, role="compliance"))
    payload = {**_fields(effective_on="2026-01-01"), "counterparty": str(company.public_id)}
    created = client.post(_api(org_a), json.dumps(payload), content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["in_force_today"] is True and body["counterparty"] == str(company.public_id)
    ended = client.post(
        _api(org_a, f"{body['id']}/end/"),
        json.dumps({"ends_on": today().isoformat()}),
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["in_force_today"] is False


@pytest.mark.parametrize(
    ("role", "kind", "status"),
    [("compliance", "clinic", 400), ("biller", "billing_company", 403)],
)
def test_the_api_refuses_a_clinic_counterparty_and_roles_without_the_capability(
    client, org_a, role, kind, status
):
    """42 CFR 2.11: the QSO is an outside billing company."""
    other = factories.organization(kind=kind)
    client.force_login(factories.member(org_a, role=role))
    payload = {**_fields(effective_on="2026-01-01"), "counterparty": str(other.public_id)}
    response = client.post(_api(org_a), json.dumps(payload), content_type="application/json")
    assert response.status_code == status
    with org_context(org_a):
        assert QualifiedServiceAgreement.objects.count() == 0

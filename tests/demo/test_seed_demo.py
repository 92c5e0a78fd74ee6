"""seed_demo: idempotent, synthetic, one user per role per clinic, a billing-company user in
both clinics, logins that work, and every level of care represented."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from demo.orgs import PART2_ROLES
from rcm.models import Organization
from rcm.permissions import Role
from rcm.tenancy import org_context
from rcm.tenancy.models import TenantModel

TODAY = "2026-11-02"


def _counts() -> dict[str, int]:
    counts = {}
    for org in Organization.objects.order_by("slug"):
        with org_context(org):
            for model in apps.get_models():
                if issubclass(model, TenantModel) and model._meta.label != "rcm.ChangeLog":
                    counts[f"{org.slug}:{model._meta.label}"] = model.objects.count()
    return counts


def _seed(capsys, *extra: str) -> str:
    call_command("seed_demo", "--patients", "25", "--today", TODAY, *extra)
    return capsys.readouterr().out


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins_as_json(capsys, settings):
    _seed(capsys)
    first = _counts()
    logins = json.loads(_seed(capsys, "--json"))
    assert _counts() == first
    assert first["harbor-mh:patients.Patient"] == 25
    assert first["summit-sud:patients.Patient"] == 25
    assert all(set(row) == {"org", "role", "username"} for row in logins)
    for slug in ("harbor-mh", "summit-sud"):
        roles = {row["role"] for row in logins if row["org"] == slug}
        assert roles == {r.value for r in Role}
    company = [row for row in logins if row["username"] == "keystone.biller"]
    assert {row["org"] for row in company} == {"harbor-mh", "summit-sud"}


@pytest.mark.django_db
def test_every_demo_login_works_and_lands_in_its_org(capsys, settings):
    logins = json.loads(_seed(capsys, "--json"))
    for row in logins:
        client = Client()
        response = client.post(
            "/login/", {"username": row["username"], "password": settings.DEMO_PASSWORD}
        )
        assert response.status_code == 302, row
        assert client.get(f"/o/{row['org']}/").status_code == 200, row


@pytest.mark.django_db
def test_the_sud_program_has_every_level_of_care_and_part2_episodes(capsys):
    from patients.models import EpisodeOfCare, LevelOfCare, LevelOfCareSegment

    _seed(capsys)
    with org_context(Organization.objects.get(slug="summit-sud")):
        levels = set(LevelOfCareSegment.objects.values_list("level", flat=True))
        assert {
            LevelOfCare.IOP,
            LevelOfCare.PHP,
            LevelOfCare.RESIDENTIAL,
            LevelOfCare.WITHDRAWAL_MANAGEMENT,
        } <= levels
        assert EpisodeOfCare.objects.filter(program="sud", part2_applies=True).exists()


@pytest.mark.django_db
def test_keystone_billing_partners_is_a_billing_company_with_a_qsoa_in_each_clinic(capsys):
    """42 CFR 2.11: the demo's outside biller works under a QSO agreement with each clinic."""
    from consent.models import QualifiedServiceAgreement
    from rcm.models import Membership

    _seed(capsys)
    company = Organization.objects.get(slug="keystone-billing")
    assert (company.name, company.kind) == ("Keystone Billing Partners", "billing_company")
    with org_context(company):
        assert Membership.objects.filter(user__username="keystone.biller").exists()
    for slug in ("harbor-mh", "summit-sud"):
        with org_context(Organization.objects.get(slug=slug)):
            (agreement,) = QualifiedServiceAgreement.objects.all()
            assert agreement.counterparty == company
            assert agreement.in_force_on(timezone.localdate())
            granted = dict(Membership.objects.values_list("user__username", "part2_access"))
        prefix = slug.split("-")[0]
        expected = {f"{prefix}.{role.value}": role in PART2_ROLES for role in Role}
        assert {name: granted[name] for name in expected} == expected
        assert granted["keystone.biller"] is True
        assert granted[f"{prefix}.leadership"] is False


@pytest.mark.django_db
def test_the_demo_billing_company_biller_sees_part2_patients_only_under_the_agreement(capsys):
    """42 CFR 2.11, 2.12(c)(4): end the QSOA and keystone.biller loses the SUD patients."""
    from consent.models import QualifiedServiceAgreement
    from consent.services import qso_agreement_end
    from patients.models import Patient

    _seed(capsys)
    summit = Organization.objects.get(slug="summit-sud")
    with org_context(summit):
        part2_mrns = set(
            Patient.objects.filter(episodes__part2_applies=True).values_list("mrn", flat=True)
        )
    assert part2_mrns
    client = Client()
    client.force_login(get_user_model().objects.get(username="keystone.biller"))

    def seen() -> set[str]:
        rows = client.get("/api/o/summit-sud/patients/").json()["results"]
        return {row["mrn"] for row in rows}

    assert part2_mrns <= seen()
    with org_context(summit):
        agreement = QualifiedServiceAgreement.objects.get()
        qso_agreement_end(agreement=agreement, ends_on=timezone.localdate(), actor=None)
    assert not part2_mrns & seen()

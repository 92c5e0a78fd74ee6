"""seed_demo: idempotent, synthetic, one user per role per clinic, a billing-company user in
both clinics, logins that work, and every level of care represented."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client

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

"""Fixtures for payer pages and API: members of clinic A by role, and installed payers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from payers.catalog import catalog_install
from payers.models import Payer
from rcm.tenancy import org_context
from tests import factories

PAGES = "/o/clinic-a/"  # payers/ and facilities/ live at the org root
API = "/api/o/clinic-a/"


@pytest.fixture
def login(org_a: Any) -> Callable[[str], Client]:
    def make(role: str) -> Client:
        client = Client()
        client.force_login(factories.member(org_a, role=role))
        return client

    return make


@pytest.fixture
def manager(login: Callable[[str], Client]) -> Client:
    return login("billing_manager")


@pytest.fixture
def biller(login: Callable[[str], Client]) -> Client:
    return login("biller")


@pytest.fixture
def catalog(org_a: Any) -> dict[str, Payer]:
    return {p.name: p for p, _ in catalog_install(org=org_a)}


def reload(org: Any, payer: Payer) -> Payer:
    with org_context(org):
        return Payer.objects.get(pk=payer.pk)

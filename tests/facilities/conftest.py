"""Members of clinic A by role, and the billing facts a valid profile posts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests import factories

PAGES = "/o/clinic-a/facilities/"
API = "/api/o/clinic-a/"
NPI = factories.type2_npi(7654321)


def profile_data(**changes: Any) -> dict[str, Any]:
    data = {
        "billing_name": "Harbor Behavioral Health LLC",
        "npi": NPI,
        "tin": "12-3456789",
        "taxonomy": "261QM0801X",
        "address_line1": "200 Harbor Way",
        "address_line2": "Suite 4",
        "city": "Portland",
        "state": "or",
        "postal_code": "97201-1234",
    }
    data.update(changes)
    return data


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

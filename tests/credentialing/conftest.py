from __future__ import annotations

from typing import Any

import pytest

from tests import factories


@pytest.fixture
def payer_a(in_org_a: Any) -> Any:
    return factories.payer(name="Acme Health")


@pytest.fixture
def manager(org_a: Any) -> Any:
    return factories.member(org_a, role="billing_manager")


@pytest.fixture
def biller(org_a: Any) -> Any:
    return factories.member(org_a, role="biller")


@pytest.fixture
def manager_client(client: Any, manager: Any) -> Any:
    client.force_login(manager)
    return client


@pytest.fixture
def biller_client(client: Any, biller: Any) -> Any:
    client.force_login(biller)
    return client

"""provider_can_bill answers for the date and the place of service: a clinician who has since
left can still have past services billed, and a telehealth service counts only a license in
the state where the patient was, or a compact privilege there (REFERENCE.md §11, §14)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from credentialing.selectors import provider_can_bill
from credentialing.services import enrollment_upsert, license_add, provider_update
from tests import factories


@pytest.fixture
def clinician(in_org_a):
    provider = factories.provider()
    payer = factories.payer()
    license_add(
        provider=provider,
        state="OR",
        number="C1234",
        issued_on=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2030, 1, 1),
    )
    license_add(
        provider=provider,
        state="CA",
        number="LCS 99",
        issued_on=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2025, 12, 31),
    )
    enrollment_upsert(
        provider=provider, payer=payer, status="enrolled", effective_date=datetime.date(2020, 1, 1)
    )
    return provider, payer


def test_a_provider_who_left_can_still_bill_services_delivered_before(clinician):
    provider, payer = clinician
    provider = provider_update(provider=provider, is_active=False)
    today = timezone.localdate()
    past = today - datetime.timedelta(days=30)
    assert provider_can_bill(provider=provider, payer=payer, on_date=past) == (True, [])
    ok, reasons = provider_can_bill(provider=provider, payer=payer, on_date=today)
    assert not ok and "inactive" in reasons[0]


@pytest.mark.parametrize(
    ("state", "allowed", "why"),
    [
        (None, True, ""),
        ("OR", True, ""),
        ("CA", False, "In CA, where the service was: No active, unexpired license"),
        (
            "WA",
            False,
            "No license or compact privilege in WA on Nov 2, 2026 (licenses held: CA, OR; no "
            "compact privileges)",
        ),
    ],
)
def test_only_a_license_in_the_patients_state_counts(clinician, state, allowed, why):
    provider, payer = clinician
    ok, reasons = provider_can_bill(
        provider=provider, payer=payer, on_date=datetime.date(2026, 11, 2), state=state
    )
    assert ok is allowed
    if why:
        assert why in reasons[0]

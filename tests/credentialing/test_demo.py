"""The demo seed: every license type, valid NPIs, realistic gaps, and idempotent."""

from __future__ import annotations

import random

from coding.codesets.npi import validate_npi
from coding.types import LicenseType
from credentialing import demo, selectors
from credentialing.models import (
    CompactPrivilege,
    EnrollmentPeriod,
    License,
    LicensePeriod,
    LicenseStatusChange,
    PayerEnrollment,
    Provider,
)
from rcm.tenancy import org_context
from tests import factories


def _seed(org, payers):
    return demo.seed(org=org, rng=random.Random(7), payers=payers, today=factories.TODAY)


def test_demo_seed_creates_every_license_type_with_valid_npis_and_supervisors(org_a):
    with org_context(org_a):
        payers = [factories.payer(name="Acme Health"), factories.payer(name="Blue Plan")]
        providers = _seed(org_a, payers)
    assert {p.license_type for p in providers} == {lt.value for lt in LicenseType}
    assert all(validate_npi(p.npi) == p.npi for p in providers)
    supervised = [p for p in providers if p.license_type in ("associate", "peer_specialist")]
    assert all(p.supervisor is not None for p in supervised)


def test_demo_seed_is_idempotent_and_deterministic(org_a):
    with org_context(org_a):
        payers = [factories.payer()]
    first = _seed(org_a, payers)
    second = _seed(org_a, payers)
    assert [p.pk for p in first] == [p.pk for p in second]
    with org_context(org_a):
        assert Provider.objects.count() == len(demo.SPECS)
        assert License.objects.count() == len(demo.SPECS)
        assert CompactPrivilege.objects.count() == 1


def test_demo_seed_shows_each_kind_of_gap(org_a):
    with org_context(org_a):
        # Three payers: the demo leaves some clinicians pending with one payer in three.
        payers = [
            factories.payer(name="Acme Health"),
            factories.payer(name="Blue Plan"),
            factories.payer(name="Cedar Care"),
        ]
        _seed(org_a, payers)
        rows = selectors.credentialing_gaps(org=org_a, as_of=factories.TODAY)
        statuses = set(PayerEnrollment.objects.values_list("status", flat=True))
    found = {g.code for row in rows for g in row.issues}
    assert {
        "license_expired",
        "license_expiring",
        "caqh_lapsed",
        "caqh_due",
        "enrollment_pending",
        "enrollment_missing",
        "recredential_due",
        "recredential_overdue",
        "privilege_expiring",
    } <= found
    assert statuses == {"enrolled", "submitted"}


def test_demo_seed_has_dated_history_that_billing_on_past_dates_reads(org_a):
    """A late renewal, a suspension later lifted and a re-enrollment after a termination."""
    import datetime as dt

    today = factories.TODAY
    with org_context(org_a):
        payers = [factories.payer(name="Acme Health"), factories.payer(name="Blue Plan")]
        providers = _seed(org_a, payers)
        assert LicensePeriod.objects.count() == len(demo.SPECS) + 1
        assert LicenseStatusChange.objects.count() == 2
        by_type = {p.license_type: p for p in providers}
        re_enrolled = EnrollmentPeriod.objects.filter(
            enrollment__provider=by_type["pa"], enrollment__payer=payers[0]
        )
        assert re_enrolled.count() == 2

        def blocks(license_type: str, days_ago: int) -> str:
            on = today - dt.timedelta(days=days_ago)
            _, reasons = selectors.provider_can_bill(
                provider=by_type[license_type], payer=payers[0], on_date=on
            )
            return " ".join(reasons)

        # the psychiatrist's license lapsed 20 days before its late renewal
        assert "had lapsed" in blocks("psychiatrist", 315)
        assert "License" not in blocks("psychiatrist", 300)
        # the LMFT's license was suspended for 30 days, then reinstated
        assert "was suspended" in blocks("lmft", 290)
        assert "License" not in blocks("lmft", 260)
        # the PA was terminated with Acme Health, then enrolled again
        assert "resumed only on" in blocks("pa", 200)
        assert blocks("pa", 380) == blocks("pa", 100) == ""


def test_demo_psychologist_bills_wisconsin_telehealth_on_a_psypact_privilege(org_a):
    import datetime as dt

    today = factories.TODAY
    with org_context(org_a):
        payers = [factories.payer(name="Acme Health")]
        psychologist = next(p for p in _seed(org_a, payers) if p.license_type == "psychologist")
        privilege = CompactPrivilege.objects.get()
        assert (privilege.provider, privilege.compact, privilege.state) == (
            psychologist,
            "psypact",
            "WI",
        )
        assert privilege.home_license.state == "IL"

        def reasons(state: str, days: int = 0) -> list[str]:
            on = today + dt.timedelta(days=days)
            return selectors.provider_can_bill(
                provider=psychologist, payer=payers[0], on_date=on, state=state
            )[1]

        assert reasons("IL") == reasons("WI") == []
        assert reasons("MN")[0].startswith("No license or compact privilege in MN")
        # the Illinois license expires in 35 days; the privilege rests on it
        assert "rests on the home license IL" in reasons("WI", 36)[0]

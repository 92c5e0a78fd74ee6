"""Credentialing gaps across an org, provider_can_bill on a date of service from the dated
history in PostgreSQL, and the provider list filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from credentialing import selectors, services
from tests import factories

AS_OF = factories.TODAY


def days(n: int) -> dt.date:
    return AS_OF + dt.timedelta(days=n)


def clean_provider(payers=(), **fields):
    """A provider with nothing to fix as of AS_OF (for the given payers)."""
    provider = factories.provider(caqh_attested_on=days(-10), **fields)
    services.license_add(
        provider=provider,
        state="IL",
        number=f"L{provider.npi}",
        expires_on=days(400),
        issued_on=days(-300),
    )
    for payer in payers:
        services.enrollment_upsert(
            provider=provider,
            payer=payer,
            status="enrolled",
            effective_date=days(-100),
            recredential_due=days(900),
        )
    return provider


def can_bill(provider, payer, on_date):
    return selectors.provider_can_bill(provider=provider, payer=payer, on_date=on_date)


def gap_codes(org, provider) -> dict[str, str]:
    rows = {row.provider.pk: row for row in selectors.credentialing_gaps(org=org, as_of=AS_OF)}
    row = rows.get(provider.pk)
    return {g.code: g.severity.value for g in row.issues} if row else {}


def test_a_fully_credentialed_provider_has_no_gaps(in_org_a, payer_a):
    provider = clean_provider([payer_a])
    assert gap_codes(in_org_a, provider) == {}


def test_an_expired_license_blocks_and_one_expiring_within_60_days_warns(in_org_a, payer_a):
    expired = clean_provider([payer_a])
    services.license_update(license=expired.licenses.get(), expires_on=days(-1))
    expiring = clean_provider([payer_a])
    services.license_update(license=expiring.licenses.get(), expires_on=days(45))
    assert gap_codes(in_org_a, expired) == {"license_expired": "block"}
    assert gap_codes(in_org_a, expiring) == {"license_expiring": "warn"}


def test_a_provider_without_any_license_is_blocked(in_org_a, payer_a):
    provider = factories.provider(caqh_attested_on=days(-10))
    services.enrollment_upsert(
        provider=provider, payer=payer_a, status="enrolled", effective_date=days(-10)
    )
    assert gap_codes(in_org_a, provider) == {"no_active_license": "block"}


def test_caqh_older_than_120_days_blocks_and_due_within_30_days_warns(in_org_a, payer_a):
    stale = clean_provider([payer_a])
    services.caqh_attest(provider=stale, attested_on=days(-130))
    due = clean_provider([payer_a])
    services.caqh_attest(provider=due, attested_on=days(-100))
    assert gap_codes(in_org_a, stale) == {"caqh_lapsed": "block"}
    assert gap_codes(in_org_a, due) == {"caqh_due": "warn"}


def test_recredentialing_due_within_120_days_warns_and_past_due_blocks(in_org_a, payer_a):
    soon = clean_provider()
    services.enrollment_upsert(
        provider=soon,
        payer=payer_a,
        status="enrolled",
        effective_date=days(-900),
        recredential_due=days(100),
    )
    late = clean_provider()
    services.enrollment_upsert(
        provider=late,
        payer=payer_a,
        status="enrolled",
        effective_date=days(-1100),
        recredential_due=days(-3),
    )
    assert gap_codes(in_org_a, soon) == {"recredential_due": "warn"}
    assert gap_codes(in_org_a, late) == {"recredential_overdue": "block"}


def test_missing_and_pending_enrollments_are_reported_for_active_payers_only(in_org_a, payer_a):
    pending_payer = factories.payer(name="Blue Plan")
    factories.payer(name="Retired Plan", is_active=False)
    factories.payer(name="Self pay", kind="self_pay")
    provider = clean_provider()
    services.enrollment_upsert(provider=provider, payer=pending_payer, status="submitted")
    assert gap_codes(in_org_a, provider) == {
        "enrollment_missing": "block",
        "enrollment_pending": "warn",
    }
    (row,) = selectors.credentialing_gaps(org=in_org_a, as_of=AS_OF)
    assert [g.message for g in row.issues][0] == (
        "Not enrolled with Acme Health; claims to Acme Health will be held."
    )


def test_enrollment_is_not_expected_where_the_payer_does_not_accept_the_license(in_org_a):
    factories.payer(accepted_license_types=["psychiatrist"])
    lcsw = clean_provider()
    assert gap_codes(in_org_a, lcsw) == {}


def test_a_supervisee_whose_supervisor_left_is_blocked(in_org_a, payer_a):
    boss = clean_provider([payer_a])
    associate = clean_provider(license_type="associate", supervisor=boss)
    associate.__class__.objects.filter(pk=boss.pk).update(is_active=False)
    assert gap_codes(in_org_a, associate) == {"supervisor_inactive": "block"}
    associate.__class__.objects.filter(pk=associate.pk).update(supervisor=None)
    assert gap_codes(in_org_a, associate) == {"supervisor_missing": "block"}


def test_gaps_skip_inactive_providers_and_list_blocked_providers_first(in_org_a, payer_a):
    warned = clean_provider([payer_a], last_name="Aaron")
    services.caqh_attest(provider=warned, attested_on=days(-100))
    blocked = clean_provider(last_name="Zed")
    factories.provider(is_active=False)
    rows = selectors.credentialing_gaps(org=in_org_a, as_of=AS_OF)
    assert [row.provider for row in rows] == [blocked, warned]
    assert [row.severity.value for row in rows] == ["block", "warn"]


def test_gaps_run_a_fixed_number_of_queries_however_many_providers(
    in_org_a, payer_a, django_assert_max_num_queries
):
    second_payer = factories.payer(name="Blue Plan")
    boss = clean_provider([payer_a, second_payer])
    for _ in range(12):
        clean_provider([payer_a], license_type="associate", supervisor=boss)
        clean_provider([second_payer])
    # providers, licenses, their periods and status changes, compact privileges, enrollments,
    # their periods, payers
    with django_assert_max_num_queries(8):
        rows = selectors.credentialing_gaps(org=in_org_a, as_of=AS_OF)
        assert len(rows) == 12  # the LCSWs missing Acme Health; associates need no enrollment
        assert all(g.message for row in rows for g in row.issues)


# --- provider_can_bill -----------------------------------------------------------------------


def test_provider_can_bill_when_enrolled_and_licensed_on_the_date(in_org_a, payer_a):
    provider = clean_provider([payer_a])
    assert selectors.provider_can_bill(provider=provider, payer=payer_a, on_date=AS_OF) == (
        True,
        [],
    )


def test_provider_cannot_bill_before_the_enrollment_is_effective(in_org_a, payer_a):
    provider = clean_provider()
    services.enrollment_upsert(
        provider=provider, payer=payer_a, status="enrolled", effective_date=days(1)
    )
    ok, reasons = selectors.provider_can_bill(provider=provider, payer=payer_a, on_date=AS_OF)
    assert not ok
    assert reasons == ["Enrollment with Acme Health is effective only from Nov 3, 2026."]
    assert selectors.provider_can_bill(provider=provider, payer=payer_a, on_date=days(1))[0]


def test_provider_cannot_bill_with_a_pending_enrollment_and_an_expired_license(in_org_a, payer_a):
    provider = factories.provider()
    services.license_add(
        provider=provider, state="IL", number="9", expires_on=days(-1), issued_on=days(-700)
    )
    services.enrollment_upsert(provider=provider, payer=payer_a, status="submitted")
    ok, reasons = selectors.provider_can_bill(provider=provider, payer=payer_a, on_date=AS_OF)
    assert not ok
    assert reasons == [
        "No active, unexpired license on Nov 2, 2026.",
        "Enrollment with Acme Health is pending.",
    ]


def test_an_inactive_provider_cannot_bill_from_today(in_org_a, payer_a):
    provider = clean_provider([payer_a], is_active=False)
    today = timezone.localdate()
    ok, reasons = selectors.provider_can_bill(provider=provider, payer=payer_a, on_date=today)
    assert not ok and f"{provider} is inactive." in reasons


def test_a_license_suspended_after_the_date_of_service_does_not_block_it(in_org_a, payer_a):
    provider = clean_provider([payer_a])
    services.license_status_change(
        license=provider.licenses.get(), status="suspended", effective_on=days(-10)
    )
    assert can_bill(provider, payer_a, days(-11)) == (True, [])
    assert can_bill(provider, payer_a, days(-10)) == (
        False,
        [f"License IL L{provider.npi} was suspended on Oct 23, 2026."],
    )


def test_a_reinstated_license_blocks_only_the_suspended_days(in_org_a, payer_a):
    provider = clean_provider([payer_a])
    lic = provider.licenses.get()
    services.license_status_change(license=lic, status="suspended", effective_on=days(-60))
    services.license_status_change(license=lic, status="active", effective_on=days(-30))
    assert [can_bill(provider, payer_a, days(n))[0] for n in (-61, -60, -31, -30, 0)] == [
        True,
        False,
        False,
        True,
        True,
    ]


def test_a_service_in_the_gap_of_a_late_renewal_cannot_be_billed(in_org_a, payer_a):
    provider = factories.provider(caqh_attested_on=days(-10))
    lic = services.license_add(
        provider=provider, state="IL", number="7", issued_on=days(-700), expires_on=days(-100)
    )
    services.license_renew(license=lic, starts_on=days(-50), expires_on=days(680))
    services.enrollment_upsert(
        provider=provider, payer=payer_a, status="enrolled", effective_date=days(-900)
    )
    assert can_bill(provider, payer_a, days(-100))[0]
    ok, reasons = can_bill(provider, payer_a, days(-99))
    assert not ok and reasons == [
        "License IL 7 had lapsed on Jul 26, 2026: it expired on Jul 25, 2026 and was renewed "
        "only from Sep 13, 2026."
    ]
    assert can_bill(provider, payer_a, days(-50))[0]


@pytest.mark.parametrize(("effective", "allowed"), [(1, False), (0, True)])
def test_an_enrollment_effective_after_the_service_does_not_cover_it(
    in_org_a, payer_a, effective, allowed
):
    provider = clean_provider()
    services.enrollment_upsert(
        provider=provider, payer=payer_a, status="enrolled", effective_date=days(effective)
    )
    assert can_bill(provider, payer_a, AS_OF)[0] is allowed


def test_a_terminated_enrollment_covers_through_its_end_date_and_a_re_enrollment_resumes(
    in_org_a, payer_a
):
    provider = clean_provider()
    services.enrollment_upsert(
        provider=provider, payer=payer_a, status="enrolled", effective_date=days(-400)
    )
    services.enrollment_upsert(
        provider=provider,
        payer=payer_a,
        status="terminated",
        effective_date=days(-400),
        end_date=days(-100),
    )
    services.enrollment_upsert(
        provider=provider, payer=payer_a, status="enrolled", effective_date=days(-30)
    )
    assert [can_bill(provider, payer_a, days(n))[0] for n in (-100, -99, -31, -30)] == [
        True,
        False,
        False,
        True,
    ]
    assert can_bill(provider, payer_a, days(-99))[1] == [
        "Enrollment with Acme Health ended on Jul 25, 2026 and resumed only on Oct 3, 2026."
    ]


def test_a_denied_re_application_does_not_reach_back_over_the_earlier_period(in_org_a, payer_a):
    provider = clean_provider()
    services.enrollment_upsert(
        provider=provider,
        payer=payer_a,
        status="terminated",
        effective_date=days(-400),
        end_date=days(-100),
    )
    services.enrollment_upsert(provider=provider, payer=payer_a, status="denied")
    assert can_bill(provider, payer_a, days(-200)) == (True, [])
    assert can_bill(provider, payer_a, AS_OF)[1] == [
        "Enrollment with Acme Health ended on Jul 25, 2026."
    ]


def test_provider_can_bill_reads_preloaded_providers_without_a_query_per_line(
    in_org_a, payer_a, django_assert_num_queries, django_assert_max_num_queries
):
    providers = [clean_provider([payer_a]) for _ in range(5)]
    for provider in providers:  # more history must not mean more queries
        lic = provider.licenses.get()
        services.license_renew(license=lic, expires_on=days(1200))
        services.license_status_change(license=lic, status="suspended", effective_on=days(-90))
        services.license_status_change(license=lic, status="active", effective_on=days(-80))
    with django_assert_max_num_queries(7):
        loaded = list(selectors.providers_for_billing().filter(pk__in=[p.pk for p in providers]))
    with django_assert_num_queries(0):
        results = [can_bill(p, payer_a, days(n))[0] for p in loaded for n in range(-100, 0, 5)]
    assert results.count(False) == 5 * 2  # days -85 and -90 fall in the suspension
    with django_assert_max_num_queries(7):  # a provider not preloaded is loaded in one go
        assert can_bill(providers[0], payer_a, AS_OF) == (True, [])


def test_gaps_read_the_current_period_of_a_renewed_license_and_a_re_enrollment(in_org_a, payer_a):
    provider = clean_provider()
    lic = provider.licenses.get()
    services.license_update(license=lic, issued_on=days(-700), expires_on=days(-5))
    services.license_renew(license=lic, expires_on=days(725))
    services.enrollment_upsert(
        provider=provider,
        payer=payer_a,
        status="terminated",
        effective_date=days(-900),
        end_date=days(-300),
    )
    assert gap_codes(in_org_a, provider) == {"enrollment_terminated": "block"}
    services.enrollment_upsert(
        provider=provider, payer=payer_a, status="enrolled", effective_date=days(-20)
    )
    assert gap_codes(in_org_a, provider) == {}


def test_gaps_block_a_license_lapsed_today_before_its_late_renewal(in_org_a):
    provider = clean_provider()
    lic = provider.licenses.get()
    services.license_update(license=lic, issued_on=days(-700), expires_on=days(-5))
    services.license_renew(license=lic, starts_on=days(3), expires_on=days(725))
    assert gap_codes(in_org_a, provider) == {"license_lapsed": "block"}


# --- providers_list --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Abel", "Baker", "Cole"]),
        ({"license_type": "psychiatrist"}, ["Baker"]),
        ({"active": "false"}, ["Cole"]),
        ({"active": True}, ["Abel", "Baker"]),
        ({"search": "bak"}, ["Baker"]),
        ({"search": "Jo abel"}, ["Abel"]),
        ({"search": "1234567893"}, ["Abel"]),
    ],
)
def test_providers_list_filters(in_org_a, filters, expected):
    factories.provider(first_name="Jo", last_name="Abel", npi="1234567893")
    factories.provider(last_name="Baker", license_type="psychiatrist", taxonomy="2084P0800X")
    factories.provider(last_name="Cole", is_active=False)
    names = [p.last_name for p in selectors.providers_list(filters=filters)]
    assert names == expected

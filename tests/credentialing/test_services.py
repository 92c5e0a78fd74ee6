"""Provider, license and enrollment services: they refuse bad input with field messages and
save nothing partially."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from credentialing import services
from credentialing.models import (
    EnrollmentPeriod,
    License,
    LicensePeriod,
    LicenseStatusChange,
    PayerEnrollment,
    Provider,
)
from tests import factories

VALID = dict(
    first_name="Dana",
    last_name="Reyes",
    npi="1234567893",
    taxonomy="1041c0700x",
    license_type="lcsw",
    credentials="LCSW",
)


def errors_of(excinfo: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_provider_create_normalises_and_saves_a_valid_provider(in_org_a):
    provider = services.provider_create(**VALID)
    assert provider.pk and provider.taxonomy == "1041C0700X"
    assert Provider.objects.get().npi == "1234567893"


@pytest.mark.parametrize(
    ("npi", "fragment"),
    [
        ("1234567890", "bad check digit"),
        ("12345", "exactly 10 digits"),
        ("12345abcde", "digits only"),
    ],
)
def test_provider_create_refuses_an_invalid_npi_and_saves_nothing(in_org_a, npi, fragment):
    with pytest.raises(ValidationError) as excinfo:
        services.provider_create(**{**VALID, "npi": npi})
    assert fragment in errors_of(excinfo)["npi"][0]
    assert Provider.objects.count() == 0


def test_provider_create_refuses_a_duplicate_npi_in_the_org(in_org_a):
    services.provider_create(**VALID)
    with pytest.raises(ValidationError) as excinfo:
        services.provider_create(**{**VALID, "last_name": "Other"})
    assert "already has this NPI" in errors_of(excinfo)["npi"][0]


def test_provider_create_refuses_a_facilitys_type_2_npi(in_org_a):
    factories.facility(name="Northside IOP", npi="1245319599")
    with pytest.raises(ValidationError) as excinfo:
        services.provider_create(**{**VALID, "npi": "1245319599"})
    assert "type-2 NPI of Northside IOP" in errors_of(excinfo)["npi"][0]


@pytest.mark.parametrize("taxonomy", ["1041C0700", "1041C0700Y", "104-C0700X", ""])
def test_provider_create_refuses_a_malformed_taxonomy(in_org_a, taxonomy):
    with pytest.raises(ValidationError) as excinfo:
        services.provider_create(**{**VALID, "taxonomy": taxonomy})
    assert "taxonomy" in errors_of(excinfo)


def test_every_bad_field_is_reported_at_once(in_org_a):
    with pytest.raises(ValidationError) as excinfo:
        services.provider_create(**{**VALID, "npi": "1", "taxonomy": "x", "first_name": " "})
    assert {"npi", "taxonomy", "first_name"} <= set(errors_of(excinfo))


def test_an_associate_requires_a_supervisor(in_org_a):
    with pytest.raises(ValidationError) as excinfo:
        services.provider_create(**{**VALID, "license_type": "associate"})
    assert "must have a supervisor" in errors_of(excinfo)["supervisor"][0]


def test_a_peer_specialist_cannot_supervise(in_org_a):
    peer_boss = factories.provider(license_type="lcsw")
    peer = factories.provider(license_type="peer_specialist", supervisor=peer_boss)
    with pytest.raises(ValidationError) as excinfo:
        services.provider_create(**{**VALID, "license_type": "associate", "supervisor": peer})
    assert "cannot supervise" in errors_of(excinfo)["supervisor"][0]


def test_an_inactive_supervisor_is_refused(in_org_a):
    gone = factories.provider(is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        services.provider_create(**{**VALID, "license_type": "associate", "supervisor": gone})
    assert "inactive" in errors_of(excinfo)["supervisor"][0]


def test_a_supervisor_from_another_org_is_refused(org_a, org_b):
    from rcm.tenancy import org_context

    with org_context(org_b):
        foreign = factories.provider()
    with org_context(org_a), pytest.raises(ValidationError) as excinfo:
        services.provider_create(**{**VALID, "license_type": "associate", "supervisor": foreign})
    assert "belong to this organization" in errors_of(excinfo)["supervisor"][0]


def test_a_supervision_cycle_is_refused_and_nothing_changes(in_org_a):
    top = factories.provider(license_type="psychologist")
    middle = factories.provider(supervisor=top)
    bottom = factories.provider(supervisor=middle)
    with pytest.raises(ValidationError) as excinfo:
        services.provider_update(provider=top, supervisor=bottom)
    assert "circular" in errors_of(excinfo)["supervisor"][0]
    top.refresh_from_db()
    assert top.supervisor_id is None


def test_a_provider_cannot_supervise_themselves(in_org_a):
    provider = factories.provider()
    with pytest.raises(ValidationError) as excinfo:
        services.provider_update(provider=provider, supervisor=provider)
    assert "themselves" in errors_of(excinfo)["supervisor"][0]


def test_a_supervisor_with_supervisees_cannot_be_deactivated(in_org_a):
    boss = factories.provider()
    factories.provider(license_type="associate", supervisor=boss)
    with pytest.raises(ValidationError) as excinfo:
        services.provider_update(provider=boss, is_active=False)
    assert "supervises 1 active provider" in errors_of(excinfo)["is_active"][0]


def test_provider_update_leaves_the_callers_instance_alone_on_error(in_org_a):
    provider = factories.provider()
    with pytest.raises(ValidationError):
        services.provider_update(provider=provider, npi="1234567890", first_name="Changed")
    assert provider.first_name == "Sam"
    provider.refresh_from_db()
    assert provider.first_name == "Sam"


def test_provider_update_refuses_unknown_fields(in_org_a):
    provider = factories.provider()
    with pytest.raises(ValidationError) as excinfo:
        services.provider_update(provider=provider, org=None)
    assert "org" in errors_of(excinfo)


def test_caqh_attest_records_the_date_and_refuses_future_dates(in_org_a):
    provider = factories.provider()
    saved = services.caqh_attest(
        provider=provider, attested_on=dt.date(2026, 10, 1), caqh_id="12345678"
    )
    assert (saved.caqh_attested_on, saved.caqh_id) == (dt.date(2026, 10, 1), "12345678")
    with pytest.raises(ValidationError) as excinfo:
        services.caqh_attest(provider=provider, attested_on=dt.date.today() + dt.timedelta(3))
    assert "future" in errors_of(excinfo)["caqh_attested_on"][0]


# --- Licenses --------------------------------------------------------------------------------


def test_license_add_defaults_the_type_and_upper_cases_the_state(in_org_a):
    provider = factories.provider(license_type="lpc")
    lic = services.license_add(
        provider=provider, state="il", number=" 180.0012 ", expires_on=dt.date(2027, 3, 31)
    )
    assert (lic.state, lic.number, lic.license_type) == ("IL", "180.0012", "lpc")


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"state": "Illinois"}, "state", "two-letter"),
        ({"state": "ZZ"}, "state", "not a US state"),
        ({"number": "  "}, "number", "Enter the license number"),
        ({"expires_on": None}, "expires_on", "Enter the expiry date"),
        ({"issued_on": dt.date(2027, 3, 31)}, "expires_on", "after the issue date"),
        ({"issued_on": dt.date(2027, 4, 1)}, "expires_on", "after the issue date"),
    ],
)
def test_license_add_refuses_bad_input_with_a_field_message(in_org_a, fields, field, fragment):
    provider = factories.provider()
    data = dict(state="IL", number="180.1", expires_on=dt.date(2027, 3, 31)) | fields
    with pytest.raises(ValidationError) as excinfo:
        services.license_add(provider=provider, **data)
    assert fragment in errors_of(excinfo)[field][0]
    assert License.objects.count() == 0


def test_license_numbers_are_unique_per_state(in_org_a):
    provider = factories.provider()
    services.license_add(provider=provider, state="IL", number="1", expires_on=dt.date(2027, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.license_add(
            provider=provider, state="IL", number="1", expires_on=dt.date(2028, 1, 1)
        )
    assert "already on file" in errors_of(excinfo)["number"][0]


def test_license_update_corrects_the_expiry_of_the_latest_period(in_org_a):
    lic = services.license_add(
        provider=factories.provider(), state="IL", number="1", expires_on=dt.date(2026, 12, 1)
    )
    saved = services.license_update(license=lic, expires_on=dt.date(2028, 12, 1))
    assert License.objects.get(pk=lic.pk).expires_on == saved.expires_on == dt.date(2028, 12, 1)
    assert LicensePeriod.objects.count() == 1


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def periods_of(lic: License) -> list[tuple[dt.date | None, dt.date]]:
    return list(lic.periods.order_by("expires_on").values_list("starts_on", "expires_on"))


def changes_of(lic: License) -> list[tuple[str, dt.date]]:
    return list(lic.status_changes.order_by("effective_on").values_list("status", "effective_on"))


@pytest.fixture
def lic(in_org_a):
    return services.license_add(
        provider=factories.provider(),
        state="IL",
        number="1",
        issued_on=d("2024-07-01"),
        expires_on=d("2026-06-30"),
    )


def test_a_license_starts_with_one_period_and_no_status_change(lic):
    assert periods_of(lic) == [(d("2024-07-01"), d("2026-06-30"))]
    assert changes_of(lic) == []
    assert lic.status == "active"


def test_a_license_added_as_suspended_records_a_dated_status_change(in_org_a):
    lic = services.license_add(
        provider=factories.provider(),
        state="IL",
        number="2",
        expires_on=d("2027-06-30"),
        status="suspended",
        status_effective_on=d("2026-09-01"),
    )
    assert changes_of(lic) == [("suspended", d("2026-09-01"))]
    assert lic.status_on(d("2026-08-31")) == "active"


def test_a_renewal_on_time_starts_the_day_after_the_expiry(lic):
    period = services.license_renew(license=lic, expires_on=d("2028-06-30"))
    assert period.starts_on == d("2026-07-01")
    assert periods_of(lic) == [
        (d("2024-07-01"), d("2026-06-30")),
        (d("2026-07-01"), d("2028-06-30")),
    ]
    assert License.objects.get(pk=lic.pk).expires_on == d("2028-06-30")


def test_a_late_renewal_keeps_its_own_start_and_the_old_period(lic):
    services.license_renew(license=lic, starts_on=d("2026-08-15"), expires_on=d("2028-06-30"))
    assert periods_of(lic)[0] == (d("2024-07-01"), d("2026-06-30"))
    assert periods_of(lic)[1] == (d("2026-08-15"), d("2028-06-30"))


@pytest.mark.parametrize(
    ("starts_on", "expires_on", "field", "fragment"),
    [
        ("2026-06-30", "2028-06-30", "starts_on", "must start after the previous one"),
        ("2025-01-01", "2028-06-30", "starts_on", "must start after the previous one"),
        ("2026-08-01", "2026-08-01", "expires_on", "after the issue date"),
        ("2026-08-01", None, "expires_on", "Enter the expiry date"),
    ],
)
def test_a_renewal_that_overlaps_or_ends_before_it_starts_is_refused(
    lic, starts_on, expires_on, field, fragment
):
    with pytest.raises(ValidationError) as excinfo:
        services.license_renew(
            license=lic,
            starts_on=d(starts_on),
            expires_on=d(expires_on) if expires_on else None,
        )
    assert fragment in errors_of(excinfo)[field][0]
    assert LicensePeriod.objects.count() == 1


def test_a_status_change_is_dated_and_a_reinstatement_ends_it(lic):
    services.license_status_change(
        license=lic, status="suspended", effective_on=d("2025-03-01"), note=" Order 12 "
    )
    services.license_status_change(license=lic, status="active", effective_on=d("2025-05-01"))
    assert changes_of(lic) == [("suspended", d("2025-03-01")), ("active", d("2025-05-01"))]
    assert LicenseStatusChange.objects.get(status="suspended").note == "Order 12"
    assert [lic.status_on(d(x)) for x in ("2025-02-28", "2025-03-01", "2025-05-01")] == [
        "active",
        "suspended",
        "active",
    ]


@pytest.mark.parametrize(
    ("status", "effective_on", "field", "fragment"),
    [
        ("active", "2025-03-01", "status", "already active on Mar 1, 2025"),
        ("expired", "2025-03-01", "status", "Choose one of"),
        ("suspended", None, "effective_on", "Enter the date"),
    ],
)
def test_a_status_change_that_changes_nothing_or_has_no_date_is_refused(
    lic, status, effective_on, field, fragment
):
    with pytest.raises(ValidationError) as excinfo:
        services.license_status_change(
            license=lic, status=status, effective_on=d(effective_on) if effective_on else None
        )
    assert fragment in errors_of(excinfo)[field][0]
    assert LicenseStatusChange.objects.count() == 0


def test_a_status_recorded_again_on_the_same_day_corrects_it(lic):
    services.license_status_change(license=lic, status="suspended", effective_on=d("2025-03-01"))
    services.license_status_change(license=lic, status="revoked", effective_on=d("2025-03-01"))
    assert changes_of(lic) == [("revoked", d("2025-03-01"))]
    services.license_status_change(license=lic, status="active", effective_on=d("2025-03-01"))
    assert changes_of(lic) == []  # back to the status before that day: nothing to record


def test_license_update_records_a_status_as_a_dated_change_and_ignores_an_unchanged_one(lic):
    services.license_update(license=lic, status="active", number="1")
    assert changes_of(lic) == []
    services.license_update(license=lic, status="revoked", status_effective_on=d("2026-01-15"))
    assert changes_of(lic) == [("revoked", d("2026-01-15"))]


def test_license_update_refuses_moving_the_latest_period_over_the_previous_one(lic):
    services.license_renew(license=lic, expires_on=d("2028-06-30"))
    with pytest.raises(ValidationError) as excinfo:
        services.license_update(license=lic, issued_on=d("2026-06-01"))
    assert "must start after the previous one" in errors_of(excinfo)["issued_on"][0]


# --- Enrollments -----------------------------------------------------------------------------


def test_enrolled_without_an_effective_date_is_refused(in_org_a, payer_a):
    with pytest.raises(ValidationError) as excinfo:
        services.enrollment_upsert(provider=factories.provider(), payer=payer_a, status="enrolled")
    assert "effective date" in errors_of(excinfo)["effective_date"][0]
    assert PayerEnrollment.objects.count() == 0


def test_recredentialing_due_before_the_effective_date_is_refused(in_org_a, payer_a):
    with pytest.raises(ValidationError) as excinfo:
        services.enrollment_upsert(
            provider=factories.provider(),
            payer=payer_a,
            status="enrolled",
            effective_date=dt.date(2026, 1, 1),
            recredential_due=dt.date(2026, 1, 1),
        )
    assert "recredential_due" in errors_of(excinfo)


def test_enrollment_upsert_updates_the_one_enrollment_per_payer(in_org_a, payer_a):
    provider = factories.provider()
    first = services.enrollment_upsert(
        provider=provider, payer=payer_a, status="submitted", submitted_on=dt.date(2026, 9, 1)
    )
    second = services.enrollment_upsert(
        provider=provider,
        payer=payer_a,
        status="enrolled",
        effective_date=dt.date(2026, 10, 1),
        payer_provider_id=" P-77 ",
    )
    assert first.pk == second.pk
    saved = PayerEnrollment.objects.get()
    assert (saved.status, saved.payer_provider_id) == ("enrolled", "P-77")


def enroll(provider, payer, status="enrolled", **dates):
    return services.enrollment_upsert(
        provider=provider,
        payer=payer,
        status=status,
        **{k: d(v) if isinstance(v, str) else v for k, v in dates.items()},
    )


def spans_of(enrollment) -> list[tuple[dt.date, dt.date | None]]:
    return list(
        enrollment.periods.order_by("effective_date").values_list("effective_date", "end_date")
    )


def test_a_re_enrollment_after_a_termination_adds_a_period_and_keeps_the_old_one(in_org_a, payer_a):
    provider = factories.provider()
    enroll(provider, payer_a, effective_date="2024-01-01")
    enroll(provider, payer_a, "terminated", effective_date="2024-01-01", end_date="2025-06-30")
    enroll(provider, payer_a, "submitted", submitted_on="2025-08-01")
    saved = enroll(provider, payer_a, effective_date="2025-09-01")
    assert spans_of(saved) == [(d("2024-01-01"), d("2025-06-30")), (d("2025-09-01"), None)]
    assert PayerEnrollment.objects.get().effective_date == d("2025-09-01")


def test_dates_on_or_before_the_latest_end_correct_that_period(in_org_a, payer_a):
    provider = factories.provider()
    enroll(provider, payer_a, "terminated", effective_date="2024-01-01", end_date="2025-06-30")
    saved = enroll(provider, payer_a, effective_date="2024-02-01")  # a mistaken termination
    assert spans_of(saved) == [(d("2024-02-01"), None)]


@pytest.mark.parametrize(
    ("status", "dates", "field", "fragment"),
    [
        ("terminated", {}, "end_date", "last covered day of the terminated"),
        ("submitted", {}, "end_date", "in force with no end date"),
        ("denied", {"effective_date": "2024-01-01"}, "end_date", "in force with no end date"),
        ("enrolled", {"end_date": "2025-01-01"}, "end_date", "Enter the effective date"),
        (
            "terminated",
            {"effective_date": "2024-01-01", "end_date": "2023-12-31"},
            "end_date",
            "cannot be before the effective date",
        ),
    ],
)
def test_a_status_that_disagrees_with_the_open_period_is_refused(
    in_org_a, payer_a, status, dates, field, fragment
):
    provider = factories.provider()
    enroll(provider, payer_a, effective_date="2024-01-01")
    with pytest.raises(ValidationError) as excinfo:
        enroll(provider, payer_a, status, **dates)
    assert fragment in errors_of(excinfo)[field][0]
    assert spans_of(PayerEnrollment.objects.get()) == [(d("2024-01-01"), None)]


def test_a_period_cannot_start_inside_the_previous_one(in_org_a, payer_a):
    provider = factories.provider()
    enroll(provider, payer_a, "terminated", effective_date="2024-01-01", end_date="2025-06-30")
    enroll(provider, payer_a, effective_date="2025-09-01")
    with pytest.raises(ValidationError) as excinfo:
        enroll(provider, payer_a, effective_date="2025-06-01")
    assert "ran through Jun 30, 2025" in errors_of(excinfo)["effective_date"][0]


def test_the_database_refuses_rows_the_services_would_refuse(in_org_a, payer_a):
    provider = factories.provider()
    lic = services.license_add(
        provider=provider, state="IL", number="1", expires_on=d("2026-06-30")
    )
    enrollment = enroll(
        provider, payer_a, "terminated", effective_date="2024-01-01", end_date="2024-12-31"
    )
    for sql_update in (
        lambda: Provider.objects.filter(pk=provider.pk).update(taxonomy="bad"),
        lambda: Provider.objects.filter(pk=provider.pk).update(supervisor=provider),
        lambda: Provider.objects.filter(pk=provider.pk).update(npi="12345"),
        lambda: LicensePeriod.objects.create(
            license=lic, starts_on=d("2026-06-30"), expires_on=d("2027-06-30")
        ),
        lambda: LicensePeriod.objects.create(
            license=lic, starts_on=d("2027-06-30"), expires_on=d("2027-06-30")
        ),
        lambda: LicenseStatusChange.objects.bulk_create(
            [
                LicenseStatusChange(license=lic, status="suspended", effective_on=d("2025-01-01")),
                LicenseStatusChange(license=lic, status="active", effective_on=d("2025-01-01")),
            ]
        ),
        lambda: EnrollmentPeriod.objects.create(
            enrollment=enrollment, effective_date=d("2024-12-31")
        ),
        lambda: EnrollmentPeriod.objects.create(
            enrollment=enrollment, effective_date=d("2025-02-01"), end_date=d("2025-01-31")
        ),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            sql_update()

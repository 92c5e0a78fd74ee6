"""Compact privileges in PostgreSQL: the services record, end and correct them and refuse what
the compact does not allow; provider_can_bill reads them for the patient's state without a
query per call; the gap list warns before one expires."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from credentialing import selectors, services
from credentialing.models import CompactPrivilege, License, Provider
from tests import factories

AS_OF = factories.TODAY  # Nov 2, 2026


def days(n: int) -> dt.date:
    return AS_OF + dt.timedelta(days=n)


def clinician(license_type: str = "psychologist", *, state: str = "OR", payers=()) -> Provider:
    """A provider licensed in `state` (home), with CAQH current and enrolled with `payers`."""
    provider = factories.provider(
        license_type=license_type, taxonomy="103TC0700X", caqh_attested_on=days(-10)
    )
    services.license_add(
        provider=provider,
        state=state,
        number=f"{state}{provider.npi}",
        issued_on=days(-700),
        expires_on=days(400),
    )
    for payer in payers:
        services.enrollment_upsert(
            provider=provider, payer=payer, status="enrolled", effective_date=days(-500)
        )
    return provider


def grant(provider: Provider, **fields) -> CompactPrivilege:
    values = dict(
        compact="psypact",
        state="WA",
        number=f"APIT{provider.pk}",
        home_license=provider.licenses.first(),
        effective_on=days(-300),
        expires_on=days(65),
    )
    values.update(fields)
    return services.privilege_record(provider=provider, **values)


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Recording -------------------------------------------------------------------------------


def test_a_psychologists_psypact_privilege_is_recorded(in_org_a):
    provider = clinician()
    privilege = grant(provider, state=" wa ", number=" 7001 ")
    assert (privilege.state, privilege.number, privilege.status) == ("WA", "7001", "active")
    assert privilege.home_license.state == "OR"
    assert str(privilege) == "PSYPACT (APIT, telepsychology) in WA (7001)"


def test_a_compact_that_does_not_cover_the_license_type_is_refused(in_org_a):
    lcsw = clinician("lcsw")
    with pytest.raises(ValidationError) as excinfo:
        grant(lcsw, compact="psypact")
    home = lcsw.licenses.get()
    assert errors_of(excinfo)["compact"] == [
        f"PSYPACT covers psychologist licenses only; the home license {home} is an LCSW license."
    ]
    assert CompactPrivilege.objects.count() == 0
    assert grant(lcsw, compact="social_work").compact == "social_work"


def test_a_nurse_practitioner_has_no_compact_to_rely_on(in_org_a):
    pmhnp = clinician("pmhnp")
    for compact in ("psypact", "counseling", "social_work"):
        with pytest.raises(ValidationError) as excinfo:
            grant(pmhnp, compact=compact)
        assert "PMHNP/NP license" in errors_of(excinfo)["compact"][0]


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"compact": "nurse_licensure"}, "compact", "Choose one of: psypact, counseling"),
        ({"state": "W"}, "state", "two-letter state code"),
        ({"state": "ZZ"}, "state", "not a US state"),
        ({"state": "OR"}, "state", "The home license is from OR"),
        ({"number": "  "}, "number", "Enter the privilege number"),
        ({"home_license": None}, "home_license", "Choose the home-state license"),
        ({"effective_on": None}, "effective_on", "Enter the date the privilege takes effect"),
        ({"expires_on": days(-301)}, "expires_on", "cannot be before the date it takes effect"),
        ({"number": "9" * 41}, "number", "at most 40 characters"),
    ],
)
def test_a_privilege_with_bad_input_is_refused_with_a_field_message(
    in_org_a, fields, field, fragment
):
    with pytest.raises(ValidationError) as excinfo:
        grant(clinician(), **fields)
    assert fragment in " ".join(errors_of(excinfo)[field])
    assert CompactPrivilege.objects.count() == 0


def test_the_home_license_must_be_the_providers_own(in_org_a):
    someone_else = clinician()
    with pytest.raises(ValidationError) as excinfo:
        grant(clinician(), home_license=someone_else.licenses.get())
    assert errors_of(excinfo)["home_license"] == ["Choose one of this provider's own licenses."]


def test_overlapping_privileges_for_one_compact_and_state_are_refused_and_a_renewal_is_not(
    in_org_a,
):
    provider = clinician()
    first = grant(provider, effective_on=days(-300), expires_on=days(65))
    with pytest.raises(ValidationError) as excinfo:
        grant(provider, effective_on=days(65), expires_on=days(430))
    assert "This overlaps PSYPACT" in errors_of(excinfo)["effective_on"][0]
    renewal = grant(provider, effective_on=days(66), expires_on=days(430), number=first.number)
    other_state = grant(provider, state="ID", number=first.number)  # one APIT, several states
    assert CompactPrivilege.objects.count() == 3
    assert (renewal.number, other_state.number) == (first.number, first.number)


def test_a_number_held_by_another_provider_is_refused(in_org_a):
    grant(clinician(), number="7001")
    with pytest.raises(ValidationError) as excinfo:
        grant(clinician(), number="7001")
    assert errors_of(excinfo)["number"] == ["Another provider holds PSYPACT number 7001."]


# --- Ending and correcting -------------------------------------------------------------------


def test_ending_a_privilege_keeps_it_for_the_days_before_its_last_day(in_org_a):
    payer = factories.payer(name="Acme Health")
    provider = clinician(payers=[payer])
    privilege = grant(provider)
    ended = services.privilege_end(
        privilege=privilege, ended_on=days(-10), status="revoked", note="Commission notice 12"
    )
    assert (ended.status, ended.ended_on, ended.note) == (
        "revoked",
        days(-10),
        "Commission notice 12",
    )

    def can_bill(on: dt.date) -> tuple[bool, list[str]]:
        return selectors.provider_can_bill(provider=provider, payer=payer, on_date=on, state="WA")

    assert can_bill(days(-10)) == (True, [])
    assert can_bill(days(-9))[1] == [
        f"In WA, where the service was, no license is held; PSYPACT privilege in WA "
        f"({privilege.number}) was revoked; its last valid day was Oct 23, 2026."
    ]


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"ended_on": None}, "ended_on", "Enter the last day"),
        ({"ended_on": days(66)}, "ended_on", "expires on Jan 6, 2027; it cannot end after"),
        ({"ended_on": days(-301)}, "ended_on", "cannot be before it takes effect"),
        ({"ended_on": days(1), "status": "active"}, "status", "relinquished, revoked"),
    ],
)
def test_an_end_that_makes_no_sense_is_refused(in_org_a, fields, field, fragment):
    privilege = grant(clinician())
    with pytest.raises(ValidationError) as excinfo:
        services.privilege_end(privilege=privilege, **fields)
    assert fragment in " ".join(errors_of(excinfo)[field])
    assert CompactPrivilege.objects.get().status == "active"


def test_ending_again_corrects_the_end_and_correcting_the_status_reopens_it(in_org_a):
    privilege = grant(clinician())
    services.privilege_end(privilege=privilege, ended_on=days(-10))
    again = services.privilege_end(privilege=privilege, ended_on=days(-5))
    assert (again.status, again.ended_on) == ("relinquished", days(-5))
    reopened = services.privilege_correct(privilege=privilege, status="active")
    assert (reopened.status, reopened.ended_on) == ("active", None)


def test_correct_fixes_a_recorded_privilege_and_refuses_what_it_cannot_change(in_org_a):
    privilege = grant(clinician())
    fixed = services.privilege_correct(privilege=privilege, number="7002", expires_on=days(400))
    assert (fixed.number, fixed.expires_on) == ("7002", days(400))
    with pytest.raises(ValidationError) as excinfo:
        services.privilege_correct(privilege=privilege, provider=clinician())
    assert "cannot be changed here" in errors_of(excinfo)["provider"][0]
    with pytest.raises(ValidationError) as excinfo:
        services.privilege_correct(privilege=privilege, compact="counseling")
    assert "Counseling Compact covers LPC/LMHC licenses only" in errors_of(excinfo)["compact"][0]
    assert CompactPrivilege.objects.get().compact == "psypact"


def test_the_database_refuses_privileges_the_services_would_refuse(in_org_a):
    provider = clinician()
    privilege = grant(provider, number="7001")
    home = provider.licenses.get()
    base = dict(provider=provider, home_license=home, compact="psypact", state="WA")
    for bad in (
        lambda: CompactPrivilege.objects.create(
            **base, number="7001", effective_on=days(0), expires_on=days(10)
        ),
        lambda: CompactPrivilege.objects.create(  # the number is another provider's
            **{**base, "provider": clinician(), "state": "ID"},
            number="7001",
            effective_on=days(100),
        ),
        lambda: CompactPrivilege.objects.create(
            **base, number="x", effective_on=days(100), ended_on=days(120)
        ),
        lambda: CompactPrivilege.objects.filter(pk=privilege.pk).update(
            status="revoked", ended_on=days(70)
        ),
        lambda: CompactPrivilege.objects.filter(pk=privilege.pk).update(state="wa"),
        lambda: CompactPrivilege.objects.filter(pk=privilege.pk).update(expires_on=days(-301)),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            bad()


def test_a_home_license_under_a_privilege_is_not_deleted_alone_but_goes_with_its_provider(
    in_org_a,
):
    from django.db.models import RestrictedError

    provider = clinician()
    grant(provider)
    with pytest.raises(RestrictedError), transaction.atomic():
        License.objects.get(provider=provider).delete()
    Provider.objects.filter(pk=provider.pk).delete()
    assert (License.objects.count(), CompactPrivilege.objects.count()) == (0, 0)


# --- Billing and gaps ------------------------------------------------------------------------


def test_a_telehealth_service_in_the_privileges_state_is_billable(in_org_a):
    payer = factories.payer(name="Acme Health")
    provider = clinician(payers=[payer])
    grant(provider, state="WA", number="7001")
    grant(provider, state="CA", compact="psypact", number="7001")

    def reasons(state: str) -> list[str]:
        return selectors.provider_can_bill(
            provider=provider, payer=payer, on_date=AS_OF, state=state
        )[1]

    assert reasons("OR") == reasons("WA") == reasons("CA") == []
    assert reasons("ID") == [
        "No license or compact privilege in ID on Nov 2, 2026 (licenses held: OR; PSYPACT "
        "privileges: CA, WA)."
    ]


def test_provider_can_bill_by_state_runs_no_query_per_call_however_many_privileges(
    in_org_a, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    payer = factories.payer(name="Acme Health")

    def load() -> tuple[list[Provider], int]:
        with CaptureQueriesContext(connection) as captured:
            loaded = list(selectors.providers_for_billing().order_by("id"))
        return loaded, len(captured)

    first = clinician(payers=[payer])
    grant(first, number="A1")
    _, one = load()
    for n in range(6):
        provider = clinician(payers=[payer])
        for state in ("WA", "ID", "NV"):
            grant(provider, state=state, number=f"N{n}", expires_on=days(10 * n))
    loaded, many = load()
    assert many == one  # a fixed number of queries for any count of providers and privileges
    with django_assert_num_queries(0):
        answers = [
            selectors.provider_can_bill(provider=p, payer=payer, on_date=days(d), state=s)[0]
            for p in loaded
            for s in ("WA", "ID", "CA")
            for d in (0, 15, 30)
        ]
    # the first: WA on every day; the others: WA and ID up to each privilege's expiry; CA: never
    expected = 3 + sum(2 * sum(d <= 10 * n for d in (0, 15, 30)) for n in range(6))
    assert answers.count(True) == expected


def test_a_privilege_expiring_within_60_days_shows_in_the_gap_list(in_org_a):
    provider = clinician()
    grant(provider, number="7001", expires_on=days(45))
    rows = selectors.credentialing_gaps(org=in_org_a, as_of=AS_OF)
    issues = {g.code: g.message for row in rows if row.provider == provider for g in row.issues}
    assert issues == {
        "privilege_expiring": "PSYPACT privilege in WA (7001) expires on Dec 17, 2026 (in 45 days)."
    }

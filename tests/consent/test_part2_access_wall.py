"""A member without Part 2 access never sees a Part 2 patient or any of their records, through
the ORM, the pages or the API. Nobody has it until an admin grants it; an outside billing
company's staff also need a qualified service organization agreement in force with their company
(42 CFR 2.11, 2.12(c)(4)), judged on the clinic's today."""

from __future__ import annotations

import datetime

import pytest

from authorizations.models import PriorAuthorization
from consent.models import Part2Consent
from consent.services import qso_agreement_end
from patients.models import Coverage, EpisodeOfCare, Patient, Session
from rcm.models import Membership
from rcm.tenancy import org_context
from tests import factories
from tests.consent.elements import on, today


@pytest.fixture
def mixed_clinic(org_a):
    with org_context(org_a):
        mh = factories.patient(last_name="Mhonly", mrn="MH-1")
        sud = factories.patient(last_name="Sudprog", mrn="SUD-1")
        factories.episode(patient_obj=mh, program="mh")
        factories.episode(patient_obj=sud, program="sud", part2_applies=True)
        cov = factories.coverage(patient_obj=sud)
        factories.coverage(patient_obj=mh)
        factories.authorization(coverage_obj=cov)
        factories.session(patient_obj=sud)
        factories.session(patient_obj=mh)
        factories.part2_consent(patient_obj=sud)
    return org_a, mh, sud


def _counts(org, part2_access):
    with org_context(org, part2_access=part2_access):
        return {
            m.__name__: m.objects.count()
            for m in (Patient, Coverage, EpisodeOfCare, Session, PriorAuthorization, Part2Consent)
        }


@pytest.mark.django_db
def test_the_orm_withholds_every_record_of_a_part2_patient_without_access(mixed_clinic):
    org, _, _ = mixed_clinic
    assert _counts(org, True) == {
        "Patient": 2,
        "Coverage": 2,
        "EpisodeOfCare": 2,
        "Session": 2,
        "PriorAuthorization": 1,
        "Part2Consent": 1,
    }
    assert _counts(org, False) == {
        "Patient": 1,
        "Coverage": 1,
        "EpisodeOfCare": 1,
        "Session": 1,
        "PriorAuthorization": 0,
        "Part2Consent": 0,
    }


@pytest.mark.django_db
def test_pages_and_api_follow_the_members_part2_access(client, mixed_clinic):
    org, mh, sud = mixed_clinic
    outsider = factories.member(org, role="biller", username="outside.biller")
    with org_context(org):
        Membership.objects.filter(user=outsider).update(part2_access=False)
    client.force_login(outsider)
    assert client.get(f"/o/{org.slug}/patients/{sud.public_id}/").status_code == 404
    assert client.get(f"/o/{org.slug}/patients/{mh.public_id}/").status_code == 200
    listed = client.get(f"/api/o/{org.slug}/patients/").json()["results"]
    assert [p["mrn"] for p in listed] == ["MH-1"]
    assert client.get(f"/api/o/{org.slug}/part2-consents/").json()["results"] == []
    found = client.post(f"/o/{org.slug}/patients/", {"name": "Sudprog"})
    assert b"No patient matches." in found.content and b"SUD-1" not in found.content


def _sees_sud(client, org, sud) -> bool:
    return client.get(f"/o/{org.slug}/patients/{sud.public_id}/").status_code == 200


@pytest.mark.django_db
def test_a_new_member_sees_no_part2_record_until_an_admin_grants_it(client, mixed_clinic):
    """42 CFR 2.13(a) need to know; the default is no access, for every role."""
    org, _, sud = mixed_clinic
    for role in ("admin", "clinician", "intake", "compliance"):
        client.force_login(factories.member(org, role=role))
        assert not _sees_sud(client, org, sud), role
    with org_context(org):
        assert Membership.objects.filter(part2_access=True).count() == 0


@pytest.mark.django_db
def test_an_admin_grants_part2_access_to_the_programs_own_staff(client, mixed_clinic):
    """42 CFR 2.13(a): access limited to those who need it, granted by an admin."""
    org, _, _ = mixed_clinic
    staff = factories.member(org, role="biller")
    with org_context(org):
        membership = Membership.objects.get(user=staff)
    client.force_login(factories.member(org, role="admin"))
    url = f"/api/o/{org.slug}/memberships/{membership.public_id}/"
    response = client.patch(url, {"part2_access": True}, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["part2_access"], response.json()["part2_access_today"]) == (True, True)
    assert (
        client.patch(url, {"role": "admin"}, content_type="application/json").json()["role"]
        == "biller"
    )  # role is read-only here
    client.force_login(staff)
    assert (
        client.patch(url, {"part2_access": True}, content_type="application/json").status_code
        == 403
    )
    assert len(client.get(f"/api/o/{org.slug}/patients/").json()["results"]) == 2


# --- An outside billing company's staff: the grant and a QSOA in force (42 CFR 2.11) ----------


def _outside_biller(org, company, *, granted=True):
    """A biller employed by `company` (a member there too) working in `org`."""
    user = factories.member(org, role="biller", part2_access=granted)
    with org_context(company):
        Membership.objects.create(user=user, role="biller")
    return user


@pytest.fixture
def keystone(db):
    return factories.billing_company(slug="keystone", name="Keystone Billing Partners")


@pytest.mark.django_db
def test_a_billing_companys_biller_needs_an_agreement_in_force_besides_the_grant(
    client, mixed_clinic, keystone
):
    """42 CFR 2.11, 2.12(c)(4): a billing company sees Part 2 records only as a QSO."""
    org, _, sud = mixed_clinic
    biller = _outside_biller(org, keystone)
    client.force_login(biller)
    assert not _sees_sud(client, org, sud)  # granted, but no agreement
    with org_context(org):
        factories.qso_agreement(keystone, effective_on=today() - datetime.timedelta(days=30))
    assert _sees_sud(client, org, sud)


@pytest.mark.django_db
def test_an_agreement_without_the_grant_gives_no_access(client, mixed_clinic, keystone):
    """42 CFR 2.11 and 2.13(a): the QSOA makes access possible, the admin still decides."""
    org, _, sud = mixed_clinic
    client.force_login(_outside_biller(org, keystone, granted=False))
    with org_context(org):
        factories.qso_agreement(keystone, effective_on=today() - datetime.timedelta(days=30))
    assert not _sees_sud(client, org, sud)


@pytest.mark.django_db
def test_when_the_agreement_ends_access_ends_without_touching_the_grant(
    client, mixed_clinic, keystone
):
    """42 CFR 2.11: no agreement in force, no QSO."""
    org, _, sud = mixed_clinic
    client.force_login(_outside_biller(org, keystone))
    with org_context(org):
        agreement = factories.qso_agreement(
            keystone, effective_on=today() - datetime.timedelta(days=30)
        )
    assert _sees_sud(client, org, sud)
    with org_context(org):
        qso_agreement_end(agreement=agreement, ends_on=today(), actor=None)
    assert not _sees_sud(client, org, sud)
    with org_context(org):
        assert Membership.objects.filter(part2_access=True).count() == 1  # grant untouched


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("starts_in", "ends_in", "sees"),
    [(1, None, False), (0, None, True), (-30, 1, True), (-30, 0, False)],
)
def test_the_agreement_is_judged_on_the_clinics_today(
    client, mixed_clinic, keystone, starts_in, ends_in, sees
):
    """42 CFR 2.11: in force from its effective date until (not including) its end date."""
    org, _, sud = mixed_clinic
    client.force_login(_outside_biller(org, keystone))
    day = lambda n: None if n is None else today() + datetime.timedelta(days=n)  # noqa: E731
    with org_context(org):
        factories.qso_agreement(keystone, effective_on=day(starts_in), ends_on=day(ends_in))
    assert _sees_sud(client, org, sud) is sees


@pytest.mark.django_db
def test_the_end_date_follows_the_clinics_clock_not_utc(client, mixed_clinic, keystone):
    """42 CFR 2.11 and the org's time zone: at 23:30 in New York on the day before the end
    date (already the end date in UTC) the biller still sees the records; at 00:30 not."""
    org, _, sud = mixed_clinic
    client.force_login(_outside_biller(org, keystone))
    end = datetime.date(2026, 6, 1)
    with org_context(org):
        factories.qso_agreement(keystone, effective_on=datetime.date(2026, 1, 1), ends_on=end)
        with on(end - datetime.timedelta(days=1), 23, 30):
            assert _sees_sud(client, org, sud)
        with on(end, 0, 30):
            assert not _sees_sud(client, org, sud)


@pytest.mark.django_db
def test_an_agreement_with_another_company_does_not_cover_this_ones_staff(
    client, mixed_clinic, keystone
):
    """42 CFR 2.11: the agreement is with the member's own company."""
    org, _, sud = mixed_clinic
    client.force_login(_outside_biller(org, keystone))
    with org_context(org):
        factories.qso_agreement(factories.billing_company(name="Other Billing LLC"))
    assert not _sees_sud(client, org, sud)


@pytest.mark.django_db
def test_a_biller_working_for_two_companies_needs_an_agreement_with_each(
    client, mixed_clinic, keystone
):
    """42 CFR 2.11, failing closed: the access cannot tell which company they act for."""
    org, _, sud = mixed_clinic
    other = factories.billing_company(name="Other Billing LLC")
    biller = _outside_biller(org, keystone)
    with org_context(other):
        Membership.objects.create(user=biller, role="biller")
    client.force_login(biller)
    with org_context(org):
        factories.qso_agreement(keystone)
    assert not _sees_sud(client, org, sud)
    with org_context(org):
        factories.qso_agreement(other)
    assert _sees_sud(client, org, sud)


@pytest.mark.django_db
def test_someone_who_left_the_billing_company_counts_as_program_staff(
    client, mixed_clinic, keystone
):
    """42 CFR 2.11: only an active membership in the billing company makes them its staff."""
    org, _, sud = mixed_clinic
    biller = _outside_biller(org, keystone)
    with org_context(keystone):
        Membership.objects.filter(user=biller).update(is_active=False)
    client.force_login(biller)
    assert _sees_sud(client, org, sud)


@pytest.mark.django_db
def test_system_work_without_a_membership_keeps_full_access(mixed_clinic):
    """42 CFR 2.12(c)(3), the program's own work: Celery tasks and commands (org_context
    without a member) see every record, as before."""
    org, _, _ = mixed_clinic
    with org_context(org):
        assert Patient.objects.count() == 2

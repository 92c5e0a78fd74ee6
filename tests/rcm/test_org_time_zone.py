"""Dates of service, "today" and night jobs follow each organization's IANA time zone.

A session at 23:30 in California is on the California date (the UTC date is already tomorrow);
minutes across a daylight-saving change count real time; a skipped wall-clock time is refused.
US DST in 2026: clocks go forward on Sunday March 8 and back on Sunday November 1 (02:00 local).
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from consent.services import consent_record
from patients.forms import SessionForm
from patients.models import Session
from patients.services.clinical import episode_admit, session_record
from rcm.models import ChangeLog, Organization
from rcm.orgs import organization_update_settings
from rcm.tasks import nights_due
from rcm.tenancy import org_context
from rcm.timezones import NonexistentLocalTime, local_moment
from tests import factories
from tests.consent.elements import valid_elements

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
UTC = datetime.UTC


@pytest.fixture
def la_org(db):
    return factories.organization(slug="clinic-la", name="LA", time_zone="America/Los_Angeles")


@pytest.fixture
def ny_org(db):
    return factories.organization(slug="clinic-ny", name="NY", time_zone="America/New_York")


@pytest.fixture
def la_world(la_org):
    with org_context(la_org):
        patient = factories.patient(mrn="LA1")
        factories.coverage(patient_obj=patient, payer_obj=factories.payer())
        facility = factories.facility(pos="11")
        episode_admit(
            patient=patient,
            program="mh",
            level="outpatient",
            admit_date=datetime.date(2026, 1, 5),
            diagnoses=["F33.1"],
            facility=facility,
        )
        provider = factories.provider()
    return {"patient": patient, "facility": facility, "provider": provider}


def test_org_context_makes_the_orgs_zone_current_and_restores_the_previous_one(la_org, ny_org):
    before = timezone.get_current_timezone_name()
    with org_context(la_org):
        assert timezone.get_current_timezone_name() == "America/Los_Angeles"
        with org_context(ny_org):
            assert timezone.get_current_timezone_name() == "America/New_York"
        assert timezone.get_current_timezone_name() == "America/Los_Angeles"
    assert timezone.get_current_timezone_name() == before


def test_a_session_at_2330_in_california_keeps_its_california_date_of_service(la_world, la_org):
    starts = datetime.datetime(2026, 3, 6, 23, 30, tzinfo=LA)  # 07:30 UTC on March 7
    with org_context(la_org):
        session = session_record(
            actor=None,
            patient=la_world["patient"],
            kind="individual",
            rendering_provider=la_world["provider"],
            starts_at=starts.astimezone(UTC),
            ends_at=(starts + datetime.timedelta(minutes=25)).astimezone(UTC),
        )
        assert session.starts_at.astimezone(UTC).date() == datetime.date(2026, 3, 7)
        assert session.service_date == datetime.date(2026, 3, 6)


def test_the_session_form_reads_2330_as_local_time_on_the_date_entered(la_world, la_org):
    with org_context(la_org):
        form = SessionForm(
            data={
                "patient": "LA1",
                "kind": "individual",
                "status": "completed",
                "service_date": "2026-03-06",
                "start_time": "23:30",
                "end_time": "23:58",
                "modality": "in_person",
                "patient_location": "facility",
                "facility": str(la_world["facility"].public_id),
                "rendering_provider": str(la_world["provider"].public_id),
            }
        )
        assert form.is_valid(), form.errors
        facts = form.facts()
    assert facts["starts_at"] == datetime.datetime(2026, 3, 7, 7, 30, tzinfo=UTC)
    assert facts["ends_at"] == datetime.datetime(2026, 3, 7, 7, 58, tzinfo=UTC)


def test_minutes_across_the_spring_forward_change_count_real_time(la_world, la_org):
    # 01:30 PST -> 03:30 PDT is one hour of real time, not two.
    with org_context(la_org):
        session = session_record(
            actor=None,
            patient=la_world["patient"],
            kind="individual",
            rendering_provider=la_world["provider"],
            starts_at=local_moment(datetime.date(2026, 3, 8), datetime.time(1, 30), LA),
            ends_at=local_moment(datetime.date(2026, 3, 8), datetime.time(3, 30), LA),
        )
    assert session.minutes == 60
    assert session.service_date == datetime.date(2026, 3, 8)


def test_minutes_across_the_fall_back_change_count_real_time():
    # 00:30 PDT -> 01:30 (first occurrence, still PDT) is 60 minutes; the repeated hour reads
    # as its first occurrence.
    start = local_moment(datetime.date(2026, 11, 1), datetime.time(0, 30), LA)
    end = local_moment(datetime.date(2026, 11, 1), datetime.time(1, 30), LA)
    assert end - start == datetime.timedelta(minutes=60)
    assert end.astimezone(LA).utcoffset() == datetime.timedelta(hours=-7)


@pytest.mark.parametrize(
    ("clock", "exists"),
    [("01:59", True), ("02:00", False), ("02:30", False), ("02:59", False), ("03:00", True)],
)
def test_a_wall_clock_time_skipped_by_spring_forward_does_not_exist(clock, exists):
    day = datetime.date(2026, 3, 8)
    t = datetime.time.fromisoformat(clock)
    if exists:
        assert local_moment(day, t, LA).astimezone(LA).time() == t
    else:
        with pytest.raises(NonexistentLocalTime, match="does not exist"):
            local_moment(day, t, LA)


def test_the_session_page_refuses_a_start_time_that_did_not_happen(client, la_world, la_org):
    client.force_login(factories.member(la_org, role="intake"))
    response = client.post(
        "/o/clinic-la/patients/sessions/new/",
        {
            "patient": "LA1",
            "kind": "individual",
            "status": "completed",
            "service_date": "2026-03-08",
            "start_time": "02:30",
            "end_time": "03:30",
            "modality": "in_person",
            "patient_location": "facility",
            "facility": str(la_world["facility"].public_id),
            "rendering_provider": str(la_world["provider"].public_id),
        },
    )
    assert response.status_code in (200, 400)
    assert "does not exist in America/Los_Angeles" in response.content.decode()
    with org_context(la_org):
        assert Session.objects.count() == 0


# 2026-07-01 05:00 UTC is June 30, 22:00 in Los Angeles and July 1, 01:00 in New York.
EVENING_IN_CALIFORNIA = datetime.datetime(2026, 7, 1, 5, 0, tzinfo=UTC)


@time_machine.travel(EVENING_IN_CALIFORNIA, tick=False)
def test_today_is_the_clinics_date_not_utcs(la_org, ny_org):
    with org_context(la_org):
        assert timezone.localdate() == datetime.date(2026, 6, 30)
    with org_context(ny_org):
        assert timezone.localdate() == datetime.date(2026, 7, 1)


@time_machine.travel(EVENING_IN_CALIFORNIA, tick=False)
def test_a_consent_signed_tomorrow_in_california_is_refused_there_but_not_in_new_york(
    la_org, ny_org
):
    signed = datetime.date(2026, 7, 1)
    with org_context(la_org):
        patient = factories.patient()
        with pytest.raises(ValidationError) as refused:
            consent_record(patient=patient, actor=None, **valid_elements(signed_on=signed))
        assert "signed_on" in refused.value.message_dict
    with org_context(ny_org):
        patient = factories.patient()
        consent = consent_record(patient=patient, actor=None, **valid_elements(signed_on=signed))
        assert consent.signed_on == signed


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (datetime.datetime(2026, 3, 6, 0, 0, tzinfo=UTC), datetime.date(2026, 3, 10)),
        (datetime.datetime(2026, 10, 30, 0, 0, tzinfo=UTC), datetime.date(2026, 11, 3)),
    ],
)
def test_an_hourly_beat_starts_exactly_one_night_per_local_date_across_dst(first, last):
    zones = [(1, "America/Los_Angeles"), (2, "America/New_York"), (3, "UTC")]
    nights: dict[int, list[datetime.date]] = {1: [], 2: [], 3: []}
    for hour in range(24 * 5):
        for org_id, day in nights_due(zones, first + datetime.timedelta(hours=hour)):
            nights[org_id].append(day)
    for org_id, days in nights.items():
        assert len(days) == len(set(days)), (org_id, days)
        expected = {first.date() + datetime.timedelta(days=n) for n in range(5)}
        assert set(days) >= expected - {first.date()} - {last}, (org_id, days)


def test_night_jobs_start_at_2am_on_each_orgs_own_clock():
    zones = [(1, "America/Los_Angeles"), (2, "America/New_York"), (3, "UTC")]
    # 10:00 UTC on a July day: 03:00 in LA, 06:00 in NY: nobody's 02:00.
    assert nights_due(zones, datetime.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == []
    # The spring-forward day: LA's 02:00 never happens; its night starts at 03:00 PDT (10 UTC).
    assert nights_due(zones, datetime.datetime(2026, 3, 8, 10, 0, tzinfo=UTC)) == [
        (1, datetime.date(2026, 3, 8))
    ]
    # 09:00 UTC: 02:00 PDT in LA, whose night is that of July 1 (local date).
    assert nights_due(zones, datetime.datetime(2026, 7, 1, 9, 0, tzinfo=UTC)) == [
        (1, datetime.date(2026, 7, 1))
    ]
    # In January (PST, UTC-8) LA's 02:00 is 10:00 UTC.
    assert nights_due(zones, datetime.datetime(2026, 1, 15, 10, 0, tzinfo=UTC)) == [
        (1, datetime.date(2026, 1, 15))
    ]
    assert nights_due(zones, datetime.datetime(2026, 7, 1, 2, 0, tzinfo=UTC)) == [
        (3, datetime.date(2026, 7, 1))
    ]


def test_an_admin_changes_the_zone_on_the_settings_page_and_the_change_is_in_history(
    client, la_org
):
    admin = factories.member(la_org, role="admin")
    client.force_login(admin)
    url = "/o/clinic-la/settings/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"time_zone": "America/Denver"})
    assert response.status_code == 302
    la_org.refresh_from_db()
    assert la_org.time_zone == "America/Denver"
    with org_context(la_org):
        change = ChangeLog.objects.get(table_name="rcm_organization", row_id=la_org.pk)
    assert change.old_data == {"time_zone": "America/Los_Angeles"}
    assert change.new_data == {"time_zone": "America/Denver"}
    assert change.actor_id == admin.pk


def test_the_settings_page_refuses_a_made_up_zone_and_other_roles(client, la_org):
    client.force_login(factories.member(la_org, role="admin"))
    response = client.post("/o/clinic-la/settings/", {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    la_org.refresh_from_db()
    assert la_org.time_zone == "America/Los_Angeles"
    client.force_login(factories.member(la_org, role="biller"))
    assert client.get("/o/clinic-la/settings/").status_code == 403


def test_the_api_reads_the_zone_and_only_admins_change_it(client, la_org):
    client.force_login(factories.member(la_org, role="biller"))
    url = "/api/o/clinic-la/organization/"
    assert client.get(url).json()["time_zone"] == "America/Los_Angeles"
    assert (
        client.patch(url, {"time_zone": "UTC"}, content_type="application/json").status_code == 403
    )
    client.force_login(factories.member(la_org, role="admin"))
    bad = client.patch(url, {"time_zone": "Nowhere/Else"}, content_type="application/json")
    assert bad.status_code == 400
    assert "time_zone" in bad.json()
    ok = client.patch(url, {"time_zone": "America/Chicago"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["time_zone"] == "America/Chicago"


def test_the_update_service_refuses_fields_that_are_not_settings(la_org):
    with pytest.raises(ValidationError) as refused:
        organization_update_settings(org=la_org, actor=None, slug="stolen")
    assert "slug" in refused.value.message_dict


def test_create_org_requires_a_real_time_zone(db):
    with pytest.raises(CommandError, match="time_zone"):
        call_command(
            "create_org", "--slug", "new-clinic", "--name", "New", "--time-zone", "Moon/Base"
        )
    assert not Organization.objects.filter(slug="new-clinic").exists()
    with pytest.raises(CommandError):
        call_command("create_org", "--slug", "new-clinic", "--name", "New")  # zone is required
    call_command(
        "create_org", "--slug", "new-clinic", "--name", "New", "--time-zone", "America/Phoenix"
    )
    assert Organization.objects.get(slug="new-clinic").time_zone == "America/Phoenix"


def test_minutes_of_two_moments_sharing_a_zone_are_real_time_across_spring_forward():
    start = datetime.datetime(2026, 3, 8, 1, 30, tzinfo=LA)
    end = datetime.datetime(2026, 3, 8, 3, 30, tzinfo=LA)
    assert end - start == datetime.timedelta(hours=2)  # Python's wall-clock arithmetic
    assert Session(starts_at=start, ends_at=end).minutes == 60


def _api_session(client, la_world, starts_at, ends_at):
    body = {
        "patient": str(la_world["patient"].public_id),
        "kind": "individual",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "rendering_provider": str(la_world["provider"].public_id),
    }
    return client.post("/api/o/clinic-la/sessions/", body, content_type="application/json")


def test_the_api_reads_a_time_without_an_offset_on_the_clinics_clock(client, la_world, la_org):
    client.force_login(factories.member(la_org, role="clinician"))
    response = _api_session(client, la_world, "2026-03-06T23:30:00", "2026-03-06T23:58:00")
    assert response.status_code == 201, response.json()
    with org_context(la_org):
        session = Session.objects.get()
    assert session.starts_at == datetime.datetime(2026, 3, 7, 7, 30, tzinfo=UTC)
    assert session.service_date == datetime.date(2026, 3, 6)


def test_the_api_refuses_a_time_that_spring_forward_skipped(client, la_world, la_org):
    client.force_login(factories.member(la_org, role="clinician"))
    response = _api_session(client, la_world, "2026-03-08T02:30:00", "2026-03-08T04:00:00")
    assert response.status_code == 400
    assert "does not exist in America/Los_Angeles" in response.json()["starts_at"][0]
    with_offset = _api_session(
        client, la_world, "2026-03-08T01:30:00-08:00", "2026-03-08T03:30:00-07:00"
    )
    assert with_offset.status_code == 201, with_offset.json()
    with org_context(la_org):
        assert Session.objects.get().minutes == 60


def test_a_session_from_2330_to_0023_ends_the_next_morning(la_world, la_org):
    with org_context(la_org):
        form = SessionForm(
            data={
                "patient": "LA1",
                "kind": "individual",
                "status": "completed",
                "service_date": "2026-06-30",
                "start_time": "23:30",
                "end_time": "00:23",
                "modality": "in_person",
                "patient_location": "facility",
                "facility": str(la_world["facility"].public_id),
                "rendering_provider": str(la_world["provider"].public_id),
            }
        )
        assert form.is_valid(), form.errors
        session = session_record(actor=None, **form.facts())
    assert session.minutes == 53 and session.service_date == datetime.date(2026, 6, 30)

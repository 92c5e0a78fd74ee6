"""The nightly `authorization_alerts` job finds each UR condition once a day (per authorization,
session or level-of-care segment), updates the open alert instead of raising another, clears
it when the condition is gone, uses the payer's own thresholds, projects exhaustion from the
pace of use, and withholds Part 2 patients' alerts from members without Part 2 access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from authorizations.alerts import alert_raised, authorization_alerts, projection, urgency
from authorizations.models import ConcurrentReview, UrAlert
from patients.models import LevelOfCareSegment
from rcm import jobs
from rcm.tenancy import org_context
from tests import factories
from tests.authorizations.util import program_day, use_days

TODAY = factories.TODAY
DAY = dt.timedelta(days=1)


def _kinds(**filters) -> list[str]:
    return sorted(UrAlert.objects.filter(**filters).values_list("kind", flat=True))


def test_the_job_is_registered_as_a_nightly_job():
    assert "authorization_alerts" in jobs.nightly()


def test_an_authorization_ending_within_seven_days_raises_one_alert_however_often_the_job_runs(
    iop,
):
    iop.auth.end_date = TODAY + 5 * DAY
    iop.auth.save()
    first = authorization_alerts(TODAY)
    second = authorization_alerts(TODAY)
    assert first["created"] == 1 and second["created"] == 0
    assert second["updated"] == 1
    alert = UrAlert.objects.get()
    assert (alert.kind, alert.authorization, alert.patient) == ("expiring", iop.auth, iop.patient)
    assert alert.due_date == TODAY + 5 * DAY
    assert "ends 2026-11-07 (5 day(s))" in alert.reasons[0]
    # The next day the open alert is updated, not raised again.
    third = authorization_alerts(TODAY + DAY)
    assert (third["created"], third["updated"]) == (0, 1)
    assert UrAlert.objects.count() == 1
    assert UrAlert.objects.get().last_seen_on == TODAY + DAY


def test_the_database_refuses_a_second_alert_for_the_same_condition_on_the_same_day(iop):
    iop.auth.end_date = TODAY + 2 * DAY
    iop.auth.save()
    authorization_alerts(TODAY)
    alert = UrAlert.objects.get()
    alert.status = UrAlert.Status.RESOLVED
    alert.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        UrAlert.objects.create(
            kind=alert.kind,
            subject=alert.subject,
            patient=alert.patient,
            due_date=TODAY,
            created_on=TODAY,
            last_seen_on=TODAY,
        )
    # Worked and resolved today: not raised again today, but again tomorrow if still true.
    assert authorization_alerts(TODAY)["created"] == 0
    assert authorization_alerts(TODAY + DAY)["created"] == 1


def test_the_expiry_window_is_the_payers(iop):
    iop.auth.end_date = TODAY + 5 * DAY
    iop.auth.save()
    payer = iop.coverage.payer
    payer.auth_expiry_alert_days = 3
    payer.save()
    assert authorization_alerts(TODAY)["created"] == 0
    payer.auth_expiry_alert_days = 10
    payer.save()
    assert authorization_alerts(TODAY + DAY)["created"] == 1


def test_an_authorization_continued_by_the_next_one_is_not_expiring(iop):
    iop.auth.end_date = TODAY + 3 * DAY
    iop.auth.save()
    factories.authorization(
        coverage_obj=iop.coverage,
        level_of_care="iop",
        codes=["H0015"],
        unit_type="days",
        units_authorized=Decimal("14"),
        start_date=TODAY + 4 * DAY,
        end_date=TODAY + 17 * DAY,
    )
    authorization_alerts(TODAY)
    assert "expiring" not in _kinds()


def test_eighty_percent_of_units_used_raises_a_units_alert_with_a_projected_exhaustion_date(iop):
    use_days(iop, 8)  # 8 of 10 days, all within the last 14 days
    authorization_alerts(TODAY)
    alert = UrAlert.objects.get(kind="units")
    # Pace: 8 days used in the 14-day window = 0.57/day; 2 left -> ceil(2 * 14 / 8) = 4 days.
    assert alert.detail["pace_per_day"] == "0.57"
    assert alert.detail["exhausts_on"] == (TODAY + 4 * DAY).isoformat()
    assert alert.due_date == TODAY + 4 * DAY
    assert "8 days of 10 used (80%" in alert.reasons[0]


def test_the_usage_threshold_is_the_payers(iop):
    use_days(iop, 8)
    payer = iop.coverage.payer
    payer.auth_usage_alert_percent = 90
    payer.save()
    authorization_alerts(TODAY)
    assert "units" not in _kinds()


def test_the_projection_divides_what_is_left_by_the_pace_of_the_last_14_days():
    p = projection(remaining=Decimal("4"), used_in_window=Decimal("7"), today=TODAY)
    assert p.pace_per_day == Decimal("0.50")
    assert p.exhausts_on == TODAY + 8 * DAY  # 4 left at 0.5 a day
    p = projection(remaining=Decimal("5"), used_in_window=Decimal("14"), today=TODAY)
    assert p.exhausts_on == TODAY + 5 * DAY
    p = projection(remaining=Decimal("1"), used_in_window=Decimal("3"), today=TODAY)
    assert p.exhausts_on == TODAY + 5 * DAY  # 1 / (3/14) = 4.67 -> the 5th day
    assert (
        projection(remaining=Decimal("4"), used_in_window=Decimal("0"), today=TODAY).exhausts_on
        is None
    )
    assert (
        projection(remaining=Decimal("0"), used_in_window=Decimal("2"), today=TODAY).exhausts_on
        == TODAY
    )


def test_urgency_adds_points_as_the_due_date_nears_and_most_when_overdue():
    assert urgency("expiring", TODAY + 10 * DAY, TODAY)[0] == 30
    assert urgency("expiring", TODAY + 5 * DAY, TODAY)[0] == 50
    assert urgency("expiring", TODAY, TODAY)[0] == 70
    score, reasons = urgency("unauth_service", TODAY - 2 * DAY, TODAY)
    assert score == 100 and reasons[-1] == "due 2 day(s) ago: +50"


def test_a_review_due_from_the_schedule_or_a_pending_review_raises_a_review_alert(iop):
    iop.auth.next_review_date = TODAY + DAY
    iop.auth.save()
    authorization_alerts(TODAY)
    assert UrAlert.objects.get(kind="review_due").due_date == TODAY + DAY
    iop.auth.next_review_date = None
    iop.auth.save()
    ConcurrentReview.objects.create(authorization=iop.auth, review_date=TODAY)
    counts = authorization_alerts(TODAY + DAY)
    assert counts["created"] == 0 and counts["updated"] == 1
    assert UrAlert.objects.get(kind="review_due").due_date == TODAY


def test_a_completed_service_no_authorization_covers_raises_one_alert_for_its_session(in_org_a):
    payer = factories.payer(auth_required_codes=["90837"])  # the payer's code list
    pat = factories.patient()
    factories.coverage(patient_obj=pat, payer_obj=payer)
    visit = factories.session(
        patient_obj=pat, service_date=TODAY - 2 * DAY, facility=factories.facility(pos="11")
    )
    assert authorization_alerts(TODAY)["created"] == 1
    assert authorization_alerts(TODAY + DAY)["created"] == 0
    alert = UrAlert.objects.get(kind="unauth_service")
    assert (alert.session, alert.authorization, alert.due_date) == (visit, None, visit.service_date)
    assert alert.payer == payer


def test_a_covered_service_or_a_level_the_payer_does_not_authorize_raises_nothing(iop):
    program_day(iop, TODAY - DAY)  # covered by the IOP authorization
    payer = factories.payer(auth_required_levels=[])
    pat = factories.patient()
    factories.coverage(patient_obj=pat, payer_obj=payer)
    ep = factories.episode(patient_obj=pat, level="iop", admit_date=TODAY - 5 * DAY)
    factories.session(patient_obj=pat, episode=ep, kind="program_day", service_date=TODAY - DAY)
    authorization_alerts(TODAY)
    assert _kinds() == []


def test_a_level_change_without_an_authorization_for_the_new_level_raises_one_alert(in_org_a):
    pat = factories.patient()
    cov = factories.coverage(patient_obj=pat)
    ep = factories.episode(patient_obj=pat, level="outpatient", admit_date=TODAY - 40 * DAY)
    LevelOfCareSegment.objects.filter(episode=ep).update(end_date=TODAY - 4 * DAY)
    seg = LevelOfCareSegment.objects.create(episode=ep, level="php", start_date=TODAY - 3 * DAY)
    assert authorization_alerts(TODAY)["created"] == 1
    alert = UrAlert.objects.get()
    assert (alert.kind, alert.segment, alert.due_date) == ("level_change", seg, seg.start_date)
    assert authorization_alerts(TODAY + DAY)["created"] == 0
    # An authorization for the new level covering its start clears the alert.
    factories.authorization(
        coverage_obj=cov,
        level_of_care="php",
        codes=[],
        unit_type="days",
        units_authorized=Decimal("10"),
        start_date=TODAY - 3 * DAY,
        end_date=TODAY + 20 * DAY,
    )
    counts = authorization_alerts(TODAY + 2 * DAY)
    assert counts["resolved"] == 1
    assert UrAlert.objects.get().status == UrAlert.Status.RESOLVED


def test_a_snoozed_alert_stays_snoozed_until_its_date_then_reopens(iop):
    iop.auth.end_date = TODAY + 6 * DAY
    iop.auth.save()
    authorization_alerts(TODAY)
    UrAlert.objects.update(status="snoozed", snoozed_until=TODAY + 2 * DAY, snooze_reason="Call")
    authorization_alerts(TODAY + DAY)
    assert UrAlert.objects.get().status == "snoozed"
    authorization_alerts(TODAY + 2 * DAY)
    alert = UrAlert.objects.get()
    assert (alert.status, alert.snoozed_until) == ("open", None)


def test_each_new_alert_sends_alert_raised_once(iop):
    iop.auth.end_date = TODAY + DAY
    iop.auth.save()
    got = []

    def listener(sender, alert, **kwargs):
        got.append(alert.kind)

    alert_raised.connect(listener)
    try:
        authorization_alerts(TODAY)
        authorization_alerts(TODAY)
    finally:
        alert_raised.disconnect(listener)
    assert got == ["expiring"]


def test_part2_patients_alerts_are_withheld_from_members_without_part2_access(org_a):
    with org_context(org_a):
        pat = factories.patient()
        cov = factories.coverage(patient_obj=pat)
        factories.episode(
            patient_obj=pat, program="sud", part2_applies=True, level="iop", admit_date=TODAY
        )
        factories.authorization(
            coverage_obj=cov,
            level_of_care="iop",
            unit_type="days",
            codes=[],
            units_authorized=Decimal("5"),
            start_date=TODAY,
            end_date=TODAY + 2 * DAY,
        )
        authorization_alerts(TODAY)
        assert UrAlert.objects.filter(kind="expiring").count() == 1
    with org_context(org_a, part2_access=False):
        assert UrAlert.objects.count() == 0


def test_run_job_runs_it_once_a_day_with_created_and_updated_counts(iop):
    iop.auth.end_date = TODAY + 4 * DAY
    iop.auth.save()
    first = jobs.run_job("authorization_alerts", key=TODAY.isoformat())
    again = jobs.run_job("authorization_alerts", key=TODAY.isoformat())
    assert first["created"] == 1 and "updated" in first and first["skipped"] == 0
    assert again["skipped"] == 1 and UrAlert.objects.count() == 1

"""The nightly `eligibility_checks` job: coverages with a visit in the next 7 days and no
answered check in the last 7 are checked; every coverage in force is re-verified once a month;
a day's run happens once (run_job), and a coverage gets one scheduled check a day (constraint)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from claims.eligibility_jobs import eligibility_checks
from claims.models import EligibilityCheck
from rcm.jobs import run_job
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]
TODAY = factories.TODAY


def _setup():
    factories.clearinghouse_account()
    factories.facility(npi=factories.type2_npi())
    visiting = factories.coverage(member_id="MEM600001")  # the sandbox answers active
    factories.session(
        patient_obj=visiting.patient, status="scheduled", service_date=TODAY + dt.timedelta(days=3)
    )
    quiet = factories.coverage(member_id="MEM600002")
    ended = factories.coverage(member_id="MEM600003", end_date=dt.date(2026, 6, 30))
    return visiting, quiet, ended


def test_the_job_checks_coverages_before_visits_and_reverifies_the_others_monthly(in_org_a):
    visiting, quiet, ended = _setup()
    counts = eligibility_checks(TODAY)
    assert counts["created"] == 2 and counts["answered"] == 2 and counts["updated"] == 0
    by_coverage = {c.coverage_id: c for c in EligibilityCheck.objects.all()}
    assert by_coverage[visiting.pk].source == "nightly"
    assert by_coverage[quiet.pk].source == "monthly"
    assert ended.pk not in by_coverage
    assert all(c.requested_by is None and c.run_on == TODAY for c in by_coverage.values())


def test_a_coverage_answered_recently_is_not_checked_again_before_its_visit(in_org_a):
    visiting, quiet, _ = _setup()
    eligibility_checks(TODAY - dt.timedelta(days=1))  # November 1st
    counts = eligibility_checks(TODAY)
    assert counts["created"] == 0  # both answered this month, the visitor within 7 days


def test_a_visit_after_the_lookahead_waits(in_org_a, settings):
    settings.ELIGIBILITY_LOOKAHEAD_DAYS = 2
    visiting, quiet, _ = _setup()
    factories.eligibility_check(quiet, run_on=TODAY - dt.timedelta(days=1), source="monthly")
    factories.eligibility_check(visiting, run_on=TODAY - dt.timedelta(days=1), source="monthly")
    assert eligibility_checks(TODAY)["created"] == 0


def test_the_nightly_run_happens_once_a_day_through_run_job(in_org_a):
    _setup()
    first = run_job("eligibility_checks", key=TODAY.isoformat())
    again = run_job("eligibility_checks", key=TODAY.isoformat())
    assert first["created"] == 2 and first["skipped"] == 0
    assert again["skipped"] == 1 and again["created"] == 2  # the first run's counts
    assert EligibilityCheck.objects.count() == 2
    # Run again on the same day by hand (a new key): nothing is due any more.
    assert eligibility_checks(TODAY)["created"] == 0


def test_one_scheduled_check_per_coverage_per_day_is_a_database_rule(in_org_a):
    coverage = factories.coverage()
    factories.eligibility_check(coverage, source="nightly")
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.eligibility_check(coverage, source="monthly")
    factories.eligibility_check(coverage, source="manual")  # people may ask any time


def test_run_job_command_runs_the_eligibility_job(org_a, capsys):
    from rcm.tenancy import org_context

    with org_context(org_a):
        _setup()
    call_command("run_job", "eligibility_checks", "--org", org_a.slug)
    assert "created" in capsys.readouterr().out
    with org_context(org_a):
        assert EligibilityCheck.objects.count() == 2

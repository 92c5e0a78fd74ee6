"""The follow-up jobs (denials.jobs): denial re-prioritisation with deadline escalation, claim
status follow-up by 276/277 through the clearinghouse adapter, drop-folder polling through
denials.imports; each once per org and key; `manage.py run_job` runs any of them now."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from claims.models import Claim, ClaimEvent
from denials.jobs import ESCALATE_DAYS, deadline_near
from denials.models import Denial, DenialEvent, Remittance
from denials.posting import post_835
from rcm.jobs import run_job
from rcm.models import TaskRun
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders
from tests.denials import era
from tests.denials.era import adj, clp, line_of

pytestmark = pytest.mark.django_db
M = Decimal


def _denied_claim():
    claim = builders.claim(
        status=Claim.Status.ACCEPTED, lines=[{"code": "90834", "charge": M("150.00")}]
    )
    (line,) = claim.lines.all()
    remit = era.remittance(
        (clp(claim, (line_of(line, "0", adj("CO", "197", "150.00")),), status="4"),), trace="J-1"
    )
    post_835(content=era.file_of(remit), file_name="deny.835")
    return Denial.objects.get(claim=claim)


def test_open_denials_are_reprioritized_and_a_near_deadline_is_escalated_once(in_org_a):
    denial = _denied_claim()
    day = denial.appeal_deadline - dt.timedelta(days=5)
    heard = []

    def listener(sender, denial, **kw):
        heard.append(denial.pk)

    deadline_near.connect(listener)
    try:
        first = run_job("reprioritize_denials", key=day.isoformat())
        again = run_job("reprioritize_denials", key=day.isoformat())
        later = run_job("reprioritize_denials", key=(day + dt.timedelta(days=1)).isoformat())
    finally:
        deadline_near.disconnect(listener)
    assert (first["seen"], first["updated"], first["escalated"], first["skipped"]) == (1, 1, 1, 0)
    assert again["skipped"] == 1 and again["escalated"] == 1  # the first run's counts
    assert later["skipped"] == 0 and later["escalated"] == 0  # once per deadline
    denial.refresh_from_db()
    assert denial.prioritized_on == day + dt.timedelta(days=1)
    assert any("day" in r for r in denial.priority_reasons)
    (event,) = DenialEvent.objects.filter(denial=denial, kind="deadline_near")
    assert event.data == {"deadline": denial.appeal_deadline.isoformat(), "days_left": 5}
    assert heard == [denial.pk]
    assert TaskRun.objects.filter(task_name="jobs.reprioritize_denials").count() == 2


def test_a_deadline_further_than_a_week_is_not_escalated(in_org_a):
    denial = _denied_claim()
    day = denial.appeal_deadline - dt.timedelta(days=ESCALATE_DAYS + 1)
    counts = run_job("reprioritize_denials", key=day.isoformat())
    assert counts["escalated"] == 0
    assert not DenialEvent.objects.filter(kind="deadline_near").exists()


def _waiting_claim(days_ago):
    when = timezone.now() - dt.timedelta(days=days_ago)
    patient = factories.patient(
        address_line1="12 Elm Road", city="Portland", state="OR", postal_code="97202"
    )
    return builders.claim(patient=patient, status=Claim.Status.ACCEPTED, submitted_at=when)


def test_a_claim_without_an_answer_gets_a_276_and_the_277_is_recorded(in_org_a, settings):
    settings.DENIALS_STATUS_FOLLOWUP_DAYS = 30
    factories.clearinghouse_account()
    old, recent = _waiting_claim(40), _waiting_claim(5)
    today = timezone.localdate()
    counts = run_job("claim_status_followup", key=today.isoformat())
    assert (counts["due"], counts["requested"], counts["answered"], counts["updated"]) == (
        1,
        1,
        1,
        1,
    )
    old.refresh_from_db()
    assert old.follow_up_on == today + dt.timedelta(days=30)
    (event,) = ClaimEvent.objects.filter(claim=old, kind="status_check")
    assert event.message == "277 claim status: P1:20"
    assert not ClaimEvent.objects.filter(claim=recent, kind="status_check").exists()
    again = run_job("claim_status_followup", key=today.isoformat())
    assert again["skipped"] == 1
    tomorrow = run_job("claim_status_followup", key=(today + dt.timedelta(days=1)).isoformat())
    assert tomorrow["due"] == 0  # followed up: not due again until follow_up_on
    assert ClaimEvent.objects.filter(claim=old, kind="status_check").count() == 1


def test_without_a_status_channel_the_claims_are_counted_not_asked(in_org_a, tmp_path):
    factories.clearinghouse_account(
        adapter="folder", settings={"export_dir": str(tmp_path), "import_dir": str(tmp_path)}
    )
    _waiting_claim(40)
    counts = run_job("claim_status_followup", key=timezone.localdate().isoformat())
    assert counts["no_channel"] == 1 and counts["requested"] == 0
    assert not ClaimEvent.objects.filter(kind="status_check").exists()


def test_an_835_in_the_drop_folder_is_posted_once(
    in_org_a, tmp_path, django_capture_on_commit_callbacks
):
    inbox = tmp_path / "in"
    inbox.mkdir()
    factories.clearinghouse_account(
        adapter="folder", settings={"export_dir": str(tmp_path), "import_dir": str(inbox)}
    )
    claim = builders.claim(status=Claim.Status.ACCEPTED)
    (line,) = claim.lines.all()
    remit = era.remittance((clp(claim, (line_of(line, "150.00"),)),), trace="J-9")
    (inbox / "era.835").write_bytes(era.file_of(remit))
    with django_capture_on_commit_callbacks(execute=True):
        first = run_job("poll_drop_folders", key="2026-11-27T10:00")
    assert first["created"] == 1 and first["matched"] == 1
    assert Remittance.objects.count() == 1
    assert not (inbox / "era.835").exists()  # archived once imported
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    second = run_job("poll_drop_folders", key="2026-11-27T10:15")
    assert second["files"] == 0 and Remittance.objects.count() == 1


def _command(*args):
    out = io.StringIO()
    call_command("run_job", *args, stdout=out)
    return json.loads(out.getvalue())


def test_run_job_runs_a_job_now_and_prints_its_json_summary_once_a_day(org_a):
    with org_context(org_a):
        denial = _denied_claim()
    day = (denial.appeal_deadline - dt.timedelta(days=3)).isoformat()
    first = _command("reprioritize_denials", "--org", org_a.slug, "--key", day)
    assert first["job"] == "reprioritize_denials" and first["key"] == day
    assert (first["created"], first["updated"], first["escalated"], first["skipped"]) == (
        0,
        1,
        1,
        0,
    )
    again = _command("reprioritize_denials", "--org", org_a.slug, "--key", day)
    assert again["skipped"] == 1
    with org_context(org_a):
        assert DenialEvent.objects.filter(kind="deadline_near").count() == 1


def test_run_job_refuses_an_unknown_job_and_an_unknown_org(org_a):
    with pytest.raises(CommandError, match="No job"):
        _command("nope", "--org", org_a.slug)
    with pytest.raises(CommandError, match="No organization"):
        _command("reprioritize_denials", "--org", "nowhere")


def test_run_job_lists_every_registered_job_with_its_schedule():
    out = io.StringIO()
    call_command("run_job", "--list", stdout=out)
    lines = out.getvalue().splitlines()
    names = [line.split("\t")[0] for line in lines]
    assert {"reprioritize_denials", "claim_status_followup", "poll_drop_folders"} <= set(names)
    assert all(len(line.split("\t")) == 3 for line in lines)

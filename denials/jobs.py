"""Follow-up jobs, one org at a time (run inside org_context, by the Celery task
rcm.tasks.run_job or by `manage.py run_job NAME --org SLUG`, the same code path):

- `reprioritize_denials` (nightly): each open denial's priority and reasons recomputed with
  denials.codes.priority for today's days to its appeal deadline; a denial within
  ESCALATE_DAYS of its deadline is escalated once per deadline: a DenialEvent
  "deadline_near" and the `deadline_near` signal (the notification hook: denials.alerts notifies;
  the job's counts say how many were escalated).
- `claim_status_followup` (nightly): claims submitted or accepted with no answer after
  settings.DENIALS_STATUS_FOLLOWUP_DAYS get a 276 through the clearinghouse adapter; the 277
  that answers is read back and recorded on each claim (ClaimEvent "status_check", and
  follow_up_on moved on by the same number of days).
- `poll_drop_folders`: the files waiting at the org's clearinghouse (SFTP, drop folder,
  sandbox) imported through denials.imports (clearinghouse_poll -> import_file): 835s posted,
  999/277CA applied; files already imported are skipped by their content hash. The beat runs
  the same poll every 15 minutes (denials.tasks.poll_all_clearinghouses).

They are registered in rcm.jobs (DenialsConfig.ready), which runs each once per org and key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django.dispatch
from django.conf import settings
from django.utils import timezone

from claims.models import Claim, ClaimEvent
from denials import codes
from denials.models import OPEN_DENIAL_STATUSES, Denial, DenialEvent
from rcm.jobs import Job

ESCALATE_DAYS = 7
# The notification hook: sent once per denial and deadline, with the denial (inside the org).
deadline_near = django.dispatch.Signal()


# --- 1. denial re-prioritisation --------------------------------------------------------------


def reprioritize_denials(today: dt.date) -> dict[str, Any]:
    counts = {"seen": 0, "updated": 0, "escalated": 0, "created": 0}
    rows = list(Denial.objects.select_for_update().filter(status__in=OPEN_DENIAL_STATUSES))
    escalated_before = set(
        DenialEvent.objects.filter(denial__in=rows, kind="deadline_near").values_list(
            "denial_id", "data__deadline"
        )
    )
    changed, events, hooks = [], [], []
    for d in rows:
        counts["seen"] += 1
        days = (d.appeal_deadline - today).days if d.appeal_deadline else None
        score, reasons = codes.priority(
            d.amount, d.recoverability, days, today=today, root_cause=d.root_cause
        )
        if score != d.priority or list(reasons) != list(d.priority_reasons):
            d.priority, d.priority_reasons, d.prioritized_on = score, list(reasons), today
            d.version += 1
            changed.append(d)
        deadline = d.appeal_deadline.isoformat() if d.appeal_deadline else None
        if (
            days is not None
            and 0 <= days <= ESCALATE_DAYS
            and (d.pk, deadline) not in (escalated_before)
        ):
            events.append(
                DenialEvent(
                    denial=d,
                    kind="deadline_near",
                    from_status=d.status,
                    to_status=d.status,
                    message=f"Appeal deadline {deadline}: {days} day(s) left",
                    data={"deadline": deadline, "days_left": days},
                    part2=d.part2,
                )
            )
            hooks.append(d)
    Denial.objects.bulk_update(
        changed, ["priority", "priority_reasons", "prioritized_on", "version"]
    )
    DenialEvent.objects.bulk_create(events)
    for d in hooks:
        deadline_near.send(sender=Denial, denial=d)
    counts["updated"], counts["escalated"], counts["created"] = len(changed), len(events), 0
    return counts


# --- 2. claim status follow-up (276/277) -----------------------------------------------------

STATUS_WAITING = (Claim.Status.SUBMITTED, Claim.Status.ACCEPTED)


def _status_request(claim: Claim, account: Any) -> Any:
    from claims.edi_map import payer_id
    from edi.x276 import StatusRequest
    from patients.models import Coverage

    cov, patient, billing = claim.coverage, claim.patient, claim.billing or {}
    self_insured = cov.relationship == Coverage.Relationship.SELF
    return StatusRequest(
        payer_name=claim.payer.name[:60],
        payer_id=payer_id(claim.payer, claim.kind),
        receiver_name=account.submitter_name[:60],
        receiver_id=account.submitter_id,
        provider_name=str(billing.get("name", ""))[:60],
        provider_npi=str(billing.get("npi", "")),
        subscriber_last_name=(patient.last_name if self_insured else cov.subscriber_last_name),
        subscriber_first_name=(patient.first_name if self_insured else cov.subscriber_first_name),
        member_id=cov.member_id,
        patient_control_number=claim.control_number,
        charge=claim.total_charge,
        service_from=claim.service_from,
        service_to=claim.service_to if claim.service_to != claim.service_from else None,
        payer_claim_number=claim.payer_claim_number or None,
        bill_type=claim.type_of_bill or None,
        birth_date=patient.date_of_birth,
        gender=patient.sex or "U",
        patient_last_name=None if self_insured else patient.last_name,
        patient_first_name=None if self_insured else patient.first_name,
    )


def _words(info: Any) -> str:
    return ", ".join(f"{s.category}:{s.code}" for s in info.statuses)


def claim_status_followup(today: dt.date) -> dict[str, Any]:
    from claims.clearinghouse import (
        ClearinghouseError,
        NoClearinghouseAccount,
        account_for_org,
        adapter_for,
    )
    from claims.edi_map import envelope_for
    from claims.submission import next_interchange_control
    from edi.x276 import write_276
    from edi.x277 import read_277

    days = settings.DENIALS_STATUS_FOLLOWUP_DAYS
    counts = {"due": 0, "requested": 0, "answered": 0, "updated": 0, "created": 0}
    cutoff = timezone.now() - dt.timedelta(days=days)
    due = list(
        Claim.objects.select_for_update(of=("self",))
        .filter(status__in=STATUS_WAITING, submitted_at__lte=cutoff)
        .exclude(follow_up_on__gt=today)
        .select_related("patient", "coverage", "payer")
        .order_by("pk")
    )
    counts["due"] = len(due)
    if not due:
        return counts
    try:
        account = account_for_org()
    except NoClearinghouseAccount:
        return {**counts, "no_channel": len(due)}
    adapter = adapter_for(account)
    requests = [_status_request(c, account) for c in due]
    now = timezone.localtime().replace(tzinfo=None, microsecond=0)
    control = next_interchange_control()
    content = write_276(
        requests,
        envelope=envelope_for(account, control=control, created=now),
        batch_id=f"FU{control}",
    )
    try:
        answer = adapter.send_status_request(content)
    except ClearinghouseError as exc:
        return {**counts, "no_channel": len(due), "reason": str(exc)}
    counts["requested"] = len(due)
    if not answer:
        return counts  # the 277 comes later with the clearinghouse's responses
    by_pcn = {c.control_number: c for c in due}
    events = []
    for response in read_277(answer):
        for status in response.claims:
            claim = by_pcn.get(status.patient_control_number)
            if claim is None:
                continue
            counts["answered"] += 1
            words = "; ".join(_words(i) for i in status.statuses)
            claim.follow_up_on = today + dt.timedelta(days=days)
            if status.payer_claim_number and not claim.payer_claim_number:
                claim.payer_claim_number = status.payer_claim_number[:50]
            claim.version += 1
            events.append(
                ClaimEvent(
                    claim=claim,
                    kind=ClaimEvent.Kind.STATUS_CHECK,
                    from_status=claim.status,
                    to_status=claim.status,
                    message=f"277 claim status: {words}"[:500],
                    data={"statuses": words, "asked_on": today.isoformat()},
                )
            )
    answered = [e.claim for e in events]
    Claim.objects.bulk_update(answered, ["follow_up_on", "payer_claim_number", "version"])
    ClaimEvent.objects.bulk_create(events)
    counts["updated"], counts["created"] = len(answered), len(events)
    return counts


# --- 3. drop folder / SFTP polling ------------------------------------------------------------


def poll_drop_folders(today: dt.date) -> dict[str, Any]:
    """denials.imports.clearinghouse_poll (the beat runs it every 15 minutes through
    denials.tasks.poll_all_clearinghouses), with the job's counts."""
    from claims.clearinghouse import NoClearinghouseAccount
    from denials.imports import clearinghouse_poll

    try:
        data = clearinghouse_poll().as_dict()
    except NoClearinghouseAccount:
        return {"files": 0, "created": 0, "updated": 0, "no_account": 1}
    imported = data["files"] - data["duplicates_skipped"] - len(data["refused"])
    return {**data, "created": imported, "updated": int(data.get("matched", 0))}


JOBS: tuple[Job, ...] = (
    Job(
        "reprioritize_denials",
        reprioritize_denials,
        "nightly",
        "Re-score open denials for today's days to deadline; escalate those within 7 days",
    ),
    Job(
        "claim_status_followup",
        claim_status_followup,
        "nightly",
        "Send a 276 for claims with no answer after the follow-up window; record the 277",
    ),
    Job(
        "poll_drop_folders",
        poll_drop_folders,
        "quarter_hourly",
        "Import the 835/999/277CA files waiting at the clearinghouse",
    ),
)

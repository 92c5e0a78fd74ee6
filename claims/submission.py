"""Submitting claims: READY claims become 837 batches (`claims_submit`), and a batch is sent
through the org's clearinghouse adapter (`batch_send`, run by the `claims.tasks.send_batch`
task).

`claims_submit` takes READY claims only (any other is refused with its reason and nothing is
done), groups them by kind (837P/837I) and payer, and for each group: numbers the interchange
from the `claims_interchange_seq` sequence (ISA13 = GS06, ST02 its 9 digits), maps each claim
(one the 837 model refuses is pulled back to HELD with the reason), locks its sessions
against corrections (`session_lock_for_claim`), asks the Part 2 disclosure gate once per Part 2
patient (a refusal pulls that patient's claims back to HELD, and they do not go), writes the
837, and queues the claims (QUEUED, with events). The send task is enqueued after commit.

Sending is idempotent and serialized on the batch row: the sender locks it (SELECT ... FOR
UPDATE) for its transaction and sends only a batch still BUILT, so a second task, concurrent or
late, finds it SENT and sends nothing. A transport error is recorded on the batch (attempts,
last error) and tried again with exponential backoff; after the last attempt, or at once for an
error retrying cannot fix (refused login, wrong settings), the batch is FAILED with the reason
and its claims go back to the ready queue."""

from __future__ import annotations

import hashlib
import logging
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from claims.clearinghouse import (
    Adapter,
    ClearinghouseError,
    account_for_org,
    adapter_for,
)
from claims.edi_map import (
    ClaimParts,
    MappingError,
    batch_837,
    claim_parts,
    claims_for_837,
    other_coverages,
    write_batch,
)
from claims.models import (
    BatchClaim,
    Claim,
    ClaimEvent,
    ClaimFinding,
    ClaimService,
    SubmissionBatch,
)
from claims.services import _event, _save
from consent.gate import consent_records, disclosure_record
from consent.rules import BILLING_CATEGORIES
from rcm.tenancy import require_org
from rcm.tenancy.bulk import insert_rows

log = logging.getLogger(__name__)


# --- Building batches ------------------------------------------------------------------------

HEALTH_PLAN = "health_plan"
PAYMENT = "payment"
CHANNEL = "837"


def claims_submit(
    *, claims: Iterable[Claim], actor: Any, enqueue: bool = True
) -> list[SubmissionBatch]:
    """Batch READY claims for sending (see the module docstring). Raises ValidationError
    naming each claim that is not READY (or not found), or when the org has no clearinghouse
    account; then nothing changes. With `enqueue`, each batch's send task runs after commit."""
    org = require_org()
    ids = sorted({c.pk for c in claims})
    with transaction.atomic():
        _lock_ready(ids)
        try:
            account = account_for_org()
        except ClearinghouseError as exc:
            raise ValidationError({"clearinghouse": [str(exc)]}) from None
        loaded = claims_for_837(ids)
        others = other_coverages(loaded)
        batches = []
        for group in _groups(loaded):
            batch = _batch_of(group, account=account, others=others, actor=actor)
            if batch is not None:
                batches.append(batch)
        if enqueue:
            from claims.tasks import send_batch
            from rcm.tasks import enqueue_on_commit

            for batch in batches:
                enqueue_on_commit(send_batch.s(org.pk, batch.pk))
    return batches


def _lock_ready(ids: Sequence[int]) -> list[Claim]:
    rows = list(Claim.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    problems = [
        f"Claim {c.control_number} is {c.get_status_display().lower()}: only a claim ready to "
        "submit is sent."
        for c in rows
        if c.status != Claim.Status.READY
    ]
    missing = len(set(ids) - {c.pk for c in rows})
    if missing:
        problems.append(f"{missing} of the claims named were not found.")
    if not ids:
        problems.append("Name at least one claim ready to submit.")
    if problems:
        raise ValidationError({"claims": problems})
    return rows


def _groups(claims: Sequence[Claim]) -> list[list[Claim]]:
    """One batch per kind (837P/837I) and payer: a file goes to one receiver for one payer."""
    grouped: dict[tuple[str, int], list[Claim]] = defaultdict(list)
    for claim in claims:
        grouped[(claim.kind, claim.payer_id)].append(claim)
    return [grouped[key] for key in sorted(grouped)]


def next_interchange_control() -> int:
    """ISA13 (and GS06): the next value of one sequence, 1..999999999, never reused by two
    batches of an org (the unique constraint on the batch says so too)."""
    with connection.cursor() as cur:
        cur.execute("SELECT nextval('claims_interchange_seq')")
        return int(cur.fetchone()[0])


def _batch_of(
    group: list[Claim], *, account: Any, others: dict[int, list], actor: Any
) -> SubmissionBatch | None:
    control = next_interchange_control()
    kind = group[0].kind
    file_name = f"{kind.upper()}_{control:09d}.x12"
    parts = _mapped(group, others, actor)
    going = [c for c in group if c.pk in parts]
    going = _locked_sessions(going, actor)
    going = _through_the_gate(going, file_name=file_name, account=account, actor=actor)
    if not going:
        return None
    st02 = f"{control:09d}"
    now = timezone.now()
    content = write_batch(
        batch_837([parts[c.pk] for c in going], account=account, reference=st02),
        kind=kind,
        account=account,
        control=control,
        transaction_control=st02,
        created=timezone.localtime(now).replace(tzinfo=None, microsecond=0),
    )
    batch = SubmissionBatch.objects.create(
        kind=kind,
        adapter=account.adapter,
        interchange_control_number=control,
        group_control_number=control,
        file_name=file_name,
        content=content,
        content_sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        claim_count=len(going),
        total_charge=sum((c.total_charge for c in going), Decimal("0")),
        part2=any(c.part2 for c in going),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _queue(going, batch, st02, actor)
    return batch


def _mapped(group: list[Claim], others: dict[int, list], actor: Any) -> dict[int, ClaimParts]:
    parts: dict[int, ClaimParts] = {}
    for claim in group:
        try:
            parts[claim.pk] = claim_parts(claim, others.get(claim.pk, ()))
        except MappingError as exc:
            pull_back(
                claim,
                code="837-MAPPING",
                reason=f"The 837 cannot carry this claim: {exc}",
                fix="Correct the data named, re-scrub the claim, then submit it again.",
                actor=actor,
            )
    return parts


def _sessions_of(claim: Claim) -> list[Any]:
    return [s.session for s in claim.services.filter(active=True).select_related("session")]


def _locked_sessions(claims: list[Claim], actor: Any) -> list[Claim]:
    """The claims whose sessions are now locked against corrections (a replacement goes through
    a claim); any other is pulled back with the reason. One query each way for the batch."""
    from patients.services.corrections import sessions_lock_for_claims

    # A secondary claim's sessions are billed (and locked) by its primary: it goes as it is.
    primaries = [c for c in claims if c.primary_claim_id is None]
    sessions: dict[int, list[int]] = {c.pk: [] for c in primaries}
    rows = ClaimService.objects.filter(claim_id__in=list(sessions), active=True)
    for claim_id, session_id in rows.order_by("pk").values_list("claim_id", "session_id"):
        sessions[claim_id].append(session_id)
    refused = sessions_lock_for_claims(
        claims={c.control_number: sessions[c.pk] for c in primaries}, actor=actor
    )
    for claim in claims:
        if claim.control_number in refused:
            pull_back(
                claim,
                code="SESSION-LOCK",
                reason=" ".join(refused[claim.control_number].messages),
                fix="Resolve which claim bills the session, then submit again.",
                actor=actor,
            )
    return [c for c in claims if c.control_number not in refused]


def _through_the_gate(
    claims: list[Claim], *, file_name: str, account: Any, actor: Any
) -> list[Claim]:
    """Part 2 claims go only with the patient's consent: one disclosure (accounting row) per
    patient per batch; a refusal pulls that patient's claims back."""
    by_patient: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.part2:
            by_patient[claim.patient_id].append(claim)
    refused: set[int] = set()
    records = consent_records(patient_ids=by_patient)
    for patient_id, mine in by_patient.items():
        payer = mine[0].payer
        numbers = ", ".join(c.control_number for c in mine)
        try:
            with transaction.atomic():
                disclosure_record(
                    patient=mine[0].patient,
                    recipient_kind=HEALTH_PLAN,
                    recipient_name=payer.name,
                    purpose=PAYMENT,
                    carries=BILLING_CATEGORIES,
                    description=(
                        f"{len(mine)} claim(s) ({numbers}) in {mine[0].get_kind_display()} "
                        f"batch {file_name}, sent through {account.receiver_name}"
                    )[:300],
                    channel=CHANNEL,
                    actor=actor if getattr(actor, "pk", None) else None,
                    reference=file_name,
                    records=records[patient_id],
                )
        except ValidationError as exc:
            _refused_by_gate(mine, exc, actor)
            refused |= {c.pk for c in mine}
    return [c for c in claims if c.pk not in refused]


def _refused_by_gate(claims: list[Claim], exc: ValidationError, actor: Any) -> None:
    from patients.services.corrections import session_unlock_from_claim

    reasons = " ".join(exc.message_dict.get("consent") or exc.messages)
    for claim in claims:
        session_unlock_from_claim(
            sessions=_sessions_of(claim), claim_reference=claim.control_number, actor=actor
        )
        pull_back(
            claim,
            code="PART2-CONSENT",
            reason=f"Not sent: the Part 2 disclosure gate refused it. {reasons}",
            fix="Record the patient's consent covering payment disclosures to this payer, "
            "then submit again.",
            actor=actor,
        )


def pull_back(claim: Claim, *, code: str, reason: str, fix: str = "", actor: Any) -> None:
    """A READY claim that cannot go: back to HELD with a finding and an event saying why."""
    before = claim.status
    claim.status = Claim.Status.HELD
    claim.hold_codes = sorted({*claim.hold_codes, code})
    claim.error_count += 1
    _save(claim, ["status", "hold_codes", "error_count"])
    ClaimFinding.objects.create(claim=claim, code=code, severity="error", message=reason, fix=fix)
    _event(
        claim,
        ClaimEvent.Kind.HELD,
        actor=actor,
        from_status=before,
        message=reason,
        data={"code": code},
    ).save()


def _queue(claims: list[Claim], batch: SubmissionBatch, st02: str, actor: Any) -> None:
    insert_rows(BatchClaim(batch=batch, claim=c, transaction_control_number=st02) for c in claims)
    for claim in claims:
        claim.status, claim.batch = Claim.Status.QUEUED, batch
    _moved(claims, status=Claim.Status.QUEUED, batch=batch)
    insert_rows(
        _event(
            c,
            ClaimEvent.Kind.QUEUED,
            actor=actor,
            from_status=Claim.Status.READY,
            message=f"In {batch.file_name}",
            data={"batch": str(batch.public_id)},
        )
        for c in claims
    )


# --- Sending a batch -------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    """What `batch_send` did: "sent", "skipped" (not BUILT: already sent, failed or answered),
    "retry" (a transport error; try again in `retry_in` seconds) or "failed"."""

    status: str
    batch_status: str
    reason: str = ""
    retry_in: float | None = None


def backoff_seconds(attempt: int, *, jitter: bool = True) -> float:
    """Delay before attempt `attempt + 1`: BACKOFF * 2^(attempt-1), capped, +-20% jitter so
    that many batches failing together do not all come back at the same second."""
    base = settings.CLAIMS_SEND_BACKOFF_SECONDS * (2 ** max(attempt - 1, 0))
    delay = min(base, settings.CLAIMS_SEND_BACKOFF_MAX_SECONDS)
    return delay * random.uniform(0.8, 1.2) if jitter else delay


def batch_send(*, batch_id: int, adapter: Adapter | None = None, actor: Any = None) -> SendOutcome:
    """Send one batch (inside the org's transaction). See the module docstring."""
    batch = SubmissionBatch.objects.select_for_update().get(pk=batch_id)
    if batch.status != SubmissionBatch.Status.BUILT:
        return SendOutcome("skipped", batch.status)
    batch.attempts += 1
    try:
        adapter = adapter or adapter_for(account_for_org())
        reference = adapter.send(batch)
    except ClearinghouseError as exc:
        return _send_failed(batch, exc, actor=actor)
    _sent(batch, reference, adapter_name=adapter.name, actor=actor)
    return SendOutcome("sent", batch.status)


def _sent(batch: SubmissionBatch, reference: str, *, adapter_name: str, actor: Any) -> None:
    now = timezone.now()
    batch.status = SubmissionBatch.Status.SENT
    batch.sent_at, batch.remote_reference, batch.last_error = now, reference[:120], ""
    batch.save(update_fields=["status", "sent_at", "remote_reference", "last_error", "attempts"])
    claims = _queued_claims(batch)
    for claim in claims:
        claim.status, claim.submitted_at = Claim.Status.SUBMITTED, now
    _moved(claims, status=Claim.Status.SUBMITTED, submitted_at=now)
    insert_rows(
        _event(
            c,
            ClaimEvent.Kind.SUBMITTED,
            actor=actor,
            from_status=Claim.Status.QUEUED,
            message=f"Sent in {batch.file_name} ({adapter_name})",
            data={"batch": str(batch.public_id)},
        )
        for c in claims
    )
    log.info("batch %s sent (%s claims)", batch.pk, len(claims))


def _send_failed(batch: SubmissionBatch, exc: ClearinghouseError, *, actor: Any) -> SendOutcome:
    reason = str(exc)
    batch.last_error = reason
    if exc.retryable and batch.attempts < settings.CLAIMS_SEND_MAX_ATTEMPTS:
        batch.save(update_fields=["attempts", "last_error"])
        delay = backoff_seconds(batch.attempts)
        log.warning("batch %s attempt %s failed; retry in %.0fs", batch.pk, batch.attempts, delay)
        return SendOutcome("retry", batch.status, reason, retry_in=delay)
    batch.status = SubmissionBatch.Status.FAILED
    batch.save(update_fields=["status", "attempts", "last_error"])
    claims = _queued_claims(batch)
    for claim in claims:
        claim.status = Claim.Status.READY
    _moved(claims, status=Claim.Status.READY)
    insert_rows(
        _event(
            c,
            ClaimEvent.Kind.CHANGED,
            actor=actor,
            from_status=Claim.Status.QUEUED,
            message=f"Sending {batch.file_name} failed; back in the ready queue: {reason}",
            data={"batch": str(batch.public_id)},
        )
        for c in claims
    )
    log.error("batch %s failed after %s attempts", batch.pk, batch.attempts)
    return SendOutcome("failed", batch.status, reason)


def _moved(claims: list[Claim], **changes: Any) -> None:
    """A status change bumps each claim's version (a page opened before it is stale), in one
    statement for the claims; the objects get the new versions as `_save` gives one claim."""
    now = timezone.now()
    ids = [c.pk for c in claims]
    Claim.objects.filter(pk__in=ids).update(**changes, version=F("version") + 1, updated_at=now)
    versions = dict(Claim.objects.filter(pk__in=ids).values_list("pk", "version"))
    for claim in claims:
        claim.version, claim.updated_at = versions[claim.pk], now


def _queued_claims(batch: SubmissionBatch) -> list[Claim]:
    ids = batch.items.values("claim_id")
    return list(
        Claim.objects.select_for_update()
        .filter(pk__in=ids, status=Claim.Status.QUEUED)
        .order_by("pk")
    )


def batches_waiting(statuses: Iterable[str] = (SubmissionBatch.Status.BUILT,)) -> Any:
    return SubmissionBatch.objects.filter(status__in=list(statuses)).order_by("created_at")

"""Importing acknowledgment files: 999 (did the clearinghouse accept the file's structure?) and
277CA (did the payer accept each claim into adjudication?).

`import_x12` is idempotent by the file's sha256 (per org): a file already imported is skipped
and counted; two imports of one file at the same moment are serialized (an advisory lock on the
hash) so it is imported once. One file is one transaction: a file that is not X12, not an
acknowledgment this import reads (an 835 waits for the remittance issue) or unreadable as its
kind is refused with the reason, recorded as refused, and changes nothing else.

- 999: AK102 (GS06) names the batch, AK2 (ST02) its transaction set. Accepted (A, E): the batch
  is ACCEPTED. Rejected (R): the batch is REJECTED and its claims REJECTED with the segment,
  element and reason in plain words. Partly (P): per transaction set. A 999 for a group that is
  not one of the org's batches is reported as unmatched.
- 277CA: each claim is found by its patient control number (CLM01, echoed in TRN02 of loop
  2200D). Accepted (A2): ACCEPTED, with the payer's claim number (REF*1K) and the date. Rejected
  (A3, A6, A7, A8): REJECTED with the status in plain words. Received or pending only: counted,
  unchanged. A control number the org does not know is reported as unmatched.
Every claim status change appends an event with the codes."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from claims.models import AcknowledgmentFile, BatchClaim, Claim, ClaimEvent, SubmissionBatch
from claims.services import _event, _save
from edi.ack277 import Ack277, ClaimAck, read_277ca
from edi.ack999 import Ack999, TransactionAck, read_999
from edi.x12 import X12Error, transactions
from rcm.tenancy.locks import org_xact_lock

log = logging.getLogger(__name__)

REMITTANCE_LATER = "post it with the remittance import (manage.py import_x12, Remittances page)"
ACK_277CA_VERSION = "005010X214"
MAX_REASON = 500


class Refused(Exception):
    """The file is not imported; the message says why (no PHI)."""


@dataclass
class ImportSummary:
    files: int = 0
    acknowledgments_999: int = 0
    acknowledgments_277ca: int = 0
    batches_accepted: int = 0
    batches_rejected: int = 0
    batches_partial: int = 0
    claims_accepted: int = 0
    claims_rejected: int = 0
    claims_pending: int = 0
    claims_unchanged: int = 0
    claims_unmatched: int = 0
    acknowledgments_unmatched: int = 0
    duplicates_skipped: int = 0
    refused: list[dict[str, str]] = field(default_factory=list)

    def add(self, other: ImportSummary) -> ImportSummary:
        for name, value in asdict(other).items():
            if name == "refused":
                self.refused.extend(value)
            else:
                setattr(self, name, getattr(self, name) + value)
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def safe_reason(message: str) -> str:
    """A reader's message without the quoted fragments of the file it may cite."""
    return re.sub(r"'[^']*'|\"[^\"]*\"", "…", message)[:MAX_REASON]


def file_text(content: bytes) -> str:
    """A received file as text (UTF-8, else Latin-1: never refused for its encoding)."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


# --- detecting what a file is ---------------------------------------------------------------

_ST_835 = re.compile(rb"(?:^|[^A-Za-z0-9])ST([^A-Za-z0-9\s])835\1")


def is_remittance(content: bytes) -> bool:
    """An 835 (ST*835): posted by denials, never imported here."""
    return _ST_835.search(content) is not None


def detect_kind(content: bytes) -> str:
    """'999' or '277ca', else raises Refused with the reason."""
    try:
        sets = transactions(content)
    except X12Error as exc:
        raise Refused(f"Not a readable X12 file: {safe_reason(exc.message)}") from None
    ids = {t.set_id for t in sets}
    if not ids:
        raise Refused("The file holds no transaction set.")
    if "835" in ids:
        raise Refused(f"An 835 remittance: {REMITTANCE_LATER}.")
    if ids == {"999"}:
        return AcknowledgmentFile.Kind.ACK_999
    if ids == {"277"}:
        versions = {t.version for t in sets}
        if versions == {ACK_277CA_VERSION}:
            return AcknowledgmentFile.Kind.ACK_277CA
        raise Refused(
            "A 277 claim status response (not a 277CA claim acknowledgment, 005010X214): "
            "claim status inquiries arrive with a later issue."
        )
    raise Refused(
        f"Transaction sets {', '.join(sorted(ids))}: not an acknowledgment this import reads "
        "(999 or 277CA)."
    )


# --- the import -----------------------------------------------------------------------------


def import_x12(*, content: bytes, file_name: str, actor: Any) -> ImportSummary:
    """Import one acknowledgment file (see the module docstring)."""
    digest = hashlib.sha256(content).hexdigest()
    summary = ImportSummary(files=1)
    with transaction.atomic():
        org_xact_lock("ack-file", digest)  # one importer per file content at a time
        row = AcknowledgmentFile.objects.filter(sha256=digest).first()
        if row is not None and row.status == AcknowledgmentFile.Status.IMPORTED:
            summary.duplicates_skipped = 1
            return summary
        row = row or AcknowledgmentFile(sha256=digest)
        row.file_name, row.size, row.content = file_name[:255], len(content), file_text(content)
        row.imported_by = actor if getattr(actor, "pk", None) else None
        try:
            with transaction.atomic():
                kind = detect_kind(content)
                row.kind = kind
                found = (
                    _import_999(content, actor) if kind == "999" else _import_277(content, actor)
                )
        except Refused as exc:
            reason = str(exc)[:MAX_REASON]
            row.status, row.reason, row.summary = AcknowledgmentFile.Status.REFUSED, reason, {}
            row.save()
            summary.refused.append({"file": file_name, "reason": reason})
            log.info("acknowledgment file %s refused", row.pk)
            return summary
        row.status, row.reason = AcknowledgmentFile.Status.IMPORTED, ""
        row.batch, row.part2 = found.batch, found.part2
        row.summary = found.detail
        row.save()
    return summary.add(found.summary)


@dataclass
class _Found:
    summary: ImportSummary
    batch: SubmissionBatch | None = None
    part2: bool = False
    detail: dict[str, Any] = field(default_factory=dict)


# --- claims changing status -----------------------------------------------------------------


def _change(
    claim: Claim,
    *,
    to: str,
    kind: str,
    message: str,
    actor: Any,
    data: dict[str, Any],
    note: str = "",
    **fields: Any,
) -> None:
    before = claim.status
    claim.status = to
    for name, value in fields.items():
        setattr(claim, name, value)
    _save(claim, ["status", *fields])
    _event(
        claim, kind, actor=actor, from_status=before, message=message, note=note, data=data
    ).save()


# --- 999 ------------------------------------------------------------------------------------


def _batch_for(ack: Ack999) -> SubmissionBatch | None:
    if ack.functional_id != "HC" or not ack.group_control.isdigit():
        return None
    batch = SubmissionBatch.objects.filter(group_control_number=int(ack.group_control)).first()
    if batch is None or not ack.transactions:
        return batch
    ours = set(batch.items.values_list("transaction_control_number", flat=True))
    return batch if any(t.control_number in ours for t in ack.transactions) else None


def rejection_words(ack: Ack999, item: TransactionAck | None, control_number: str) -> str:
    """The 999's reasons in plain words: segment, element and what is wrong; the errors that
    name this claim (CTX CLM01) first."""
    parts: list[str] = []
    if item is not None:
        errors = sorted(item.errors, key=lambda e: e.claim_reference != control_number)
        for error in errors:
            where = f"segment {error.segment_id} at position {error.position}"
            if error.loop:
                where += f" (loop {error.loop})"
            text = f"{where}: {error.meaning}"
            for element in error.elements:
                text += f"; element {error.segment_id}{element.position:02d}: {element.meaning}"
            parts.append(text)
        parts.extend(item.error_meanings)
    parts.extend(ack.error_meanings)
    reason = "; ".join(dict.fromkeys(parts)) or ack.status_meaning
    return f"999 rejected the file: {reason}."[:MAX_REASON]


def _import_999(content: bytes, actor: Any) -> _Found:
    try:
        acks = read_999(content)
    except X12Error as exc:
        raise Refused(f"Not a readable 999: {safe_reason(exc.message)}") from None
    found = _Found(summary=ImportSummary(acknowledgments_999=len(acks)), detail={"kind": "999"})
    groups = []
    for ack in acks:
        batch = _batch_for(ack)
        groups.append({"group_control": ack.group_control, "status": ack.status})
        if batch is None:
            found.summary.acknowledgments_unmatched += 1
            continue
        found.batch = found.batch or batch
        found.part2 = found.part2 or batch.part2
        groups[-1]["batch"] = batch.file_name
        _apply_999(ack, batch, found.summary, actor)
    found.detail["groups"] = groups
    return found


def _apply_999(ack: Ack999, batch: SubmissionBatch, summary: ImportSummary, actor: Any) -> None:
    batch = SubmissionBatch.objects.select_for_update().get(pk=batch.pk)
    by_set = {t.control_number: t for t in ack.transactions}
    rejected_sets = {n for n, t in by_set.items() if not t.accepted}
    whole = ack.status in ("R", "M", "W", "X")
    if ack.status in ("A", "E") or (ack.status == "P" and not rejected_sets):
        batch.status = SubmissionBatch.Status.ACCEPTED
        summary.batches_accepted += 1
    elif whole or (by_set and set(by_set) <= rejected_sets):
        batch.status = SubmissionBatch.Status.REJECTED
        summary.batches_rejected += 1
    else:
        batch.status = SubmissionBatch.Status.PARTIAL
        summary.batches_partial += 1
    batch.save(update_fields=["status"])
    items = BatchClaim.objects.filter(batch=batch).select_related("claim")
    for item in items.order_by("claim_id"):
        if not (whole or item.transaction_control_number in rejected_sets):
            continue
        claim = Claim.objects.select_for_update().get(pk=item.claim_id)
        if claim.status not in (Claim.Status.QUEUED, Claim.Status.SUBMITTED):
            summary.claims_unchanged += 1
            continue
        words = rejection_words(
            ack, by_set.get(item.transaction_control_number), claim.control_number
        )
        _change(
            claim,
            to=Claim.Status.REJECTED,
            kind=ClaimEvent.Kind.REJECTED,
            message=words,
            actor=actor,
            data={"ack": "999", "ak9": ack.status, "batch": batch.file_name},
            rejection=words,
            acknowledged_at=timezone.now(),
        )
        summary.claims_rejected += 1


# --- 277CA ----------------------------------------------------------------------------------


def _codes(ack: ClaimAck) -> list[str]:
    return [":".join(p for p in (s.category, s.code, s.entity) if p) for s in ack.all_statuses]


def _words(ack: ClaimAck) -> str:
    meanings = "; ".join(dict.fromkeys(s.meaning for s in ack.all_statuses))
    return f"277CA {', '.join(_codes(ack))}: {meanings}"[:MAX_REASON]


def _free_text(ack: ClaimAck) -> str:
    return " ".join(dict.fromkeys(i.message for i in ack.statuses if i.message))


def _import_277(content: bytes, actor: Any) -> _Found:
    try:
        acks = read_277ca(content)
    except X12Error as exc:
        raise Refused(f"Not a readable 277CA: {safe_reason(exc.message)}") from None
    found = _Found(summary=ImportSummary(acknowledgments_277ca=len(acks)), detail={"kind": "277ca"})
    unmatched: list[str] = []
    for ack in acks:
        batch = _batch_of_277(ack)
        if batch is not None:
            found.batch = found.batch or batch
        for claim_ack in ack.claims:
            claim = _apply_277(claim_ack, found.summary, actor)
            if claim is None:
                unmatched.append(claim_ack.patient_control_number[:38])
            else:
                found.part2 = found.part2 or claim.part2
                found.batch = found.batch or claim.batch
    found.detail["unmatched"] = unmatched[:100]
    return found


def _batch_of_277(ack: Ack277) -> SubmissionBatch | None:
    reference = ack.reference.strip()
    if not reference.isdigit():
        return None
    return SubmissionBatch.objects.filter(interchange_control_number=int(reference)).first()


ACCEPTS_FROM = (Claim.Status.QUEUED, Claim.Status.SUBMITTED)
REJECTS_FROM = (Claim.Status.QUEUED, Claim.Status.SUBMITTED, Claim.Status.ACCEPTED)


def _apply_277(ack: ClaimAck, summary: ImportSummary, actor: Any) -> Claim | None:
    claim = (
        Claim.objects.select_for_update().filter(control_number=ack.patient_control_number).first()
    )
    if claim is None:
        summary.claims_unmatched += 1
        return None
    words, data = _words(ack), {"ack": "277ca", "statuses": _codes(ack)}
    now = timezone.now()
    if ack.rejected and claim.status in REJECTS_FROM:
        free = _free_text(ack)
        rejection = f"{words}. {free}" if free else words
        _change(
            claim,
            to=Claim.Status.REJECTED,
            kind=ClaimEvent.Kind.REJECTED,
            message=words,
            note=free,
            actor=actor,
            data=data,
            rejection=rejection[:1000],
            acknowledged_at=now,
        )
        summary.claims_rejected += 1
    elif ack.accepted and claim.status in ACCEPTS_FROM:
        fields: dict[str, Any] = {"rejection": "", "acknowledged_at": now}
        if ack.payer_claim_number:
            fields["payer_claim_number"] = ack.payer_claim_number[:50]
        _change(
            claim,
            to=Claim.Status.ACCEPTED,
            kind=ClaimEvent.Kind.ACCEPTED,
            message=words,
            actor=actor,
            data={**data, "payer_claim_number": ack.payer_claim_number},
            **fields,
        )
        summary.claims_accepted += 1
    elif ack.rejected or ack.accepted:
        summary.claims_unchanged += 1
    else:
        summary.claims_pending += 1
    return claim


def import_many(files: Iterable[tuple[str, bytes]], *, actor: Any) -> ImportSummary:
    """Several files, each in its own transaction (one refused never undoes another)."""
    total = ImportSummary()
    for name, content in files:
        total.add(import_x12(content=content, file_name=name, actor=actor))
    return total


def responses_poll(*, actor: Any = None) -> ImportSummary:
    """Fetch the responses waiting at the org's clearinghouse and import them. Fetched files
    are removed or archived there only once their import is committed (a crash in between
    fetches them again, and the import skips them as duplicates)."""
    from functools import partial

    from claims.clearinghouse import ClearinghouseError, account_for_org, adapter_for

    adapter = adapter_for(account_for_org())
    # 835s stay at the clearinghouse for the remittance poll (denials.tasks), which posts them.
    files = [(name, content) for name, content in adapter.fetch() if not is_remittance(content)]
    summary = import_many(files, actor=actor)
    names = [name for name, _ in files]
    if not names:
        return summary
    if adapter.done_in_transaction:
        adapter.done(names)
    else:

        def clean_up(names: list[str] = names) -> None:
            try:
                adapter.done(names)
            except ClearinghouseError as exc:
                log.warning("fetched files not cleaned up (fetched again next time): %s", exc)

        transaction.on_commit(partial(clean_up, names))
    return summary

"""Corrections of recorded sessions, and the claim lock that ends them.

A recorded session can be corrected (times, minutes, kind, modality, place, providers, codes)
until a claim carries it. A correction is checked as a whole with the recording rules
(`session_assemble` + `session_errors`), needs a reason, saves nothing unless every field is
right, and appends one SessionCorrection row: who, when, why and each field before and after.
It bumps `Session.revision` (a form sends back the revision it showed, so a second person's
correction is never silently overwritten) and sends `session_corrected`, from which
authorizations gives back the old debit and consumes the new one when what is billed changed.

Signed notes: a signed progress note attests the service as documented. Correcting anything the
note documents (every correctable fact except the billing facility) clears `note_signed_at`:
the rendering or supervising clinician signs again (`session_sign_note`), and the correction row
records the cleared signature, so the history says why the note is unsigned. Refusing instead
would leave cancel-and-re-record as the only fix, losing the history and the units' link.

Claim lock: once a claim carries a session, a correction or status change is refused; it goes
through a replacement claim (frequency code 7). The claims app (above patients) calls
`session_lock_for_claim` when a claim takes sessions and `session_unlock_from_claim` when it
lets them go; for a replacement it unlocks, corrects and locks under the new claim in one
transaction."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from coding import ServiceKind
from patients.models import EpisodeOfCare, Session, SessionCorrection
from patients.services.sessions import (
    SESSION_FIELDS,
    refuse_if_on_claim,
    session_assemble,
    session_errors,
)
from patients.signals import session_corrected
from rcm.fielderrors import FieldErrors, clean_text, reject_unknown, save_guarded

CORRECTABLE_FIELDS = (
    "service_date",
    "starts_at",
    "ends_at",
    "psychotherapy_minutes",
    "arrived_at",
    "departed_at",
    "attended_minutes",
    "kind",
    "modality",
    "patient_location",
    "audio_only_reason",
    "patient_state",
    "facility",
    "rendering_provider",
    "supervising_provider",
    "interactive_complexity",
    "em_code",
    "with_medical_services",
)
# Recorded facts a correction never changes, and what to do instead.
NOT_CORRECTABLE = {
    "patient": "A correction cannot move a session to another patient: cancel it and record "
    "the session for the right patient.",
    "status": "Change the status with the status action (cancel, no-show, complete).",
    "note_signed_at": "Only the clinician's signature sets this: sign the note.",
    "group": "A group attendance stays with its group: cancel it and record the right one.",
    "episode": "The episode follows the service date.",
}
# The one correctable fact a signed note does not attest: correcting it keeps the signature.
NOT_IN_NOTE = frozenset({"facility"})
# Fields whose change the history shows: the corrected ones and what follows from them.
TRACKED_FIELDS = (*CORRECTABLE_FIELDS, "episode", "note_signed_at")
# Recording rules on fields a correction cannot change (the patient is active, is not in the
# group twice, a group is chosen) decide whether a new service may be recorded: a past service
# of a since-deactivated patient stays correctable, and _check_group_attendance says what a
# correction may do with a group.
RECORDING_ONLY_KEYS = frozenset({"patient", "group"})
REASON_MAX = 500
CLAIM_REFERENCE_MAX = Session._meta.get_field("claim_reference").max_length


# --- The corrected session --------------------------------------------------------------------


def session_correction_assemble(*, session: Session, **changes: Any) -> Session:
    """The session as it would be after `changes`: unsaved, not validated (the correction
    form's preview uses it). Defaults follow the recording rules: a new service date finds its
    episode again."""
    reject_unknown(changes, CORRECTABLE_FIELDS, "session correction")
    facts = {name: getattr(session, name) for name in SESSION_FIELDS} | changes
    if facts.get("service_date") != session.service_date:
        facts["episode"] = _episode_on(session, facts.get("service_date"))
    candidate = session_assemble(**facts)
    candidate.pk, candidate.org_id = session.pk, session.org_id  # "is it already in the group?"
    candidate.public_id, candidate.revision = session.public_id, session.revision
    return candidate


def _covers(episode: EpisodeOfCare, day: datetime.date) -> bool:
    return episode.admit_date <= day and (
        episode.discharge_date is None or episode.discharge_date >= day
    )


def _episode_on(session: Session, day: datetime.date | None) -> EpisodeOfCare | None:
    """The episode a moved session belongs to: its own while that still covers the new date,
    else the patient's episode of the same program in force then (never another program's:
    an MH session does not slide into a concurrent SUD/Part 2 episode). None when none does."""
    if day is None:
        return None
    current = session.episode if session.episode_id else None
    if current is not None and _covers(current, day):
        return current
    episodes = EpisodeOfCare.objects.filter(patient_id=session.patient_id, admit_date__lte=day)
    episodes = episodes.filter(Q(discharge_date__isnull=True) | Q(discharge_date__gte=day))
    if current is not None:
        episodes = episodes.filter(program=current.program)
    return episodes.order_by("-admit_date").first()


def _check_episode(before: Session, after: Session, errors: FieldErrors) -> None:
    """A moved session may leave its episode for none, never for another program's (an MH
    session must not slide into a concurrent SUD episode, which may be Part 2)."""
    if not (before.episode_id and after.episode_id):
        return
    if after.episode.program != before.episode.program:
        program = before.episode.get_program_display()
        errors.add(
            "service_date",
            f"On {after.service_date} no {program} episode is in force (only a "
            f"{after.episode.get_program_display()} one): record the service there instead.",
        )


def _changed(before: Session, after: Session) -> list[str]:
    return [
        name
        for name in TRACKED_FIELDS
        if getattr(before, Session._meta.get_field(name).attname)
        != getattr(after, Session._meta.get_field(name).attname)
    ]


def _json(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _history(before: Session, after: Session, names: Iterable[str]) -> dict[str, Any]:
    """{field: {"from": old, "to": new}}: JSON values, ids for related rows."""
    return {
        name: {
            "from": _json(getattr(before, Session._meta.get_field(name).attname)),
            "to": _json(getattr(after, Session._meta.get_field(name).attname)),
        }
        for name in names
    }


# --- Checks ---------------------------------------------------------------------------------


def _check_revision(session: Session, expected: int | None) -> None:
    if expected is not None and expected != session.revision:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    "Someone corrected this session after you opened it: reload it, check "
                    "their change and correct again."
                ]
            }
        )


def _check_request(changes: Mapping[str, Any], reason: str, errors: FieldErrors) -> None:
    reject_unknown(changes, (*CORRECTABLE_FIELDS, *NOT_CORRECTABLE), "session correction")
    for name in changes:
        if name in NOT_CORRECTABLE:
            errors.add(name, NOT_CORRECTABLE[name])
    if "rendering_provider" in changes:
        errors.require(changes["rendering_provider"] is not None, "rendering_provider", "Required.")
    if errors.require(bool(reason), "reason", "Say why the session is corrected."):
        errors.require(
            len(reason) <= REASON_MAX, "reason", f"Keep the reason to {REASON_MAX} characters."
        )


def _check_group_attendance(before: Session, after: Session, errors: FieldErrors) -> None:
    """A group attendee's start and end are the group's own; kind stays group."""
    if before.group_id is None:
        errors.require(
            after.kind != ServiceKind.GROUP,
            "kind",
            "A group service is recorded with its group session, not by a correction.",
        )
        return
    errors.require(
        after.kind == ServiceKind.GROUP,
        "kind",
        "A group attendance stays a group service: cancel it and record what took place.",
    )
    for name in ("starts_at", "ends_at"):
        errors.require(
            getattr(after, name) == getattr(before, name),
            name,
            "These are the group's start and end: correct the attendee's arrival and departure.",
        )


def _recording_errors(
    candidate: Session, errors: FieldErrors, *, check_local_date: bool = True
) -> None:
    for name, messages in session_errors(candidate, check_local_date=check_local_date).items():
        if name not in RECORDING_ONLY_KEYS:
            for message in messages:
                errors.add(name, message)


# --- Writes ---------------------------------------------------------------------------------


def _apply(session: Session, candidate: Session, names: list[str]) -> list[str]:
    """Copy the corrected values; a signed note that documents them must be signed again."""
    for name in names:
        setattr(session, name, getattr(candidate, name))
    if session.note_signed_at is not None and set(names) - NOT_IN_NOTE - {"episode"}:
        session.note_signed_at = None
        names = [*names, "note_signed_at"]
    session.revision += 1
    return names


@transaction.atomic
def session_correct(
    *,
    session: Session,
    actor: Any,
    reason: str,
    expected_revision: int | None = None,
    **changes: Any,
) -> Session:
    """Correct a recorded session (see the module docstring): `changes` are CORRECTABLE_FIELDS;
    `expected_revision` is the revision the corrector saw. Raises ValidationError with every
    field problem and saves nothing; a session on a claim is refused outright."""
    locked = Session.objects.select_for_update(of=("self",)).get(pk=session.pk)
    refuse_if_on_claim(locked)
    _check_revision(locked, expected_revision)
    reason = clean_text(reason)
    errors = FieldErrors()
    _check_request(changes, reason, errors)
    correctable = {k: v for k, v in changes.items() if k in CORRECTABLE_FIELDS}
    if correctable.get("rendering_provider", True) is None:
        del correctable["rendering_provider"]  # refused above; the saved one stands meanwhile
    candidate = session_correction_assemble(session=locked, **correctable)
    _check_group_attendance(locked, candidate, errors)
    _check_episode(locked, candidate, errors)
    moved = bool({"service_date", "starts_at", "arrived_at"} & set(correctable))
    _recording_errors(candidate, errors, check_local_date=moved)
    names = _changed(locked, candidate)
    if not errors:
        errors.require(bool(names), NON_FIELD_ERRORS, "Nothing to correct: all is as saved.")
    errors.raise_if_any()
    previous = copy.copy(locked)
    names = _apply(locked, candidate, names)
    save_guarded(
        lambda: locked.save(update_fields=[*names, "revision"]),
        field="ends_at",
        message="Times are inconsistent (end before start).",
    )
    SessionCorrection.objects.create(
        session=locked,
        revision=locked.revision,
        actor_id=getattr(actor, "pk", None),
        reason=reason,
        changes=_history(previous, locked, names),
    )
    session_corrected.send(sender=Session, session=locked, previous=previous, changes=names)
    return locked


# --- Claim lock (called by the claims app) ------------------------------------------------


def _rows(sessions: Iterable[Session]) -> list[Session]:
    """The sessions, locked in a fixed order (two claims never deadlock)."""
    ids = [s.pk for s in sessions]
    return list(Session.objects.filter(pk__in=ids).order_by("pk").select_for_update(of=("self",)))


def _check_reference(reference: str, rows: list[Session], errors: FieldErrors) -> None:
    if errors.require(bool(reference), "claim_reference", "Required: the claim's reference."):
        errors.require(
            len(reference) <= CLAIM_REFERENCE_MAX,
            "claim_reference",
            f"At most {CLAIM_REFERENCE_MAX} characters.",
        )
    errors.require(bool(rows), "sessions", "Name at least one session.")


def _on_other_claim(session: Session, reference: str) -> bool:
    return session.claim_locked_at is not None and session.claim_reference != reference


@transaction.atomic
def session_lock_for_claim(
    *, sessions: Iterable[Session], claim_reference: str, actor: Any
) -> list[Session]:
    """Mark `sessions` as carried by claim `claim_reference`; from then on corrections and
    status changes are refused (they go through a replacement claim). The claims app calls this
    when a claim takes the sessions. Idempotent for the same claim; refuses a session that is on
    another claim or not completed."""
    reference = clean_text(claim_reference)
    rows = _rows(sessions)
    _lock_errors(reference, rows).raise_if_any()
    now = timezone.now()
    for s in rows:
        if s.claim_locked_at is None:
            s.claim_locked_at, s.claim_reference = now, reference
            s.save(update_fields=["claim_locked_at", "claim_reference"])
    return rows


def _lock_errors(reference: str, rows: list[Session]) -> FieldErrors:
    """Why `rows` cannot be locked under claim `reference` (nothing when they can)."""
    errors = FieldErrors()
    _check_reference(reference, rows, errors)
    for s in rows:
        if _on_other_claim(s, reference):
            errors.add("sessions", f"The {s.service_date} session is on claim {s.claim_reference}.")
        if s.status != Session.Status.COMPLETED:
            errors.add(
                "sessions",
                f"The {s.service_date} session is {s.get_status_display().lower()}: only a "
                "completed session is billed.",
            )
    return errors


LOCK_FIELDS = ("pk", "service_date", "status", "claim_locked_at", "claim_reference")


@transaction.atomic
def sessions_lock_for_claims(
    *, claims: Mapping[str, Iterable[int]], actor: Any
) -> dict[str, ValidationError]:
    """`session_lock_for_claim` for many claims at once (submitting a batch): `claims` maps each
    claim reference to its session ids. Each claim is checked as that function checks it, in
    the mapping's order (a session an earlier claim of the mapping took is on another claim);
    a refused claim locks nothing and its ValidationError is returned under its reference. The
    sessions of the others are locked in one statement, whatever the number of claims."""
    wanted = {clean_text(ref): list(ids) for ref, ids in claims.items()}
    every = {pk for ids in wanted.values() for pk in ids}
    locked = Session.objects.filter(pk__in=every).order_by("pk").select_for_update(of=("self",))
    rows = {s.pk: s for s in locked.only(*LOCK_FIELDS)}
    refused: dict[str, ValidationError] = {}
    taken: list[tuple[int, str]] = []
    now = timezone.now()
    for reference, ids in wanted.items():
        mine = sorted((rows[pk] for pk in set(ids) if pk in rows), key=lambda s: s.pk)
        errors = _lock_errors(reference, mine)
        if errors:
            refused[reference] = ValidationError(errors.errors)
            continue
        for s in mine:
            if s.claim_locked_at is None:
                s.claim_locked_at, s.claim_reference = now, reference
                taken.append((s.pk, reference))
    _lock_rows(taken, now)
    return refused


def _lock_rows(taken: list[tuple[int, str]], now: Any) -> None:
    """One UPDATE for every (session id, claim reference)."""
    if not taken:
        return
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE patients_session AS s SET claim_locked_at = %s, claim_reference = t.ref "
            "FROM unnest(%s::bigint[], %s::text[]) AS t(id, ref) WHERE s.id = t.id",
            [now, [pk for pk, _ in taken], [ref for _, ref in taken]],
        )


@transaction.atomic
def session_unlock_from_claim(
    *, sessions: Iterable[Session], claim_reference: str, actor: Any
) -> list[Session]:
    """Let `sessions` go from claim `claim_reference` (the claims app calls this when the
    claim is voided, or to build its replacement: unlock, correct, lock under the replacement).
    A session on no claim is left as it is (idempotent); one on another claim is refused."""
    reference = clean_text(claim_reference)
    rows = _rows(sessions)
    errors = FieldErrors()
    _check_reference(reference, rows, errors)
    for s in rows:
        if _on_other_claim(s, reference):
            errors.add("sessions", f"The {s.service_date} session is on claim {s.claim_reference}.")
    errors.raise_if_any()
    for s in rows:
        if s.claim_locked_at is not None:
            s.claim_locked_at, s.claim_reference = None, ""
            s.save(update_fields=["claim_locked_at", "claim_reference"])
    return rows

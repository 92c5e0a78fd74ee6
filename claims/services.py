"""Claim writes: build from sessions, (re)scrub, hold and release, assign, note, cancel,
replace and void. Every change appends a ClaimEvent (who, when, what, why) and bumps the
claim's version; a write that names an older version is refused (optimistic locking)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from claims import pricing
from claims.build import (
    DraftClaim,
    diagnoses_for,
    group_sessions,
    institutional_facts,
    pointers,
    price_lines,
)
from claims.loader import (
    SessionBatch,
    billable_sessions_qs,
    claim_snapshots,
    claims_for_snapshot,
    coded_sessions,
    load_sessions,
    session_batch,
    snapshots_for,
)
from claims.models import (
    SENT_STATUSES,
    UNSENT_STATUSES,
    Claim,
    ClaimEvent,
    ClaimFinding,
    ClaimLine,
    ClaimService,
)
from claims.scrub import Finding, Severity, scrub
from claims.selectors import QueueFilters, parse_queue, priority_order, queue_claims_qs
from patients.models import EpisodeDiagnosis
from payers.rules import program_day_entry
from rcm.tenancy import require_org
from rcm.tenancy.bulk import insert_rows

log = logging.getLogger(__name__)
PCN_PREFIX = "R"
CENTS = Decimal("0.01")  # what numeric(n, 2) columns give back


# Statuses a scrub moves between held and ready (a biller's hold waits for its release).
RESCRUBBED_STATUSES = (Claim.Status.HELD, Claim.Status.READY, Claim.Status.REJECTED)


class StaleClaim(ValidationError):
    """The claim changed since the caller read it."""


# --- Events and locking ----------------------------------------------------------------------


def _event(
    claim: Claim,
    kind: str,
    *,
    actor: Any = None,
    from_status: str = "",
    message: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ClaimEvent:
    return ClaimEvent(
        claim=claim,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status,
        to_status=claim.status,
        message=message[:500],
        note=note,
        data=data or {},
    )


def _locked(claim: Claim, version: int | None) -> Claim:
    """The claim's row, locked for this transaction; refused when `version` is stale."""
    row = Claim.objects.select_for_update().get(pk=claim.pk)
    if version is not None and row.version != version:
        raise StaleClaim(
            {"version": f"Claim {row.control_number} changed since you opened it; reload it."}
        )
    return row


def _save(claim: Claim, fields: Iterable[str]) -> None:
    claim.version = F("version") + 1
    claim.save(update_fields=[*set(fields), "version", "updated_at"])
    claim.refresh_from_db(fields=["version"])


# --- Building ------------------------------------------------------------------------------


@dataclass
class BuildSummary:
    sessions: int = 0
    claims: int = 0
    professional: int = 0
    institutional: int = 0
    held: int = 0
    ready: int = 0
    claim_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "sessions": self.sessions,
            "claims": self.claims,
            "professional": self.professional,
            "institutional": self.institutional,
            "held": self.held,
            "ready": self.ready,
        }


def _control_numbers(count: int) -> list[str]:
    if count == 0:
        return []
    with connection.cursor() as cur:
        cur.execute("SELECT nextval('claims_control_seq') FROM generate_series(1, %s)", [count])
        return [f"{PCN_PREFIX}{n:010d}" for (n,) in cur.fetchall()]


def _ranked_diagnoses(episode_ids: set[int]) -> dict[int, list[str]]:
    ranked: dict[int, list[str]] = {}
    rows = EpisodeDiagnosis.objects.filter(episode_id__in=episode_ids).order_by(
        "episode_id", "rank"
    )
    for episode_id, code in rows.values_list("episode_id", "code"):
        ranked.setdefault(episode_id, []).append(code)
    return ranked


StayDays = dict[tuple[int, str], list[dt.date]]


def _stay_days(drafts: Sequence[DraftClaim]) -> StayDays:
    """The dates of the completed sessions of each institutional draft's episode and kind (what
    `_billed_span` compares the statement period with), sorted, in one query for the batch."""
    from patients.models import Session

    wanted = {
        (d.episode.pk, d.sessions[0].kind)
        for d in drafts
        if d.kind == "837i" and d.episode is not None and d.sessions
    }
    days: StayDays = {key: [] for key in wanted}
    if not wanted:
        return days
    rows = Session.objects.filter(
        episode_id__in={episode for episode, _ in wanted},
        kind__in={kind for _, kind in wanted},
        status=Session.Status.COMPLETED,
    ).values_list("episode_id", "kind", "service_date")
    for episode_id, kind, day in rows:
        if (episode_id, kind) in days:
            days[(episode_id, kind)].append(day)
    for found in days.values():
        found.sort()
    return days


def _segment_span(draft: DraftClaim, stay: StayDays) -> tuple[dt.date, dt.date | None]:
    episode = draft.episode
    if episode is None:
        return draft.service_from, None
    for seg in episode.segments.all():
        if (
            seg.level == draft.level
            and seg.start_date <= draft.service_from
            and (seg.end_date is None or seg.end_date >= draft.service_from)
        ):
            end = seg.end_date if seg.end_date is not None else episode.discharge_date
            return _billed_span(draft, seg.start_date, end, stay)
    return _billed_span(draft, episode.admit_date, episode.discharge_date, stay)


def _billed_span(
    draft: DraftClaim, start: dt.date, end: dt.date | None, stay: StayDays
) -> tuple[dt.date, dt.date | None]:
    """The stay at this level as the frequency digit sees it: the first claim is the one with
    no earlier completed program day of the level (whatever day the stay began: attendance
    programs start on the first day attended), the last one reaches the last day of a level
    that has ended (a discharge or step-down after the last day attended)."""
    days = stay.get((draft.episode.pk, draft.sessions[0].kind))
    if days is None:  # not loaded with the batch
        days = _stay_days([draft])[(draft.episode.pk, draft.sessions[0].kind)]
    in_stay = [d for d in days if d >= start and (end is None or d <= end)]
    earlier = any(d < draft.service_from for d in in_stay)
    later = any(d > draft.service_to for d in in_stay)
    first = draft.service_from if not earlier else start
    last = None if end is None or later else draft.service_to
    return first, last


def _occurrence_spans(draft: DraftClaim) -> list[dict[str, str]]:
    """Occurrence span 74 (leave of absence / non-covered level of care) for each leave of the
    stay inside the statement period (NUBC UB-04 FL35-36; REFERENCE.md §2)."""
    if draft.episode is None:
        return []
    spans = []
    for leave in draft.episode.leaves.all():
        start, end = (
            max(leave.start_date, draft.service_from),
            min(leave.end_date, draft.service_to),
        )
        if start <= end:
            spans.append({"code": "74", "from": start.isoformat(), "to": end.isoformat()})
    return spans


def _value_codes(draft: DraftClaim) -> list[dict[str, str]]:
    """Value codes 80 (covered days) and 81 (non-covered days: the leave nights of the period)
    on census-level claims (NUBC FL39-41; REFERENCE.md §2)."""
    if not any(ln.unit_kind == "DA" for ln in draft.lines):
        return []
    days = len({ln.service_date for ln in draft.lines if ln.unit_kind == "DA"})
    codes = [{"code": "80", "amount": str(days)}]
    leave = sum(
        (dt.date.fromisoformat(span["to"]) - dt.date.fromisoformat(span["from"])).days + 1
        for span in _occurrence_spans(draft)
    )
    if leave:
        codes.append({"code": "81", "amount": str(leave)})
    return codes


def _episode_codes(draft: DraftClaim, attr: str) -> list[dict[str, str]]:
    rows = getattr(draft.episode, attr, None) or []
    return [dict(r) for r in rows if isinstance(r, dict)]


def _claim_from_draft(
    draft: DraftClaim,
    pcn: str,
    ranked: dict[int, list[str]],
    billing: Any,
    stay: StayDays | None = None,
) -> Claim:
    episode_id = getattr(draft.episode, "pk", None)
    dx = diagnoses_for(draft.kind, ranked.get(episode_id or 0, []))
    institutional = draft.kind == "837i"
    if institutional:
        level_entry = program_day_entry(draft.payer, draft.program or None, draft.level)
        span = _segment_span(draft, stay if stay is not None else _stay_days([draft]))
        institutional_facts(draft, segment_span=span, payer_level=level_entry)
    first_pos = next((ln.pos for ln in draft.lines if ln.pos), "")
    auth = draft.authorization
    return Claim(
        control_number=pcn,
        kind=draft.kind,
        status=Claim.Status.HELD,
        frequency=draft.frequency if institutional else "1",
        patient=draft.sessions[0].patient,
        coverage=draft.coverage,
        payer=draft.payer,
        episode=draft.episode,
        facility=draft.facility,
        program=draft.program,
        level=draft.level,
        rendering_provider=draft.rendering,
        supervising_provider=draft.supervising,
        attending_provider=draft.attending,
        billing=billing(draft),
        service_from=draft.service_from,
        service_to=draft.service_to,
        place_of_service=first_pos,
        type_of_bill=draft.type_of_bill,
        diagnoses=dx,
        condition_codes=draft.condition_codes[:24] if institutional else [],
        occurrence_codes=_episode_codes(draft, "occurrence_codes") if institutional else [],
        occurrence_spans=_occurrence_spans(draft) if institutional else [],
        value_codes=(_value_codes(draft) + _episode_codes(draft, "value_codes"))
        if institutional
        else [],
        total_charge=draft.total_charge.quantize(CENTS),
        prior_auth_number=getattr(auth, "auth_number", "") or "",
        part2=_part2(draft, dx),
    )


SUD_DIAGNOSIS = re.compile(r"^F1[0-9]")


def _part2(draft: DraftClaim, diagnoses: list[str]) -> bool:
    """A claim carries Part 2 records when its episode is a Part 2 program's, or when it names
    an SUD diagnosis (F10-F19) of a patient treated in a Part 2 program (the diagnosis comes
    from those records: 42 CFR 2.11, 2.12; REFERENCE.md §8), so it needs the consent too."""
    if getattr(draft.episode, "part2_applies", False):
        return True
    if not any(SUD_DIAGNOSIS.match(code) for code in diagnoses):
        return False
    from patients.models import EpisodeOfCare

    return EpisodeOfCare.objects.filter(patient_id=draft.patient_id, part2_applies=True).exists()


def _lines_of(claim: Claim, draft: DraftClaim) -> list[ClaimLine]:
    ptrs = pointers(len(claim.diagnoses))
    rows = []
    for n, ln in enumerate(draft.lines, start=1):
        rows.append(
            ClaimLine(
                claim=claim,
                number=n,
                control_number=f"{claim.control_number}-{n}",
                service_date=ln.service_date,
                code=ln.code,
                modifiers=list(ln.modifiers),
                revenue_code=ln.revenue_code,
                units=ln.units.quantize(CENTS),
                unit_kind=ln.unit_kind,
                charge=ln.charge,
                charge_source=ln.charge_source,
                pos=ln.pos,
                pointers=ptrs if claim.kind == Claim.Kind.PROFESSIONAL else [],
                rendering_provider=ln.rendering,
                session=ln.session,
                authorization=ln.authorization,
            )
        )
    return rows


def _drafts_for(sessions: Sequence[Any], batch: SessionBatch | None = None) -> list[DraftClaim]:
    drafts = group_sessions(coded_sessions(sessions, batch))
    charge = pricing.charge_function()
    for draft in drafts:
        price_lines(draft, charge)
    return drafts


@transaction.atomic
def claims_build(
    *,
    actor: Any = None,
    through: dt.date | None = None,
    patients: Iterable[Any] | None = None,
    org_slug: str = "",
) -> BuildSummary:
    """Build claims for every completed session no active claim bills (service dates up to
    `through`, default today), scrub them, and return what was built. Idempotent: a session
    is billed by one active claim (a partial unique index), and builds of one org are
    serialized by an advisory lock, so running it twice builds nothing the second time."""
    org = require_org()
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7_837, org.pk])
    qs = billable_sessions_qs().filter(service_date__lte=through or timezone.localdate())
    if patients is not None:
        qs = qs.filter(patient__in=list(patients))
    sessions = load_sessions(qs.order_by("patient_id", "service_date", "pk"))
    summary = BuildSummary(sessions=len(sessions))
    batch = session_batch(sessions)
    drafts = _drafts_for(sessions, batch)
    if not drafts:
        return summary
    ranked = _ranked_diagnoses({d.episode.pk for d in drafts if d.episode is not None})
    billing = pricing.billing_function()
    stay = _stay_days(drafts)
    pcns = _control_numbers(len(drafts))
    claims = [
        _claim_from_draft(d, pcn, ranked, billing, stay)
        for d, pcn in zip(drafts, pcns, strict=True)
    ]
    lines = [_lines_of(claim, draft) for claim, draft in zip(claims, drafts, strict=True)]
    built = [
        _event(
            c, ClaimEvent.Kind.BUILT, actor=actor, message=f"Built from {len(d.sessions)} services"
        )
        for c, d in zip(claims, drafts, strict=True)
    ]
    # Scrubbed before they are stored: each claim is written once, in the status its findings
    # give it (no second pass to update thousands of rows).
    parts = [(c, ln, d.sessions) for c, ln, d in zip(claims, lines, drafts, strict=True)]
    snaps = claim_snapshots(parts, org_slug=org_slug, batch=batch)
    now = timezone.now()
    found = [(c, scrub(snap)) for c, snap in zip(claims, snaps, strict=True)]
    scrubbed = [_apply_scrub(c, findings, actor=actor, now=now) for c, findings in found]
    # insert_rows: bulk_create's compiler costs more than the database's work at this size.
    insert_rows(claims)
    insert_rows([ln for rows in lines for ln in rows])
    insert_rows(
        ClaimService(claim=claim, session=s)
        for claim, draft in zip(claims, drafts, strict=True)
        for s in draft.sessions
    )
    insert_rows(_finding_rows(found))
    insert_rows(built + scrubbed)
    for claim in claims:
        summary.claims += 1
        summary.claim_ids.append(claim.pk)
        if claim.kind == Claim.Kind.PROFESSIONAL:
            summary.professional += 1
        else:
            summary.institutional += 1
        if claim.status == Claim.Status.READY:
            summary.ready += 1
        else:
            summary.held += 1
    return summary


# --- Scrubbing -------------------------------------------------------------------------------


def _refresh_lines(claim: Claim) -> None:
    """Recode an unsent claim from its sessions as they are now (a fixed session, a new
    chargemaster amount, a corrected diagnosis), keeping its control numbers' stem."""
    sessions = _claim_sessions(claim)
    drafts = _drafts_for(sessions)
    mine = [d for d in drafts if d.kind == claim.kind] or drafts
    if not mine:
        return
    draft = mine[0]
    for extra in mine[1:]:  # regrouping never splits a claim the biller knows
        draft.lines.extend(extra.lines)
        draft.sessions.extend(s for s in extra.sessions if s not in draft.sessions)
    ranked = _ranked_diagnoses({draft.episode.pk} if draft.episode is not None else set())
    fresh = _claim_from_draft(draft, claim.control_number, ranked, pricing.billing_function())
    for name in (
        "coverage",
        "payer",
        "episode",
        "facility",
        "program",
        "level",
        "rendering_provider",
        "supervising_provider",
        "attending_provider",
        "billing",
        "service_from",
        "service_to",
        "place_of_service",
        "type_of_bill",
        "diagnoses",
        "condition_codes",
        "occurrence_codes",
        "occurrence_spans",
        "value_codes",
        "total_charge",
        "prior_auth_number",
        "part2",
    ):
        setattr(claim, name, getattr(fresh, name))
    if claim.frequency not in ("7", "8"):
        claim.frequency = fresh.frequency
    elif claim.type_of_bill:  # a replacement or void keeps its frequency digit (xx7 / xx8)
        claim.type_of_bill = claim.type_of_bill[:2] + claim.frequency
    claim.save()
    claim.lines.all().delete()
    ClaimLine.objects.bulk_create(_lines_of(claim, draft))


def _claim_sessions(claim: Claim) -> list[Any]:
    from patients.models import Session

    ids = claim.services.filter(active=True).values("session_id")
    return load_sessions(Session.objects.filter(pk__in=ids))


def _finding_rows(found: Iterable[tuple[Claim, list[Finding]]]) -> list[ClaimFinding]:
    return [
        ClaimFinding(
            claim=claim,
            code=f.code,
            severity=str(f.severity),
            message=f.message,
            fix=f.fix,
            fix_url=f.fix_url,
            line_number=f.line,
            service_public_id=f.service,
        )
        for claim, findings in found
        for f in findings
    ]


def _apply_scrub(
    claim: Claim, findings: list[Finding], *, actor: Any, now: dt.datetime
) -> ClaimEvent:
    """The claim's status, hold codes and counts from its findings (errors hold it, none
    release it), and the event that says so."""
    errors = [f for f in findings if f.severity == Severity.ERROR]
    before = claim.status
    if claim.status in RESCRUBBED_STATUSES:
        # A rejected claim was never adjudicated: fixed, it goes again as it is (REFERENCE.md
        # §7: rejections get a resubmission, not a replacement); the events keep the reason.
        claim.status = Claim.Status.HELD if errors else Claim.Status.READY
    claim.hold_codes = sorted({f.code for f in errors})
    claim.error_count = len(errors)
    claim.warning_count = sum(1 for f in findings if f.severity == Severity.WARNING)
    claim.scrubbed_at = now
    kind = ClaimEvent.Kind.SCRUBBED
    if before != claim.status:
        kind = ClaimEvent.Kind.HELD if errors else ClaimEvent.Kind.RELEASED
    return _event(
        claim,
        kind,
        actor=actor,
        from_status=before,
        message=f"{len(errors)} errors, {claim.warning_count} warnings",
        data={"holds": claim.hold_codes},
    )


def _scrub_many(
    claims: Sequence[Claim], *, actor: Any, org_slug: str, refresh: bool
) -> dict[int, list[Finding]]:
    if refresh:
        for claim in claims:
            if claim.status in (*UNSENT_STATUSES, Claim.Status.REJECTED):
                _refresh_lines(claim)
    loaded = list(claims_for_snapshot().filter(pk__in=[c.pk for c in claims]))
    snaps = snapshots_for(loaded, org_slug=org_slug)
    now = timezone.now()
    out = {claim.pk: scrub(snaps[claim.pk]) for claim in claims}
    events = [_apply_scrub(c, out[c.pk], actor=actor, now=now) for c in claims]
    # Each claim's findings replace those of its last scrub.
    ClaimFinding.objects.filter(claim_id__in=list(out)).delete()
    ClaimFinding.objects.bulk_create(_finding_rows((c, out[c.pk]) for c in claims))
    Claim.objects.bulk_update(
        claims, ["status", "hold_codes", "error_count", "warning_count", "scrubbed_at"]
    )
    ClaimEvent.objects.bulk_create(events)
    return out


@transaction.atomic
def claim_scrub(
    *, claim: Claim, actor: Any, version: int | None = None, org_slug: str = ""
) -> list[Finding]:
    """Recode an unsent claim from its sessions' current facts and scrub it again: errors
    hold it, none release it to the ready queue."""
    row = _locked(claim, version)
    if row.status not in (*RESCRUBBED_STATUSES, Claim.Status.ON_HOLD):
        raise ValidationError(
            {"status": f"A {row.get_status_display().lower()} claim is not re-scrubbed."}
        )
    findings = _scrub_many([row], actor=actor, org_slug=org_slug, refresh=True)[row.pk]
    Claim.objects.filter(pk=row.pk).update(version=F("version") + 1)
    claim.refresh_from_db()
    return findings


# --- Biller actions --------------------------------------------------------------------------


def _transition(
    claim: Claim,
    *,
    to: str,
    kind: str,
    actor: Any,
    version: int | None,
    allowed_from: Sequence[str],
    note: str = "",
    message: str = "",
    extra_fields: Sequence[str] = (),
    **changes: Any,
) -> Claim:
    row = _locked(claim, version)
    if row.status not in allowed_from:
        raise ValidationError(
            {
                "status": f"Claim {row.control_number} is {row.get_status_display().lower()}: "
                f"it cannot be {ClaimEvent.Kind(kind).label.lower()}."
            }
        )
    before = row.status
    row.status = to
    for name, value in changes.items():
        setattr(row, name, value)
    _save(row, ["status", *changes, *extra_fields])
    _event(row, kind, actor=actor, from_status=before, message=message, note=note).save()
    claim.refresh_from_db()
    return row


def _require_reason(reason: str, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field_name: "Say why."})
    if len(reason) > 2000:
        raise ValidationError({field_name: "Keep it under 2,000 characters."})
    return reason


def claim_hold(*, claim: Claim, actor: Any, reason: str, version: int | None = None) -> Claim:
    """A biller holds a claim that would otherwise go (reason required)."""
    return _transition(
        claim,
        to=Claim.Status.ON_HOLD,
        kind=ClaimEvent.Kind.HELD,
        actor=actor,
        version=version,
        allowed_from=(Claim.Status.READY, Claim.Status.HELD),
        note=_require_reason(reason),
        message="Held by a biller",
    )


@transaction.atomic
def claim_release(
    *, claim: Claim, actor: Any, version: int | None = None, org_slug: str = ""
) -> Claim:
    """Release a biller's hold: the claim is scrubbed again and goes where its findings say."""
    row = _locked(claim, version)
    if row.status != Claim.Status.ON_HOLD:
        raise ValidationError({"status": "Only a claim a biller held is released."})
    row.status = Claim.Status.HELD
    row.save(update_fields=["status"])
    _event(row, ClaimEvent.Kind.RELEASED, actor=actor, from_status=Claim.Status.ON_HOLD).save()
    _scrub_many([row], actor=actor, org_slug=org_slug, refresh=True)
    Claim.objects.filter(pk=row.pk).update(version=F("version") + 1)
    claim.refresh_from_db()
    return claim


def claim_note(
    *, claim: Claim, actor: Any, note: str, follow_up_on: dt.date | None = None
) -> ClaimEvent:
    text = _require_reason(note, "note")
    with transaction.atomic():
        row = _locked(claim, None)
        if follow_up_on is not None:
            row.follow_up_on = follow_up_on
            _save(row, ["follow_up_on"])
        event = _event(row, ClaimEvent.Kind.NOTE, actor=actor, note=text)
        event.save()
    return event


def claim_assign(*, claim: Claim, actor: Any, assignee: Any, version: int | None = None) -> Claim:
    with transaction.atomic():
        row = _locked(claim, version)
        row.assigned_to, row.assigned_at = assignee, timezone.now() if assignee else None
        _save(row, ["assigned_to", "assigned_at"])
        name = getattr(assignee, "username", "nobody")
        _event(row, ClaimEvent.Kind.ASSIGNED, actor=actor, message=f"Assigned to {name}").save()
    claim.refresh_from_db()
    return row


@transaction.atomic
def claim_cancel(*, claim: Claim, actor: Any, reason: str, version: int | None = None) -> Claim:
    """Drop an unsent claim: its sessions are free to be billed again (rebuilt)."""
    row = _transition(
        claim,
        to=Claim.Status.CANCELLED,
        kind=ClaimEvent.Kind.CANCELLED,
        actor=actor,
        version=version,
        allowed_from=(*UNSENT_STATUSES, Claim.Status.REJECTED),
        note=_require_reason(reason),
    )
    services = list(ClaimService.objects.filter(claim=row, active=True).select_related("session"))
    ClaimService.objects.filter(pk__in=[s.pk for s in services]).update(active=False)
    from patients.services.corrections import session_unlock_from_claim

    session_unlock_from_claim(  # a rejected claim's sessions were locked when it was sent
        sessions=[s.session for s in services], claim_reference=row.control_number, actor=actor
    )
    return row


def _successor(original: Claim, frequency: str) -> Claim:
    pcn = _control_numbers(1)[0]
    fields = {
        f.name: getattr(original, f.name)
        for f in Claim._meta.concrete_fields
        if f.name
        not in {
            "id",
            "public_id",
            "org",
            "control_number",
            "status",
            "frequency",
            "original",
            "version",
            "assigned_to",
            "assigned_at",
            "hold_codes",
            "error_count",
            "warning_count",
            "scrubbed_at",
            "submitted_at",
            "acknowledged_at",
            "follow_up_on",
            "rejection",
            "batch",
            "created_at",
            "updated_at",
            "payer_claim_number",
        }
    }
    claim = Claim(
        **fields,
        control_number=pcn,
        status=Claim.Status.HELD,
        frequency=frequency,
        original=original,
    )
    if original.kind == Claim.Kind.INSTITUTIONAL and original.type_of_bill:
        claim.type_of_bill = original.type_of_bill[:2] + frequency
    claim.save()
    return claim


@transaction.atomic
def claim_replace(
    *, claim: Claim, actor: Any, reason: str, version: int | None = None, org_slug: str = ""
) -> Claim:
    """A replacement (frequency 7, REF*F8 = the payer's claim number) for a claim the payer
    has: the original is marked replaced, its sessions move to the replacement, which is
    recoded from the sessions' current facts (after their corrections) and scrubbed."""
    why = _require_reason(reason)
    row = _locked(claim, version)
    if row.status not in SENT_STATUSES:
        raise ValidationError({"status": "Only a claim the payer has is replaced; edit this one."})
    replacement = _successor(row, Claim.Frequency.REPLACEMENT)
    _move_services(row, replacement)
    before = row.status
    row.status = Claim.Status.REPLACED
    _save(row, ["status"])
    _event(
        row,
        ClaimEvent.Kind.REPLACED,
        actor=actor,
        from_status=before,
        note=why,
        message=f"Replaced by {replacement.control_number}",
    ).save()
    _event(
        replacement,
        ClaimEvent.Kind.BUILT,
        actor=actor,
        message=f"Replacement of {row.control_number}",
    ).save()
    _scrub_many([replacement], actor=actor, org_slug=org_slug, refresh=True)
    claim.refresh_from_db()
    return replacement


@transaction.atomic
def claim_void(
    *, claim: Claim, actor: Any, reason: str, version: int | None = None, org_slug: str = ""
) -> Claim:
    """A void (frequency 8) of a claim the payer has: the original's lines, sent again to
    cancel it; the sessions are let go (free to be billed again, or corrected)."""
    why = _require_reason(reason)
    row = _locked(claim, version)
    if row.status not in SENT_STATUSES:
        raise ValidationError({"status": "Only a claim the payer has is voided; cancel this one."})
    void = _successor(row, Claim.Frequency.VOID)
    ClaimLine.objects.bulk_create(
        ClaimLine(
            **{
                f.name: getattr(ln, f.name)
                for f in ClaimLine._meta.concrete_fields
                if f.name not in {"id", "public_id", "org", "claim", "control_number"}
            },
            claim=void,
            control_number=f"{void.control_number}-{ln.number}",
        )
        for ln in row.lines.all()
    )
    services = list(row.services.filter(active=True))
    ClaimService.objects.filter(pk__in=[s.pk for s in services]).update(active=False)
    ClaimService.objects.bulk_create(
        ClaimService(claim=void, session_id=s.session_id, active=False) for s in services
    )
    from patients.services.corrections import session_unlock_from_claim

    session_unlock_from_claim(
        sessions=[s.session for s in services], claim_reference=row.control_number, actor=actor
    )
    before = row.status
    row.status = Claim.Status.VOIDED
    _save(row, ["status"])
    _event(
        row,
        ClaimEvent.Kind.VOIDED,
        actor=actor,
        from_status=before,
        note=why,
        message=f"Voided by {void.control_number}",
    ).save()
    _event(void, ClaimEvent.Kind.BUILT, actor=actor, message=f"Void of {row.control_number}").save()
    _scrub_many([void], actor=actor, org_slug=org_slug, refresh=False)
    claim.refresh_from_db()
    return void


# Money and adjudication fields a secondary claim starts afresh (its own payer answers it).
_SECONDARY_FRESH = {
    "id",
    "public_id",
    "org",
    "control_number",
    "status",
    "frequency",
    "original",
    "primary_claim",
    "cob",
    "coverage",
    "payer",
    "version",
    "assigned_to",
    "assigned_at",
    "hold_codes",
    "error_count",
    "warning_count",
    "scrubbed_at",
    "submitted_at",
    "acknowledged_at",
    "follow_up_on",
    "rejection",
    "batch",
    "created_at",
    "updated_at",
    "payer_claim_number",
    "paid_amount",
    "contractual_amount",
    "patient_amount",
    "written_off_amount",
    "denied_amount",
    "balance",
    "remitted_at",
}


@transaction.atomic
def claim_secondary(
    *, primary: Claim, coverage: Any, cob: dict[str, Any], actor: Any, org_slug: str = ""
) -> Claim | None:
    """The claim to the next payer in line (`coverage`, priority 2 or 3) for a claim its payer
    has adjudicated: the same services and lines, an original (frequency 1) claim whose
    `cob` carries the prior payer's adjudication for loops 2320/2330/2430. The sessions stay
    billed by the primary (the secondary's service links are inactive). One live secondary
    per primary: None when one exists already. Scrubbed like any built claim."""
    row = Claim.objects.select_for_update().get(pk=primary.pk)
    live = row.secondaries.exclude(status__in=[Claim.Status.CANCELLED, Claim.Status.VOIDED])
    if live.exists():
        return None
    fields = {
        f.name: getattr(row, f.name)
        for f in Claim._meta.concrete_fields
        if f.name not in _SECONDARY_FRESH
    }
    claim = Claim(
        **fields,
        control_number=_control_numbers(1)[0],
        status=Claim.Status.HELD,
        frequency=Claim.Frequency.ORIGINAL,
        coverage=coverage,
        payer=coverage.payer,
        primary_claim=row,
        cob=cob,
    )
    if row.kind == Claim.Kind.INSTITUTIONAL and row.type_of_bill:
        claim.type_of_bill = row.type_of_bill[:2] + Claim.Frequency.ORIGINAL
    claim.save()
    ClaimLine.objects.bulk_create(
        ClaimLine(
            **{
                f.name: getattr(ln, f.name)
                for f in ClaimLine._meta.concrete_fields
                if f.name not in {"id", "public_id", "org", "claim", "control_number"}
            },
            claim=claim,
            control_number=f"{claim.control_number}-{ln.number}",
        )
        for ln in row.lines.order_by("number")
    )
    ClaimService.objects.bulk_create(
        ClaimService(claim=claim, session_id=s.session_id, active=False)
        for s in row.services.filter(active=True)
    )
    message = f"Secondary of {row.control_number} to the next payer in line"
    _event(claim, ClaimEvent.Kind.SECONDARY, actor=actor, message=message).save()
    _event(
        row,
        ClaimEvent.Kind.SECONDARY,
        actor=actor,
        from_status=row.status,
        message=f"Secondary claim {claim.control_number} built",
    ).save()
    _scrub_many([claim], actor=actor, org_slug=org_slug, refresh=False)
    claim.refresh_from_db()
    return claim


@transaction.atomic
def claim_secondary_withdraw(*, secondary: Claim, actor: Any, reason: str) -> str:
    """The primary's adjudication was reversed: an unsent secondary is cancelled (its COB data
    no longer holds); one already sent is flagged with a note (a void is the biller's call).
    Returns "cancelled", "flagged" or "" (nothing to do)."""
    row = Claim.objects.select_for_update().get(pk=secondary.pk)
    if row.status in UNSENT_STATUSES:
        before = row.status
        row.status = Claim.Status.CANCELLED
        _save(row, ["status"])
        _event(
            row, ClaimEvent.Kind.CANCELLED, actor=actor, from_status=before, message=reason
        ).save()
        return "cancelled"
    if row.status in (Claim.Status.CANCELLED, Claim.Status.VOIDED, Claim.Status.REPLACED):
        return ""
    _event(row, ClaimEvent.Kind.NOTE, actor=actor, from_status=row.status, message=reason).save()
    row.follow_up_on = timezone.localdate()
    _save(row, ["follow_up_on"])
    return "flagged"


def _move_services(old: Claim, new: Claim) -> None:
    from patients.services.corrections import session_unlock_from_claim

    services = list(old.services.filter(active=True).select_related("session"))
    ClaimService.objects.filter(pk__in=[s.pk for s in services]).update(active=False)
    ClaimService.objects.bulk_create(
        ClaimService(claim=new, session_id=s.session_id) for s in services
    )
    session_unlock_from_claim(
        sessions=[s.session for s in services], claim_reference=old.control_number, actor=None
    )


def total_of(lines: Iterable[ClaimLine]) -> Decimal:
    return sum((ln.charge for ln in lines), Decimal("0"))


# --- Work queues (claims.selectors decides what is in a queue and in which order) ----------


def claim_next(*, queue: Any, filters: Any = None, user: Any, skip: Sequence[Any] = ()) -> Any:
    """Hand `user` the highest-priority claim of `queue` (claims.selectors: fewest timely-filing
    days left, then the larger amount, then the older service) that is unassigned or already
    theirs, and assign it to them (an ASSIGNED event, unless it was theirs already). `skip`:
    public ids passed over (the claim the biller is leaving). None when the queue is empty.

    The row is taken with SELECT ... FOR UPDATE SKIP LOCKED: two billers asking at once get two
    different claims, never one twice; the lock lasts until the caller's transaction ends."""
    queue = parse_queue(queue) if isinstance(queue, str) else queue
    qs = queue_claims_qs(queue=queue, filters=filters or QueueFilters(), user=user)
    qs = qs.filter(Q(assigned_to__isnull=True) | Q(assigned_to=user)).exclude(public_id__in=skip)
    with transaction.atomic():
        claim = (
            qs.order_by(*priority_order()).select_for_update(skip_locked=True, of=("self",)).first()
        )
        if claim is None:
            return None
        if claim.assigned_to_id != user.pk:
            claim_assign(claim=claim, actor=user, assignee=user)
    return claim


def claims_submit_selected(*, selected: Sequence[tuple[str, int]], actor: Any) -> list[Any]:
    """Submit the claims a biller chose, each named by public id with the version they saw:
    all or none. The rows are locked (in id order, so two submitters never deadlock); one that
    changed since, or is not ready, refuses the lot with its control number. Then
    claims.submission.claims_submit batches them (a claim the 837 mapping or the Part 2 gate
    refuses goes back to held with a finding) and the batches are sent after commit."""
    from claims.submission import claims_submit  # it builds on this module

    seen = {str(uuid.UUID(str(public_id))): version for public_id, version in selected}
    with transaction.atomic():
        rows = list(
            Claim.objects.select_for_update(of=("self",))
            .filter(public_id__in=list(seen))
            .order_by("pk")
        )
        if len(rows) != len(seen):
            raise ValidationError({"claim": "A selected claim no longer exists; reload the queue."})
        stale = [c.control_number for c in rows if c.version != seen[str(c.public_id)]]
        if stale:
            raise StaleClaim(
                {"version": f"Changed since you opened the queue: {', '.join(stale)}; reload."}
            )
        unready = [c.control_number for c in rows if c.status != Claim.Status.READY]
        if unready:
            raise ValidationError(
                {"status": f"Only ready claims are submitted; not ready: {', '.join(unready)}."}
            )
        return claims_submit(claims=rows, actor=actor)

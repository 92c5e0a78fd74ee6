"""Reads for intake and clinical pages and the API (shared). PHI is decrypted in Python only
after the blind index has narrowed the rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from credentialing.models import Provider
from facilities.models import Facility
from patients import answers
from patients.models import (
    Coverage,
    EpisodeOfCare,
    LevelOfCare,
    LevelOfCareSegment,
    Patient,
    Session,
    SessionCorrection,
    TreatmentPlan,
)
from patients.models import upper_letters as normalize_last_name
from payers.models import Payer
from rcm.fields import blind_lookup
from rcm.tenancy import require_org

SEARCH_LIMIT = 50
RECENT_SESSIONS = 10


# --- Search -----------------------------------------------------------------------------


def _name_candidates(name: str) -> list[tuple[str, str]]:
    """(last name, first-name prefix) readings of what was typed: "Last, First", "Last",
    or "First Last" (the last word as the surname)."""
    name = " ".join(name.split())
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
        return [(last, first)]
    readings = [(name, "")]
    if " " in name:
        first, last = name.rsplit(" ", 1)
        readings.append((last, first))
    return readings


def _matches_name(patient: Patient, readings: list[tuple[str, str]]) -> bool:
    last = normalize_last_name(patient.last_name)
    first = (patient.first_name or "").casefold()
    return any(
        normalize_last_name(r_last) == last and first.startswith(r_first.casefold())
        for r_last, r_first in readings
    )


def _index_values(model: type, index: str, values: list[str]) -> list[str]:
    return [blind_lookup(model, index, value)[index] for value in values]


def _search_filter(name: str, dob: datetime.date | None, member_id: str, mrn: str) -> Q | None:
    q, used = Q(), False
    if name.strip():
        lasts = [last for last, _ in _name_candidates(name) if normalize_last_name(last)]
        q &= Q(last_name_bidx__in=_index_values(Patient, "last_name_bidx", lasts))
        used = True
    if dob:
        q &= Q(**blind_lookup(Patient, "date_of_birth_bidx", dob.isoformat()))
        used = True
    if member_id.strip():
        lookup = blind_lookup(Coverage, "member_id_bidx", member_id)
        q &= Q(pk__in=Coverage.objects.filter(**lookup).values("patient_id"))
        used = True
    if mrn.strip():
        q &= Q(mrn__iexact=mrn.strip())
        used = True
    return q if used else None


def patient_search(
    *,
    org: Any,
    name: str = "",
    dob: datetime.date | None = None,
    member_id: str = "",
    mrn: str = "",
    limit: int = SEARCH_LIMIT,
) -> list[Patient]:
    """Exact matches (blind index) on last name, DOB and member id, exact MRN; the first-name
    prefix is checked after decryption. Empty criteria find nobody (minimum necessary)."""
    if org.pk != require_org().pk:
        raise PermissionError("patient_search runs in the active organization only")
    q = _search_filter(name or "", dob, member_id or "", mrn or "")
    if q is None:
        return []
    rows = with_primary_payer(Patient.objects.filter(q)).order_by("-id")[: limit * 4]
    readings = _name_candidates(name) if (name or "").strip() else None
    found = [p for p in rows if readings is None or _matches_name(p, readings)]
    return found[:limit]


def with_primary_payer(queryset: QuerySet[Patient]) -> QuerySet[Patient]:
    return queryset.prefetch_related(
        Prefetch("coverages", queryset=Coverage.objects.select_related("payer"))
    )


# --- Coverage and levels on a date --------------------------------------------------------


def coverage_active_on(coverage: Coverage, on: datetime.date) -> bool:
    return coverage.effective_date <= on and (coverage.end_date is None or coverage.end_date >= on)


def primary_coverage_on(patient: Patient, on: datetime.date) -> Coverage | None:
    """The lowest-priority-number coverage in force on `on` (uses prefetched coverages)."""
    live = [c for c in patient.coverages.all() if coverage_active_on(c, on)]
    return min(live, key=lambda c: (c.priority, -c.effective_date.toordinal()), default=None)


def segment_on(episode: EpisodeOfCare, on: datetime.date) -> LevelOfCareSegment | None:
    """The level-of-care segment covering `on` (uses prefetched segments)."""
    for seg in episode.segments.all():
        if seg.start_date <= on and (seg.end_date is None or seg.end_date >= on):
            return seg
    return None


def current_segment(episode: EpisodeOfCare) -> LevelOfCareSegment | None:
    segments = list(episode.segments.all())
    open_ = [s for s in segments if s.end_date is None]
    return open_[-1] if open_ else (segments[-1] if segments else None)


def episode_for_date(patient: Patient, on: datetime.date) -> EpisodeOfCare | None:
    return (
        EpisodeOfCare.objects.filter(patient=patient, admit_date__lte=on)
        .filter(Q(discharge_date__isnull=True) | Q(discharge_date__gte=on))
        .select_related("facility")
        .prefetch_related("segments")
        .order_by("-admit_date")
        .first()
    )


def service_level_of_care(*, session: Session) -> str | None:
    """The one answer to "which level of care was this service under" (coding, claims and the
    authorization ledger all ask it): the level-of-care segment in force on the date of service
    of the session's episode, or, for a session recorded without an episode, of the patient's
    episode in force on that date (the latest admitted, as recording picks it). None when no
    segment covers the date (professional services outside any program)."""
    return episode_level_on(episode=service_episode(session=session), on=session.service_date)


def episode_level_on(*, episode: EpisodeOfCare | None, on: datetime.date | None) -> str | None:
    """The level of the episode's segment in force on `on` (uses prefetched segments)."""
    segment = segment_on(episode, on) if episode is not None and on is not None else None
    return segment.level if segment else None


def service_episode(*, session: Session) -> EpisodeOfCare | None:
    """The episode a service belongs to: its own, else the patient's episode in force on the
    date of service (the latest admitted)."""
    if session.episode_id:
        return session.episode
    if not (session.patient_id and session.service_date):
        return None
    return patient_episode_on(patient=session.patient, on=session.service_date)


def patient_episode_on(*, patient: Patient, on: datetime.date) -> EpisodeOfCare | None:
    """The patient's episode in force on `on`, the latest admitted (read from the patient's
    prefetched episodes when a list loaded them)."""
    loaded = getattr(patient, "_prefetched_objects_cache", {}).get("episodes")
    if loaded is None:
        return episode_for_date(patient, on)
    covering = [
        ep
        for ep in loaded
        if ep.admit_date <= on and (ep.discharge_date is None or ep.discharge_date >= on)
    ]
    return max(covering, key=lambda ep: ep.admit_date, default=None)  # as episode_for_date


def service_program(*, session: Session) -> str | None:
    """MH or SUD: the program of the service's episode (codes depend on it, REFERENCE.md
    §14); None for a service outside any episode."""
    episode = service_episode(session=session)
    return episode.program if episode else None


# --- Authorization requirement for a level ------------------------------------------------


@dataclass(frozen=True)
class AuthRequirement:
    level: str
    on_date: datetime.date
    payer: Payer | None
    needed: bool
    covered_by: Any | None
    message: str

    @property
    def action_needed(self) -> bool:
        return self.needed and self.covered_by is None


def _level_label(level: str) -> str:
    return dict(LevelOfCare.choices).get(level, level)


def auth_requirement(*, patient: Patient, level: str, on_date: datetime.date) -> AuthRequirement:
    """Whether the primary payer on `on_date` needs prior authorization for `level`, and
    whether an approved authorization already covers that date."""
    label = _level_label(level)
    cov = primary_coverage_on(patient, on_date)
    if cov is None:
        msg = f"No coverage in force on {on_date}: self-pay, no prior authorization applies."
        return AuthRequirement(level, on_date, None, False, None, msg)
    payer = cov.payer
    if level not in (payer.auth_required_levels or []):
        msg = f"{payer.name} does not require prior authorization for {label}."
        return AuthRequirement(level, on_date, payer, False, None, msg)
    auth = answers.covering_authorization(coverage=cov, level=level, on=on_date)
    if auth is None:
        msg = (
            f"{payer.name} requires prior authorization for {label}: none approved covers "
            f"{on_date}. Request one before the first billed day."
        )
    else:
        number = auth.auth_number or "on file"
        msg = (
            f"{payer.name} requires prior authorization for {label}: covered by "
            f"authorization {number} ({auth.start_date} to {auth.end_date})."
        )
    return AuthRequirement(level, on_date, payer, True, auth, msg)


# --- Part 2 consents ----------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRow:
    consent: Any
    status: str  # "active", "revoked", "expired", "not yet signed"

    @property
    def badge(self) -> str:
        return {"active": "ok", "revoked": "bad"}.get(self.status, "warn")


def consent_status(consent: Any, today: datetime.date) -> str:
    """The consent app's own rule (Part2Consent.state_on), in this page's words, so the badge
    and the disclosure gate never disagree (e.g. on the expiry day)."""
    state = consent.state_on(today)
    return {"valid": "active", "not_yet_signed": "not yet signed"}.get(state, state)


def consents_for(patient: Patient, today: datetime.date) -> list[ConsentRow]:
    rows = answers.part2_consents(patient=patient)
    return [ConsentRow(c, consent_status(c, today)) for c in rows]


# --- Overview pages -------------------------------------------------------------------------


def episodes_qs() -> QuerySet[EpisodeOfCare]:
    return EpisodeOfCare.objects.select_related("facility").prefetch_related(
        "segments", "diagnoses"
    )


@dataclass
class PatientOverview:
    patient: Patient
    coverages: list[Coverage]
    episodes: list[EpisodeOfCare]
    consents: list[ConsentRow]
    recent_sessions: list[Session]
    today: datetime.date
    needs_part2_consent: bool = field(default=False)

    @property
    def primary(self) -> Coverage | None:
        live = [c for c in self.coverages if coverage_active_on(c, self.today)]
        return live[0] if live else None  # already ordered by priority, newest first


def patient_overview(*, patient: Patient, today: datetime.date | None = None) -> PatientOverview:
    today = today or timezone.localdate()
    episodes = list(episodes_qs().filter(patient=patient).order_by("-admit_date"))
    for ep in episodes:
        ep.current = current_segment(ep)
    consents = consents_for(patient, today)
    part2 = any(ep.part2_applies and ep.status == "active" for ep in episodes)
    has_tpo = any(row.status == "active" and row.consent.kind == "tpo" for row in consents)
    return PatientOverview(
        patient=patient,
        coverages=list(
            patient.coverages.select_related("payer").order_by("priority", "-effective_date")
        ),
        episodes=episodes,
        consents=consents,
        recent_sessions=list(sessions_qs().filter(patient=patient)[:RECENT_SESSIONS]),
        today=today,
        needs_part2_consent=part2 and not has_tpo,
    )


@dataclass
class EpisodeDetail:
    episode: EpisodeOfCare
    segments: list[LevelOfCareSegment]
    plans: list[TreatmentPlan]
    sessions: list[Session]
    current: LevelOfCareSegment | None


def episode_detail(*, episode: EpisodeOfCare) -> EpisodeDetail:
    plans = list(
        TreatmentPlan.objects.filter(episode=episode)
        .select_related("signed_by")
        .prefetch_related("goals")
    )
    return EpisodeDetail(
        episode=episode,
        segments=list(episode.segments.all()),
        plans=plans,
        sessions=list(sessions_qs().filter(episode=episode)[:25]),
        current=current_segment(episode),
    )


def sessions_qs() -> QuerySet[Session]:
    return Session.objects.select_related(
        "patient", "episode", "rendering_provider", "supervising_provider", "facility", "group"
    )


def coding_ready_sessions(queryset: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions with everything the coding bridge reads prefetched (no query per row)."""
    return queryset.select_related("episode__facility").prefetch_related(
        Prefetch("patient__coverages", queryset=Coverage.objects.select_related("payer")),
        "episode__segments",
        "episode__leaves",
        "program_services",
        # Sessions recorded without an episode find theirs among the patient's (in memory).
        Prefetch("patient__episodes", queryset=episodes_qs().prefetch_related("leaves")),
    )


def session_list(
    *,
    service_date_from: datetime.date | None = None,
    service_date_to: datetime.date | None = None,
    kind: str = "",
    provider: Any = None,
    limit: int = 100,
) -> list[Session]:
    qs = sessions_qs()
    if service_date_from:
        qs = qs.filter(service_date__gte=service_date_from)
    if service_date_to:
        qs = qs.filter(service_date__lte=service_date_to)
    if kind:
        qs = qs.filter(kind=kind)
    if provider is not None:
        qs = qs.filter(rendering_provider=provider)
    return list(qs.order_by("-service_date", "-starts_at")[:limit])


def provider_of_user(user: Any) -> Any:
    """The active provider whose sign-in is `user`."""

    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Provider.objects.filter(user=user, is_active=True).first()


# --- Session correction history -------------------------------------------------------------

CORRECTION_LABELS = {
    "service_date": "Date of service",
    "starts_at": "Start",
    "ends_at": "End",
    "psychotherapy_minutes": "Psychotherapy minutes",
    "arrived_at": "Arrived",
    "departed_at": "Left",
    "attended_minutes": "Minutes attended",
    "kind": "Kind",
    "modality": "Modality",
    "patient_location": "Patient was",
    "audio_only_reason": "Why audio-only",
    "facility": "Facility",
    "rendering_provider": "Rendering provider",
    "supervising_provider": "Supervising provider",
    "interactive_complexity": "Interactive complexity",
    "em_code": "E/M code",
    "with_medical_services": "Evaluation with medical services",
    "episode": "Episode",
    "note_signed_at": "Note signed",
}
EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class CorrectionRow:
    when: datetime.datetime
    who: str
    reason: str
    changes: list[FieldChange]


def _names(model: Any, ids: set[Any]) -> dict[Any, str]:
    return {obj.pk: str(obj) for obj in model.objects.filter(pk__in=ids)} if ids else {}


def _episode_names(ids: set[Any]) -> dict[Any, str]:
    rows = EpisodeOfCare.objects.filter(pk__in=ids) if ids else []
    return {ep.pk: f"{ep.get_program_display()} from {ep.admit_date:%Y-%m-%d}" for ep in rows}


def _lookups(rows: list[SessionCorrection]) -> dict[str, dict[Any, str]]:
    """Names for every related id in the rows: one query per kind of row, not per change."""
    wanted: dict[str, set[Any]] = {"provider": set(), "facility": set(), "episode": set()}
    for row in rows:
        for name, change in row.changes.items():
            kind = "provider" if name.endswith("_provider") else name
            if kind in wanted:
                wanted[kind] |= {change.get("from"), change.get("to")} - {None}
    return {
        "provider": _names(Provider, wanted["provider"]),
        "facility": _names(Facility, wanted["facility"]),
        "episode": _episode_names(wanted["episode"]),
    }


def _shown(name: str, value: Any, names: dict[str, dict[Any, str]]) -> str:
    """A stored history value in the words of the session page."""
    if name == "note_signed_at" and value is None:
        return "cleared: the note needs signing again"
    if value is None or value == "":
        return EMPTY
    kind = "provider" if name.endswith("_provider") else name
    if kind in names:
        return names[kind].get(value, "(removed)")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name.endswith("_at"):
        moment = parse_datetime(value)
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else str(value)
    if name == "service_date":
        return f"{parse_date(value):%Y-%m-%d}"
    choices = dict(Session._meta.get_field(name).choices or ())
    return str(choices.get(value, value))


def session_corrections(*, session: Session) -> list[CorrectionRow]:
    """The session's corrections, newest first: who, when, why, each field before and after
    (providers, facilities and episodes by name)."""
    rows = list(SessionCorrection.objects.filter(session=session).select_related("actor"))
    names = _lookups(rows)
    return [
        CorrectionRow(
            when=row.created_at,
            who=(row.actor.get_full_name() or row.actor.username) if row.actor else "system",
            reason=row.reason,
            changes=[
                FieldChange(
                    field=name,
                    label=CORRECTION_LABELS.get(name, name),
                    before=_shown(name, change.get("from"), names),
                    after=_shown(name, change.get("to"), names),
                )
                for name, change in row.changes.items()
            ],
        )
        for row in rows
    ]


def patient_has_part2(patient_id: int) -> bool:
    """Whether any of the patient's episodes is a 42 CFR Part 2 program's: the rows about them
    (ledger entries, checks, alerts, notifications) are Part 2 too."""
    from patients.models import EpisodeOfCare

    return EpisodeOfCare.objects.filter(patient_id=patient_id, part2_applies=True).exists()

"""Synthetic intake and clinical data for a demo clinic: patients with obviously fake names,
coverages (some secondary), episodes across every level of care with step-downs, diagnoses
from the bundled ICD-10-CM list, treatment plans, and six months of sessions, program days and
group sessions. Deterministic for a given rng, idempotent (skips when the org already has
`n_patients`), bulk-inserted so a clinic loads in seconds."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from coding.codesets.icd10 import validate_icd10
from patients.models import (
    AdmissionSource,
    AdmissionType,
    Coverage,
    EpisodeDiagnosis,
    EpisodeOfCare,
    GroupSession,
    LevelOfCareSegment,
    Patient,
    PatientStatus,
    ProgramDayService,
    Session,
    TreatmentGoal,
    TreatmentPlan,
)
from patients.selectors import primary_coverage_on
from patients.services.plans import FALLBACK_REVIEW_DAYS, PLAN_REVIEW_DAYS
from payers.models import Payer
from payers.rules import program_day_entry
from rcm.tenancy import org_context

BATCH = 1000
DAY = dt.timedelta(days=1)
HISTORY_DAYS = 182
MRN_FORMAT = "D{:06d}"
FIRST_NAMES = (
    "Alpha",
    "Bravo",
    "Cobalt",
    "Delta",
    "Echo",
    "Fable",
    "Gizmo",
    "Hopper",
    "Indigo",
    "Jinx",
    "Kiwi",
    "Lumen",
    "Mango",
    "Nimbus",
    "Orbit",
    "Pixel",
    "Quasar",
    "Rusty",
    "Sprocket",
    "Tango",
    "Umber",
    "Vortex",
    "Widget",
    "Yonder",
    "Zephyr",
)
LAST_NAMES = (
    "Testington",
    "Samplesby",
    "Mockworth",
    "Demoford",
    "Fakely",
    "Placeholder",
    "Dummison",
    "Fixture",
    "Synthwell",
    "Stubbs",
    "Lorem",
    "Ipsumson",
    "Examplar",
    "Notreal",
    "Madeupton",
    "Pretendly",
)
CITIES = ("Springfield", "Shelbyville", "Ogdenville", "North Haverbrook", "Capital City")
MH_PRIMARY = ("F32.1", "F32.2", "F33.1", "F41.0", "F41.1", "F43.10", "F43.12", "F43.23")
SUD_PRIMARY = ("F10.20", "F11.20", "F15.20")
SECONDARY = ("Z59.00", "Z59.01", "Z59.41", "Z63.0", "Z63.8", "F41.1", "F43.10")
PATHWAYS = {
    "mh": (
        ("outpatient",),
        ("iop", "outpatient"),
        ("php", "iop", "outpatient"),
        ("residential", "php", "iop"),
        ("outpatient",),
    ),
    "sud": (
        ("withdrawal_management", "residential", "iop", "outpatient"),
        ("residential", "iop", "outpatient"),
        ("php", "iop"),
        ("iop", "outpatient"),
        ("outpatient",),
    ),
}
DURATION = {
    "withdrawal_management": (4, 7),
    "residential": (14, 28),
    "php": (10, 21),
    "iop": (21, 42),
    "outpatient": (40, 150),
}
ASAM_3 = {
    "outpatient": "1",
    "iop": "2.1",
    "php": "2.5",
    "residential": "3.5",
    "withdrawal_management": "3.7-WM",
}
# Program days: weekdays attended (Mon=0) and attended-minute ranges (normal, short day). A
# normal day meets the payers' daily minimums (IOP 3 h, PHP up to 6 h: payers.catalog).
PROGRAM_DAYS = {
    "iop": ((0, 2, 3), (180, 240), (60, 170)),
    "php": ((0, 1, 2, 3, 4), (360, 420), (120, 239)),
    "residential": (tuple(range(7)), (300, 480), (180, 299)),
    "withdrawal_management": (tuple(range(7)), (300, 480), (180, 299)),
}
# Evening groups are outpatient care (a program day's groups are inside its per diem).
GROUP_LEVELS = {"outpatient"}
# A PHP/IOP day's services (each ~45-60 min), billed line by line by payers that bill the day
# service by service (Medicare: REFERENCE.md §14); per-diem payers ignore them.
DAY_SERVICES = (
    "group_psychotherapy",
    "group_psychotherapy",
    "individual_psychotherapy",
    "activity_therapy",
    "patient_education",
    "interactive_group",
)
GROUP_WEEKDAY = 1  # Tuesday evening groups
MINUTES = (12, 14, 28, 33, 40, 45, 50, 53, 55, 60)
MINUTE_WEIGHTS = (3, 2, 8, 6, 12, 14, 10, 20, 15, 10)
THERAPISTS = {"lcsw", "lpc", "lmft", "psychologist", "addiction_counselor", "associate"}
PRESCRIBERS = {"psychiatrist", "pmhnp", "pa", "cns"}
# Who carries the caseload: the clinicians with full credentials see most patients, those the
# credentialing demo gives gaps (pending or missing enrollments) fewer, so a credentialing gap
# holds some claims, not most (credentialing.demo.SPECS).
CASELOAD = {
    "psychiatrist": 4,
    "psychologist": 4,
    "lcsw": 3,
    "addiction_counselor": 3,
    "lmft": 2,
    "lpc": 2,
    "pmhnp": 2,
    "pa": 2,
    "associate": 1,
    "cns": 1,
}
# The programs' attending physician is most often the medical director (the psychiatrist).
ATTENDING = {"psychiatrist": 6, "pmhnp": 2, "pa": 1, "cns": 1}
GOALS = (
    "Fewer days with low mood (PHQ-9 under 10)",
    "Use two coping skills when anxious",
    "Attend every scheduled group",
    "No substance use for 30 days",
    "Stable housing plan with case manager",
    "Sleep 6+ hours most nights",
)
TOPICS = ("Coping skills", "Relapse prevention", "Mindfulness", "Family roles", "DBT skills")
REFERRING_NPI = "1555000052"  # synthetic, valid check digit


@dataclass
class SeedResult:
    patients: list[Patient]
    episodes_with_coverage: list[tuple[EpisodeOfCare, Coverage]]
    created: dict[str, int] = field(default_factory=dict)


@dataclass
class _Ctx:
    rng: random.Random
    today: dt.date
    program: str
    payers: list[Payer]
    facilities: list[Any]
    therapists: list[Any]
    prescribers: list[Any]
    namespace: uuid.UUID
    groups: dict[tuple[int, dt.date], GroupSession] = field(default_factory=dict)
    issued: int = 0
    # Claim facts (admission, discharge, subscriber, signature on file) draw from their own
    # stream, so adding them left the rest of the demo as it was.
    facts: random.Random = field(default_factory=lambda: random.Random(0))

    def uid(self) -> uuid.UUID:
        """Deterministic per org, unique across orgs (public ids are globally unique)."""
        self.issued += 1
        return uuid.uuid5(self.namespace, f"demo-{self.issued}")

    def moment(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


def seed(
    *,
    org: Any,
    rng: random.Random,
    payers: Sequence[Payer],
    facilities: Sequence[Any],
    providers: Sequence[Any],
    today: dt.date,
    n_patients: int = 200,
    program: str = "mh",
    part: str = "",
) -> SeedResult:
    """Patients up to `n_patients` in the org (the ones it lacks). `part` names a second seeding
    into the same org (another program's patients, numbered after the first's): it keeps the
    public ids of the two apart."""
    # One draw from the shared stream whether or not we seed, so later seeders stay in step.
    local = random.Random(rng.random())
    with org_context(org):
        if Patient.objects.count() >= n_patients:
            return _result(today, {})
        ctx = _context(local, today, program, payers, facilities, providers)
        ctx.namespace = uuid.uuid5(org.public_id, part) if part else org.public_id
        ctx.facts = random.Random(f"{org.slug}:claim-facts{part}")
        patients = _patients(ctx, n_patients)
        coverages = _coverages(ctx, patients)
        episodes = _episodes(ctx, patients)
        counts = {"patients": len(patients), "coverages": len(coverages), "episodes": len(episodes)}
        counts["plans"] = _plans(ctx, episodes, coverages)
        counts["sessions"] = _sessions(ctx, episodes)
        return _result(today, counts)


def _context(
    rng: random.Random,
    today: dt.date,
    program: str,
    payers: Sequence[Payer],
    facilities: Sequence[Any],
    providers: Sequence[Any],
) -> _Ctx:
    billable = [p for p in payers if p.kind != Payer.Kind.SELF_PAY] or list(payers)
    therapists = [p for p in providers if p.license_type in THERAPISTS] or list(providers)
    prescribers = [p for p in providers if p.license_type in PRESCRIBERS]
    return _Ctx(
        rng,
        today,
        program,
        billable,
        list(facilities),
        therapists,
        prescribers,
        namespace=uuid.NAMESPACE_OID,
    )


def _result(today: dt.date, counts: dict[str, int]) -> SeedResult:
    patients = list(
        Patient.objects.filter(mrn__startswith="D")
        .order_by("mrn")
        .prefetch_related(Prefetch("coverages", queryset=Coverage.objects.select_related("payer")))
    )
    by_id = {p.pk: p for p in patients}
    pairs = []
    for ep in EpisodeOfCare.objects.filter(patient_id__in=by_id).order_by("pk"):
        cov = primary_coverage_on(by_id[ep.patient_id], min(today, ep.discharge_date or today))
        if cov is not None:
            pairs.append((ep, cov))
    return SeedResult(patients=patients, episodes_with_coverage=pairs, created=counts)


# --- Patients and coverage --------------------------------------------------------------------


def _patient(ctx: _Ctx, n: int) -> Patient:
    rng = ctx.rng
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return Patient(
        public_id=ctx.uid(),
        mrn=MRN_FORMAT.format(n),
        first_name=first,
        last_name=last,
        date_of_birth=dt.date(rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28)),
        sex=rng.choice("FMU"),
        address_line1=f"{rng.randint(1, 999)} Sample St",
        city=rng.choice(CITIES),
        state="OR",
        postal_code=f"97{rng.randint(0, 999):03d}",
        phone=f"555555{rng.randint(0, 9999):04d}",
        email=f"{first}.{last}{n}@example.test".lower(),
        signature_on_file_date=_signature_date(ctx),
    )


def _signature_date(ctx: _Ctx) -> dt.date | None:
    """Most patients signed the release of information at intake; a few never did."""
    if ctx.facts.random() < 0.03:
        return None
    return ctx.today - dt.timedelta(days=HISTORY_DAYS + ctx.facts.randint(1, 60))


def _patients(ctx: _Ctx, n_patients: int) -> list[Patient]:
    rows = [_patient(ctx, n) for n in range(1, n_patients + 1)]
    existing = set(
        Patient.objects.filter(mrn__in=[p.mrn for p in rows]).values_list("mrn", flat=True)
    )
    fresh = [p for p in rows if p.mrn not in existing]
    return Patient.objects.bulk_create(fresh, batch_size=BATCH)


def _coverage(ctx: _Ctx, patient: Patient, payer: Payer, priority: int) -> Coverage:
    rng = ctx.rng
    prefix = "".join(ch for ch in payer.name.upper() if ch.isalpha())[:3] or "MEM"
    dependent = rng.random() < 0.1
    cov = Coverage(
        public_id=ctx.uid(),
        patient=patient,
        payer=payer,
        priority=priority,
        member_id=f"{prefix}{rng.randrange(10**8):08d}",
        plan_name=f"{payer.name} {rng.choice(('PPO', 'HMO', 'Choice', 'Basic'))}",
        group_number=f"G{rng.randint(1000, 9999)}",
        effective_date=ctx.today - dt.timedelta(days=rng.randint(200, 900)),
    )
    if dependent:
        cov.relationship = Coverage.Relationship.CHILD
        cov.subscriber_first_name = rng.choice(FIRST_NAMES)
        cov.subscriber_last_name = patient.last_name
        cov.subscriber_date_of_birth = dt.date(rng.randint(1955, 1985), 6, 15)
        # The parent lives with the patient.
        cov.subscriber_address_line1 = patient.address_line1
        cov.subscriber_city = patient.city
        cov.subscriber_state = patient.state
        cov.subscriber_postal_code = patient.postal_code
        cov.subscriber_sex = ctx.facts.choice("FM")
    if priority != Coverage.Priority.PRIMARY and payer.kind == Payer.Kind.MEDICARE:
        cov.msp_type = Coverage.MspType.WORKING_AGED  # an employer plan pays first
    return cov


def _coverages(ctx: _Ctx, patients: list[Patient]) -> list[Coverage]:
    rows: list[Coverage] = []
    for patient in patients:
        roll, payers = ctx.rng.random(), ctx.rng.sample(ctx.payers, min(2, len(ctx.payers)))
        if roll < 0.05:
            continue  # self-pay
        rows.append(_coverage(ctx, patient, payers[0], Coverage.Priority.PRIMARY))
        if roll > 0.85 and len(payers) > 1:
            rows.append(_coverage(ctx, patient, payers[1], Coverage.Priority.SECONDARY))
    created = Coverage.objects.bulk_create(rows, batch_size=BATCH)
    for patient in patients:
        patient._demo_coverages = [c for c in created if c.patient_id == patient.pk]
    return created


# --- Episodes, diagnoses, levels ------------------------------------------------------------------


def _path_segments(
    ctx: _Ctx, pathway: tuple[str, ...], admit: dt.date
) -> tuple[list[tuple[str, dt.date, dt.date | None]], bool]:
    """(level, start, end) along the step-down pathway, and whether the episode ended."""
    segments, start = [], admit
    for i, level in enumerate(pathway):
        end = start + dt.timedelta(days=ctx.rng.randint(*DURATION[level]) - 1)
        last = i == len(pathway) - 1
        if end >= ctx.today or (last and level == "outpatient" and ctx.rng.random() < 0.7):
            segments.append((level, start, None))
            return segments, False
        segments.append((level, start, end))
        start = end + DAY
    return segments, True


def _facility_for(ctx: _Ctx, level: str) -> Any:
    residential = level in {"residential", "withdrawal_management"}
    for facility in ctx.facilities:
        if (facility.pos in {"55", "56"}) == residential:
            return facility
    return ctx.facilities[0] if ctx.facilities else None


def _diagnoses(ctx: _Ctx) -> list[str]:
    primary = ctx.rng.choice(SUD_PRIMARY if ctx.program == "sud" else MH_PRIMARY)
    extra = [c for c in ctx.rng.sample(SECONDARY, ctx.rng.randint(0, 2)) if c != primary]
    return [primary, *extra]


def _covered_pathway(ctx: _Ctx, patient: Patient, pathway: tuple[str, ...]) -> tuple[str, ...]:
    """The pathway, or (when the primary payer has no code for one of its program levels: the
    clinic would not admit the patient there on that coverage) the first one it covers."""
    primary = [c for c in patient._demo_coverages if c.priority == Coverage.Priority.PRIMARY]
    if not primary:
        return pathway

    def covered(path: tuple[str, ...]) -> bool:
        return all(
            level == "outpatient" or program_day_entry(primary[0].payer, ctx.program, level)
            for level in path
        )

    if covered(pathway):
        return pathway
    return next((path for path in PATHWAYS[ctx.program] if covered(path)), pathway)


def _episode(ctx: _Ctx, patient: Patient, index: int) -> EpisodeOfCare:
    pathways = PATHWAYS[ctx.program]
    # The first patients walk every pathway, so every level of care appears.
    pathway = pathways[index] if index < len(pathways) else ctx.rng.choice(pathways)
    if index >= len(pathways):
        pathway = _covered_pathway(ctx, patient, pathway)
    admit = ctx.today - dt.timedelta(days=ctx.rng.randint(10, HISTORY_DAYS))
    segments, ended = _path_segments(ctx, pathway, admit)
    episode = EpisodeOfCare(
        public_id=ctx.uid(),
        patient=patient,
        program=ctx.program,
        admit_date=admit,
        part2_applies=ctx.program == "sud",
        facility=_facility_for(ctx, pathway[0]),
        discharge_date=segments[-1][2] if ended else None,
        status=EpisodeOfCare.Status.DISCHARGED if ended else EpisodeOfCare.Status.ACTIVE,
    )
    _episode_claim_facts(ctx, episode, pathway[0])
    episode._demo_segments = segments
    episode._demo_dx = _diagnoses(ctx)
    return episode


def _episode_claim_facts(ctx: _Ctx, episode: EpisodeOfCare, first_level: str) -> None:
    """UB-04 admission and discharge facts: elective admissions from home or a clinic, urgent
    ones (withdrawal management) sometimes by transfer from a hospital; most discharges home,
    some against advice; open episodes are still patients."""
    facts = ctx.facts
    urgent = first_level == "withdrawal_management"
    episode.admission_hour = facts.randint(8, 16)
    episode.admission_type = AdmissionType.URGENT if urgent else AdmissionType.ELECTIVE
    sources = (
        (AdmissionSource.HOSPITAL, AdmissionSource.NON_HEALTH_CARE)
        if urgent
        else (
            AdmissionSource.NON_HEALTH_CARE,
            AdmissionSource.CLINIC,
        )
    )
    episode.admission_source = facts.choice(sources)
    clinicians = ctx.prescribers or ctx.therapists
    episode.attending_provider = (
        _staff(facts, clinicians, weights=ATTENDING) if clinicians else None
    )
    if facts.random() < 0.3:
        episode.referring_provider_name = "Casey Referral MD"
        episode.referring_provider_npi = REFERRING_NPI
    if episode.discharge_date is None:
        episode.patient_status = PatientStatus.STILL_A_PATIENT
        return
    episode.discharge_hour = facts.randint(9, 15)
    against_advice = facts.random() < 0.1
    episode.patient_status = PatientStatus.AGAINST_ADVICE if against_advice else PatientStatus.HOME


def _episodes(ctx: _Ctx, patients: list[Patient]) -> list[EpisodeOfCare]:
    episodes = EpisodeOfCare.objects.bulk_create(
        [_episode(ctx, p, i) for i, p in enumerate(patients)], batch_size=BATCH
    )
    dx, segments = [], []
    for ep in episodes:
        dx += [
            EpisodeDiagnosis(
                public_id=ctx.uid(),
                episode=ep,
                rank=rank,
                code=code,
                description=validate_icd10(code).description[:255],
            )
            for rank, code in enumerate(ep._demo_dx, start=1)
        ]
        segments += [
            LevelOfCareSegment(
                public_id=ctx.uid(),
                episode=ep,
                level=level,
                start_date=start,
                end_date=end,
                asam_edition="3",
                asam_level=ASAM_3[level] if ctx.program == "sud" else "",
            )
            for level, start, end in ep._demo_segments
        ]
    EpisodeDiagnosis.objects.bulk_create(dx, batch_size=BATCH)
    LevelOfCareSegment.objects.bulk_create(segments, batch_size=BATCH)
    patients_by_id = {p.pk: p for p in patients}
    for ep in episodes:
        ep._demo_patient = patients_by_id[ep.patient_id]
    return episodes


# --- Treatment plans ------------------------------------------------------------------------------


def _review_days(ep: EpisodeOfCare, level: str) -> int:
    covs = [c for c in ep._demo_patient._demo_coverages if c.priority == 1]
    rules = (covs[0].payer.program_minimums or {}).get(level, {}) if covs else {}
    days = rules.get("plan_review_days") if isinstance(rules, dict) else None
    return (
        days
        if isinstance(days, int) and days > 0
        else PLAN_REVIEW_DAYS.get(level, FALLBACK_REVIEW_DAYS)
    )


def _plans(ctx: _Ctx, episodes: list[EpisodeOfCare], coverages: list[Coverage]) -> int:
    plans, goal_specs = [], []
    signers = ctx.prescribers + ctx.therapists
    for ep in episodes:
        for level, start, end in ep._demo_segments:
            signed = ctx.rng.random() < 0.85 and start < ctx.today
            plan = TreatmentPlan(
                public_id=ctx.uid(),
                episode=ep,
                level=level,
                effective_date=start,
                review_due_date=start + dt.timedelta(days=_review_days(ep, level)),
                signed_at=ctx.moment(start + DAY, 10) if signed else None,
                signed_by=ctx.rng.choice(signers) if signed and signers else None,
            )
            plans.append(plan)
            goal_specs.append((plan, ctx.rng.sample(GOALS, 2), ep._demo_dx))
            for review in _reviews(ctx, ep, plan, end, signers):
                plans.append(review)
                goal_specs.append((review, ctx.facts.sample(GOALS, 2), ep._demo_dx))
    TreatmentPlan.objects.bulk_create(plans, batch_size=BATCH)
    goals = [
        TreatmentGoal(
            public_id=ctx.uid(),
            plan=plan,
            description=text,
            diagnosis_codes=[dx[0]] if i == 0 else dx[-1:],
        )
        for plan, texts, dx in goal_specs
        for i, text in enumerate(texts)
    ]
    TreatmentGoal.objects.bulk_create(goals, batch_size=BATCH)
    return len(plans)


LATE_REVIEW_SHARE = 0.08  # reviews done a week late: services in that week are held


def _reviews(
    ctx: _Ctx, ep: EpisodeOfCare, first: TreatmentPlan, end: dt.date | None, signers: list[Any]
) -> list[TreatmentPlan]:
    """The plan reviewed when it falls due, for as long as the level lasts (up to today): a new
    plan in force from the review date (drawn from the claim-facts stream, so adding reviews
    left the rest of the demo as it was)."""
    reviews, plan = [], first
    last = min(end or ctx.today, ctx.today)
    while plan.review_due_date <= last:
        reviewed = plan.review_due_date
        if ctx.facts.random() < LATE_REVIEW_SHARE:
            reviewed += dt.timedelta(days=7)
        signer = ctx.facts.choice(signers) if signers else None
        plan = TreatmentPlan(
            public_id=ctx.uid(),
            episode=ep,
            level=first.level,
            effective_date=reviewed,
            review_due_date=reviewed + (first.review_due_date - first.effective_date),
            signed_at=ctx.moment(reviewed, 11) if reviewed < ctx.today and signer else None,
            signed_by=signer if reviewed < ctx.today else None,
        )
        reviews.append(plan)
    return reviews


# --- Sessions -------------------------------------------------------------------------------------


def _staff(
    rng: random.Random,
    people: Sequence[Any],
    episode: EpisodeOfCare | None = None,
    weights: Mapping[str, int] = CASELOAD,
) -> Any:
    """One clinician, weighted by caseload; for an episode, one its primary payer pays for
    when there is one (the scheduler books a Medicare patient with a licence Medicare pays)."""
    payer = _primary_payer(episode)
    if payer is not None:
        paid = [p for p in people if _pays_for(payer, p)]
        people = paid or people
    return rng.choices(people, weights=[weights.get(p.license_type, 1) for p in people])[0]


def _primary_payer(episode: EpisodeOfCare | None) -> Payer | None:
    patient = getattr(episode, "_demo_patient", None)
    covs = [c for c in getattr(patient, "_demo_coverages", ()) if c.priority == 1]
    return covs[0].payer if covs else None


def _pays_for(payer: Payer, provider: Any) -> bool:
    accepted = payer.accepted_license_types or []
    if not accepted or provider.license_type in accepted:
        return True
    return bool(payer.pays_under_supervisor and provider.supervisor_id)


def _signed(ctx: _Ctx, day: dt.date, hour: int) -> dt.datetime | None:
    recent = (ctx.today - day).days <= 3
    return None if ctx.rng.random() < (0.5 if recent else 0.05) else ctx.moment(day, hour + 2)


def _supervisor(provider: Any, ctx: _Ctx) -> Any:
    if provider.license_type not in {"associate", "peer_specialist"}:
        return None
    return provider.supervisor or next(
        (t for t in ctx.therapists if t.license_type not in {"associate", "peer_specialist"}), None
    )


def _visit(ctx: _Ctx, ep: EpisodeOfCare, day: dt.date, first: bool) -> Session:
    """One outpatient visit: evaluation first, then mostly psychotherapy of varied length,
    some telehealth, some E/M with psychotherapy, a few no-shows."""
    rng = ctx.rng
    provider = _staff(rng, ctx.therapists, ep)
    hour = rng.randint(9, 16)
    minutes = 60 if first else rng.choices(MINUTES, MINUTE_WEIGHTS)[0]
    kind = "evaluation" if first else "individual"
    s = Session(
        public_id=ctx.uid(),
        patient_id=ep.patient_id,
        episode=ep,
        kind=kind,
        service_date=day,
        starts_at=ctx.moment(day, hour),
        ends_at=ctx.moment(day, hour) + dt.timedelta(minutes=minutes),
        facility=ep.facility,
        rendering_provider=provider,
    )
    if not first and ctx.prescribers and rng.random() < 0.12:
        s.kind, s.rendering_provider = "em_with_psychotherapy", _staff(rng, ctx.prescribers, ep)
        s.em_code, s.psychotherapy_minutes = rng.choice(("99213", "99214")), rng.randint(16, 40)
        s.ends_at = s.starts_at + dt.timedelta(minutes=s.psychotherapy_minutes + 15)
    _telehealth(ctx, s)
    s.supervising_provider = _supervisor(s.rendering_provider, ctx)
    if rng.random() < 0.05:
        s.status, s.ends_at = Session.Status.NO_SHOW, None
    else:
        s.note_signed_at = _signed(ctx, day, hour)
    return s


def _telehealth(ctx: _Ctx, s: Session) -> None:
    roll = ctx.rng.random()
    if roll < 0.2:
        s.modality, s.patient_location = "video", Session.PatientLocation.HOME
    elif roll < 0.25:
        s.modality, s.patient_location = "audio_only", Session.PatientLocation.HOME
        s.audio_only_reason = "Patient declined video (no private space for video)"


def _program_day(ctx: _Ctx, ep: EpisodeOfCare, level: str, day: dt.date) -> Session | None:
    weekdays, normal, short = PROGRAM_DAYS[level]
    roll = ctx.rng.random()
    if day.weekday() not in weekdays or roll < 0.05:
        return None  # not a program day, or absent
    minutes = ctx.rng.randint(*(short if roll < 0.15 else normal))
    provider = _staff(ctx.rng, ctx.therapists, ep)
    day_session = Session(
        public_id=ctx.uid(),
        patient_id=ep.patient_id,
        episode=ep,
        kind="program_day",
        service_date=day,
        attended_minutes=minutes,
        facility=ep.facility,
        rendering_provider=provider,
        supervising_provider=_supervisor(provider, ctx),
        note_signed_at=_signed(ctx, day, 16),
    )
    if level in ("php", "iop"):
        day_session._demo_services = _day_services(ctx, minutes)
    return day_session


def _day_services(ctx: _Ctx, attended: int) -> list[ProgramDayService]:
    """The services of a PHP/IOP day: as many ~50-minute services as the attended time holds."""
    count = min(len(DAY_SERVICES), attended // 55)
    kinds = ctx.rng.sample(DAY_SERVICES, count)
    return [
        ProgramDayService(
            public_id=ctx.uid(), kind=kind, minutes=ctx.rng.choice((45, 50, 55)), position=n
        )
        for n, kind in enumerate(kinds)
    ]


def _group(ctx: _Ctx, facility: Any, day: dt.date) -> GroupSession:
    key = (facility.pk if facility else 0, day)
    if key not in ctx.groups:
        licensed = [t for t in ctx.therapists if t.license_type not in {"associate"}]
        ctx.groups[key] = GroupSession(
            public_id=ctx.uid(),
            facility=facility,
            topic=ctx.rng.choice(TOPICS),
            facilitator=ctx.rng.choice(licensed or ctx.therapists),
            starts_at=ctx.moment(day, 17),
            ends_at=ctx.moment(day, 18, 30),
        )
    return ctx.groups[key]


def _group_attendance(ctx: _Ctx, ep: EpisodeOfCare, day: dt.date, facility: Any) -> Session | None:
    if day.weekday() != GROUP_WEEKDAY or ctx.rng.random() < 0.15:
        return None
    group = _group(ctx, facility, day)
    late = ctx.rng.choice((0, 0, 0, 5, 20))
    early = ctx.rng.choice((0, 0, 0, 0, 30))
    s = Session(
        public_id=ctx.uid(),
        patient_id=ep.patient_id,
        episode=ep,
        kind="group",
        service_date=day,
        starts_at=group.starts_at,
        ends_at=group.ends_at,
        arrived_at=group.starts_at + dt.timedelta(minutes=late),
        departed_at=group.ends_at - dt.timedelta(minutes=early),
        rendering_provider=group.facilitator,
        note_signed_at=_signed(ctx, day, 19),
    )
    s._demo_group = group
    return s


def _segment_sessions(
    ctx: _Ctx, ep: EpisodeOfCare, level: str, start: dt.date, end: dt.date | None
) -> list[Session]:
    rows: list[Session | None] = []
    last = min(end or ctx.today - DAY, ctx.today - DAY)
    weekday, facility = ctx.rng.randint(0, 4), _facility_for(ctx, level)
    day = start
    while day <= last:
        if level == "outpatient" and day.weekday() == weekday:
            first = start == ep.admit_date and not any(rows)  # intake evaluation
            rows.append(_visit(ctx, ep, day, first=first))
        elif level in PROGRAM_DAYS:
            rows.append(_program_day(ctx, ep, level, day))
        if level in GROUP_LEVELS:
            rows.append(_group_attendance(ctx, ep, day, facility))
        day += DAY
    for row in rows:
        if row is not None:
            row.facility = facility
    return [row for row in rows if row is not None]


def _sessions(ctx: _Ctx, episodes: list[EpisodeOfCare]) -> int:
    rows = [
        s
        for ep in episodes
        for level, start, end in ep._demo_segments
        for s in _segment_sessions(ctx, ep, level, start, end)
    ]
    GroupSession.objects.bulk_create(list(ctx.groups.values()), batch_size=BATCH)
    for s in rows:
        if hasattr(s, "_demo_group"):
            s.group = s._demo_group
    Session.objects.bulk_create(rows, batch_size=BATCH)
    services = []
    for s in rows:
        for service in getattr(s, "_demo_services", ()):
            service.session = s
            services.append(service)
    ProgramDayService.objects.bulk_create(services, batch_size=BATCH)
    return len(rows)

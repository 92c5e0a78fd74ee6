"""From the database to plain data: sessions coded for claims (`coded_sessions`) and claims as
`ClaimSnapshot`s for the scrubber (`snapshots_for`). Both load in a fixed number of queries per
batch where the underlying selectors allow it (providers, coverages, debits, plans, other
claims); what remains per claim (the authorization check, the Part 2 gate) is counted by
`bench/bench_claims.py`."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from authorizations.models import UnitLedgerEntry
from authorizations.selectors import (
    AuthorizationBook,
    authorization_book,
    authorization_for_service,
    service_authorization,
    still_open,
)
from claims.build import CodedLine, CodedSession, claim_patient_status
from claims.edi_map import payer_id as payer_id_for
from claims.models import ACTIVE_STATUSES, Claim, ClaimLine, ClaimService
from claims.snapshot import (
    DEFAULT_SAME_DAY_PAIRS,
    Address,
    AuthSnap,
    BillingSnap,
    ClaimSnapshot,
    ConsentSnap,
    CoverageSnap,
    LineSnap,
    OtherClaimSnap,
    PayerEdits,
    ProviderSnap,
    ServiceSnap,
)
from coding import PRESCRIBER_LICENSES
from coding.diagnoses import DiagnosisRules, sequencing_errors
from consent.gate import ConsentRecords, consent_for_disclosure, consent_records
from consent.rules import BILLING_CATEGORIES
from credentialing.models import Provider
from credentialing.selectors import provider_can_bill, providers_for_billing
from facilities.models import Facility
from patients.coding_bridge import CodingPreview, preview_of_session, prime_week_cache
from patients.models import Coverage, GroupSession, Patient, Session, TreatmentPlan
from patients.selectors import coding_ready_sessions, episodes_qs
from payers.rules import RuleDataError, payer_rules_for

HEALTH_PLAN = "health_plan"
PAYMENT = "payment"


_PLACEHOLDER = uuid.UUID(int=0)


def _url(org_slug: str, name: str, public_id: Any) -> str:
    if not org_slug or public_id is None:
        return ""
    return _url_pattern(org_slug, name, *_url_scope()).replace(str(_PLACEHOLDER), str(public_id))


def _org_url(org_slug: str, name: str) -> str:
    return _org_url_cached(org_slug, name, *_url_scope()) if org_slug else ""


def _url_scope() -> tuple[str, str]:
    """What else a reversed address depends on (cached addresses are keyed on it)."""
    return get_script_prefix(), str(get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=256)
def _url_pattern(org_slug: str, name: str, prefix: str, urlconf: str) -> str:
    """The page's address with a placeholder id: reversing costs more than scrubbing the
    claim once a batch asks for thousands of fix links."""
    return reverse(name, kwargs={"org_slug": org_slug, "public_id": _PLACEHOLDER})


@functools.lru_cache(maxsize=256)
def _org_url_cached(org_slug: str, name: str, prefix: str, urlconf: str) -> str:
    return reverse(name, kwargs={"org_slug": org_slug})


# --- Coding sessions for claims --------------------------------------------------------------


def _debited_authorizations(session_ids: Sequence[int]) -> dict[int, Any]:
    """Each session's authorization (the one its standing debits were taken from)."""
    consumed = UnitLedgerEntry.objects.filter(
        session_id__in=session_ids, kind=UnitLedgerEntry.Kind.CONSUME
    )
    rows = still_open(consumed).select_related("authorization").order_by("session_id", "pk")
    found: dict[int, Any] = {}
    for entry in rows:
        found.setdefault(entry.session_id, entry.authorization)
    return found


@dataclass
class SessionBatch:
    """The sessions of one build or scrub, each coded once (the builder, the scrubber and the
    authorization check read the same result), with what the authorization check reads about
    them loaded at once (`authorizations.selectors.authorization_book`)."""

    previews: dict[int, CodingPreview]
    book: AuthorizationBook


def session_batch(sessions: Sequence[Session]) -> SessionBatch:
    """Code `sessions` (loaded by `sessions_for_claims` or `claims_for_snapshot`) in a fixed
    number of queries however many there are."""
    rows = list(sessions)
    cache = prime_week_cache(rows, {})
    previews = {s.pk: preview_of_session(session=s, week_cache=cache) for s in rows}
    results = {pk: preview.result for pk, preview in previews.items()}
    return SessionBatch(previews, authorization_book(sessions=rows, results=results))


def _share_billing_records(sessions: Sequence[Session]) -> None:
    """One provider object per provider, with the records `provider_can_bill` and the
    telehealth licensure check read (else a telehealth session's provider is loaded on its
    own)."""
    ids = {
        pk
        for s in sessions
        for pk in (s.rendering_provider_id, s.supervising_provider_id)
        if pk is not None
    }
    providers = {p.pk: p for p in providers_for_billing().filter(pk__in=ids)} if ids else {}
    for s in sessions:
        if s.rendering_provider_id in providers:
            s.rendering_provider = providers[s.rendering_provider_id]
        if s.supervising_provider_id in providers:
            s.supervising_provider = providers[s.supervising_provider_id]


def coded_sessions(sessions: Iterable[Session], batch: SessionBatch | None = None) -> list[Any]:
    """Each session coded in its context (payer, coverage, program, level) by the one coding
    path, with the authorization its units were debited from."""
    rows = list(sessions)
    batch = batch if batch is not None else session_batch(rows)
    auths = _debited_authorizations([s.pk for s in rows])
    coded: list[CodedSession] = []
    for s in rows:
        preview = batch.previews.get(s.pk) or preview_of_session(session=s)
        ctx, result = preview.context, preview.result
        facility = s.facility or (ctx.episode.facility if ctx.episode else None)
        lines = tuple(
            CodedLine(
                code=ln.code,
                units=ln.units,
                modifiers=tuple(ln.modifiers),
                pos=ln.pos or "",
                billed_provider=str(ln.billed_provider),
                revenue_code=ln.revenue_code or "",
            )
            for ln in result.lines
        )
        coded.append(
            CodedSession(
                session=s,
                patient_id=s.patient_id,
                coverage=ctx.coverage,
                payer=ctx.payer,
                episode=ctx.episode,
                program=ctx.program or "",
                level=ctx.level or "",
                facility=facility,
                rendering=s.rendering_provider if s.rendering_provider_id else None,
                supervising=s.supervising_provider if s.supervising_provider_id else None,
                lines=lines if result.billable else (),
                billable=result.billable,
                condition_codes=tuple(result.condition_codes),
                authorization=auths.get(s.pk) or _covering(s, ctx, lines, batch.book),
            )
        )
    return coded


def _covering(s: Session, ctx: Any, lines: tuple[CodedLine, ...], book: AuthorizationBook) -> Any:
    """No standing debit (units not consumed yet): the authorization that would pay for the
    session's first line, as the ledger would pick it."""
    if not lines or ctx.coverage is None or not ctx.level:
        return None
    first = lines[0]
    return authorization_for_service(
        patient=s.patient,
        level=ctx.level,
        code=first.code,
        on_date=s.service_date,
        modifiers=first.modifiers,
        revenue_code=first.revenue_code or None,
        provider=s.rendering_provider if s.rendering_provider_id else None,
        book=book,
    )


def billable_sessions_qs() -> Any:
    """Completed sessions no active claim bills yet (load them with `load_sessions`)."""
    claimed = ClaimService.objects.filter(active=True).values("session_id")
    return Session.objects.filter(status=Session.Status.COMPLETED).exclude(pk__in=claimed)


def load_sessions(queryset: Any) -> list[Session]:
    """The sessions of `queryset` with everything coding and claim building read, each related
    row loaded once and shared by the sessions that name it (one patient object for all of a
    patient's sessions, with its coverages and episodes): a fixed number of queries, and the
    prefetching runs per patient and episode rather than per session."""
    rows = list(queryset)
    patients = _patients_for({s.patient_id for s in rows})
    episodes = {ep.pk: ep for p in patients.values() for ep in p.episodes.all()}
    facilities = {f.pk: f for f in Facility.objects.filter(pk__in={s.facility_id for s in rows})}
    groups = {g.pk: g for g in GroupSession.objects.filter(pk__in={s.group_id for s in rows})}
    for s in rows:
        s.patient = patients[s.patient_id]
        if s.episode_id is not None:
            s.episode = episodes.get(s.episode_id) or _episode(s.episode_id)
        if s.facility_id is not None:
            s.facility = facilities[s.facility_id]
        if s.group_id is not None:
            s.group = groups[s.group_id]
    _share_billing_records(rows)
    prefetch_related_objects([s for s in rows if s.kind == "program_day"], "program_services")
    return rows


def _episodes_for_claims() -> Any:
    return (
        episodes_qs()
        .select_related("attending_provider")
        .prefetch_related("leaves")
        .order_by("admit_date", "pk")
    )


def _patients_for(ids: set[int]) -> dict[int, Any]:
    rows = Patient.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("coverages", queryset=Coverage.objects.select_related("payer")),
        Prefetch("episodes", queryset=_episodes_for_claims()),
    )
    return {p.pk: p for p in rows}


def _episode(pk: int) -> Any:
    """A session's episode that is not its patient's (odd data): loaded on its own."""
    return _episodes_for_claims().get(pk=pk)


# --- Snapshots -------------------------------------------------------------------------------


def claims_for_snapshot() -> Any:
    return Claim.objects.select_related(
        "patient", "coverage__payer", "payer", "episode", "facility", "original"
    ).prefetch_related(
        Prefetch("lines", queryset=ClaimLine.objects.order_by("number")),
        Prefetch(
            "services__session",
            queryset=coding_ready_sessions(
                Session.objects.select_related(
                    "patient",
                    "episode",
                    "rendering_provider",
                    "supervising_provider",
                    "facility",
                    "group",
                )
            ),
        ),
    )


class _CanBill:
    """`provider_can_bill` answers, each asked once per batch (a provider bills many claims of
    one payer on one date)."""

    def __init__(self) -> None:
        self._answers: dict[tuple[int, int, dt.date, str], tuple[bool, list[str]]] = {}

    def __call__(
        self, provider: Provider, payer: Any, day: dt.date, state: str
    ) -> tuple[bool, list[str]]:
        key = (provider.pk, payer.pk, day, state)
        if key not in self._answers:
            self._answers[key] = provider_can_bill(
                provider=provider, payer=payer, on_date=day, state=state or None
            )
        return self._answers[key]


def _provider_snap(
    p: Provider | None,
    payer: Any,
    dates: Iterable[tuple[dt.date, str]],
    accepted: frozenset[str],
    org_slug: str,
    can_bill: _CanBill | None = None,
) -> ProviderSnap | None:
    if p is None:
        return None
    can_bill = can_bill or _CanBill()
    blocks: dict[dt.date, tuple[str, ...]] = {}
    for day, state in sorted(set(dates)):
        ok, reasons = can_bill(p, payer, day, state)
        if not ok:
            blocks[day] = (*blocks.get(day, ()), *reasons)
    return ProviderSnap(
        public_id=str(p.public_id),
        name=f"{p.first_name} {p.last_name}".strip(),
        npi=p.npi,
        taxonomy=p.taxonomy,
        license_type=p.license_type,
        prescriber=p.license_type in PRESCRIBER_LICENSES,
        accepted_by_payer=not accepted or p.license_type in accepted,
        blocks=blocks,
        fix_url=_url(org_slug, "credentialing:provider_detail", p.public_id),
    )


def _accepted(payer: Any) -> frozenset[str]:
    try:
        rules = payer_rules_for(payer)
    except RuleDataError:
        return frozenset()
    licenses = set(rules.accepted_licenses)
    if rules.pays_under_supervisor:
        licenses |= set(rules.supervisor_licenses)
    return frozenset(str(x) for x in licenses)


def _billing(data: dict[str, Any], org_slug: str, claim: Claim) -> BillingSnap:
    def address(d: dict[str, Any] | None) -> Address | None:
        if not d:
            return None
        return Address(
            line1=d.get("address_line1", ""),
            line2=d.get("address_line2", ""),
            city=d.get("city", ""),
            state=d.get("state", ""),
            postal_code="".join(ch for ch in d.get("postal_code", "") if ch.isdigit()),
        )

    fix = _url(
        org_slug, "facilities:facility_edit", claim.facility.public_id if claim.facility else None
    )
    return BillingSnap(
        name=data.get("name", ""),
        npi=data.get("npi", ""),
        tin=data.get("tin", ""),
        taxonomy=data.get("taxonomy", ""),
        address=address(data) or Address(),
        pay_to=address(data.get("pay_to")),
        source=data.get("source", ""),
        fix_url=fix,
    )


def _plans_by_episode(episode_ids: set[int]) -> dict[int, list[TreatmentPlan]]:
    plans: dict[int, list[TreatmentPlan]] = defaultdict(list)
    for plan in TreatmentPlan.objects.filter(episode_id__in=episode_ids).order_by("effective_date"):
        plans[plan.episode_id].append(plan)
    return plans


def _plan_review_due(plans: list[TreatmentPlan], day: dt.date) -> dt.date | None:
    in_force = [p for p in plans if p.effective_date <= day]
    return in_force[-1].review_due_date if in_force else None


def _other_claims(claims: Sequence[Claim]) -> dict[int, list[Claim]]:
    patients = {c.patient_id for c in claims}
    mine = {c.pk for c in claims if c.pk is not None}
    others = (
        Claim.objects.filter(patient_id__in=patients, status__in=ACTIVE_STATUSES)
        .exclude(pk__in=mine)
        .select_related("payer")
        .prefetch_related("lines")
    )
    by_patient: dict[int, list[Claim]] = defaultdict(list)
    for other in others:
        by_patient[other.patient_id].append(other)
    return by_patient


def _latest_answers(claims: Sequence[Claim]) -> dict[int, Any]:
    """Each coverage's latest eligibility answer that said active or inactive (one query)."""
    from claims.models import EligibilityCheck

    ids = {c.coverage_id for c in claims if c.coverage_id}
    if not ids:
        return {}
    rows = (
        EligibilityCheck.objects.filter(
            coverage_id__in=ids, status=EligibilityCheck.Status.ANSWERED, active__isnull=False
        )
        .order_by("coverage_id", "-answered_at", "-pk")
        .distinct("coverage_id")
        .only("coverage_id", "active", "coverage_end", "service_date", "answered_at")
    )
    return {r.coverage_id: r for r in rows}


def _inactive(answer: Any, org_slug: str, coverage: Coverage) -> dict[str, Any]:
    from claims.eligibility import inactive_from

    if answer is None or answer.active is not False:
        return {}
    return {
        "inactive_from": inactive_from(answer),
        "inactive_said_on": timezone.localdate(answer.answered_at),
        "eligibility_url": _url(org_slug, "claims:eligibility_history", coverage.public_id),
    }


def _coverage_snap(claim: Claim, org_slug: str, answer: Any = None) -> CoverageSnap:
    cov, payer = claim.coverage, claim.coverage.payer
    subscriber = cov.relationship == "18" or bool(
        cov.subscriber_first_name and cov.subscriber_last_name and cov.subscriber_date_of_birth
    )
    return CoverageSnap(
        public_id=str(cov.public_id),
        payer_name=payer.name,
        payer_id=payer_id_for(payer, claim.kind),
        payer_kind=payer.kind,
        priority=cov.priority,
        effective_date=cov.effective_date,
        end_date=cov.end_date,
        member_id_present=bool((cov.member_id or "").strip()),
        subscriber_complete=subscriber,
        fix_url=_url(org_slug, "patients:patient_detail", claim.patient.public_id),
        **_inactive(answer, org_slug, cov),
    )


def _consent_snap(claim: Claim, org_slug: str, records: dict[int, ConsentRecords]) -> ConsentSnap:
    if not claim.part2:  # not a Part 2 program's record: HIPAA TPO, no consent asked
        return ConsentSnap(required=False, permitted=True, reason="not a Part 2 record")
    decision = consent_for_disclosure(
        patient=claim.patient,
        recipient_kind=HEALTH_PLAN,
        recipient_name=claim.payer.name,
        purpose=PAYMENT,
        carries=BILLING_CATEGORIES,
        records=records.get(claim.patient_id),
    )
    return ConsentSnap(
        required=True,
        permitted=decision.allowed,
        reason=" ".join(decision.reasons),
        consent_public_id=str(decision.consent.public_id) if decision.consent else "",
        fix_url=_url(org_slug, "consent:consent_create", claim.patient.public_id),
    )


def _payer_edits(payer: Any) -> PayerEdits:
    data = payer.claim_edits or {}
    defaults = PayerEdits()
    listed = data.get("same_day_pairs")
    pairs = (
        tuple(
            tuple(str(x).upper() for x in pair)
            for pair in listed
            if isinstance(pair, (list, tuple)) and len(pair) in (2, 3)
        )
        if isinstance(listed, list)
        else DEFAULT_SAME_DAY_PAIRS
    )
    return PayerEdits(
        timely_filing_days=payer.timely_filing_days,
        same_day_pairs=pairs,
        once_a_day=tuple(data.get("once_a_day") or defaults.once_a_day),
        z_code_primary_allowed=payer.z_code_primary_allowed,
        requires_zip4=bool(data.get("requires_zip4", True)),
    )


def _service_snaps(
    claim: Claim, sessions: list[Session], batch: SessionBatch, plans: dict, org_slug: str
) -> tuple[ServiceSnap, ...]:
    snaps = []
    for s in sessions:
        preview = batch.previews.get(s.pk)
        result = preview.result if preview else None
        check = service_authorization(session=s, book=batch.book)
        outcome, reason = "", ""
        week = result.program_week if result else None
        if week is not None:
            day = next((d for d in week.days if d.day == s.service_date.isoweekday()), None)
            if day is not None:
                outcome = "qualifies" if day.qualifies else str(day.outcome or "")
                reason = day.reason
        snaps.append(
            ServiceSnap(
                public_id=str(s.public_id),
                kind=s.kind,
                service_date=s.service_date,
                status=s.status,
                minutes=s.attended_minutes or s.psychotherapy_minutes,
                modality=s.modality,
                note_signed=s.note_signed_at is not None,
                coding_errors=tuple(result.errors) if result else (),
                coding_warnings=tuple(result.warnings) if result else (),
                day_outcome=outcome,
                day_reason=reason,
                auth=AuthSnap(
                    needed=check.needed,
                    covered=check.covered or not check.needed,
                    message=check.message,
                    auth_number=claim.prior_auth_number if check.covered else "",
                    reasons=tuple(check.reasons),
                    fix_url=_org_url(org_slug, "authorizations:auth_create"),
                ),
                plan_review_due=_plan_review_due(plans.get(s.episode_id or 0, []), s.service_date),
                fix_url=_url(org_slug, "patients:session_detail", s.public_id),
            )
        )
    return tuple(snaps)


ClaimParts = tuple[Claim, list[ClaimLine], list[Session]]


def snapshots_for(
    claims: Sequence[Claim], *, org_slug: str = "", batch: SessionBatch | None = None
) -> dict[int, ClaimSnapshot]:
    """The claims (loaded by `claims_for_snapshot`) as snapshots, keyed by claim pk, in a fixed
    number of queries however many claims. `batch`: the claims' sessions as the build coded
    them (else they are coded here)."""
    parts = [(c, list(c.lines.all()), [cs.session for cs in c.services.all()]) for c in claims]
    snaps = claim_snapshots(parts, org_slug=org_slug, batch=batch)
    return {c.pk: snap for (c, _, _), snap in zip(parts, snaps, strict=True)}


def claim_snapshots(
    parts: Sequence[ClaimParts], *, org_slug: str = "", batch: SessionBatch | None = None
) -> list[ClaimSnapshot]:
    """Snapshots of claims given with their lines and sessions (saved or not: the builder
    scrubs its claims before it stores them), in the order given."""
    claims = [c for c, _, _ in parts]
    today = timezone.localdate()
    all_sessions = [s for _, _, rows in parts for s in rows]
    if batch is None or any(s.pk not in batch.previews for s in all_sessions):
        batch = session_batch(all_sessions)
    consents = consent_records(patient_ids={c.patient_id for c in claims if c.part2})
    provider_ids = {
        pk
        for c in claims
        for pk in (c.rendering_provider_id, c.supervising_provider_id, c.attending_provider_id)
        if pk
    } | {
        ln.rendering_provider_id
        for _, lines, _ in parts
        for ln in lines
        if ln.rendering_provider_id
    }
    providers = {p.pk: p for p in providers_for_billing().filter(pk__in=provider_ids)}
    plans = _plans_by_episode({s.episode_id for s in all_sessions if s.episode_id})
    others = _other_claims(claims)
    answers = _latest_answers(claims)
    # Claims scrubbed together see each other too (two claims built in one run for one patient
    # and date are duplicates or same-day conflicts of each other); saved or not, so by identity.
    mates: dict[int, list[tuple[Claim, Sequence[Any]]]] = defaultdict(list)
    for c, lines, _ in parts:
        if c.status in ACTIVE_STATUSES:
            mates[c.patient_id].append((c, lines))
    accepted_by_payer: dict[int, frozenset[str]] = {}
    can_bill = _CanBill()
    snaps: list[ClaimSnapshot] = []
    for c, claim_lines, claim_sessions in parts:
        payer = c.payer
        if payer.pk not in accepted_by_payer:
            accepted_by_payer[payer.pk] = _accepted(payer)
        accepted = accepted_by_payer[payer.pk]
        dates = [(s.service_date, s.patient_state) for s in claim_sessions] or [
            (c.service_from, "")
        ]
        line_snaps = []
        for ln in claim_lines:
            rendering = (
                providers.get(ln.rendering_provider_id) if ln.rendering_provider_id else None
            )
            line_snaps.append(
                LineSnap(
                    number=ln.number,
                    control_number=ln.control_number,
                    service_date=ln.service_date,
                    service_date_to=ln.service_date_to,
                    code=ln.code,
                    modifiers=tuple(ln.modifiers),
                    revenue_code=ln.revenue_code,
                    units=ln.units,
                    unit_kind=ln.unit_kind,
                    charge=ln.charge,
                    charge_source=ln.charge_source,
                    pos=ln.pos,
                    pointers=tuple(ln.pointers),
                    rendering=_provider_snap(
                        rendering, payer, [(ln.service_date, "")], accepted, org_slug, can_bill
                    ),
                    services=tuple(
                        str(s.public_id) for s in claim_sessions if s.pk == ln.session_id
                    ),
                )
            )
        program = c.program
        snaps.append(
            ClaimSnapshot(
                public_id=str(c.public_id),
                control_number=c.control_number,
                kind=c.kind,
                frequency=c.frequency,
                program=program,
                level=c.level,
                service_from=c.service_from,
                service_to=c.service_to,
                today=today,
                diagnoses=tuple(c.diagnoses),
                lines=tuple(line_snaps),
                total_charge=c.total_charge,
                billing=_billing(c.billing or {}, org_slug, c),
                rendering=_provider_snap(
                    providers.get(c.rendering_provider_id),
                    payer,
                    dates,
                    accepted,
                    org_slug,
                    can_bill,
                ),
                supervising=_provider_snap(
                    providers.get(c.supervising_provider_id),
                    payer,
                    dates,
                    frozenset(),
                    org_slug,
                    can_bill,
                ),
                attending=_provider_snap(
                    providers.get(c.attending_provider_id),
                    payer,
                    dates,
                    frozenset(),
                    org_slug,
                    can_bill,
                ),
                coverage=_coverage_snap(c, org_slug, answers.get(c.coverage_id)),
                services=_service_snaps(c, claim_sessions, batch, plans, org_slug),
                consent=_consent_snap(c, org_slug, consents),
                payer_edits=_payer_edits(payer),
                other_claims=tuple(
                    OtherClaimSnap(
                        control_number=o.control_number,
                        payer_id=o.payer.edi_payer_id,
                        lines=tuple(
                            (ln.service_date, ln.code, tuple(ln.modifiers)) for ln in o.lines.all()
                        ),
                    )
                    for o in others.get(c.patient_id, [])
                    if o.pk != c.original_id
                )
                + tuple(
                    OtherClaimSnap(
                        control_number=o.control_number,
                        payer_id=o.payer.edi_payer_id,
                        lines=tuple(
                            (ln.service_date, ln.code, tuple(ln.modifiers)) for ln in o_lines
                        ),
                    )
                    for o, o_lines in mates.get(c.patient_id, [])
                    if o is not c and (o.pk is None or o.pk != c.original_id)
                ),
                type_of_bill=c.type_of_bill,
                original_reference=(c.original.payer_claim_number if c.original else ""),
                delay_reason=c.delay_reason,
                admission_date=c.episode.admit_date if c.episode else None,
                patient_status=(
                    claim_patient_status(c) if c.kind == Claim.Kind.INSTITUTIONAL else ""
                ),
                diagnosis_errors=tuple(
                    sequencing_errors(
                        list(c.diagnoses),
                        program or "mh",
                        DiagnosisRules(
                            z_code_primary_allowed=payer.z_code_primary_allowed,
                            payer_name=payer.name,
                        ),
                    )
                ),
                patient_url=_url(org_slug, "patients:patient_detail", c.patient.public_id),
                episode_url=_url(
                    org_slug, "patients:episode_detail", c.episode.public_id if c.episode else None
                ),
            )
        )
    return snaps

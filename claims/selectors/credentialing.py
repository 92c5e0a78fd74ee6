"""The credentialing tracker (claims/credentialing-tracker/): providers x payers with their
enrollment, the licenses, CAQH attestations and recredentialing coming due, and the revenue
each gap holds. It lives in claims because the revenue is claims' (credentialing never
imports claims); it also answers credentialing's question "which services were billed on dates
no enrollment covers" for the nightly `credentialing_alerts` job.

Revenue held by a gap: the total charge of the claims the scrubber holds with a credentialing
finding, per the claim's rendering provider (the provider the queue's `provider` filter reads)
and payer. The credentialing finding is PROVIDER-CANNOT-BILL (claims/scrub/edits_provider.py:
not enrolled, license not valid on the date of service, for the rendering, supervising or
attending provider); the licence-type and NPI/taxonomy edits are not credentialing gaps.

Part 2: every read goes through the scoped managers, so a member without Part 2 access counts
no Part 2 claim (their amounts, and gaps only they show, are withheld).

A fixed number of queries whatever the number of providers, payers and claims: the sums are
made in SQL, and the rest is loaded once and matched in Python."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Coalesce

from claims.models import Claim, ClaimLine
from credentialing import alerts, rules
from credentialing.models import EnrollmentPeriod, PayerEnrollment, Provider
from credentialing.selectors import active_payers
from payers.models import Payer

CREDENTIALING_HOLD_CODES = ("PROVIDER-CANNOT-BILL",)
# Claims that no longer bill anything tell nothing about enrollment.
DEAD = (Claim.Status.VOIDED, Claim.Status.REPLACED, Claim.Status.CANCELLED)
ZERO = Decimal("0.00")


# --- Services outside enrollment (credentialing's question) ---------------------------------


def services_outside_enrollment(since: dt.date, until: dt.date) -> list[alerts.UncoveredServices]:
    """Per rendering provider (a line's own, else the claim's) and payer: the claim lines
    dated `since`..`until` that no enrollment period of that provider with that payer covers."""
    covering = EnrollmentPeriod.objects.filter(
        enrollment__provider_id=OuterRef("who"),
        enrollment__payer_id=OuterRef("claim__payer_id"),
        effective_date__lte=OuterRef("service_date"),
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("service_date")))
    rows = (
        ClaimLine.objects.filter(service_date__range=(since, until))
        .exclude(claim__status__in=DEAD)
        .exclude(claim__payer__kind=Payer.Kind.SELF_PAY)
        .annotate(who=Coalesce("rendering_provider_id", "claim__rendering_provider_id"))
        .filter(who__isnull=False)
        .filter(~Exists(covering))
        .values("who", "claim__payer_id")
        .annotate(
            first_on=Min("service_date"),
            last_on=Max("service_date"),
            claims=Count("claim_id", distinct=True),
            plain=Count("id", filter=Q(claim__part2=False)),
        )
        .order_by("who", "claim__payer_id")
    )
    return [
        alerts.UncoveredServices(
            provider_id=r["who"],
            payer_id=r["claim__payer_id"],
            first_on=r["first_on"],
            last_on=r["last_on"],
            claims=r["claims"],
            part2_only=r["plain"] == 0,
        )
        for r in rows
    ]


# --- The tracker -----------------------------------------------------------------------------


@dataclass
class PairRow:
    """One provider with one payer: the enrollment, its gaps today and the revenue held."""

    provider: Provider
    payer: Payer
    enrollment: PayerEnrollment | None
    gaps: list[str] = field(default_factory=list)
    held: Decimal = ZERO
    held_claims: int = 0
    blocked: bool = False

    @property
    def periods(self) -> list[EnrollmentPeriod]:
        return list(self.enrollment.periods.all()) if self.enrollment else []

    @property
    def status(self) -> str:
        return self.enrollment.get_status_display() if self.enrollment else "Not enrolled"

    def queue_params(self) -> dict[str, str]:
        """The claims queue's filters that list exactly the held claims summed here."""
        return {
            "provider": str(self.provider.public_id),
            "payer": str(self.payer.public_id),
            "edit_code": CREDENTIALING_HOLD_CODES[0],
        }


@dataclass(frozen=True)
class DueRow:
    provider: Provider
    due_on: dt.date
    detail: str
    payer: Payer | None = None

    def overdue(self, today: dt.date) -> bool:
        return self.due_on < today


@dataclass
class Tracker:
    today: dt.date
    pairs: list[PairRow]
    licenses: list[DueRow]
    caqh: list[DueRow]
    recredentialing: list[DueRow]

    @property
    def total_held(self) -> Decimal:
        return sum((p.held for p in self.pairs), ZERO)


def _held_by_pair() -> dict[tuple[int, int], tuple[Decimal, int]]:
    rows = (
        Claim.objects.filter(status=Claim.Status.HELD, rendering_provider__isnull=False)
        .filter(hold_codes__overlap=list(CREDENTIALING_HOLD_CODES))
        .values("rendering_provider_id", "payer_id")
        .annotate(amount=Sum("total_charge"), n=Count("id"))
        .order_by()
    )
    return {(r["rendering_provider_id"], r["payer_id"]): (r["amount"], r["n"]) for r in rows}


def _providers(also: set[int]) -> dict[int, Provider]:
    periods = Prefetch("periods", queryset=EnrollmentPeriod.objects.order_by("effective_date"))
    enrollments = PayerEnrollment.objects.order_by("id").prefetch_related(periods)
    qs = (
        Provider.objects.filter(Q(is_active=True) | Q(id__in=also))
        .prefetch_related(Prefetch("enrollments", queryset=enrollments))
        .order_by("last_name", "first_name", "id")
    )
    return {p.pk: p for p in qs}


def _pair(provider: Provider, payer: Payer, today: dt.date) -> PairRow:
    enrollment = next((e for e in provider.enrollments.all() if e.payer_id == payer.pk), None)
    row = PairRow(provider, payer, enrollment)
    facts = rules.PayerFacts(id=payer.pk, name=payer.name)
    found = rules.enrollment_gaps([_facts(enrollment)] if enrollment else [], [facts], today)
    row.gaps = [g.message for g in found if g.code != "recredential_due"]
    row.blocked = any(g.severity == rules.Severity.BLOCK for g in found)
    return row


def _facts(e: PayerEnrollment) -> rules.EnrollmentFacts:
    return rules.EnrollmentFacts(
        payer_id=e.payer_id,
        status=e.status,
        submitted_on=e.submitted_on,
        periods=tuple(
            rules.EnrollmentPeriod(p.effective_date, p.end_date) for p in e.periods.all()
        ),
        recredential_due=e.recredential_due,
    )


def _expected(provider: Provider, payer: Payer) -> bool:
    """Payers that accept the provider's licence as rendering provider (others bill the
    provider's services under a supervisor: no enrollment is expected)."""
    return not payer.accepted_license_types or provider.license_type in payer.accepted_license_types


def credentialing_tracker(*, today: dt.date) -> Tracker:
    held = _held_by_pair()
    uncovered = alerts.enrollment_gap_conditions(today)
    providers = _providers({pid for pid, _ in held} | {c.provider_id for c in uncovered})
    payers = {p.pk: p for p in active_payers()}
    pairs: dict[tuple[int, int], PairRow] = {}
    for provider in providers.values():
        for payer in payers.values():
            if provider.is_active and _expected(provider, payer):
                pairs[provider.pk, payer.pk] = _pair(provider, payer, today)
    extra: dict[tuple[int, int], list[str]] = defaultdict(list)
    for c in uncovered:
        extra[c.provider_id, c.payer_id].append(c.detail)
    for key in {*held, *extra}:
        if key not in pairs and key[0] in providers and key[1] in payers:
            pairs[key] = _pair(providers[key[0]], payers[key[1]], today)
        if key in pairs:
            row = pairs[key]
            row.gaps += extra.get(key, [])
            row.held, row.held_claims = held.get(key, (ZERO, 0))
    ordered = sorted(
        pairs.values(),
        key=lambda r: (
            -r.held,
            not r.gaps,
            r.provider.last_name,
            r.provider.first_name,
            r.payer.name,
        ),
    )
    return Tracker(today, ordered, *_due_rows(today, providers, payers))


def _due_rows(
    today: dt.date, providers: dict[int, Provider], payers: dict[int, Payer]
) -> tuple[list[DueRow], list[DueRow], list[DueRow]]:
    def rows(conditions: list[alerts.Condition]) -> list[DueRow]:
        return sorted(
            (
                DueRow(providers[c.provider_id], c.due_on, c.detail, payers.get(c.payer_id or 0))
                for c in conditions
                if c.provider_id in providers
            ),
            key=lambda r: (r.due_on, r.provider.last_name),
        )

    return (
        rows(alerts.license_conditions(today)),
        rows(alerts.caqh_conditions(today)),
        rows(alerts.recredential_conditions(today)),
    )

"""Reads for credentialing, shared by pages, the API and (later) the claims scrubber."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from credentialing import rules
from credentialing.compacts import PrivilegeFacts
from credentialing.models import (
    CompactPrivilege,
    EnrollmentPeriod,
    License,
    LicensePeriod,
    LicenseStatusChange,
    PayerEnrollment,
    Provider,
)
from credentialing.rules import Gap, Severity
from payers.models import Payer
from rcm.models import Organization

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def provider_search_q(term: str) -> Q:
    """Every word must match a first name, last name or NPI."""
    query = Q()
    for word in term.split():
        query &= (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(npi__startswith=word)
        )
    return query


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    return True if text in TRUE_WORDS else False if text in FALSE_WORDS else None


def providers_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Provider]:
    """Filters: license_type, active (bool or "true"/"false"), search (name words or NPI)."""
    filters = filters or {}
    qs = Provider.objects.select_related("supervisor").order_by("last_name", "first_name", "id")
    if filters.get("license_type"):
        qs = qs.filter(license_type=filters["license_type"])
    active = _as_bool(filters.get("active"))
    if active is not None:
        qs = qs.filter(is_active=active)
    if filters.get("search"):
        qs = qs.filter(provider_search_q(str(filters["search"])))
    return qs


def provider_with_records(*, public_id: Any) -> Provider:
    """One provider with licenses (periods, status changes), compact privileges, enrollments
    (payers, periods) and supervisees loaded."""
    return (
        Provider.objects.select_related("supervisor")
        .prefetch_related(_licenses(), _privileges(), _enrollments(with_payer=True), "supervisees")
        .get(public_id=public_id)
    )


# --- History ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    """One dated line of a license's or an enrollment's history, for the pages."""

    on: dt.date | None
    text: str
    bad: bool = False


def _span(start: dt.date | None, end: dt.date | None) -> str:
    first = rules.fmt(start) if start else "issue date unknown"
    return f"{first} – {rules.fmt(end) if end else 'open-ended'}"


def _uncovered(after: dt.date | None, before: dt.date | None) -> str | None:
    """The days strictly between two periods, if any, as text."""
    if after is None or before is None or (before - after).days <= 1:
        return None
    return _span(after + dt.timedelta(days=1), before - dt.timedelta(days=1))


def license_history(lic: License) -> list[HistoryLine]:
    """Periods (issue, renewals on time or late) and status changes, oldest first."""
    lines: list[HistoryLine] = []
    previous: LicensePeriod | None = None
    for p in sorted(lic.periods.all(), key=lambda p: p.expires_on):
        gap = _uncovered(previous.expires_on, p.starts_on) if previous else None
        if previous is None:
            text = f"Issued: valid {_span(p.starts_on, p.expires_on)}"
        elif gap:
            text = f"Renewed late: valid {_span(p.starts_on, p.expires_on)}; not covered {gap}"
        else:
            text = f"Renewed: valid {_span(p.starts_on, p.expires_on)}"
        lines.append(HistoryLine(p.starts_on, text, bad=bool(gap)))
        previous = p
    for c in lic.status_changes.all():
        what = (
            "Reinstated (active)" if c.status == License.Status.ACTIVE else c.get_status_display()
        )
        note = f" — {c.note}" if c.note else ""
        lines.append(
            HistoryLine(
                c.effective_on,
                f"{what} from {rules.fmt(c.effective_on)}{note}",
                bad=c.status != License.Status.ACTIVE,
            )
        )
    return sorted(lines, key=lambda line: line.on or dt.date.min)


def enrollment_history(e: PayerEnrollment) -> list[HistoryLine]:
    """Enrollment periods, oldest first, with the days not enrolled between them."""
    lines: list[HistoryLine] = []
    previous: EnrollmentPeriod | None = None
    for p in sorted(e.periods.all(), key=lambda p: p.effective_date):
        gap = _uncovered(previous.end_date, p.effective_date) if previous else None
        label = "Re-enrolled" if previous else "Enrolled"
        text = f"{label}: {_span(p.effective_date, p.end_date)}"
        lines.append(HistoryLine(p.effective_date, f"{text}; not enrolled {gap}" if gap else text))
        previous = p
    return lines


# --- Gaps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderGaps:
    provider: Provider
    issues: list[Gap]

    @property
    def blocks(self) -> int:
        return sum(g.severity == Severity.BLOCK for g in self.issues)

    @property
    def warnings(self) -> int:
        return len(self.issues) - self.blocks

    @property
    def severity(self) -> Severity:
        return Severity.BLOCK if self.blocks else Severity.WARN


def _licenses() -> Prefetch:
    """Licenses by state, the one expiring last first, with their history."""
    latest = LicensePeriod.objects.filter(license=OuterRef("pk")).order_by("-expires_on")
    licenses = (
        License.objects.annotate(latest_expiry=Subquery(latest.values("expires_on")[:1]))
        .order_by("state", F("latest_expiry").desc(nulls_last=True), "id")
        .prefetch_related(
            Prefetch("periods", queryset=LicensePeriod.objects.order_by("expires_on")),
            Prefetch(
                "status_changes", queryset=LicenseStatusChange.objects.order_by("effective_on")
            ),
        )
    )
    return Prefetch("licenses", queryset=licenses)


def _privileges() -> Prefetch:
    """Compact privileges by state and compact, oldest first. Their facts read the home
    license from the prefetched licenses; the join only names it on pages."""
    qs = CompactPrivilege.objects.select_related("home_license").order_by(
        "state", "compact", "effective_on", "id"
    )
    return Prefetch("compact_privileges", queryset=qs)


def _enrollments(*, with_payer: bool = False) -> Prefetch:
    qs = PayerEnrollment.objects.order_by("id").prefetch_related(
        Prefetch("periods", queryset=EnrollmentPeriod.objects.order_by("effective_date"))
    )
    return Prefetch("enrollments", queryset=qs.select_related("payer") if with_payer else qs)


def license_facts(lic: License) -> rules.LicenseFacts:
    """Plain facts from a license (prefetch `periods` and `status_changes` for many)."""
    return rules.LicenseFacts(
        state=lic.state,
        number=lic.number,
        license_type=lic.license_type,
        periods=tuple(rules.LicensePeriod(p.starts_on, p.expires_on) for p in lic.periods.all()),
        status_changes=tuple(
            rules.StatusChange(c.status, c.effective_on) for c in lic.status_changes.all()
        ),
    )


def privilege_facts(
    p: CompactPrivilege, licenses: Mapping[int, rules.LicenseFacts]
) -> PrivilegeFacts:
    """Plain facts from a privilege; `licenses` holds the provider's license facts by id (a
    home license missing from it counts as one with no period, never valid)."""
    missing = rules.LicenseFacts(state="", number="?")
    return PrivilegeFacts(
        compact=p.compact,
        state=p.state,
        number=p.number,
        effective_on=p.effective_on,
        expires_on=p.expires_on,
        home=licenses.get(p.home_license_id, missing),
        status=p.status,
        ended_on=p.ended_on,
    )


def _license_and_privilege_facts(
    provider: Provider,
) -> tuple[tuple[rules.LicenseFacts, ...], tuple[PrivilegeFacts, ...]]:
    """Facts of the provider's prefetched licenses and compact privileges, without a query."""
    by_id = {lic.pk: license_facts(lic) for lic in provider.licenses.all()}
    privileges = tuple(privilege_facts(p, by_id) for p in provider.compact_privileges.all())
    return tuple(by_id.values()), privileges


def privilege_standing(*, privilege: CompactPrivilege, as_of: dt.date) -> str:
    """Where one privilege stands on `as_of` (prefetch its home license's `periods` and
    `status_changes` when reading many)."""
    home = privilege.home_license
    facts = privilege_facts(privilege, {home.pk: license_facts(home)})
    return rules.privilege_standing(facts, as_of)


@dataclass(frozen=True)
class PrivilegeRow:
    """A compact privilege with where it stands on a day, for the pages."""

    privilege: CompactPrivilege
    standing: str

    @property
    def ok(self) -> bool:
        return self.standing == "in effect"


def privilege_rows(*, provider: Provider, as_of: dt.date) -> list[PrivilegeRow]:
    """The provider's compact privileges (from `provider_with_records`) and their standing."""
    _, facts = _license_and_privilege_facts(provider)
    return [
        PrivilegeRow(p, rules.privilege_standing(f, as_of))
        for p, f in zip(provider.compact_privileges.all(), facts, strict=True)
    ]


def enrollment_facts(e: PayerEnrollment) -> rules.EnrollmentFacts:
    """Plain facts from an enrollment (prefetch `periods` for many)."""
    return rules.EnrollmentFacts(
        payer_id=e.payer_id,
        status=e.status,
        submitted_on=e.submitted_on,
        periods=tuple(
            rules.EnrollmentPeriod(p.effective_date, p.end_date) for p in e.periods.all()
        ),
        recredential_due=e.recredential_due,
    )


def licenses_list(*, as_of: dt.date) -> QuerySet[License]:
    """Licenses with their history, annotated for filters and ordering: `status_today` (the
    status in effect on `as_of`) and `latest_expiry` (the expiry of the latest period)."""
    changes = LicenseStatusChange.objects.filter(license=OuterRef("pk"), effective_on__lte=as_of)
    latest = LicensePeriod.objects.filter(license=OuterRef("pk")).order_by("-expires_on")
    return License.objects.annotate(
        status_today=Coalesce(
            Subquery(changes.order_by("-effective_on").values("status")[:1]),
            Value(License.Status.ACTIVE),
        ),
        latest_expiry=Subquery(latest.values("expires_on")[:1]),
    ).prefetch_related("periods", "status_changes")


def provider_facts(provider: Provider) -> rules.ProviderFacts:
    """Plain facts from a provider whose licenses, privileges and enrollments are prefetched."""
    sup = provider.supervisor
    licenses, privileges = _license_and_privilege_facts(provider)
    return rules.ProviderFacts(
        license_type=provider.license_type,
        is_active=provider.is_active,
        caqh_attested_on=provider.caqh_attested_on,
        supervisor_name=str(sup) if sup else None,
        supervisor_active=bool(sup and sup.is_active),
        licenses=licenses,
        enrollments=tuple(enrollment_facts(x) for x in provider.enrollments.all()),
        privileges=privileges,
    )


def active_payers() -> list[Payer]:
    """Payers that credential providers (self-pay needs no enrollment)."""
    return list(
        Payer.objects.filter(is_active=True).exclude(kind=Payer.Kind.SELF_PAY).order_by("name")
    )


def expected_payers(license_type: str, payers: Iterable[Payer]) -> list[rules.PayerFacts]:
    """Payers that accept this license type as rendering provider (an empty list accepts all);
    the others bill the provider's services under a supervisor, so no enrollment is expected."""
    return [
        rules.PayerFacts(id=p.pk, name=p.name)
        for p in payers
        if not p.accepted_license_types or license_type in p.accepted_license_types
    ]


def _gaps_for(provider: Provider, payers: list[Payer], as_of: dt.date) -> list[Gap]:
    facts = provider_facts(provider)
    return rules.provider_gaps(facts, expected_payers(provider.license_type, payers), as_of)


def credentialing_gaps(*, org: Organization, as_of: dt.date) -> list[ProviderGaps]:
    """Active providers with at least one gap, those with blocks first, then by name."""
    providers = (
        Provider.objects.filter(org=org, is_active=True)
        .select_related("supervisor")
        .prefetch_related(_licenses(), _privileges(), _enrollments())
        .order_by("last_name", "first_name", "id")
    )
    payers = active_payers()
    rows = [ProviderGaps(p, issues) for p in providers if (issues := _gaps_for(p, payers, as_of))]
    return sorted(rows, key=lambda row: row.severity != Severity.BLOCK)


def provider_gaps(*, provider: Provider, as_of: dt.date) -> list[Gap]:
    """Gaps of one provider (pass one from `provider_with_records` to avoid extra queries)."""
    if not provider.is_active:
        return []
    return _gaps_for(provider, active_payers(), as_of)


def providers_for_billing() -> QuerySet[Provider]:
    """Providers with every record `provider_can_bill` reads, in a fixed number of queries
    however many providers, licenses and periods: load the providers of a batch of claim lines
    once, then call `provider_can_bill` per line without another query."""
    return Provider.objects.prefetch_related(_licenses(), _privileges(), _enrollments())


def _has_billing_records(provider: Provider) -> bool:
    loaded = getattr(provider, "_prefetched_objects_cache", {})
    return {"licenses", "compact_privileges", "enrollments"} <= loaded.keys()


def provider_can_bill(
    *, provider: Provider, payer: Payer, on_date: dt.date, state: str | None = None
) -> tuple[bool, list[str]]:
    """Whether `provider` may render services billed to `payer` on the date of service
    `on_date`, and why not: from the license periods and status changes, the compact
    privileges and the enrollment periods in effect on that date, not from today's status
    (REFERENCE.md §11). `state`: the state the patient was in (telehealth); only a license
    there, or a compact privilege for it resting on a valid home license, counts
    (REFERENCE.md §14).

    `is_active` is today's fact: it blocks today and later dates, never a past date of service
    (a clinician who left can still have the services they delivered billed).

    A provider from `providers_for_billing` (or `provider_with_records`) is read as loaded;
    any other is loaded first, in a fixed number of queries."""
    if not _has_billing_records(provider):
        provider = providers_for_billing().get(pk=provider.pk)
    licenses, privileges = _license_and_privilege_facts(provider)
    enrollment = next((e for e in provider.enrollments.all() if e.payer_id == payer.pk), None)
    facts = enrollment_facts(enrollment) if enrollment else None
    inactive = not provider.is_active and on_date >= timezone.localdate()
    reasons = [f"{provider} is inactive."] if inactive else []
    reasons += rules.billing_blocks(
        licenses, facts, payer.name, on_date, state=state, privileges=privileges
    )
    return not reasons, reasons


def license_block_in_state(*, provider: Provider, state: str, on_date: dt.date) -> str | None:
    """Why `provider` may not treat a patient located in `state` on `on_date`, or None (the
    coding preview asks it for telehealth; claims ask provider_can_bill with `state`)."""
    if not _has_billing_records(provider):
        provider = providers_for_billing().get(pk=provider.pk)
    licenses, privileges = _license_and_privilege_facts(provider)
    return rules.state_license_block(licenses, state, on_date, privileges)

"""Reads for credentialing, shared by pages, the API and (later) the claims scrubber."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from credentialing import rules
from credentialing.models import License, PayerEnrollment, Provider
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
    """One provider with licenses, enrollments (and payers) and supervisees loaded."""
    return (
        Provider.objects.select_related("supervisor")
        .prefetch_related(_licenses(), _enrollments(with_payer=True), "supervisees")
        .get(public_id=public_id)
    )


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
    return Prefetch("licenses", queryset=License.objects.order_by("state", "-expires_on"))


def _enrollments(*, with_payer: bool = False) -> Prefetch:
    qs = PayerEnrollment.objects.order_by("id")
    return Prefetch("enrollments", queryset=qs.select_related("payer") if with_payer else qs)


def _license_facts(lic: License) -> rules.LicenseFacts:
    # Interim: one period per row, and today's status as if it had always applied.
    changes = () if lic.status == "active" else (rules.StatusChange(lic.status, dt.date.min),)
    return rules.LicenseFacts(
        state=lic.state,
        number=lic.number,
        periods=(rules.LicensePeriod(lic.issued_on, lic.expires_on),),
        status_changes=changes,
    )


def _enrollment_facts(e: PayerEnrollment) -> rules.EnrollmentFacts:
    # Interim: the row's dates are its one period.
    in_force = e.effective_date and (e.status == "enrolled" or e.end_date)
    return rules.EnrollmentFacts(
        payer_id=e.payer_id,
        status=e.status,
        submitted_on=e.submitted_on,
        periods=(rules.EnrollmentPeriod(e.effective_date, e.end_date),) if in_force else (),
        recredential_due=e.recredential_due,
    )


def provider_facts(provider: Provider) -> rules.ProviderFacts:
    """Plain facts from a provider whose licenses and enrollments are prefetched."""
    sup = provider.supervisor
    return rules.ProviderFacts(
        license_type=provider.license_type,
        is_active=provider.is_active,
        caqh_attested_on=provider.caqh_attested_on,
        supervisor_name=str(sup) if sup else None,
        supervisor_active=bool(sup and sup.is_active),
        licenses=tuple(_license_facts(x) for x in provider.licenses.all()),
        enrollments=tuple(_enrollment_facts(x) for x in provider.enrollments.all()),
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
        .prefetch_related(_licenses(), _enrollments())
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


def provider_can_bill(
    *, provider: Provider, payer: Payer, on_date: dt.date
) -> tuple[bool, list[str]]:
    """Whether `provider` may render services billed to `payer` on `on_date`, and why not.
    License status is today's status (a later suspension also blocks earlier dates)."""
    licenses = [_license_facts(x) for x in License.objects.filter(provider=provider)]
    enrollment = PayerEnrollment.objects.filter(provider=provider, payer=payer).first()
    facts = _enrollment_facts(enrollment) if enrollment else None
    reasons = [] if provider.is_active else [f"{provider} is inactive."]
    reasons += rules.billing_blocks(licenses, facts, payer.name, on_date)
    return not reasons, reasons

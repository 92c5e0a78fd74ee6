"""Who a claim names as billing provider: `billing_identity_for` for one claim, and
`billing_identities` for many (every facility and active profile held in memory, so building
10,000 claims asks the database twice, not 10,000 times)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from facilities.models import BillingProfile, Facility
from rcm.tenancy import require_org


@dataclass(frozen=True)
class Address:
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str


@dataclass(frozen=True)
class BillingIdentity:
    """The billing provider of a claim (837 loop 2010AA) and its pay-to address (2010AB, None =
    paid at the billing address). `source` says where it came from: "facility" (the facility's
    own name, NPI, TIN and address) or "billing profile <public id> (<scope>)"."""

    name: str
    npi: str
    tin: str
    taxonomy: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    postal_code: str
    pay_to: Address | None
    source: str


def _pk(obj: Any) -> int | None:
    return getattr(obj, "pk", obj)


def pick_profile(
    profiles: Iterable[BillingProfile], program: str | None, payer_id: int | None
) -> BillingProfile | None:
    """The most specific active profile: program + payer, then payer (any program), then
    program (any payer), then any program and payer. A claim without a known program matches
    only profiles for any program."""
    by_scope = {(p.program, p.payer_id): p for p in profiles if p.is_active}
    scopes: list[tuple[str, int | None]] = []
    if program and payer_id is not None:
        scopes.append((program, payer_id))
    if payer_id is not None:
        scopes.append(("", payer_id))
    if program:
        scopes.append((program, None))
    scopes.append(("", None))
    return next((by_scope[s] for s in scopes if s in by_scope), None)


def _facility_identity(facility: Facility) -> BillingIdentity:
    return BillingIdentity(
        name=facility.name,
        npi=facility.npi,
        tin=facility.tin,
        taxonomy=facility.taxonomy,
        address_line1=facility.address_line1,
        address_line2="",
        city=facility.city,
        state=facility.state,
        postal_code=facility.postal_code.replace("-", ""),
        pay_to=None,
        source="facility",
    )


def _profile_identity(profile: BillingProfile, scope: str) -> BillingIdentity:
    pay_to = None
    if profile.pay_to_address_line1:
        pay_to = Address(
            line1=profile.pay_to_address_line1,
            line2=profile.pay_to_address_line2,
            city=profile.pay_to_city,
            state=profile.pay_to_state,
            postal_code=profile.pay_to_postal_code,
        )
    return BillingIdentity(
        name=profile.billing_name,
        npi=profile.npi,
        tin=profile.tin,
        taxonomy=profile.taxonomy,
        address_line1=profile.address_line1,
        address_line2=profile.address_line2,
        city=profile.city,
        state=profile.state,
        postal_code=profile.postal_code,
        pay_to=pay_to,
        source=f"billing profile {profile.public_id} ({scope})",
    )


class BillingIdentities:
    """Every facility and active billing profile of the org, resolved in memory."""

    def __init__(self, facilities: Iterable[Facility], profiles: Iterable[BillingProfile]):
        self._facilities = {f.pk: f for f in facilities}
        self._profiles: dict[int, list[BillingProfile]] = defaultdict(list)
        self._payer_names: dict[int, str] = {}
        for profile in profiles:
            self._profiles[profile.facility_id].append(profile)
            if profile.payer_id:
                self._payer_names[profile.payer_id] = profile.payer.name

    def identity(self, *, facility: Any, program: str | None, payer: Any) -> BillingIdentity:
        """`facility` and `payer` are rows or their primary keys (payer None = unknown)."""
        facility_id = _pk(facility)
        if facility_id not in self._facilities:
            raise Facility.DoesNotExist(f"No facility {facility_id} in this organization.")
        profile = pick_profile(self._profiles[facility_id], program, _pk(payer))
        if profile is None:
            return _facility_identity(self._facilities[facility_id])
        return _profile_identity(profile, self._scope(profile))

    def _scope(self, profile: BillingProfile) -> str:
        program = profile.program or "any program"
        payer = self._payer_names.get(profile.payer_id, "any payer")
        return f"{program}, {payer}"


def _active_profiles() -> Any:
    return BillingProfile.objects.filter(is_active=True).select_related("payer")


def billing_identities(*, org: Any) -> BillingIdentities:
    """The org's billing identities, in memory (two queries), for building many claims."""
    _check_org(org)
    return BillingIdentities(Facility.objects.all(), _active_profiles())


def billing_identity_for(*, facility: Facility, program: str | None, payer: Any) -> BillingIdentity:
    """The billing identity of a claim for `facility`, `program` ("mh"/"sud"; None = unknown)
    and `payer` (None = unknown): the most specific active profile, else the facility's own."""
    profiles = _active_profiles().filter(facility=facility)
    return BillingIdentities([facility], profiles).identity(
        facility=facility, program=program, payer=payer
    )


def _check_org(org: Any) -> None:
    active = require_org()
    if org is not None and _pk(org) != active.pk:
        raise ValueError("billing_identities: org is not the active organization.")

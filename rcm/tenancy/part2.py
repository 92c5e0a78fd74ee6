"""Who may see 42 CFR Part 2 records, decided for each member before every request.

- No member sees them until an admin grants it (`Membership.part2_access`, default False).
- A member who works for an outside billing company (the user is also a member of an
  organization of kind billing_company) needs, besides the grant, a qualified service
  organization agreement (42 CFR 2.11, 2.12(c)(4)) with that company in force on the org's
  today. When the agreement ends, access ends that day without anyone touching the grant.
- System work (Celery tasks, commands: an org context without a membership) keeps full access.

The agreements belong to the consent app, above this layer: it registers the answer from its
AppConfig.ready() (`register_agreement_check`). Until an app does, every billing-company member is
refused: the check fails closed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class AgreementStatus:
    """The org's QSOA with one billing company on a date."""

    company: str
    in_force: bool
    until: datetime.date | None = None  # first day no longer in force; None: until ended
    last_ended_on: datetime.date | None = None  # when none is in force: the last one's end


@dataclass(frozen=True)
class Part2Access:
    allowed: bool
    granted: bool
    agreements: tuple[AgreementStatus, ...] = ()

    @property
    def works_for_billing_company(self) -> bool:
        return bool(self.agreements)


AgreementCheck = Callable[..., AgreementStatus]  # (*, company: Organization, on_date: date)
_checks: dict[str, AgreementCheck] = {}


def register_agreement_check(func: AgreementCheck) -> None:
    """Called by the app that owns QSO agreements (consent) from its AppConfig.ready()."""
    _checks["qsoa"] = func


def agreement_status(*, company: Any, on_date: datetime.date) -> AgreementStatus:
    check = _checks.get("qsoa")
    if check is None:  # no app answers: no agreement can be shown to be in force
        return AgreementStatus(company=company.name, in_force=False)
    return check(company=company, on_date=on_date)


def part2_access_allowed(*, granted: bool, agreements: Sequence[AgreementStatus]) -> bool:
    """The rule: the admin's grant, and an agreement in force with every billing company the
    member works for (none needed for the program's own staff)."""
    return granted and all(a.in_force for a in agreements)


def member_part2_access(*, membership: Any, companies: Sequence[Any]) -> Part2Access:
    """Run inside org_context(membership.org): agreements are the org's, today is its date.
    `companies`: the billing-company organizations the member's user belongs to."""
    today = timezone.localdate()
    statuses = tuple(agreement_status(company=c, on_date=today) for c in companies)
    granted = bool(membership.part2_access)
    return Part2Access(
        allowed=part2_access_allowed(granted=granted, agreements=statuses),
        granted=granted,
        agreements=statuses,
    )


def member_may_see_part2(*, membership: Any, companies: Sequence[Any]) -> bool:
    """The request middleware's question (no agreement looked up without a grant)."""
    if not membership.part2_access:
        return False
    return member_part2_access(membership=membership, companies=companies).allowed

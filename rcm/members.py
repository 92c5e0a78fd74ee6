"""Org membership administration (admins): who is a member, in which role, and whether they see
42 CFR Part 2 records today (the admin's grant, plus for a billing company's staff an agreement
in force with that company: rcm.tenancy.part2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from rcm.models import Membership
from rcm.selectors import billing_companies_of
from rcm.tenancy.part2 import Part2Access, member_part2_access


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    part2: Part2Access


def part2_access_of(membership: Membership) -> Part2Access:
    """The member's Part 2 access today in the active org, with the agreements behind it."""
    companies = billing_companies_of(user_id=membership.user_id, exclude_org_id=membership.org_id)
    return member_part2_access(membership=membership, companies=companies)


def members_of_org() -> list[MemberRow]:
    memberships = Membership.objects.select_related("user").order_by("user__username")
    return [MemberRow(membership=m, part2=part2_access_of(m)) for m in memberships]


@transaction.atomic
def membership_set_part2_access(*, membership: Membership, allowed: bool, actor: Any) -> Membership:
    """Grant or withhold 42 CFR Part 2 records (history of the change is kept by triggers). For a
    billing company's staff the grant works only while an agreement is in force."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    locked.part2_access = allowed
    locked.save(update_fields=["part2_access"])
    return locked

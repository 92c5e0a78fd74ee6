"""Org membership administration (admins): who is a member, in which role, with Part 2 access."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rcm.models import Membership


def members_of_org() -> list[Membership]:
    return list(Membership.objects.select_related("user").order_by("user__username"))


@transaction.atomic
def membership_set_part2_access(*, membership: Membership, allowed: bool, actor: Any) -> Membership:
    """Grant or withhold 42 CFR Part 2 records (history of the change is kept by triggers)."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    locked.part2_access = allowed
    locked.save(update_fields=["part2_access"])
    return locked

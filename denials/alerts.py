"""Denial alerts through the notifications app: a denial near its appeal deadline
(denials.jobs.deadline_near) is announced to its assignee and the org's billing managers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from denials.models import Denial
from notifications.services import notify
from rcm.models import Membership
from rcm.permissions import Role
from rcm.tenancy import require_org


def on_deadline_near(sender: Any, denial: Denial, **kwargs: Any) -> None:
    managers = Membership.objects.filter(role=Role.BILLING_MANAGER, is_active=True).values_list(
        "user_id", flat=True
    )
    deadline = denial.appeal_deadline.isoformat() if denial.appeal_deadline else "none"
    notify(
        kind="denial_deadline",
        # The title and url are emailed: the payer, the reason code and public ids only.
        title=f"Appeal deadline near: {denial.payer.name} denial (CARC {denial.carc})",
        body=(
            f"Claim {denial.claim.control_number} for {denial.claim.patient.display_name}: "
            f"${denial.amount} denied, appeal by {deadline}."
        ),
        url=reverse(
            "denials:detail", kwargs={"org_slug": require_org().slug, "public_id": denial.public_id}
        ),
        users=[denial.assigned_to_id, *managers],
        part2=denial.part2,
        dedupe_key=f"denial_deadline:{denial.public_id}:{deadline}",
    )

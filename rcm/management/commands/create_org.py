"""Create an organization with its time zone, and optionally its first administrator."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from rcm.models import Membership, Organization
from rcm.orgs import organization_create
from rcm.permissions import Role
from rcm.tenancy import org_context


class Command(BaseCommand):
    help = "Create an organization (clinic or billing company) in its IANA time zone."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--time-zone", required=True, help="IANA name, e.g. America/Los_Angeles"
        )
        parser.add_argument("--kind", default=Organization.Kind.CLINIC.value)
        parser.add_argument("--admin", help="Username of an existing user to make its admin.")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = None
        if opts["admin"]:
            user = get_user_model().objects.filter(username=opts["admin"]).first()
            if user is None:
                raise CommandError(f"No user named {opts['admin']!r}.")
        try:
            org = organization_create(
                slug=opts["slug"], name=opts["name"], time_zone=opts["time_zone"], kind=opts["kind"]
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        if user is not None:
            with org_context(org):
                Membership.objects.create(user=user, role=Role.ADMIN)
        self.stdout.write(f"Created {org.slug} ({org.name}) in {org.time_zone}.")

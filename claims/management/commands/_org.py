"""The org a claims command works in (`--org SLUG`), activated like a task's."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from rcm.models import Organization


def org_by_slug(slug: str) -> Any:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise CommandError(f"No organization with the slug {slug!r}.")
    return org

"""Factories that keep related rows in one org. Plain functions: explicit and fast."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model

from rcm.models import Membership, Organization
from rcm.tenancy import org_context

PASSWORD = "correct-horse-battery-9"
_seq = itertools.count(1)


def organization(**fields: Any) -> Organization:
    n = next(_seq)
    fields.setdefault("slug", f"org-{n}")
    fields.setdefault("name", f"Org {n}")
    return Organization.objects.create(**fields)


def user(username: str | None = None, **fields: Any) -> Any:
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def member(org: Organization, role: str = "admin", username: str | None = None) -> Any:
    u = user(username)
    with org_context(org):
        Membership.objects.create(user=u, role=role)
    return u

"""The one base for tenant-owned models."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.postgres.functions import RandomUUID
from django.db import models

from .context import NoActiveOrg, current_org_id, current_part2_access


class CurrentOrgId(models.Expression):
    """Compiles to the active org id at SQL time, so a queryset built at import time (a form's
    choices, a view's class attribute) is scoped to whichever org is active when it runs."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[int]]:
        org_id = current_org_id()
        if org_id is None:
            raise NoActiveOrg("No organization is active; refusing to query tenant data.")
        return "%s", [org_id]

    def get_group_by_cols(self) -> list[Any]:
        return []


class Part2Withheld(models.Expression):
    """Compiles to TRUE when the active member may not see Part 2 records (at SQL time, like
    CurrentOrgId), FALSE otherwise."""

    output_field = models.BooleanField()
    conditional = True

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return ("FALSE" if current_part2_access() else "TRUE"), []

    def get_group_by_cols(self) -> list[Any]:
        return []


ALL_ROWS = "__all__"


def part2_filter(path: str) -> models.Q:
    """Rows to withhold: those whose `path` marks them as Part 2, while access is withheld."""
    if path == ALL_ROWS:
        return models.Q(Part2Withheld())
    return models.Q(**{path: True}) & models.Q(Part2Withheld())


class TenantQuerySet(models.QuerySet):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        for obj in objs:
            obj.assign_active_org()
        return super().bulk_create(objs, *args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """Default manager: only the active org's rows; raises when no org is active.

    The scoping (org filter, Part 2 exclusion) compiles to the active org and access at SQL
    time, so it is built once per model and each queryset starts from a copy of it: building
    the Part 2 exclusion (a subquery through the patient's episodes) costs milliseconds, and
    prefetching asks a related manager for a queryset once per object loaded."""

    def get_queryset(self) -> TenantQuerySet:
        qs = super().get_queryset()
        qs.query = _scoped_query(self.model).chain()
        return qs


_SCOPED: dict[type, Any] = {}


def _scoped_query(model: type[models.Model]) -> Any:
    """The model's scoped query (never evaluated itself; callers get a chained copy)."""
    query = _SCOPED.get(model)
    if query is None:
        qs = models.QuerySet(model=model).filter(org_id=CurrentOrgId())
        path = getattr(model, "part2_path", None)
        query = _SCOPED[model] = (qs.exclude(part2_filter(path)) if path else qs).query
    return query


class CrossOrgWrite(RuntimeError):
    """A tenant row was about to be saved under an org other than the active one."""


class TenantModel(models.Model):
    public_id = models.UUIDField(
        default=uuid.uuid4, db_default=RandomUUID(), unique=True, editable=False
    )
    org = models.ForeignKey("rcm.Organization", on_delete=models.PROTECT, related_name="+")

    # Models holding 42 CFR Part 2 records name the lookup that marks a row as Part 2 (e.g.
    # "episode__part2_applies"), or "__all__"; members without Part 2 access never see them.
    part2_path: str | None = None
    # Event tables (history rows) set this: the app role may insert and read them, never update
    # or delete (rcm.tenancy.rls grants it so after every migrate).
    append_only: bool = False

    objects = TenantManager()
    # Loud on purpose: every use is an admin-level decision to see across orgs (RLS still applies).
    unscoped_all_orgs_admin_only = models.Manager()  # noqa: DJ012

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.assign_active_org()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self.assign_active_org()
        return super().delete(*args, **kwargs)

    def assign_active_org(self) -> None:
        active = current_org_id()
        if active is None:
            raise NoActiveOrg(f"Cannot save {type(self).__name__}: no organization is active.")
        if self.org_id is None:
            self.org_id = active
        elif self.org_id != active:
            raise CrossOrgWrite(f"{type(self).__name__} belongs to another organization.")

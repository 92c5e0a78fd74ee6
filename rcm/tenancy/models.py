"""The one base for tenant-owned models."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.postgres.functions import RandomUUID
from django.db import models

from .context import NoActiveOrg, current_org_id


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


class TenantQuerySet(models.QuerySet):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        for obj in objs:
            obj.assign_active_org()
        return super().bulk_create(objs, *args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """Default manager: only the active org's rows; raises when no org is active."""

    def get_queryset(self) -> TenantQuerySet:
        return super().get_queryset().filter(org_id=CurrentOrgId())


class CrossOrgWrite(RuntimeError):
    """A tenant row was about to be saved under an org other than the active one."""


class TenantModel(models.Model):
    public_id = models.UUIDField(
        default=uuid.uuid4, db_default=RandomUUID(), unique=True, editable=False
    )
    org = models.ForeignKey("rcm.Organization", on_delete=models.PROTECT, related_name="+")

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

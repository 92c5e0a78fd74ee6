"""Platform tables: organizations, memberships, API tokens, audit, task bookkeeping."""

from __future__ import annotations

import hashlib
import secrets
import uuid
import zoneinfo

from django.conf import settings
from django.db import models

from rcm.permissions import Role
from rcm.tenancy.models import TenantModel
from rcm.timezones import DEFAULT_TIME_ZONE, validate_time_zone


class Organization(models.Model):
    """A tenant: a clinic or a billing entity. Not itself tenant-scoped."""

    class Kind(models.TextChoices):
        CLINIC = "clinic", "Clinic"
        BILLING_COMPANY = "billing_company", "Billing company"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CLINIC)
    tax_id = models.CharField(max_length=9, blank=True)
    npi = models.CharField("Type-2 NPI", max_length=10, blank=True)
    # The clinic's IANA zone: dates of service, "today" and scheduled jobs' days are local to it.
    time_zone = models.CharField(
        max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(TenantModel):
    """A user's role in an org. A billing company's staff hold several of these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    # 42 CFR Part 2: the admin's grant to see SUD program records; nobody has it until an admin
    # grants it. A member who works for an outside billing company also needs a qualified service
    # organization agreement in force with that company (rcm.tenancy.part2). Without access,
    # Part 2 patients and their records are withheld.
    part2_access = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "user"], name="uniq_membership_org_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.org_id}:{self.role}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: settings.AUTH_USER_MODEL, name: str) -> tuple[ApiToken, str]:
        raw = "rcm_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=cls.digest_of(raw), prefix=raw[:8])
        return token, raw


class ChangeLog(TenantModel):
    """Row history written by database triggers, so bulk and raw SQL updates are caught too.
    Append-only for the app role (INSERT and SELECT granted, never UPDATE or DELETE)."""

    table_name = models.CharField(max_length=100)
    row_id = models.BigIntegerField()
    op = models.CharField(max_length=6)
    old_data = models.JSONField(null=True)
    new_data = models.JSONField(null=True)
    actor_id = models.BigIntegerField(null=True)
    txid = models.BigIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["org", "table_name", "row_id"])]


class PhiAccess(TenantModel):
    """Append-only log of PHI reads: who saw which records, how, and when."""

    class Action(models.TextChoices):
        DETAIL = "detail", "Detail page"
        LIST = "list", "List or search"
        EXPORT = "export", "Export"
        API = "api", "API read"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=60)
    object_ids = models.JSONField(default=list)
    path = models.CharField(max_length=300)
    accessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["org", "accessed_at"])]


class TaskRun(TenantModel):
    """Idempotency and dead-letter record for org tasks (natural key: task name + key)."""

    class Status(models.TextChoices):
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        DEAD = "dead", "Dead letter"

    task_name = models.CharField(max_length=200)
    key = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices)
    detail = models.TextField(blank=True)  # jobs: their counts as JSON, or {"error": ...}; no PHI
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "task_name", "key"], name="uniq_taskrun_key")
        ]

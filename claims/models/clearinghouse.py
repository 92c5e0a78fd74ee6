"""The org's clearinghouse account (how 837s leave and acknowledgments come back), the
acknowledgment files it returned, and the built-in sandbox's mailbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from rcm.fields import EncryptedTextField
from rcm.tenancy.models import TenantModel


class ClearinghouseAccount(TenantModel):
    """One per org: which adapter sends its batches (claims.clearinghouse), who it is in the
    837 (1000A submitter, ISA sender) and who receives (1000B, ISA receiver).

    `settings` holds the adapter's non-secret settings: sftp `host`, `port`, `username`,
    `outbox` (remote dir 837s are uploaded to), `inbox` (remote dir responses are read from),
    `archive` (remote dir responses are moved to; empty: deleted once imported), `host_key`
    (the server's public key line) and `host_key_checking` ("strict", the default, or "off");
    folder `export_dir`, `import_dir`, `archive_dir`; sandbox rule overrides (see
    claims.clearinghouse.sandbox). Secrets live in the encrypted columns only and are never
    shown back in full (`credentials_summary`) nor logged."""

    class Adapter(models.TextChoices):
        SANDBOX = "sandbox", "Sandbox (simulated clearinghouse and payer)"
        SFTP = "sftp", "SFTP"
        FOLDER = "folder", "Folder (upload through a portal)"

    class Usage(models.TextChoices):
        TEST = "T", "Test"
        PRODUCTION = "P", "Production"

    adapter = models.CharField(max_length=10, choices=Adapter.choices, default=Adapter.SANDBOX)
    submitter_name = models.CharField("Submitter name (1000A)", max_length=60)
    submitter_id = models.CharField("Submitter id / ETIN (1000A NM109)", max_length=80)
    contact_name = models.CharField(max_length=60)
    contact_phone = models.CharField(max_length=20, help_text="digits only")
    contact_email = models.CharField(max_length=80, blank=True)
    receiver_name = models.CharField("Receiver name (1000B)", max_length=60)
    receiver_id = models.CharField("Receiver id (1000B NM109)", max_length=80)
    isa_sender_qualifier = models.CharField(max_length=2, default="ZZ")
    isa_sender_id = models.CharField(max_length=15)
    isa_receiver_qualifier = models.CharField(max_length=2, default="ZZ")
    isa_receiver_id = models.CharField(max_length=15)
    usage_indicator = models.CharField(max_length=1, choices=Usage.choices, default=Usage.TEST)
    settings = models.JSONField(default=dict, blank=True)
    password = EncryptedTextField(blank=True)
    private_key = EncryptedTextField(blank=True, help_text="PEM/OpenSSH private key text")
    private_key_passphrase = EncryptedTextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org"], name="uniq_clearinghouse_per_org"),
            models.CheckConstraint(
                condition=Q(usage_indicator__in=["T", "P"]), name="clearinghouse_usage_t_or_p"
            ),
            models.CheckConstraint(
                condition=Q(adapter__in=["sandbox", "sftp", "folder"]),
                name="clearinghouse_known_adapter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_adapter_display()} account {self.receiver_name}"

    def __repr__(self) -> str:  # never the secrets, not even in a traceback's locals
        return f"<ClearinghouseAccount {self.pk} {self.adapter}>"

    def credentials_summary(self) -> dict[str, str]:
        """What a page may show about the secrets: whether each is set, never its value."""
        return {
            name: "set" if getattr(self, name) else "not set"
            for name in ("password", "private_key", "private_key_passphrase")
        }


class AcknowledgmentFile(TenantModel):
    """A response file received (999, 277CA): kept encrypted, imported once (the sha256 of its
    bytes is unique per org), with what it said or why it was refused."""

    part2_path = "part2"

    class Kind(models.TextChoices):
        ACK_999 = "999", "999 implementation acknowledgment"
        ACK_277CA = "277ca", "277CA claim acknowledgment"
        UNKNOWN = "", "Not recognised"

    class Status(models.TextChoices):
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused"

    kind = models.CharField(max_length=5, choices=Kind.choices, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    content = EncryptedTextField()  # names patients: PHI
    received_at = models.DateTimeField(auto_now_add=True)
    batch = models.ForeignKey(
        "claims.SubmissionBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acknowledgments",
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)  # no PHI
    summary = models.JSONField(default=dict, blank=True)  # counts and control numbers, no PHI
    part2 = models.BooleanField(default=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "sha256"], name="uniq_ack_file_sha256"),
            models.CheckConstraint(
                condition=Q(status="imported") | ~Q(reason=""), name="ack_refusal_has_reason"
            ),
        ]
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.file_name


class SandboxMessage(TenantModel):
    """The built-in sandbox clearinghouse's mailbox: responses it produced, waiting until the
    org's poll fetches them (claims.clearinghouse.sandbox)."""

    part2_path = "part2"

    name = models.CharField(max_length=120)
    content = EncryptedTextField()
    batch = models.ForeignKey(
        "claims.SubmissionBatch", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    part2 = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="uniq_sandbox_message_name")
        ]
        ordering = ["created_at", "pk"]

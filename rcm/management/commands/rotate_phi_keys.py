"""Re-encrypt PHI columns to the newest key in RCM_ENCRYPTION_KEYS and report what remains."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand

from rcm import crypto
from rcm.fields import EncryptedTextField, Sealed
from rcm.models import Organization
from rcm.tenancy import org_context
from rcm.tenancy.models import TenantModel

BATCH = 500


def encrypted_columns() -> list[tuple[type, list[EncryptedTextField]]]:
    found = []
    for model in apps.get_models():
        if issubclass(model, TenantModel):
            cols = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if cols:
                found.append((model, cols))
    return found


def _rotate_rows(
    model: type, field: EncryptedTextField, org_id: int, newest: str, dry_run: bool
) -> Counter:
    seen: Counter = Counter()
    rows = model.objects.exclude(**{f"{field.attname}__startswith": f"{crypto.PREFIX}:{newest}:"})
    rows = rows.exclude(**{f"{field.attname}__isnull": True}).exclude(**{field.attname: ""})
    for pk, token in rows.values_list("pk", field.attname).iterator(chunk_size=BATCH):
        seen[crypto.key_id_of(token)] += 1
        if not dry_run:
            plain = crypto.decrypt(token, org_id=org_id, column=field.aad_column)
            fresh = crypto.encrypt(plain, org_id=org_id, column=field.aad_column)
            model.objects.filter(pk=pk).update(**{field.attname: Sealed(fresh)})
    return seen


class Command(BaseCommand):
    help = "Re-encrypt PHI to the newest key; report rows still on older keys."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Only report rows on older keys; change nothing."
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        newest = crypto.key_ring().newest
        moved: Counter = Counter()
        for org in Organization.objects.order_by("pk"):
            with org_context(org):
                for model, fields in encrypted_columns():
                    for field in fields:
                        moved += _rotate_rows(model, field, org.pk, newest, check)
        remaining = 0
        for org in Organization.objects.order_by("pk"):
            with org_context(org):
                for model, fields in encrypted_columns():
                    for field in fields:
                        remaining += sum(_rotate_rows(model, field, org.pk, newest, True).values())
        verb = "found" if check else "re-encrypted"
        by_key = ", ".join(f"{k}: {v}" for k, v in sorted(moved.items())) or "none"
        self.stdout.write(f"newest key: {newest}; values {verb} from older keys: {by_key}")
        self.stdout.write(f"values still on older keys: {remaining}")

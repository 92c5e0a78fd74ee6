"""Write 837 files for an org's READY claims into a folder (the drop-folder workflow: the
clinic uploads them through its clearinghouse's portal) and print, as JSON, {files, claims,
held, by_type: {"837p": n, "837i": n}}.

The claims go through `claims_submit` like any submission (batched by kind and payer, Part 2
gate, sessions locked), then each batch is written by the folder adapter into --out and marked
sent. The org's clearinghouse account says who submits and receives (1000A/1000B, ISA)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from claims.clearinghouse.folder import FolderAdapter
from claims.management.commands._org import org_by_slug
from claims.models import Claim, SubmissionBatch
from claims.submission import batch_send, claims_submit
from rcm.tenancy import org_context


class Command(BaseCommand):
    help = "Write 837 files for an organization's ready claims into a folder; prints JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("--out", required=True, help="The folder to write the 837s into.")

    def handle(self, *args: Any, **opts: Any) -> None:
        org = org_by_slug(opts["org"])
        out = Path(opts["out"]).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        result: dict[str, Any] = {"files": [], "claims": 0, "held": 0, "by_type": {}}
        with org_context(org):
            ready = list(Claim.objects.filter(status=Claim.Status.READY).order_by("pk"))
            if ready:
                batches = self._submit(ready)
                self._write(batches, out, result)
                result["held"] = len(ready) - result["claims"]
        result["by_type"] = {
            kind: result["by_type"].get(kind, 0) for kind in (k.value for k in Claim.Kind)
        }
        self.stdout.write(json.dumps(result, indent=2))

    def _submit(self, ready: list[Claim]) -> list[SubmissionBatch]:
        try:
            return claims_submit(claims=ready, actor=None, enqueue=False)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None

    def _write(self, batches: list[SubmissionBatch], out: Path, result: dict[str, Any]) -> None:
        adapter = FolderAdapter.for_directory(out)
        for batch in batches:
            outcome = batch_send(batch_id=batch.pk, adapter=adapter)
            if outcome.status != "sent":
                raise CommandError(f"Writing {batch.file_name} failed: {outcome.reason}")
            result["files"].append(batch.file_name)
            result["claims"] += batch.claim_count
            result["by_type"][batch.kind] = result["by_type"].get(batch.kind, 0) + batch.claim_count

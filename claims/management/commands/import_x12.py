"""Import acknowledgment files (999, 277CA) for an org and print what they did, as JSON:
files, acknowledgments_999, acknowledgments_277ca, claims_accepted, claims_rejected,
duplicates_skipped, refused [{file, reason}] (and the batch and unmatched counts).

Each file is imported in its own transaction; a file already imported is skipped; a file that
is not an acknowledgment this import reads is refused with the reason and changes nothing.
The exit status is 0 when every file was read from disk (refusals are in the JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from claims.acks import ImportSummary, import_x12
from claims.management.commands._org import org_by_slug
from rcm.tenancy import org_context


class Command(BaseCommand):
    help = "Import 999 and 277CA acknowledgment files for an organization; prints JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("files", nargs="+", help="Acknowledgment files to import.")

    def handle(self, *args: Any, **opts: Any) -> None:
        org = org_by_slug(opts["org"])
        paths = [Path(p) for p in opts["files"]]
        unreadable = [str(p) for p in paths if not p.is_file()]
        if unreadable:
            raise CommandError(f"Not a file: {', '.join(unreadable)}")
        total = ImportSummary()
        for path in paths:
            with org_context(org):
                total.add(import_x12(content=path.read_bytes(), file_name=path.name, actor=None))
        self.stdout.write(json.dumps(total.as_dict(), indent=2))

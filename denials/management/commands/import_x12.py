"""Import X12 files a clearinghouse sends back, for an org, and print what they did as JSON.

835 remittances are posted (denials.posting): `transactions`, `claims` (CLP segments read),
`service_lines` (SVC), `total_paid` (sum of CLP04, a decimal string), `payments_total` (sum of
BPR02), `provider_adjustments` (PLB), `matched`, `unmatched`, `balance_errors`, `denials`,
`exceptions`. Acknowledgments (999, 277CA): `acknowledgments_999`, `acknowledgments_277ca`,
`claims_accepted`, `claims_rejected` and the batch and unmatched counts. Shared: `files`,
`duplicates_skipped` (files or payments already posted), `refused` [{file, reason}].

Each file is imported in its own transaction; a file already imported is skipped; a file that
cannot be read as what it claims to be is refused with the reason and changes nothing.
The exit status is 0 when every file was read from disk (refusals are in the JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from claims.management.commands._org import org_by_slug
from denials.imports import Summary, import_file
from rcm.tenancy import org_context


class Command(BaseCommand):
    help = "Import 835, 999 and 277CA files for an organization; prints JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True, help="The organization's slug.")
        parser.add_argument("files", nargs="+", help="X12 files to import.")

    def handle(self, *args: Any, **opts: Any) -> None:
        org = org_by_slug(opts["org"])
        paths = [Path(p) for p in opts["files"]]
        unreadable = [str(p) for p in paths if not p.is_file()]
        if unreadable:
            raise CommandError(f"Not a file: {', '.join(unreadable)}")
        total = Summary()
        for path in paths:
            with org_context(org):
                import_file(
                    content=path.read_bytes(), file_name=path.name, source="command", into=total
                )
        self.stdout.write(json.dumps(total.as_dict(), indent=2))

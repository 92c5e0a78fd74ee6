"""One entry point for the X12 files a clearinghouse sends back: 835 remittances are posted
(denials.posting), acknowledgments (999, 277CA) go to claims.acks. Used by `manage.py
import_x12`, the upload page and the clearinghouse polling job."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from claims.acks import ImportSummary, import_x12, is_remittance
from denials.posting import PostingSummary, post_835


def is_835(content: bytes) -> bool:
    return is_remittance(content)


class Summary:
    """What a set of files did: the acknowledgment counts and the posting counts side by side
    (files, duplicates_skipped and refused are shared)."""

    def __init__(self) -> None:
        self.acks = ImportSummary()
        self.posting = PostingSummary()

    def as_dict(self) -> dict[str, Any]:
        acks, posting = self.acks.as_dict(), self.posting.as_dict()
        shared = {
            "files": acks.pop("files") + posting.pop("files"),
            "duplicates_skipped": acks.pop("duplicates_skipped")
            + posting.pop("duplicates_skipped"),
            "refused": acks.pop("refused") + posting.pop("refused"),
        }
        return {**shared, **posting, **acks}


def import_file(
    *,
    content: bytes,
    file_name: str,
    actor: Any = None,
    source: str = "upload",
    into: Summary,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Import one file (inside org_context) and add what it did to `into` (`progress`: see
    post_835)."""
    if is_835(content):
        posted = post_835(
            content=content, file_name=file_name, actor=actor, source=source, progress=progress
        )
        into.posting.add(posted)
    else:
        into.acks.add(import_x12(content=content, file_name=file_name, actor=actor))
    return into


def clearinghouse_poll(*, actor: Any = None) -> Summary:
    """Fetch every file waiting at the org's clearinghouse and import it: 835s are posted,
    999s and 277CAs go to claims. Fetched files are removed or archived there only once their
    import is committed (imports are idempotent by content hash, so a crash in between only
    fetches them again)."""
    from claims.clearinghouse import ClearinghouseError, account_for_org, adapter_for

    adapter = adapter_for(account_for_org())
    files = adapter.fetch()
    summary = Summary()
    for name, content in files:
        import_file(
            content=content, file_name=name, actor=actor, source="clearinghouse", into=summary
        )
    names = [name for name, _ in files]
    if not names:
        return summary
    if adapter.done_in_transaction:
        adapter.done(names)
        return summary

    def clean_up() -> None:
        try:
            adapter.done(names)
        except ClearinghouseError:
            pass  # fetched again next time and skipped as duplicates

    transaction.on_commit(clean_up)
    return summary

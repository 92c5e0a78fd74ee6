"""One entry point for the X12 files a clearinghouse sends back: 835 remittances are posted
(denials.posting), acknowledgments (999, 277CA) go to claims.acks. Used by `manage.py
import_x12`, the upload page and the clearinghouse polling job."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from claims.acks import ImportSummary, import_x12
from denials.posting import PostingSummary, post_835

# ST, then the file's element separator, then 835, then the separator again.
_ST_835 = re.compile(rb"(?:^|[^A-Za-z0-9])ST([^A-Za-z0-9\s])835\1")


def is_835(content: bytes) -> bool:
    return _ST_835.search(content) is not None


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

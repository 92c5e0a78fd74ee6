"""Import a chargemaster from CSV, all or nothing.

The header names the columns (any order, any case): code, revenue_code, modifiers, description,
amount, effective_from, and optionally effective_to. Modifiers in one cell are separated by
spaces, colons or semicolons ("HQ GT"). Every row is checked as a single entry would be, against
the other rows and against the saved chargemaster; any problem refuses the whole file with
one message per problem naming its row ("Row 4, amount: ...", the header being row 1)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from claims.chargemaster.services import (
    OVERLAP_HINT,
    clean_entry,
    entry_label,
    settle_overlaps,
    spans_overlap,
)
from claims.models import ChargemasterEntry
from rcm.fielderrors import FieldErrors, save_guarded

REQUIRED_COLUMNS = ("code", "revenue_code", "modifiers", "description", "amount", "effective_from")
COLUMNS = (*REQUIRED_COLUMNS, "effective_to")
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    created: int
    superseded: int


class _Problems:
    """Messages for the whole file, each naming its row and column."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def row(self, number: int, errors: FieldErrors) -> None:
        for field, messages in errors.errors.items():
            for message in messages:
                self.messages.append(f"Row {number}, {field}: {message}")

    def file(self, message: str) -> None:
        self.messages.append(message)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationError({"csv": self.messages})


def _text(content: str | bytes, problems: _Problems) -> str:
    if isinstance(content, str):
        return content
    if len(content) > MAX_BYTES:
        problems.file(f"The file is over {MAX_BYTES // (1024 * 1024)} MB; split it.")
        return ""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.file("The file must be UTF-8 text (save it as CSV UTF-8).")
        return ""


def _rows(text: str, problems: _Problems) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if not header or missing or unknown:
        parts = [f"missing {', '.join(missing)}" if missing else ""]
        parts.append(f"unknown {', '.join(unknown)}" if unknown else "")
        detail = "; ".join(p for p in parts if p) or "no header row"
        problems.file(f"Row 1 must name the columns {', '.join(COLUMNS)} ({detail}).")
        return []
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.file(f"Row {number}: {len(cells)} cells for {len(header)} columns.")
            continue
        rows.append((number, dict(zip(header, cells, strict=False))))
    if len(rows) > MAX_ROWS:
        problems.file(f"At most {MAX_ROWS} rows in one file (this one has {len(rows)}).")
    elif not rows and not problems.messages:
        problems.file("The file has no rows to import.")
    return rows


def _key(entry: ChargemasterEntry) -> tuple[str, str, tuple[str, ...]]:
    return (entry.code, entry.revenue_code, tuple(entry.modifiers))


def _check_rows_apart(entries: list[tuple[int, ChargemasterEntry]], problems: _Problems) -> None:
    """Two rows of the file for the same code, revenue code and modifiers must not overlap."""
    by_key: dict[Any, list[tuple[int, ChargemasterEntry]]] = defaultdict(list)
    for number, entry in entries:
        for other_number, other in by_key[_key(entry)]:
            if spans_overlap(entry, other):
                problems.file(
                    f"Row {number}, effective_from: overlaps row {other_number} "
                    f"({entry_label(entry)})."
                )
        by_key[_key(entry)].append((number, entry))


def _settle_saved(
    entries: list[tuple[int, ChargemasterEntry]], problems: _Problems, supersede: bool
) -> list[ChargemasterEntry]:
    """Overlaps with the saved chargemaster (one query): refused, or superseded by the file's
    earliest row of the same key."""
    saved: dict[Any, list[ChargemasterEntry]] = defaultdict(list)
    codes = {e.code for _, e in entries}
    revenue_codes = {e.revenue_code for _, e in entries}
    for entry in ChargemasterEntry.objects.filter(
        is_active=True, code__in=codes, revenue_code__in=revenue_codes
    ):
        saved[_key(entry)].append(entry)
    ended: dict[int, ChargemasterEntry] = {}
    for number, entry in sorted(entries, key=lambda pair: pair[1].effective_from):
        errors = FieldErrors()
        others = [o for o in saved[_key(entry)] if o.pk not in ended]
        for other in settle_overlaps(entry, others, errors, supersede=supersede):
            ended[other.pk] = other
        problems.row(number, errors)
    return list(ended.values())


@transaction.atomic
def chargemaster_import_csv(
    *, content: str | bytes, actor: Any = None, supersede: bool = False
) -> ImportResult:
    """Add every row of the CSV to the chargemaster, or none (ValidationError {"csv": [...]},
    one message per problem, each naming its row). With `supersede`, a saved open-ended charge
    of the same code, revenue code and modifiers ends the day before the file's row starts."""
    problems = _Problems()
    rows = _rows(_text(content, problems), problems)
    problems.raise_if_any()
    entries = []
    for number, data in rows:
        errors = FieldErrors()
        values = clean_entry(data, errors)
        problems.row(number, errors)
        if not errors:
            entries.append((number, ChargemasterEntry(**values)))
    problems.raise_if_any()
    _check_rows_apart(entries, problems)
    ended = _settle_saved(entries, problems, supersede)
    problems.raise_if_any()

    def write() -> int:
        for other in ended:
            other.save(update_fields=["effective_to"])
        return len(ChargemasterEntry.objects.bulk_create([e for _, e in entries], batch_size=1000))

    created = save_guarded(
        write, field="csv", message=f"A row overlaps a saved charge; {OVERLAP_HINT}."
    )
    return ImportResult(created=created, superseded=len(ended))

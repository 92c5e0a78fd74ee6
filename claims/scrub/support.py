"""Small readers the edits share: which provider renders a line, which lines bill a service,
what else the patient has billed to the same payer on a date, and how a line or a service is
named in a message. Pure functions over the snapshot; none raises on missing facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from claims.snapshot import ClaimSnapshot, LineSnap, OtherClaimSnap, ProviderSnap, ServiceSnap

# A line spanning more days than this is odd data; its dates are not walked one by one.
MAX_SPAN_DAYS = 366


def url(*candidates: str) -> str:
    """The first non-empty page address: the most specific page that fixes the problem first."""
    return next((c for c in candidates if c), "")


def day(value: dt.date | None) -> str:
    return value.isoformat() if isinstance(value, dt.date) else "an unknown date"


def code_of(line: LineSnap) -> str:
    return line.code or (f"revenue code {line.revenue_code}" if line.revenue_code else "no code")


def line_name(line: LineSnap) -> str:
    """e.g. "Line 2 (90837 on 2026-11-02)"."""
    return f"Line {line.number} ({code_of(line)} on {day(line.service_date)})"


def service_name(service: ServiceSnap) -> str:
    """e.g. "The individual session on 2026-11-02" (no patient facts)."""
    kind = (service.kind or "").replace("_", " ").strip()
    what = "program day" if service.kind == "program_day" else f"{kind} session".strip()
    return f"The {what} on {day(service.service_date)}"


def rendering_of(snapshot: ClaimSnapshot, line: LineSnap) -> ProviderSnap | None:
    """A line's own rendering provider overrides the claim's (837P 2420A over 2310B)."""
    return line.rendering or snapshot.rendering


def line_dates(line: LineSnap) -> tuple[dt.date, ...]:
    """Every date a line covers: its date, or each day of its from-to span."""
    start, end = line.service_date, line.service_date_to
    if not isinstance(start, dt.date):
        return ()
    if not isinstance(end, dt.date) or end <= start or (end - start).days > MAX_SPAN_DAYS:
        return (start,)
    return tuple(start + dt.timedelta(days=n) for n in range((end - start).days + 1))


def covers(line: LineSnap, on: object) -> bool:
    return isinstance(on, dt.date) and on in line_dates(line)


def lines_billing(snapshot: ClaimSnapshot, service_id: str) -> list[LineSnap]:
    return [line for line in snapshot.lines if service_id in line.services]


def first_line(snapshot: ClaimSnapshot, service_id: str) -> int | None:
    lines = lines_billing(snapshot, service_id)
    return lines[0].number if lines else None


def payer_id(snapshot: ClaimSnapshot) -> str:
    return snapshot.coverage.payer_id if snapshot.coverage else ""


def same_payer_claims(snapshot: ClaimSnapshot) -> tuple[OtherClaimSnap, ...]:
    """The patient's other active claims to this claim's payer. Claims to other payers (a
    secondary's claim for the same services) are not duplicates and do not count for the
    payer's once-a-day and same-day rules. Without a payer id nothing is comparable."""
    payer = payer_id(snapshot)
    if not payer:
        return ()
    return tuple(other for other in snapshot.other_claims if other.payer_id == payer)


def other_entries(snapshot: ClaimSnapshot) -> Iterator[tuple[OtherClaimSnap, dt.date, str, tuple]]:
    """(claim, date, code, modifiers) of every line of the same-payer claims."""
    for other in same_payer_claims(snapshot):
        for entry in other.lines:
            if len(entry) == 3:
                on, code, modifiers = entry
                yield other, on, code, tuple(modifiers or ())


def codes_on(snapshot: ClaimSnapshot, on: dt.date, *, besides: LineSnap | None = None) -> set[str]:
    """Codes billed to this payer for the patient on `on`: this claim's lines (except
    `besides`) and the same-payer claims' lines."""
    here = {ln.code for ln in snapshot.lines if ln is not besides and covers(ln, on) and ln.code}
    there = {code for _, when, code, _ in other_entries(snapshot) if when == on and code}
    return here | there


def decimal(value: object) -> Decimal | None:
    """`value` as a Decimal, or None when it is not a number (odd data)."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def listing(items: list[str]) -> str:
    """e.g. "a, b and c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def money(value: object) -> str:
    number = decimal(value)
    return f"${number:,.2f}" if number is not None else "an invalid amount"

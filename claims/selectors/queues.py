"""The work queues: which claims are in each, filtered, sorted and paged; counts per queue
and awaiting-payment aging. See claims.selectors for age and priority."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    DateField,
    F,
    OrderBy,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from claims.models import (
    Claim,
    SavedQueueFilter,
)
from patients.models import LevelOfCare, Program

S = Claim.Status
FOLLOW_UP_AFTER_DAYS = 30  # accepted this many days ago and still unpaid: follow up
PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    statuses: tuple[str, ...]
    sent: bool  # age counts from submission (else from the first date of service)
    help: str = ""


QUEUES: dict[str, Queue] = {
    q.key: q
    for q in (
        Queue("held", "Held by edits", (S.HELD,), False, "The scrubber found errors."),
        Queue("ready", "Ready", (S.READY,), False, "Scrubbed clean, not yet submitted."),
        Queue("on_hold", "On hold", (S.ON_HOLD,), False, "Held by a biller, with a reason."),
        Queue(
            "submitted",
            "Awaiting acknowledgment",
            (S.QUEUED, S.SUBMITTED),
            True,
            "Sent (or being sent); no acknowledgment yet.",
        ),
        Queue("rejected", "Rejected", (S.REJECTED,), True, "Rejected by the clearinghouse."),
        Queue(
            "awaiting_payment",
            "Awaiting payment",
            (S.ACCEPTED,),
            True,
            "Accepted by the payer, not yet paid.",
        ),
        Queue(
            "follow_up",
            "Follow-up",
            (S.HELD, S.READY, S.ON_HOLD, S.QUEUED, S.SUBMITTED, S.ACCEPTED, S.REJECTED, S.DENIED),
            False,
            f"A follow-up date has come, or accepted over {FOLLOW_UP_AFTER_DAYS} days ago "
            "and unpaid.",
        ),
        Queue(
            "ar",
            "Open A/R",
            (S.SUBMITTED, S.ACCEPTED, S.PAID, S.DENIED, S.REJECTED),
            True,
            "Sent to the payer with an open insurance balance (what the A/R reports count).",
        ),
    )
}
# Open A/R (the reports' definition, denials.reports): a claim the payer has been sent
# (submitted, accepted, paid, denied or rejected; not queued, replaced, voided or cancelled)
# whose open insurance balance (charge - paid - contractual - patient share - written off) is
# above zero.
AR_STATUSES = QUEUES["ar"].statuses

# Awaiting-payment aging, in days since submission: (key, label, first day, last day or None).
BUCKETS: tuple[tuple[str, str, int, int | None], ...] = (
    ("0-30", "0–30 days", 0, 30),
    ("31-60", "31–60 days", 31, 60),
    ("61-90", "61–90 days", 61, 90),
    ("91-120", "91–120 days", 91, 120),
    ("120+", "Over 120 days", 121, None),
)
BUCKET_KEYS = {key for key, *_ in BUCKETS}

SORTS: dict[str, str] = {
    "priority": "Priority (timely filing, amount, age)",
    "-age": "Oldest first",
    "age": "Newest first",
    "-amount": "Largest amount first",
    "amount": "Smallest amount first",
    "service_date": "Service date, earliest first",
    "-service_date": "Service date, latest first",
    "payer": "Payer A–Z",
    "-payer": "Payer Z–A",
}
ASSIGNED_CHOICES = {"me": "Assigned to me", "unassigned": "Unassigned"}


# --- Filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    """What a biller narrows a queue by. Empty values do not filter."""

    payer: uuid.UUID | None = None
    program: str = ""
    level: str = ""
    provider: uuid.UUID | None = None  # the claim's rendering provider
    age_min: int | None = None
    age_max: int | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    edit_code: str = ""  # held by this edit (an error finding's code)
    assigned: str = ""  # "me", "unassigned" or "" (anyone)
    bucket: str = ""  # awaiting payment: one aging bucket
    dos_bucket: str = ""  # one aging bucket by days since the first date of service

    def params(self) -> dict[str, str]:
        """As query parameters (what a saved filter stores and a link carries)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, ""):
                out[f.name] = str(value)
        return out

    @property
    def active(self) -> bool:
        return bool(self.params())


FILTER_KEYS = tuple(f.name for f in fields(QueueFilters))


def _uuid(value: str, name: str, errors: dict[str, str]) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        errors[name] = "Not a known id."
        return None


def _int(value: str, name: str, errors: dict[str, str]) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 5:
        errors[name] = "A whole number of days (0 or more)."
        return None
    return int(value)


def _amount(value: str, name: str, errors: dict[str, str]) -> Decimal | None:
    if not value:
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        errors[name] = "An amount in dollars, e.g. 150 or 150.00."
        return None
    if not amount.is_finite() or amount < 0 or amount > Decimal("9999999999"):
        errors[name] = "An amount in dollars, 0 or more."
        return None
    return amount


def _choice(value: str, name: str, allowed: Any, errors: dict[str, str]) -> str:
    if value and value not in allowed:
        errors[name] = f"Choose one of: {', '.join(sorted(allowed))}."
        return ""
    return value


def parse_filters(data: Mapping[str, Any]) -> QueueFilters:
    """Filters from query parameters (or a saved filter's params); field messages on bad input."""

    def get(name: str) -> str:
        value = data.get(name, "")
        return str(value).strip() if value is not None else ""

    errors: dict[str, str] = {}
    edit_code = get("edit_code").upper()
    if len(edit_code) > 40:
        errors["edit_code"] = "At most 40 characters."
    found = QueueFilters(
        payer=_uuid(get("payer"), "payer", errors),
        program=_choice(get("program"), "program", Program.values, errors),
        level=_choice(get("level"), "level", LevelOfCare.values, errors),
        provider=_uuid(get("provider"), "provider", errors),
        age_min=_int(get("age_min"), "age_min", errors),
        age_max=_int(get("age_max"), "age_max", errors),
        amount_min=_amount(get("amount_min"), "amount_min", errors),
        amount_max=_amount(get("amount_max"), "amount_max", errors),
        edit_code=edit_code[:40],
        assigned=_choice(get("assigned"), "assigned", ASSIGNED_CHOICES, errors),
        bucket=_choice(get("bucket"), "bucket", BUCKET_KEYS, errors),
        dos_bucket=_choice(get("dos_bucket"), "dos_bucket", BUCKET_KEYS, errors),
    )
    if errors:
        raise ValidationError(errors)
    return found


def parse_queue(value: str | None, default: str = "held") -> Queue:
    key = value or default
    if key not in QUEUES:
        raise ValidationError({"queue": f"Choose one of: {', '.join(QUEUES)}."})
    return QUEUES[key]


def parse_sort(value: str | None) -> str:
    key = value or "priority"
    if key not in SORTS:
        raise ValidationError({"sort": f"Choose one of: {', '.join(SORTS)}."})
    return key


# --- Dates and ages --------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    """The first moment of `day` on the org's clock (the current time zone)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _age_q(field_name: str, sent: bool, today: dt.date, lo: int | None, hi: int | None) -> Q:
    """Claims `lo` to `hi` days old (inclusive; None: open) by `field_name`'s local date."""
    q = Q()
    if lo is not None:  # local date <= today - lo
        last = today - dt.timedelta(days=lo)
        q &= (
            Q(**{f"{field_name}__lt": _day_start(last + dt.timedelta(days=1))})
            if sent
            else Q(**{f"{field_name}__lte": last})
        )
    if hi is not None:  # local date >= today - hi
        first = today - dt.timedelta(days=hi)
        q &= Q(**{f"{field_name}__gte": _day_start(first) if sent else first})
    return q


def _age_field(queue: Queue) -> str:
    return "submitted_at" if queue.sent else "service_from"


def _bucket_q(key: str, today: dt.date) -> Q:
    _, _, lo, hi = next(b for b in BUCKETS if b[0] == key)
    return _age_q("submitted_at", True, today, lo, hi)


def dos_bucket_q(key: str, today: dt.date) -> Q:
    """Claims in aging bucket `key` by days since their first date of service."""
    _, _, lo, hi = next(b for b in BUCKETS if b[0] == key)
    return _age_q("service_from", False, today, lo, hi)


def bucket_q(key: str, today: dt.date, *, basis: str = "submission") -> Q:
    """Aging bucket `key` by submission date (basis "submission") or date of service."""
    return dos_bucket_q(key, today) if basis == "service" else _bucket_q(key, today)


def queue_q(key: str, today: dt.date) -> Q:
    """Which claims are in queue `key` today."""
    queue = QUEUES[key]
    if key == "ar":
        return Q(status__in=queue.statuses, balance__gt=0)
    if key != "follow_up":
        return Q(status__in=queue.statuses)
    cutoff = _day_start(today - dt.timedelta(days=FOLLOW_UP_AFTER_DAYS))
    unpaid = Q(status=S.ACCEPTED) & (
        Q(acknowledged_at__lt=cutoff) | Q(acknowledged_at__isnull=True, submitted_at__lt=cutoff)
    )
    return Q(status__in=queue.statuses) & (Q(follow_up_on__lte=today) | unpaid)


def _filters_q(filters: QueueFilters, *, queue: Queue, user: Any, today: dt.date) -> Q:
    q = Q()
    if filters.payer:
        q &= Q(payer__public_id=filters.payer)
    if filters.program:
        q &= Q(program=filters.program)
    if filters.level:
        q &= Q(level=filters.level)
    if filters.provider:
        q &= Q(rendering_provider__public_id=filters.provider)
    if filters.age_min is not None or filters.age_max is not None:
        q &= _age_q(_age_field(queue), queue.sent, today, filters.age_min, filters.age_max)
    if filters.amount_min is not None:
        q &= Q(total_charge__gte=filters.amount_min)
    if filters.amount_max is not None:
        q &= Q(total_charge__lte=filters.amount_max)
    if filters.edit_code:
        q &= Q(hold_codes__contains=[filters.edit_code])
    if filters.assigned == "me":
        q &= Q(assigned_to=user)
    elif filters.assigned == "unassigned":
        q &= Q(assigned_to__isnull=True)
    if filters.bucket:
        q &= _bucket_q(filters.bucket, today)
    if filters.dos_bucket:
        q &= dos_bucket_q(filters.dos_bucket, today)
    return q


def filing_deadline() -> CombinedExpression:
    """The last day the payer accepts the claim: first date of service + its filing limit."""
    return CombinedExpression(
        F("service_from"), "+", F("payer__timely_filing_days"), output_field=DateField()
    )


def priority_order() -> list[Any]:
    return [
        OrderBy(filing_deadline()),
        F("total_charge").desc(),
        F("service_from").asc(),
        F("pk").asc(),
    ]


def _order(sort: str, queue: Queue) -> list[Any]:
    if sort == "priority":
        return priority_order()
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "age":  # older = an earlier date: "-age" (oldest first) sorts the date ascending
        date = F(_age_field(queue))
        primary = date.asc(nulls_last=True) if descending else date.desc(nulls_last=True)
    else:
        column = {"amount": "total_charge", "service_date": "service_from", "payer": "payer__name"}
        expr = F(column[key])
        primary = expr.desc() if descending else expr.asc()
    return [primary, F("pk").asc()]


# --- Queues ----------------------------------------------------------------------------------


@dataclass
class QueuePage:
    queue: Queue
    filters: QueueFilters
    sort: str
    rows: list[Claim]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.rows)


def queue_claims_qs(
    *, queue: Queue, filters: QueueFilters, user: Any, today: dt.date | None = None
) -> QuerySet[Claim]:
    """The queue's claims under the filters, unordered (what `claim_next` locks from)."""
    today = today or timezone.localdate()
    return Claim.objects.filter(
        queue_q(queue.key, today), _filters_q(filters, queue=queue, user=user, today=today)
    )


def _annotate_row(claim: Claim, queue: Queue, today: dt.date) -> None:
    """Age, filing days left and aging bucket, computed from the row (no query)."""
    if queue.sent and claim.submitted_at is not None:
        since = timezone.localdate(claim.submitted_at)
    else:
        since = claim.service_from
    claim.age_days = (today - since).days  # type: ignore[attr-defined]
    days_left = claim.payer.timely_filing_days - (today - claim.service_from).days
    claim.filing_days_left = days_left  # type: ignore[attr-defined]
    sent_age = (today - timezone.localdate(claim.submitted_at)).days if claim.submitted_at else None
    claim.bucket = bucket_of(sent_age) if sent_age is not None else ""  # type: ignore[attr-defined]


def bucket_of(days: int) -> str:
    """The aging bucket of a claim submitted `days` ago."""
    for key, _, _, last in BUCKETS:
        if last is None or days <= last:
            return key
    return BUCKETS[-1][0]


def claims_in_queue(
    *,
    queue: str | Queue,
    filters: QueueFilters | None = None,
    sort: str = "priority",
    user: Any,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> QueuePage:
    """One page of a queue: two queries (the count and the rows with their payer, patient,
    rendering provider and assignee)."""
    queue = queue if isinstance(queue, Queue) else parse_queue(queue)
    filters = filters or QueueFilters()
    sort = parse_sort(sort)
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    today = timezone.localdate()
    qs = queue_claims_qs(queue=queue, filters=filters, user=user, today=today)
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = max(1, min(int(page), pages))
    start = (page - 1) * per_page
    rows = list(
        qs.select_related("payer", "patient", "rendering_provider", "assigned_to").order_by(
            *_order(sort, queue)
        )[start : start + per_page]
    )
    for row in rows:
        _annotate_row(row, queue, today)
    return QueuePage(queue, filters, sort, rows, total, page, per_page)


def queue_counts(*, user: Any, filters: QueueFilters | None = None) -> dict[str, int]:
    """How many claims each queue holds (under the filters but the aging bucket): one query."""
    filters = replace(filters or QueueFilters(), bucket="")
    today = timezone.localdate()
    aggregates = {}
    for key, queue in QUEUES.items():
        q = queue_q(key, today) & _filters_q(filters, queue=queue, user=user, today=today)
        aggregates[key] = Count("pk", filter=q)
    return Claim.objects.aggregate(**aggregates)


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    count: int
    amount: Decimal


def aging_buckets(*, user: Any, filters: QueueFilters | None = None) -> list[Bucket]:
    """Claims awaiting payment by days since submission, with their charges: one query."""
    queue = QUEUES["awaiting_payment"]
    filters = replace(filters or QueueFilters(), bucket="")
    today = timezone.localdate()
    qs = queue_claims_qs(queue=queue, filters=filters, user=user, today=today)
    aggregates: dict[str, Any] = {}
    for key, *_ in BUCKETS:
        q = _bucket_q(key, today)
        aggregates[f"n{key}"] = Count("pk", filter=q)
        aggregates[f"a{key}"] = Sum("total_charge", filter=q)
    found = qs.aggregate(**aggregates)
    return [
        Bucket(key, label, found[f"n{key}"], found[f"a{key}"] or Decimal("0"))
        for key, label, *_ in BUCKETS
    ]


def edit_codes_held() -> list[str]:
    """The edit codes holding claims now (for the edit-code filter): one query."""
    rows = (
        Claim.objects.filter(status=S.HELD)
        .exclude(hold_codes=[])
        .values_list("hold_codes", flat=True)
    )
    return sorted({code for codes in rows for code in codes})


def saved_filters_of(*, user: Any) -> list[SavedQueueFilter]:
    return list(SavedQueueFilter.objects.filter(user=user).order_by("name"))

"""Claim reads: the work queues (`claims_in_queue`, `queue_counts`, `aging_buckets`), one claim
with everything its page shows (`claim_detail`) and the claim a session is on (`session_claim`).

Each runs a fixed number of queries whatever the number of rows (the tests count them).

Age, in the queues: for claims the payer has (awaiting acknowledgment, rejected, awaiting
payment) the days since the claim was submitted; for the others the days since its first date of
service. Days are the org's local days.

Priority (the default sort, and the order in which `claim_next` hands claims out), explainable
in one sentence each:
1. fewest timely-filing days left (the payer's filing limit counted from the first date of
   service): a claim that misses it is never paid;
2. then the larger amount (total charge);
3. then the older service;
4. then the claim built first (a stable order).

Modules: `queues` (queues, filters, counts, aging) and `detail` (one claim; a session's claim).
"""

from claims.selectors.detail import (
    ClaimDetail,
    EdiPreview,
    EventRow,
    claim_837_preview,
    claim_detail,
    claims_by_public_ids,
    session_claim,
)
from claims.selectors.queues import (
    AR_STATUSES,
    ASSIGNED_CHOICES,
    BUCKETS,
    FILTER_KEYS,
    MAX_PER_PAGE,
    PER_PAGE,
    QUEUES,
    SORTS,
    Bucket,
    Queue,
    QueueFilters,
    QueuePage,
    aging_buckets,
    bucket_q,
    claims_in_queue,
    edit_codes_held,
    filing_deadline,
    parse_filters,
    parse_queue,
    parse_sort,
    priority_order,
    queue_claims_qs,
    queue_counts,
    queue_q,
    saved_filters_of,
)

__all__ = [
    "AR_STATUSES",
    "ASSIGNED_CHOICES",
    "BUCKETS",
    "FILTER_KEYS",
    "MAX_PER_PAGE",
    "PER_PAGE",
    "QUEUES",
    "SORTS",
    "Bucket",
    "ClaimDetail",
    "EdiPreview",
    "EventRow",
    "Queue",
    "QueueFilters",
    "QueuePage",
    "aging_buckets",
    "bucket_q",
    "claim_837_preview",
    "claim_detail",
    "claims_by_public_ids",
    "claims_in_queue",
    "edit_codes_held",
    "filing_deadline",
    "parse_filters",
    "parse_queue",
    "parse_sort",
    "priority_order",
    "queue_claims_qs",
    "queue_counts",
    "queue_q",
    "saved_filters_of",
    "session_claim",
]

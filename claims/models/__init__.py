"""Claims models, one module per concern (each module's models are imported here so Django
finds them): claims and lines, submission batches (and, from their modules, the chargemaster
and clearinghouse accounts)."""

from claims.models.batch import BatchClaim, SubmissionBatch
from claims.models.chargemaster import ChargemasterEntry
from claims.models.claim import (
    ACTIVE_STATUSES,
    SENT_STATUSES,
    UNSENT_STATUSES,
    Claim,
    ClaimEvent,
    ClaimFinding,
    ClaimLine,
    ClaimService,
    SavedQueueFilter,
)
from claims.models.clearinghouse import AcknowledgmentFile, ClearinghouseAccount, SandboxMessage
from claims.models.eligibility import EligibilityCheck

__all__ = [
    "ACTIVE_STATUSES",
    "AcknowledgmentFile",
    "SENT_STATUSES",
    "UNSENT_STATUSES",
    "BatchClaim",
    "ChargemasterEntry",
    "Claim",
    "ClaimEvent",
    "ClaimFinding",
    "ClaimLine",
    "ClaimService",
    "ClearinghouseAccount",
    "EligibilityCheck",
    "SandboxMessage",
    "SavedQueueFilter",
    "SubmissionBatch",
]

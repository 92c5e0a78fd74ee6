"""Remittance posting and denial work (one module per concern; imported here for Django)."""

from denials.models.denial import OPEN_DENIAL_STATUSES, Denial, DenialEvent
from denials.models.remittance import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    PatientLedgerEntry,
    PostingException,
    ProviderAdjustment,
    Remittance,
    RemittanceFile,
)

__all__ = [
    "OPEN_DENIAL_STATUSES",
    "Adjustment",
    "ClaimPayment",
    "Denial",
    "DenialEvent",
    "LinePayment",
    "PatientLedgerEntry",
    "PostingException",
    "ProviderAdjustment",
    "Remittance",
    "RemittanceFile",
]

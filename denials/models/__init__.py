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
from denials.models.work import Appeal, DenialSettings, ParityEscalation

__all__ = [
    "OPEN_DENIAL_STATUSES",
    "Adjustment",
    "Appeal",
    "ClaimPayment",
    "Denial",
    "DenialEvent",
    "DenialSettings",
    "LinePayment",
    "ParityEscalation",
    "PatientLedgerEntry",
    "PostingException",
    "ProviderAdjustment",
    "Remittance",
    "RemittanceFile",
]

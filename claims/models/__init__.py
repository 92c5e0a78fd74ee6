"""Claims models, one module per concern (each module's models are imported here so Django
finds them): chargemaster, claims and lines, submission batches, clearinghouse accounts."""

from claims.models.chargemaster import ChargemasterEntry  # noqa: F401

__all__ = ["ChargemasterEntry"]

"""Bundled code sets: ICD-10-CM (F and Z chapters) and NPI validation. No Django."""

from .icd10 import (
    IcdCode,
    InvalidIcd10,
    billable_codes,
    code_set_version,
    description,
    is_sud,
    is_z_sdoh,
    iter_codes,
    normalize_icd10,
    validate_icd10,
)
from .npi import InvalidNpi, npi_check_digit, validate_npi

__all__ = [
    "IcdCode",
    "InvalidIcd10",
    "InvalidNpi",
    "billable_codes",
    "code_set_version",
    "description",
    "is_sud",
    "is_z_sdoh",
    "iter_codes",
    "normalize_icd10",
    "npi_check_digit",
    "validate_icd10",
    "validate_npi",
]

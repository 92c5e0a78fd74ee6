"""NPI format and check-digit validation (pure Python, no Django)."""

from __future__ import annotations

NPI_LENGTH = 10
# Source: REFERENCE.md §4, NPI check digit: Luhn with prefix 80840 (= +24 to the Luhn sum)
NPI_PREFIX_LUHN_SUM = 24


class InvalidNpi(ValueError):
    """Raised for an NPI of the wrong length, with non-digits, or with a bad check digit."""


def _luhn_sum(digits: str) -> int:
    """Luhn sum of `digits`, doubling every other digit starting from the rightmost."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total


def npi_check_digit(first9: str) -> int:
    """Check digit for the first nine digits of an NPI."""
    if len(first9) != NPI_LENGTH - 1 or not (first9.isascii() and first9.isdigit()):
        raise InvalidNpi(f"need exactly 9 digits to compute an NPI check digit, got {first9!r}")
    return (10 - (_luhn_sum(first9) + NPI_PREFIX_LUHN_SUM) % 10) % 10


def validate_npi(npi: str) -> str:
    """The NPI with surrounding spaces trimmed, or InvalidNpi saying what is wrong."""
    value = str(npi).strip()
    if not (value.isascii() and value.isdigit()):
        raise InvalidNpi(f"NPI {value!r} must contain digits only")
    if len(value) != NPI_LENGTH:
        raise InvalidNpi(f"NPI {value!r} must be exactly 10 digits (got {len(value)})")
    expected = npi_check_digit(value[:9])
    if int(value[9]) != expected:
        raise InvalidNpi(
            f"NPI {value!r} has a bad check digit: expected {expected}, got {value[9]}"
        )
    return value

"""NPI check-digit validation."""

import pytest

from coding.codesets import InvalidNpi, npi_check_digit, validate_npi


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", " 1234567893 "])
def test_valid_npis(npi):
    assert validate_npi(npi) == npi.strip()


@pytest.mark.parametrize(("first9", "digit"), [("123456789", 3), ("124531959", 9)])
def test_check_digit(first9, digit):
    assert npi_check_digit(first9) == digit


@pytest.mark.parametrize(
    ("npi", "fragment"),
    [
        ("1234567890", "bad check digit: expected 3, got 0"),
        ("1245319598", "bad check digit: expected 9, got 8"),
        ("123456789", "exactly 10 digits (got 9)"),
        ("12345678931", "exactly 10 digits (got 11)"),
        ("12345A7893", "digits only"),
        ("", "digits only"),
        ("１２３４５６７８９３", "digits only"),
    ],
)
def test_invalid_npis(npi, fragment):
    with pytest.raises(InvalidNpi, match="NPI") as caught:
        validate_npi(npi)
    assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("first9", ["12345678", "1234567890", "12345678x"])
def test_check_digit_needs_nine_digits(first9):
    with pytest.raises(InvalidNpi, match="9 digits"):
        npi_check_digit(first9)

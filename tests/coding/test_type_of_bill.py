"""Type of bill = facility type + classification (payer data) + the claim's frequency digit,
chosen per claim (REFERENCE.md §2 "Type of bill [V]")."""

from __future__ import annotations

import datetime

import pytest

from coding.institutional import Frequency, frequency_for, type_of_bill

D = datetime.date
ADMIT, DISCHARGE = D(2026, 3, 2), D(2026, 5, 20)


@pytest.mark.parametrize(
    ("start", "end", "discharged", "frequency"),
    [
        (ADMIT, DISCHARGE, DISCHARGE, Frequency.ADMIT_THROUGH_DISCHARGE),
        (ADMIT, D(2026, 3, 31), DISCHARGE, Frequency.INTERIM_FIRST),
        (D(2026, 4, 1), D(2026, 4, 30), DISCHARGE, Frequency.INTERIM_CONTINUING),
        (D(2026, 5, 1), DISCHARGE, DISCHARGE, Frequency.INTERIM_LAST),
        (D(2026, 4, 1), D(2026, 4, 30), None, Frequency.INTERIM_CONTINUING),
        (ADMIT, D(2026, 3, 31), None, Frequency.INTERIM_FIRST),
    ],
)
def test_the_frequency_digit_follows_the_statement_period(start, end, discharged, frequency):
    assert (
        frequency_for(period_start=start, period_end=end, admitted=ADMIT, discharged=discharged)
        is frequency
    )


def test_replacement_and_void_take_precedence():
    period = dict(period_start=ADMIT, period_end=DISCHARGE, admitted=ADMIT, discharged=DISCHARGE)
    assert frequency_for(**period, replacing=True) is Frequency.REPLACEMENT
    assert frequency_for(**period, voiding=True) is Frequency.VOID


@pytest.mark.parametrize(
    ("facility_class", "frequency", "tob"),
    [("13", "1", "131"), ("86", Frequency.INTERIM_FIRST, "862"), ("76", "7", "767")],
)
def test_type_of_bill_is_built_at_claim_time(facility_class, frequency, tob):
    assert type_of_bill(facility_class, frequency) == tob


@pytest.mark.parametrize("bad", ["131", "1", "", "X3", "03"])
def test_a_facility_class_is_two_digits(bad):
    with pytest.raises(ValueError, match="2 digits"):
        type_of_bill(bad, "1")


def test_the_sites_facility_type_wins_over_the_payers_level_data():
    from coding.institutional import facility_class

    assert type_of_bill(facility_class("76", "13"), "1") == "761"  # a CMHC site
    assert type_of_bill(facility_class("", "13"), "1") == "131"
    with pytest.raises(ValueError, match="no facility type"):
        facility_class("", None)

"""Scrub edits on institutional (837I) claims: a clean residential SUD claim yields no finding,
and breaking one fact of the institutional header (type of bill, admission date, patient
status, attending) or of its lines yields exactly the finding that names it."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.scrub import scrub
from claims.snapshot import ClaimSnapshot, ConsentSnap
from tests.claims.snapshots import (
    DOS,
    institutional,
    prescriber,
    replace,
    with_coverage,
    with_line,
    with_lines,
    with_service,
)
from tests.claims.test_scrub_edits import Case, E, found


def _days(snapshot: ClaimSnapshot, count: int) -> ClaimSnapshot:
    lines = [replace(snapshot.lines[0], number=n) for n in range(1, count + 1)]
    return with_lines(snapshot, *lines)


INSTITUTIONAL_CASES = [
    pytest.param(
        lambda: institutional(attending=None), [("ATTENDING-MISSING", E, None)], id="no-attending"
    ),
    pytest.param(
        lambda: replace(
            institutional(),
            attending=prescriber(public_id="att", blocks={DOS: ("excluded (OIG)",)}),
        ),
        [("PROVIDER-CANNOT-BILL", E, 1)],
        id="attending-blocked",
    ),
    pytest.param(
        lambda: institutional(type_of_bill="86"), [("TYPE-OF-BILL", E, None)], id="tob-two-digits"
    ),
    pytest.param(
        lambda: institutional(type_of_bill="867"),
        [("TYPE-OF-BILL", E, None)],
        id="tob-frequency-mismatch",
    ),
    pytest.param(
        lambda: institutional(frequency="7", type_of_bill="867", original_reference="P-1"),
        [],
        id="tob-replacement",
    ),
    pytest.param(
        lambda: institutional(admission_date=None),
        [("ADMISSION-DATE", E, None)],
        id="no-admission-date",
    ),
    pytest.param(
        lambda: institutional(admission_date=DOS + dt.timedelta(days=1)),
        [("ADMISSION-DATE", E, None)],
        id="admitted-after-the-first-day",
    ),
    pytest.param(
        lambda: institutional(type_of_bill="133", admission_date=None),
        [],
        id="outpatient-bill-needs-no-admission",
    ),
    pytest.param(
        lambda: institutional(patient_status=""),
        [("PATIENT-STATUS", E, None)],
        id="no-patient-status",
    ),
    pytest.param(
        lambda: with_line(institutional(), revenue_code=""),
        [("LINE-CODE", E, 1)],
        id="line-without-revenue-code",
    ),
    pytest.param(lambda: with_line(institutional(), code=""), [], id="revenue-code-only-line"),
    pytest.param(lambda: _days(institutional(), 999), [], id="999-lines"),
    pytest.param(lambda: _days(institutional(), 1000), [("LINE-LIMIT", E, None)], id="1000-lines"),
    pytest.param(
        lambda: institutional(diagnoses=("F10.20",) + ("F41.1",) * 25),
        [("DX-LIMIT", E, None)],
        id="26-diagnoses",
    ),
    pytest.param(
        lambda: institutional(
            consent=ConsentSnap(required=True, permitted=False, reason="expired")
        ),
        [("PART2-CONSENT", E, None)],
        id="part2-consent-expired",
    ),
    pytest.param(
        lambda: with_service(
            institutional(), 1, day_outcome="deny", day_reason="left before midnight census"
        ),
        [("PROGRAM-DAY-MINIMUM", E, 2)],
        id="census-day-denied",
    ),
    pytest.param(
        lambda: with_coverage(institutional(), end_date=DOS + dt.timedelta(days=1)),
        [("COVERAGE-INACTIVE", E, 3)],
        id="coverage-ends-mid-stay",
    ),
]


@pytest.mark.parametrize(("make", "expected"), INSTITUTIONAL_CASES)
def test_one_broken_fact_on_an_institutional_claim_yields_its_finding(make: Case, expected):
    assert found(make()) == sorted(expected, key=str)


@pytest.mark.parametrize(
    ("frequency", "status", "held"),
    [
        ("2", "30", False),
        ("3", "01", True),
        ("1", "30", True),
        ("4", "01", False),
        ("7", "30", False),
    ],
)
def test_patient_status_fits_the_bill_frequency(frequency: str, status: str, held: bool) -> None:
    snap = institutional(
        frequency=frequency,
        type_of_bill=f"86{frequency}",
        patient_status=status,
        original_reference="P-1",
    )
    codes = [f.code for f in scrub(snap) if f.code == "PATIENT-STATUS"]
    assert bool(codes) is held


def test_institutional_filing_clock_starts_at_the_through_date() -> None:
    # CMS Pub. 100-04 ch. 1 §70.1: span claims count from the "through" date.
    snap = institutional()
    limit = (snap.today - snap.service_to).days + 1
    late_from = replace(snap, payer_edits=replace(snap.payer_edits, timely_filing_days=limit))
    assert "TIMELY-FILING" not in {f.code for f in scrub(late_from)}

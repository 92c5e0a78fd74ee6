"""Credentialing rules as pure functions: gaps per severity and who may bill on a date."""

from __future__ import annotations

import datetime as dt

import pytest

from credentialing import rules
from credentialing.rules import EnrollmentFacts, LicenseFacts, PayerFacts, ProviderFacts, Severity

AS_OF = dt.date(2026, 11, 2)
PAYER = PayerFacts(id=1, name="Acme Health")


def day(offset: int) -> dt.date:
    return AS_OF + dt.timedelta(days=offset)


def lic(expires: int, status: str = "active", state: str = "IL", issued: int | None = -700):
    return LicenseFacts(
        state=state,
        number=f"N{expires}",
        status=status,
        issued_on=day(issued) if issued is not None else None,
        expires_on=day(expires),
    )


def enrolled(**fields) -> EnrollmentFacts:
    defaults = dict(payer_id=1, status="enrolled", effective_date=day(-400))
    defaults.update(fields)
    return EnrollmentFacts(**defaults)


def codes(gaps: list[rules.Gap]) -> list[tuple[str, str]]:
    return [(g.code, g.severity.value) for g in gaps]


@pytest.mark.parametrize(
    ("licenses", "expected"),
    [
        ([lic(400)], []),
        ([lic(-1)], [("license_expired", "block")]),
        ([lic(0)], [("license_expiring", "warn")]),
        ([lic(60)], [("license_expiring", "warn")]),
        ([lic(61)], []),
        ([lic(-30), lic(300)], []),  # a renewal in the same state replaces the expired license
        ([lic(-30, state="WI"), lic(300)], [("license_expired", "block")]),
        ([lic(300, status="suspended")], [("license_inactive", "block")]),
        ([], [("no_active_license", "block")]),
    ],
)
def test_license_gaps_flag_expired_expiring_and_missing_licenses(licenses, expected):
    assert codes(rules.license_gaps(licenses, AS_OF)) == expected


def test_license_gap_messages_say_which_license_and_when():
    (gap,) = rules.license_gaps([lic(-1)], AS_OF)
    assert gap.message == "License IL N-1 expired on Nov 1, 2026."


@pytest.mark.parametrize(
    ("attested_days_ago", "expected"),
    [
        (None, [("caqh_missing", "block")]),
        (121, [("caqh_lapsed", "block")]),
        (120, [("caqh_due", "warn")]),
        (90, [("caqh_due", "warn")]),
        (89, []),
        (0, []),
    ],
)
def test_caqh_attestation_older_than_120_days_blocks_and_due_within_30_warns(
    attested_days_ago, expected
):
    attested = day(-attested_days_ago) if attested_days_ago is not None else None
    assert codes(rules.caqh_gaps("lcsw", attested, AS_OF)) == expected


def test_caqh_is_not_expected_of_associates_or_peers():
    assert rules.caqh_gaps("associate", None, AS_OF) == []
    assert rules.caqh_gaps("peer_specialist", None, AS_OF) == []


@pytest.mark.parametrize(
    ("enrollments", "expected"),
    [
        ([], [("enrollment_missing", "block")]),
        ([EnrollmentFacts(payer_id=1, status="not_started")], [("enrollment_missing", "block")]),
        ([EnrollmentFacts(payer_id=1, status="submitted")], [("enrollment_pending", "warn")]),
        ([EnrollmentFacts(payer_id=1, status="denied")], [("enrollment_denied", "block")]),
        ([enrolled()], []),
        ([enrolled(recredential_due=day(121))], []),
        ([enrolled(recredential_due=day(120))], [("recredential_due", "warn")]),
        ([enrolled(recredential_due=day(-1))], [("recredential_overdue", "block")]),
        ([enrolled(end_date=day(-1))], [("enrollment_ended", "block")]),
        ([enrolled(effective_date=day(10))], [("enrollment_not_yet_effective", "warn")]),
        ([enrolled(payer_id=2)], [("enrollment_missing", "block")]),  # another payer's enrollment
    ],
)
def test_enrollment_gaps_per_expected_payer(enrollments, expected):
    assert codes(rules.enrollment_gaps(enrollments, [PAYER], AS_OF)) == expected


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (ProviderFacts("associate"), [("supervisor_missing", "block")]),
        (
            ProviderFacts("peer_specialist", supervisor_name="Dr. A", supervisor_active=False),
            [("supervisor_inactive", "block")],
        ),
        (ProviderFacts("associate", supervisor_name="Dr. A"), []),
        (ProviderFacts("lcsw"), []),
    ],
)
def test_supervisees_need_an_active_supervisor(facts, expected):
    assert codes(rules.supervision_gaps(facts)) == expected


def test_provider_gaps_list_blocks_before_warnings():
    facts = ProviderFacts("lcsw", caqh_attested_on=day(-100), licenses=(lic(-5),))
    gaps = rules.provider_gaps(facts, [], AS_OF)
    assert [g.severity for g in gaps] == [Severity.BLOCK, Severity.WARN]


@pytest.mark.parametrize(
    ("licenses", "enrollment", "on", "reasons"),
    [
        ([lic(300)], enrolled(), 0, []),
        ([lic(300)], None, 0, ["Not enrolled with Acme Health."]),
        (
            [lic(300)],
            EnrollmentFacts(payer_id=1, status="submitted"),
            0,
            ["Enrollment with Acme Health is pending."],
        ),
        (
            [lic(300)],
            enrolled(effective_date=day(5)),
            0,
            ["Enrollment with Acme Health is effective only from Nov 7, 2026."],
        ),
        ([lic(300)], enrolled(effective_date=day(5)), 5, []),
        (
            [lic(300)],
            enrolled(end_date=day(-1)),
            0,
            ["Enrollment with Acme Health ended on Nov 1, 2026."],
        ),
        ([lic(-1)], enrolled(), 0, ["No active, unexpired license on Nov 2, 2026."]),
        (
            [lic(-1)],
            enrolled(),
            -1,
            [],
        ),  # the license was still valid on an earlier date of service
        ([lic(300, issued=1)], enrolled(), 0, ["No active, unexpired license on Nov 2, 2026."]),
        (
            [lic(300, status="revoked")],
            enrolled(),
            0,
            ["No active, unexpired license on Nov 2, 2026."],
        ),
    ],
)
def test_billing_needs_an_enrollment_and_a_valid_license_on_the_date(
    licenses, enrollment, on, reasons
):
    assert rules.billing_blocks(licenses, enrollment, "Acme Health", day(on)) == reasons

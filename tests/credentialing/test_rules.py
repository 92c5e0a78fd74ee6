"""Credentialing rules as pure functions: gaps per severity as of a day, and who may bill on a
date of service, decided from dated license periods, status changes and enrollment periods
(REFERENCE.md §11, "System rules": block when not enrolled on the DOS, or when the license is
expired or suspended)."""

from __future__ import annotations

import datetime as dt

import pytest

from credentialing import rules
from credentialing.rules import (
    EnrollmentFacts,
    EnrollmentPeriod,
    LicenseFacts,
    LicensePeriod,
    PayerFacts,
    ProviderFacts,
    Severity,
    StatusChange,
)

AS_OF = dt.date(2026, 11, 2)
PAYER = PayerFacts(id=1, name="Acme Health")


def day(offset: int) -> dt.date:
    return AS_OF + dt.timedelta(days=offset)


def lic(
    expires: int,
    status: str = "active",
    state: str = "IL",
    issued: int | None = -700,
    since: int = -800,
) -> LicenseFacts:
    """One license with one period; a non-active `status` applies from `since`."""
    changes = () if status == "active" else (StatusChange(status, day(since)),)
    return LicenseFacts(
        state=state,
        number=f"N{expires}",
        periods=(LicensePeriod(day(issued) if issued is not None else None, day(expires)),),
        status_changes=changes,
    )


def history(
    *periods: tuple[int | None, int], changes: tuple[tuple[str, int], ...] = ()
) -> LicenseFacts:
    """License IL 1 with periods as (starts, expires) offsets and changes as (status, from)."""
    return LicenseFacts(
        state="IL",
        number="1",
        periods=tuple(LicensePeriod(day(s) if s is not None else None, day(e)) for s, e in periods),
        status_changes=tuple(StatusChange(status, day(at)) for status, at in changes),
    )


def enrolled(*spans: tuple[int, int | None], status: str = "enrolled", **fields) -> EnrollmentFacts:
    """An enrollment with payer 1 and periods as (effective, end) offsets (default: one open
    period from 400 days ago)."""
    periods = tuple(
        EnrollmentPeriod(day(s), day(e) if e is not None else None)
        for s, e in spans or [(-400, None)]
    )
    return EnrollmentFacts(**{"payer_id": 1, "status": status, "periods": periods, **fields})


def codes(gaps: list[rules.Gap]) -> list[tuple[str, str]]:
    return [(g.code, g.severity.value) for g in gaps]


def blocks(licenses=(), enrollment=None, on: int = 0) -> list[str]:
    return rules.billing_blocks(list(licenses), enrollment or enrolled(), "Acme Health", day(on))


# --- License gaps as of a day ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("licenses", "expected"),
    [
        ([lic(400)], []),
        ([lic(-1)], [("license_expired", "block")]),
        ([lic(0)], [("license_expiring", "warn")]),
        ([lic(60)], [("license_expiring", "warn")]),
        ([lic(61)], []),
        ([lic(-30), lic(300)], []),  # a new number in the same state replaces the expired one
        ([lic(-30, state="WI"), lic(300)], [("license_expired", "block")]),
        ([lic(300, status="suspended")], [("license_inactive", "block")]),
        ([lic(300, status="suspended", since=1)], [("license_status_scheduled", "warn")]),
        ([], [("no_active_license", "block")]),
        # renewed on time (the renewal starts the day after the expiry): no gap, no warning
        ([history((-700, 10), (11, 740))], []),
        # renewed late: the gap ahead is warned about, the gap today blocks
        ([history((-700, 10), (20, 740))], [("license_expiring", "warn")]),
        ([history((-700, -10), (5, 740))], [("license_lapsed", "block")]),
        ([history((5, 740))], [("license_not_yet_valid", "block")]),
        ([history((-700, 300), changes=(("suspended", -60), ("active", -30)))], []),
        (
            [history((-700, 300), changes=(("suspended", -60), ("active", 30)))],
            [("license_inactive", "block")],
        ),
    ],
)
def test_license_gaps_read_the_period_and_status_in_effect_on_the_day(licenses, expected):
    assert codes(rules.license_gaps(licenses, AS_OF)) == expected


@pytest.mark.parametrize(
    ("licenses", "message"),
    [
        ([lic(-1)], "License IL N-1 expired on Nov 1, 2026."),
        (
            [history((-700, -10), (5, 740))],
            "License IL 1 expired on Oct 23, 2026 and the renewal takes effect only on "
            "Nov 7, 2026.",
        ),
        (
            [history((-700, 300), changes=(("suspended", -60),))],
            "License IL 1 is suspended (since Sep 3, 2026).",
        ),
        (
            [lic(300, status="revoked", since=3)],
            "License IL N300 will be revoked from Nov 5, 2026.",
        ),
        ([history((-700, 10), (20, 740))], "License IL 1 expires on Nov 12, 2026 (in 10 days)."),
    ],
)
def test_license_gap_messages_say_which_license_and_when(licenses, message):
    (gap,) = rules.license_gaps(licenses, AS_OF)
    assert gap.message == message


# --- CAQH ------------------------------------------------------------------------------------


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


# --- Enrollment gaps as of a day -------------------------------------------------------------


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
        ([enrolled((-400, -1))], [("enrollment_ended", "block")]),
        ([enrolled((-400, 0))], [("enrollment_ending", "warn")]),  # the end date is covered
        ([enrolled((-400, -1), status="terminated")], [("enrollment_terminated", "block")]),
        ([enrolled((10, None))], [("enrollment_not_yet_effective", "warn")]),
        ([enrolled((-400, -100), (-30, None))], []),  # re-enrolled after a termination
        ([enrolled((-400, -100), (10, None))], [("enrollment_not_yet_effective", "warn")]),
        ([enrolled((-400, -100), status="submitted")], [("enrollment_pending", "warn")]),
        ([enrolled((-400, 20), (21, None))], []),  # a recorded renewal continues it
        ([enrolled(payer_id=2)], [("enrollment_missing", "block")]),  # another payer's enrollment
    ],
)
def test_enrollment_gaps_read_the_period_in_force_on_the_day(enrollments, expected):
    assert codes(rules.enrollment_gaps(enrollments, [PAYER], AS_OF)) == expected


# --- Supervision and the whole provider ------------------------------------------------------


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


# --- Billing on a date of service: licenses --------------------------------------------------

NO_LICENSE = "No active, unexpired license on {}."


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(-1, True), (0, True), (1, False)],
    ids=["day before expiry", "expiry date", "day after expiry"],
)
def test_a_license_covers_its_expiry_date_and_not_the_day_after(on, allowed):
    reasons = blocks([history((-700, 0))], on=on)
    assert reasons == ([] if allowed else [NO_LICENSE.format("Nov 3, 2026")])


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(-101, True), (-100, True), (-99, False), (-51, False), (-50, True), (0, True)],
    ids=[
        "before the old expiry",
        "old expiry date",
        "day after the old expiry",
        "day before the renewal",
        "renewal start",
        "in the renewal",
    ],
)
def test_a_service_in_the_gap_of_a_late_renewal_is_blocked(on, allowed):
    late = history((-700, -100), (-50, 680))
    reasons = blocks([late], on=on)
    if allowed:
        assert reasons == []
    else:
        assert reasons == [
            f"License IL 1 had lapsed on {rules.fmt(day(on))}: it expired on Jul 25, 2026 and "
            "was renewed only from Sep 13, 2026."
        ]


@pytest.mark.parametrize("on", [-100, -99])
def test_a_renewal_on_time_leaves_no_gap(on):
    assert blocks([history((-700, -100), (-99, 630))], on=on) == []


@pytest.mark.parametrize(
    ("starts", "on", "allowed"),
    [
        (1, 0, True),  # a suspension that starts after the date of service does not block it
        (0, 0, False),  # it applies from its effective date
        (-1, 0, False),
    ],
    ids=["starts the day after", "starts that day", "started the day before"],
)
def test_a_suspension_blocks_from_its_effective_date_only(starts, on, allowed):
    suspended = history((-700, 300), changes=(("suspended", starts),))
    reasons = blocks([suspended], on=on)
    assert reasons == ([] if allowed else ["License IL 1 was suspended on Nov 2, 2026."])


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(-61, True), (-60, False), (-31, False), (-30, True), (0, True)],
    ids=[
        "before the suspension",
        "suspension start",
        "last day suspended",
        "reinstatement date",
        "after reinstatement",
    ],
)
def test_a_reinstated_license_blocks_only_while_it_was_suspended(on, allowed):
    reinstated = history((-700, 300), changes=(("suspended", -60), ("active", -30)))
    assert (blocks([reinstated], on=on) == []) is allowed


def test_a_revocation_blocks_from_its_date_but_not_services_before_it():
    revoked = history((-700, 300), changes=(("revoked", -10),))
    assert blocks([revoked], on=-11) == []
    assert blocks([revoked], on=-10) == ["License IL 1 was revoked on Oct 23, 2026."]


def test_a_license_with_an_unknown_issue_date_covers_every_day_up_to_its_expiry():
    always = enrolled((-5000, None))
    assert blocks([history((None, 10))], always, on=-3000) == []
    assert blocks([history((None, 10))], on=11) == [NO_LICENSE.format("Nov 13, 2026")]


def test_a_service_before_the_license_was_issued_is_blocked():
    assert blocks([lic(300, issued=1)], on=0) == [NO_LICENSE.format("Nov 2, 2026")]


def test_any_one_valid_license_is_enough():
    assert blocks([lic(300, status="suspended"), lic(200, state="WI")]) == []


# --- Billing on a date of service: enrollments -----------------------------------------------


@pytest.mark.parametrize(
    ("effective", "reasons"),
    [
        (1, ["Enrollment with Acme Health is effective only from Nov 3, 2026."]),
        (0, []),
        (-1, []),
    ],
    ids=["effective the day after", "effective that day", "effective the day before"],
)
def test_an_enrollment_covers_services_from_its_effective_date(effective, reasons):
    assert blocks([lic(300)], enrolled((effective, None))) == reasons


@pytest.mark.parametrize(
    ("end", "reasons"),
    [
        (1, []),
        (0, []),  # the end date is the last covered day
        (-1, ["Enrollment with Acme Health ended on Nov 1, 2026."]),
    ],
    ids=["ends the day after", "ends that day", "ended the day before"],
)
def test_an_enrollment_covers_its_end_date_and_not_the_day_after(end, reasons):
    assert blocks([lic(300)], enrolled((-400, end))) == reasons


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(-100, True), (-99, False), (-31, False), (-30, True), (0, True)],
    ids=[
        "last day of the first period",
        "day after the termination",
        "day before re-enrollment",
        "re-enrollment date",
        "after re-enrollment",
    ],
)
def test_a_re_enrollment_after_a_termination_covers_only_its_own_period(on, allowed):
    re_enrolled = enrolled((-400, -100), (-30, None))
    reasons = blocks([lic(300)], re_enrolled, on=on)
    if allowed:
        assert reasons == []
    else:
        assert reasons == [
            "Enrollment with Acme Health ended on Jul 25, 2026 and resumed only on Oct 3, 2026."
        ]


@pytest.mark.parametrize(
    ("enrollment", "reason"),
    [
        (None, "Not enrolled with Acme Health."),
        (EnrollmentFacts(payer_id=1, status="not_started"), "Not enrolled with Acme Health."),
        (
            EnrollmentFacts(payer_id=1, status="submitted"),
            "Enrollment with Acme Health is pending.",
        ),
        (EnrollmentFacts(payer_id=1, status="denied"), "Enrollment with Acme Health is denied."),
        (
            enrolled((-400, -10), status="terminated"),
            "Enrollment with Acme Health ended on Oct 23, 2026.",
        ),
    ],
)
def test_no_period_in_force_on_the_date_means_not_enrolled(enrollment, reason):
    reasons = rules.billing_blocks([lic(300)], enrollment, "Acme Health", AS_OF)
    assert reasons == [reason]


def test_the_periods_decide_not_the_current_status():
    """A later termination or a denied re-application does not reach back over a period."""
    terminated = enrolled((-400, -10), status="terminated")
    denied_again = enrolled((-400, -100), status="denied")
    assert blocks([lic(300)], terminated, on=-10) == []
    assert blocks([lic(300)], denied_again, on=-200) == []


@pytest.mark.parametrize(
    ("due", "reasons"),
    [
        (0, []),
        (-1, ["Recredentialing with Acme Health was due on Nov 1, 2026 (no grace period)."]),
    ],
)
def test_recredentialing_overdue_on_the_date_blocks_with_no_grace_period(due, reasons):
    """REFERENCE.md §11: recredential every 36 months, no grace period."""
    assert blocks([lic(300)], enrolled(recredential_due=day(due))) == reasons


def test_license_and_enrollment_reasons_are_both_given():
    reasons = blocks([lic(-1)], EnrollmentFacts(payer_id=1, status="submitted"))
    assert reasons == [NO_LICENSE.format("Nov 2, 2026"), "Enrollment with Acme Health is pending."]

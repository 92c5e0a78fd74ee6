"""Compact privileges as pure rules: a telehealth service to a patient in another state is
billable with a license there or with a compact privilege there, whose own dates and whose home
license cover the date of service, and whose compact covers the home license's type
(REFERENCE.md §14, "Telehealth licensure"; sources in credentialing/compacts.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from credentialing import compacts, rules
from credentialing.compacts import PrivilegeFacts
from credentialing.rules import (
    EnrollmentFacts,
    EnrollmentPeriod,
    LicenseFacts,
    LicensePeriod,
    ProviderFacts,
    StatusChange,
)

AS_OF = dt.date(2026, 11, 2)


def day(offset: int) -> dt.date:
    return AS_OF + dt.timedelta(days=offset)


def home(
    *periods: tuple[int, int],
    license_type: str = "psychologist",
    changes: tuple[tuple[str, int], ...] = (),
    state: str = "OR",
) -> LicenseFacts:
    """License OR 1 with periods as (starts, expires) offsets (default: valid all around)."""
    return LicenseFacts(
        state=state,
        number="1",
        periods=tuple(LicensePeriod(day(s), day(e)) for s, e in periods or [(-700, 300)]),
        status_changes=tuple(StatusChange(status, day(at)) for status, at in changes),
        license_type=license_type,
    )


def privilege(
    effective: int = -300,
    expires: int | None = 65,
    *,
    state: str = "WA",
    compact: str = "psypact",
    home_license: LicenseFacts | None = None,
    ended: int | None = None,
    status: str = "active",
    number: str = "7001",
) -> PrivilegeFacts:
    return PrivilegeFacts(
        compact=compact,
        state=state,
        number=number,
        effective_on=day(effective),
        expires_on=day(expires) if expires is not None else None,
        home=home_license or home(),
        status=status,
        ended_on=day(ended) if ended is not None else None,
    )


ENROLLED = EnrollmentFacts(payer_id=1, status="enrolled", periods=(EnrollmentPeriod(day(-900)),))


def blocks(*privileges: PrivilegeFacts, licenses=None, on: int = 0, state="WA") -> list[str]:
    held = [home()] if licenses is None else list(licenses)
    return rules.billing_blocks(
        held, ENROLLED, "Acme Health", day(on), state=state, privileges=privileges
    )


# --- Which compact covers which license -----------------------------------------------------


@pytest.mark.parametrize(
    ("compact", "license_type", "covered"),
    [
        ("psypact", "psychologist", True),
        ("psypact", "lcsw", False),
        ("psypact", "psychiatrist", False),
        ("counseling", "lpc", True),
        ("counseling", "lmft", False),
        ("counseling", "addiction_counselor", False),
        ("social_work", "lcsw", True),
        ("social_work", "associate", False),
        ("social_work", "lpc", False),
        ("nurse_licensure", "pmhnp", False),  # the NLC covers RNs and LPNs, never APRNs
        ("psypact", "pmhnp", False),
    ],
)
def test_each_compact_covers_only_the_license_types_it_names(compact, license_type, covered):
    assert compacts.covers_license_type(compact, license_type) is covered


def test_no_compact_covers_nurse_practitioners_or_clinical_nurse_specialists():
    covered = {t for c in compacts.COMPACTS.values() for t in c.license_types}
    assert covered == {"psychologist", "lpc", "lcsw"}


# --- Billing in the patient's state ----------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "reason"),
    [
        (-11, "PSYPACT privilege in WA (7001) takes effect only on Oct 23, 2026."),
        (-10, None),
        (-1, None),
        (0, None),
        (1, "PSYPACT privilege in WA (7001) expired on Nov 2, 2026."),
    ],
    ids=["day before effective", "effective day", "in between", "expiry day", "day after"],
)
def test_a_privilege_covers_its_effective_day_through_its_expiry_day(on, reason):
    found = blocks(privilege(-10, 0), on=on)
    if reason is None:
        assert found == []
    else:
        assert found == [f"In WA, where the service was, no license is held; {reason}"]


def test_an_open_ended_privilege_covers_every_day_from_its_effective_day():
    assert blocks(privilege(-10, None), on=250) == []
    assert blocks(privilege(-10, None), on=-11) != []


@pytest.mark.parametrize(
    ("on", "allowed"),
    [(-6, True), (-5, True), (-4, False), (0, False)],
    ids=["before the home expiry", "home expiry day", "day after", "later"],
)
def test_a_privilege_is_valid_only_while_the_home_license_is(on, allowed):
    lapsed_home = home((-700, -5))
    reasons = blocks(privilege(home_license=lapsed_home), licenses=[lapsed_home], on=on)
    if allowed:
        assert reasons == []
    else:
        assert reasons == [
            "In WA, where the service was, no license is held; PSYPACT privilege in WA (7001) "
            "rests on the home license OR 1, which expired on Oct 28, 2026."
        ]


def test_a_suspended_home_license_suspends_the_privilege_for_those_days_only():
    suspended = home(changes=(("suspended", -30), ("active", -10)))
    granted = privilege(home_license=suspended)
    assert blocks(granted, licenses=[suspended], on=-31) == []
    assert blocks(granted, licenses=[suspended], on=-30) == [
        "In WA, where the service was, no license is held; PSYPACT privilege in WA (7001) "
        "rests on the home license OR 1, which was suspended on Oct 3, 2026."
    ]
    assert blocks(granted, licenses=[suspended], on=-10) == []


def test_a_home_license_renewed_late_leaves_the_privilege_unusable_in_the_gap():
    late = home((-700, -20), (-5, 700))
    granted = privilege(home_license=late)
    assert blocks(granted, licenses=[late], on=-20) == []
    assert (
        "had expired on Oct 13, 2026 and was renewed only from Oct 28, 2026"
        in (blocks(granted, licenses=[late], on=-10)[0])
    )
    assert blocks(granted, licenses=[late], on=-5) == []


@pytest.mark.parametrize(
    ("compact", "license_type", "message"),
    [
        (
            "psypact",
            "lcsw",
            "PSYPACT applies to psychologist licenses, and its home license OR 1 is an LCSW "
            "license.",
        ),
        (
            "counseling",
            "psychologist",
            "Counseling Compact applies to LPC/LMHC licenses, and its home license OR 1 is a "
            "psychologist license.",
        ),
        (
            "social_work",
            "lpc",
            "Social Work Compact applies to LCSW licenses, and its home license OR 1 is an "
            "LPC/LMHC license.",
        ),
    ],
)
def test_a_compact_that_does_not_cover_the_home_license_type_allows_nothing(
    compact, license_type, message
):
    wrong = home(license_type=license_type)
    reasons = blocks(privilege(compact=compact, home_license=wrong), licenses=[wrong])
    assert len(reasons) == 1
    assert reasons[0].endswith(f"cannot be used: {message}")


def test_a_privilege_revoked_early_is_valid_through_its_last_day_only():
    revoked = privilege(-300, 65, ended=-1, status="revoked")
    assert blocks(revoked, on=-1) == []
    assert blocks(revoked, on=0) == [
        "In WA, where the service was, no license is held; PSYPACT privilege in WA (7001) was "
        "revoked; its last valid day was Nov 1, 2026."
    ]


def test_with_nothing_in_the_state_the_message_lists_licenses_and_privileges_held():
    assert blocks(privilege(state="CA")) == [
        "No license or compact privilege in WA on Nov 2, 2026 (licenses held: OR; PSYPACT "
        "privileges: CA)."
    ]
    assert blocks() == [
        "No license or compact privilege in WA on Nov 2, 2026 (licenses held: OR; no compact "
        "privileges)."
    ]


def test_a_license_in_the_state_is_enough_without_a_privilege():
    in_wa = home(state="WA")
    assert blocks(licenses=[home(), in_wa]) == []


def test_a_valid_privilege_allows_even_when_the_license_in_that_state_has_expired():
    expired_wa = home((-700, -50), state="WA")
    assert blocks(privilege(), licenses=[home(), expired_wa]) == []
    both = blocks(privilege(-300, -40), licenses=[home(), expired_wa])
    assert both == [
        "In WA, where the service was: No active, unexpired license on Nov 2, 2026. PSYPACT "
        "privilege in WA (7001) expired on Sep 23, 2026."
    ]


def test_a_privilege_in_one_state_does_not_reach_another():
    assert blocks(privilege(state="ID"), state="WA")[0].startswith("No license or compact")
    assert blocks(privilege(state="ID"), state="ID") == []


def test_the_privilege_that_explains_a_date_is_the_one_nearest_to_it():
    older = privilege(-700, -400, number="A")
    newer = privilege(-300, -30, number="B")
    upcoming = privilege(30, 400, number="C")
    assert "(B) expired on Oct 3, 2026" in blocks(older, newer, upcoming)[0]
    assert "(A) takes effect only" not in blocks(older, newer, upcoming)[0]
    assert "(C) takes effect only on Dec 2, 2026" in blocks(upcoming)[0]


def test_without_a_state_privileges_play_no_part():
    expired = home((-700, -5))
    assert rules.billing_blocks(
        [expired], ENROLLED, "Acme Health", AS_OF, privileges=[privilege(home_license=expired)]
    ) == ["No active, unexpired license on Nov 2, 2026."]


# --- Gaps ------------------------------------------------------------------------------------


def gap_codes(*privileges: PrivilegeFacts) -> list[tuple[str, str]]:
    return [(g.code, g.severity.value) for g in rules.privilege_gaps(privileges, AS_OF)]


@pytest.mark.parametrize(
    ("privileges", "expected"),
    [
        ([privilege(-300, 61)], []),
        ([privilege(-300, 60)], [("privilege_expiring", "warn")]),
        ([privilege(-300, 0)], [("privilege_expiring", "warn")]),
        ([privilege(-300, -1)], [("privilege_expired", "block")]),
        ([privilege(-300, None)], []),
        # renewed on time: the next one starts the day after, so no warning yet
        ([privilege(-300, 30), privilege(31, 396)], []),
        # renewed late: the gap ahead warns; a gap today blocks
        ([privilege(-300, 30), privilege(40, 396)], [("privilege_expiring", "warn")]),
        ([privilege(-300, -10), privilege(5, 396)], [("privilege_lapsed", "block")]),
        ([privilege(10, 396)], []),  # not in effect yet: nothing to fix
        # relinquished or revoked on purpose: no gap, before or after the last day
        ([privilege(-300, 300, ended=20, status="relinquished")], []),
        ([privilege(-300, 300, ended=-20, status="revoked")], []),
        ([privilege(home_license=home((-700, -1)))], [("privilege_home_license_invalid", "block")]),
        (
            [privilege(home_license=home(license_type="lmft"))],
            [("privilege_not_covered", "block")],
        ),
        # one gap per compact x state
        (
            [privilege(-300, 20), privilege(-300, 30, state="ID", compact="psypact")],
            [("privilege_expiring", "warn"), ("privilege_expiring", "warn")],
        ),
    ],
)
def test_privilege_gaps_follow_the_license_warning_window(privileges, expected):
    assert gap_codes(*privileges) == expected


def test_privilege_gap_messages_say_which_privilege_and_when():
    (expiring,) = rules.privilege_gaps([privilege(-300, 45)], AS_OF)
    assert expiring.message == (
        "PSYPACT privilege in WA (7001) expires on Dec 17, 2026 (in 45 days)."
    )
    (expired,) = rules.privilege_gaps([privilege(-300, -1)], AS_OF)
    assert expired.message.startswith(
        "PSYPACT privilege in WA (7001) expired on Nov 1, 2026: telehealth to patients in WA "
        "cannot be billed"
    )


def test_provider_gaps_include_the_privileges():
    facts = ProviderFacts(
        license_type="psychologist",
        caqh_attested_on=day(-10),
        licenses=(home(),),
        privileges=(privilege(-300, 10),),
    )
    assert [g.code for g in rules.provider_gaps(facts, [], AS_OF)] == ["privilege_expiring"]


@pytest.mark.parametrize(
    ("granted", "standing"),
    [
        (privilege(-300, 65), "in effect"),
        (privilege(5, 65), "not yet in effect"),
        (privilege(-300, -1), "expired"),
        (privilege(-300, 65, ended=-1, status="revoked"), "revoked"),
        (privilege(-300, 65, ended=3, status="relinquished"), "in effect"),
        (privilege(home_license=home((-700, -1))), "home license not valid"),
        (privilege(home_license=home(license_type="lpc")), "not covered by the compact"),
    ],
)
def test_a_privileges_standing_on_a_day_is_one_phrase(granted, standing):
    assert rules.privilege_standing(granted, AS_OF) == standing

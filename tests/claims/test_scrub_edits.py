"""Each scrub edit over hand-made snapshots (no database): a clean claim yields no finding at
all, and breaking one fact yields exactly the finding that names it: its code, severity and
line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest

from claims.scrub import Severity, scrub
from claims.snapshot import ClaimSnapshot, ConsentSnap, PayerEdits
from tests.claims.snapshots import (
    BILLING_NPI,
    DOS,
    RENDERING_NPI,
    TODAY,
    institutional,
    line,
    other_claim,
    prescriber,
    professional,
    provider,
    replace,
    service,
    with_address,
    with_auth,
    with_billing,
    with_coverage,
    with_line,
    with_lines,
    with_rendering,
    with_service,
)

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
Case = Callable[[], ClaimSnapshot]


def found(snapshot: ClaimSnapshot) -> list[tuple[str, Severity, int | None]]:
    return sorted(((f.code, f.severity, f.line) for f in scrub(snapshot)), key=str)


def test_a_clean_professional_claim_yields_no_finding():
    assert scrub(professional()) == []


def test_a_clean_institutional_claim_yields_no_finding():
    assert scrub(institutional()) == []


def _bad_check_digit(npi: str) -> str:
    return npi[:9] + str((int(npi[9]) + 1) % 10)


def _sud(snapshot: ClaimSnapshot, **changes) -> ClaimSnapshot:
    facts = {
        "program": "sud",
        "diagnoses": ("F10.20",),
        "consent": ConsentSnap(required=True, permitted=True),
    }
    return replace(snapshot, **{**facts, **changes})


def _by_prescriber(*lines) -> ClaimSnapshot:
    return with_lines(professional(rendering=prescriber()), *lines)


def _span_message(start: dt.date, end: dt.date) -> str:
    return (
        f"Needs authorization: yes, none covers it ({DOS} is outside the authorized span of "
        f"AUTH-7 ({start} to {end}))."
    )


PROFESSIONAL_CASES = [
    # Coverage
    pytest.param(
        lambda: professional(coverage=None), [("COVERAGE-MISSING", E, None)], id="no-coverage"
    ),
    pytest.param(
        lambda: with_coverage(professional(), effective_date=DOS + dt.timedelta(days=1)),
        [("COVERAGE-INACTIVE", E, 1)],
        id="coverage-starts-after-the-date-of-service",
    ),
    pytest.param(
        lambda: with_coverage(professional(), end_date=DOS - dt.timedelta(days=1)),
        [("COVERAGE-INACTIVE", E, 1)],
        id="coverage-ended-before-the-date-of-service",
    ),
    pytest.param(
        lambda: with_coverage(professional(), member_id_present=False),
        [("COVERAGE-SUBSCRIBER", E, None)],
        id="no-member-id",
    ),
    pytest.param(
        lambda: with_coverage(professional(), subscriber_complete=False),
        [("COVERAGE-SUBSCRIBER", E, None)],
        id="subscriber-incomplete",
    ),
    pytest.param(
        lambda: with_coverage(professional(), payer_id=""),
        [("PAYER-ID-MISSING", E, None)],
        id="no-payer-edi-id",
    ),
    # Authorization
    pytest.param(
        lambda: with_auth(
            professional(),
            message="Needs authorization: yes, none covers it (no authorization on file).",
        ),
        [("AUTH-MISSING", E, 1)],
        id="auth-missing",
    ),
    pytest.param(
        lambda: with_auth(
            professional(),
            message="Needs authorization: yes, none covers it (no authorization on file for this "
            "level of care).",
        ),
        [("AUTH-OTHER-LEVEL", E, 1)],
        id="auth-for-another-level",
    ),
    pytest.param(
        lambda: with_auth(
            professional(),
            message="Needs authorization: yes, none covers it (Not enough authorized units for "
            "90837 (AUTH-7: 0 visits left).).",
        ),
        [("AUTH-EXHAUSTED", E, 1)],
        id="auth-units-used-up",
    ),
    pytest.param(
        lambda: with_auth(
            professional(),
            message=_span_message(DOS + dt.timedelta(days=3), DOS + dt.timedelta(days=30)),
        ),
        [("AUTH-NOT-YET-EFFECTIVE", E, 1)],
        id="auth-starts-later",
    ),
    pytest.param(
        lambda: with_auth(
            professional(),
            message=_span_message(DOS - dt.timedelta(days=30), DOS - dt.timedelta(days=1)),
        ),
        [("AUTH-EXPIRED", E, 1)],
        id="auth-ended",
    ),
    pytest.param(
        lambda: with_auth(
            professional(),
            message="Needs authorization: yes, none covers it (AUTH-7 is tied to Sam Okafor, MD; "
            "90837 is billed under Dana Reyes, LCSW).",
        ),
        [("AUTH-NOT-COVERED", E, 1)],
        id="auth-tied-to-another-provider",
    ),
    pytest.param(
        lambda: with_auth(professional(), message="Needs authorization: yes.", problem="expired"),
        [("AUTH-EXPIRED", E, 1)],
        id="auth-problem-given-by-the-builder",
    ),
    pytest.param(
        lambda: with_auth(professional(), covered=True, message="covered"),
        [("AUTH-NUMBER-MISSING", W, 1)],
        id="auth-without-its-number",
    ),
    pytest.param(
        lambda: with_auth(professional(), needed=False, covered=False, message="not needed"),
        [],
        id="auth-not-needed",
    ),
    pytest.param(
        lambda: with_auth(professional(), covered=True, message="covered", auth_number="A-1"),
        [],
        id="auth-present",
    ),
    # Part 2
    pytest.param(
        lambda: _sud(
            professional(), consent=ConsentSnap(required=True, permitted=False, reason="revoked")
        ),
        [("PART2-CONSENT", E, None)],
        id="part2-consent-revoked",
    ),
    pytest.param(
        lambda: _sud(professional(), consent=None),
        [("PART2-CONSENT", E, None)],
        id="part2-sud-claim-without-a-verdict",
    ),
    pytest.param(
        lambda: replace(professional(), consent=ConsentSnap(required=False, permitted=False)),
        [],
        id="part2-not-required",
    ),
    # Providers
    pytest.param(
        lambda: with_rendering(
            professional(), blocks={DOS: ("not enrolled with Evergreen on the date",)}
        ),
        [("PROVIDER-CANNOT-BILL", E, 1)],
        id="rendering-not-enrolled-on-the-date",
    ),
    pytest.param(
        lambda: with_rendering(
            professional(), blocks={DOS + dt.timedelta(days=1): ("license lapsed",)}
        ),
        [],
        id="rendering-blocked-on-another-date",
    ),
    pytest.param(
        lambda: replace(professional(), supervising=prescriber(blocks={DOS: ("license lapsed",)})),
        [("PROVIDER-CANNOT-BILL", E, 1)],
        id="supervisor-license-lapsed",
    ),
    pytest.param(
        lambda: with_rendering(professional(), accepted_by_payer=False),
        [("PROVIDER-LICENSE-NOT-PAID", E, None)],
        id="licence-not-paid",
    ),
    pytest.param(
        lambda: with_line(
            professional(), rendering=provider(public_id="prov-2", accepted_by_payer=False)
        ),
        [("PROVIDER-LICENSE-NOT-PAID", E, 1)],
        id="line-rendering-overrides-the-claims",
    ),
    pytest.param(
        lambda: with_line(professional(), code="90792"),
        [("EM-NON-PRESCRIBER", E, 1)],
        id="90792-by-an-lcsw",
    ),
    pytest.param(
        lambda: with_line(professional(), code="99214"),
        [("EM-NON-PRESCRIBER", E, 1)],
        id="em-by-an-lcsw",
    ),
    pytest.param(lambda: _by_prescriber(line(code="99214")), [], id="em-by-a-prescriber"),
    pytest.param(
        lambda: with_rendering(professional(), npi=""),
        [("PROVIDER-NPI", E, None)],
        id="rendering-no-npi",
    ),
    pytest.param(
        lambda: with_rendering(professional(), npi=_bad_check_digit(RENDERING_NPI)),
        [("PROVIDER-NPI", E, None)],
        id="rendering-npi-bad-check-digit",
    ),
    pytest.param(
        lambda: with_rendering(professional(), taxonomy=""),
        [("PROVIDER-TAXONOMY", E, None)],
        id="rendering-no-taxonomy",
    ),
    # Sessions
    pytest.param(
        lambda: with_service(professional(), status="no_show"),
        [("SERVICE-NOT-DELIVERED", E, 1)],
        id="no-show-billed",
    ),
    pytest.param(
        lambda: with_service(professional(), coding_errors=("12 minutes of psychotherapy < 16",)),
        [("MINUTES-SUPPORT", E, 1)],
        id="minutes-do-not-support-the-code",
    ),
    pytest.param(
        lambda: with_service(professional(), coding_warnings=("90785 refused",)),
        [("CODING-WARNING", W, 1)],
        id="coding-warning",
    ),
    pytest.param(
        lambda: with_service(professional(), note_signed=False),
        [("NOTE-UNSIGNED", E, 1)],
        id="note-unsigned",
    ),
    pytest.param(
        lambda: with_service(professional(), plan_review_due=DOS - dt.timedelta(days=1)),
        [("PLAN-REVIEW-OVERDUE", E, 1)],
        id="plan-review-overdue",
    ),
    pytest.param(
        lambda: with_service(professional(), plan_review_due=DOS), [], id="plan-review-due-that-day"
    ),
    pytest.param(
        lambda: with_service(professional(), day_outcome="deny", day_reason="2.0 h < 3 h"),
        [("PROGRAM-DAY-MINIMUM", E, 1)],
        id="short-day-denied",
    ),
    pytest.param(
        lambda: with_service(professional(), day_outcome="downcode", day_reason="2.0 h < 3 h"),
        [("PROGRAM-DAY-MINIMUM", W, 1)],
        id="short-day-downcoded",
    ),
    pytest.param(
        lambda: with_service(professional(), day_outcome="informational", day_reason="short week"),
        [("PROGRAM-DAY-MINIMUM", INFO, 1)],
        id="short-day-informational",
    ),
    # Diagnoses
    pytest.param(
        lambda: professional(diagnoses=()),
        [("DX-MISSING", E, None), ("DX-POINTER", E, 1)],
        id="no-diagnosis",
    ),
    pytest.param(
        lambda: professional(diagnoses=("F33.1",) + ("F41.1",) * 12),
        [("DX-LIMIT", E, None)],
        id="13-diagnoses-on-an-837p",
    ),
    pytest.param(
        lambda: with_line(professional(), pointers=()), [("DX-POINTER", E, 1)], id="no-pointer"
    ),
    pytest.param(
        lambda: with_line(professional(), pointers=(2,)),
        [("DX-POINTER", E, 1)],
        id="pointer-beyond-the-list",
    ),
    pytest.param(
        lambda: with_line(professional(diagnoses=("F33.1", "F41.1")), pointers=(1, 2, 1, 2, 1)),
        [("DX-POINTER", E, 1)],
        id="five-pointers",
    ),
    pytest.param(
        lambda: professional(diagnoses=("Z63.0", "F43.23")),
        [("DX-Z-PRIMARY", E, None)],
        id="z-code-primary",
    ),
    pytest.param(
        lambda: professional(
            diagnoses=("Z63.0", "F43.23"), payer_edits=PayerEdits(z_code_primary_allowed=True)
        ),
        [],
        id="z-code-primary-allowed",
    ),
    pytest.param(
        lambda: _sud(professional(), diagnoses=("F33.1", "F10.20")),
        [("DX-PROGRAM-FIT", E, None)],
        id="sud-claim-with-a-psychiatric-primary",
    ),
    pytest.param(
        lambda: _sud(professional(), diagnoses=("F17.210",)),
        [("DX-PROGRAM-FIT", E, None)],
        id="sud-claim-with-nicotine-only",
    ),
    pytest.param(
        lambda: _sud(professional(), diagnoses=("O99.320", "F11.20")), [], id="sud-pregnancy-first"
    ),
    pytest.param(
        lambda: professional(level="php", diagnoses=("F10.20",)),
        [("DX-PROGRAM-FIT", E, None)],
        id="mh-php-with-a-substance-use-primary",
    ),
    pytest.param(
        lambda: professional(level="php", diagnoses=("G30.9", "F02.80")), [], id="mh-php-code-first"
    ),
    pytest.param(
        lambda: professional(diagnosis_errors=("F02.80: code first the underlying condition",)),
        [("DX-SEQUENCE", E, None)],
        id="sequencing-error",
    ),
    # Add-ons
    pytest.param(
        lambda: with_lines(professional(), line(), line(2, "90785")),
        [],
        id="90785-with-psychotherapy",
    ),
    pytest.param(
        lambda: with_line(professional(), code="90785"),
        [("ADDON-WITHOUT-PRIMARY", E, 1)],
        id="90785-alone",
    ),
    pytest.param(
        lambda: with_line(professional(), code="90840"),
        [("ADDON-WITHOUT-PRIMARY", E, 1)],
        id="90840-without-90839",
    ),
    pytest.param(
        lambda: with_lines(professional(), line(code="90839"), line(2, "90840")),
        [],
        id="90840-with-90839",
    ),
    pytest.param(
        lambda: _by_prescriber(line(code="90834"), line(2, "90836")),
        [("ADDON-WITHOUT-PRIMARY", E, 2)],
        id="90836-with-psychotherapy-not-an-em",
    ),
    pytest.param(
        lambda: _by_prescriber(line(code="99283"), line(2, "90833")),
        [("ADDON-WITHOUT-PRIMARY", E, 2)],
        id="90833-with-an-ed-visit",
    ),
    pytest.param(
        lambda: _by_prescriber(line(code="99214"), line(2, "90833")),
        [],
        id="90833-with-an-office-em",
    ),
    pytest.param(
        lambda: replace(
            _by_prescriber(line(code="90833")), other_claims=(other_claim((DOS, "99213", ())),)
        ),
        [],
        id="90833-with-its-em-on-another-claim",
    ),
    pytest.param(
        lambda: with_line(professional(), code="G0018"),
        [("ADDON-WITHOUT-PRIMARY", E, 1)],
        id="G0018-without-G0017",
    ),
    pytest.param(
        lambda: with_line(professional(), code="96131"),
        [("ADDON-WITHOUT-PRIMARY", E, 1)],
        id="96131-without-96130",
    ),
    # Duplicates and same-day rules
    pytest.param(
        lambda: replace(professional(), other_claims=(other_claim((DOS, "90837", ())),)),
        [("DUPLICATE-CLAIM", E, 1)],
        id="duplicate-line",
    ),
    pytest.param(
        lambda: replace(
            professional(), other_claims=(other_claim((DOS, "90837", ()), payer_id="OTHER"),)
        ),
        [],
        id="same-line-to-another-payer",
    ),
    pytest.param(
        lambda: replace(professional(), other_claims=(other_claim((DOS, "90837", ("95",))),)),
        [],
        id="same-code-other-modifiers-is-no-duplicate",
    ),
    pytest.param(
        lambda: with_service(professional(), on_other_claim="C7"),
        [("DUPLICATE-SERVICE", E, 1)],
        id="session-on-another-claim",
    ),
    pytest.param(
        lambda: replace(
            with_line(professional(), code="90791"),
            other_claims=(other_claim((DOS, "90791", ("HO",))),),
        ),
        [("SAME-DAY-LIMIT", E, 1)],
        id="90791-on-another-claim-that-day",
    ),
    pytest.param(
        lambda: with_line(professional(), code="90791", units=Decimal("2")),
        [("SAME-DAY-LIMIT", E, 1)],
        id="90791-two-units",
    ),
    pytest.param(
        lambda: with_lines(professional(), line(code="90791"), line(2, "90791", modifiers=("HO",))),
        [("SAME-DAY-LIMIT", E, 2)],
        id="90791-twice-on-the-claim",
    ),
    pytest.param(
        lambda: with_lines(
            professional(payer_edits=PayerEdits(same_day_pairs=(("90791", "90837"),))),
            line(code="90791"),
            line(2, "90837"),
        ),
        [("SAME-DAY-PAIR", E, 2)],
        id="ncci-pair-same-day",
    ),
    pytest.param(
        lambda: with_lines(
            professional(payer_edits=PayerEdits(same_day_pairs=(("90791", "90837"),))),
            line(code="90791"),
            line(2, "90837", modifiers=("XE",)),
        ),
        [],
        id="ncci-pair-bypassed-by-XE",
    ),
    pytest.param(
        lambda: replace(
            with_line(
                professional(payer_edits=PayerEdits(same_day_pairs=(("90791", "90837"),))),
                code="90791",
            ),
            other_claims=(other_claim((DOS, "90837", ())),),
        ),
        [("SAME-DAY-PAIR", E, 1)],
        id="ncci-pair-with-another-claim",
    ),
    # Billing identity
    pytest.param(
        lambda: with_billing(professional(), npi=""),
        [("BILLING-NPI", E, None)],
        id="billing-no-npi",
    ),
    pytest.param(
        lambda: with_billing(professional(), npi=_bad_check_digit(BILLING_NPI)),
        [("BILLING-NPI", E, None)],
        id="billing-bad-npi",
    ),
    pytest.param(
        lambda: with_billing(professional(), tin="12345"),
        [("BILLING-TIN", E, None)],
        id="tin-short",
    ),
    pytest.param(
        lambda: with_billing(professional(), tin="91-1234567"), [], id="tin-with-a-hyphen"
    ),
    pytest.param(
        lambda: with_billing(professional(), taxonomy=""),
        [("BILLING-TAXONOMY", E, None)],
        id="billing-no-taxonomy",
    ),
    pytest.param(
        lambda: with_address(professional(), line1="P.O. Box 1200"),
        [("BILLING-ADDRESS", E, None)],
        id="billing-po-box",
    ),
    pytest.param(
        lambda: with_address(professional(), line1="12 Boxwood Lane"),
        [],
        id="boxwood-lane-is-a-street",
    ),
    pytest.param(
        lambda: with_address(professional(), city=""), [("BILLING-ADDRESS", E, None)], id="no-city"
    ),
    pytest.param(
        lambda: with_address(professional(), postal_code="98402"),
        [("BILLING-ZIP4", E, None)],
        id="zip-without-plus-4",
    ),
    pytest.param(
        lambda: with_address(
            professional(payer_edits=PayerEdits(requires_zip4=False)), postal_code="98402"
        ),
        [],
        id="zip5-where-the-payer-allows",
    ),
    # The claim form
    pytest.param(lambda: with_lines(professional()), [("CLAIM-NO-LINES", E, None)], id="no-lines"),
    pytest.param(
        lambda: with_lines(professional(), *(line(n) for n in range(1, 52))),
        [("LINE-LIMIT", E, None)],
        id="51-lines-on-an-837p",
    ),
    pytest.param(
        lambda: with_line(professional(), code=""), [("LINE-CODE", E, 1)], id="line-without-a-code"
    ),
    pytest.param(
        lambda: with_line(professional(), modifiers=("HO", "95", "GT", "HE", "U1")),
        [("LINE-CODE", E, 1)],
        id="five-modifiers",
    ),
    pytest.param(
        lambda: with_line(professional(), charge=Decimal("0")),
        [("LINE-NO-CHARGE", E, 1)],
        id="line-charged-0",
    ),
    pytest.param(
        lambda: with_line(professional(), charge_source=""),
        [("LINE-NO-CHARGE", E, 1)],
        id="line-without-a-charge-source",
    ),
    pytest.param(
        lambda: with_line(professional(), units=Decimal("0")),
        [("LINE-UNITS", E, 1)],
        id="zero-units",
    ),
    pytest.param(
        lambda: professional(total_charge=Decimal("100.00")),
        [("TOTAL-CHARGE", E, None)],
        id="total-mismatch",
    ),
    pytest.param(
        lambda: with_line(professional(), service_date=TODAY + dt.timedelta(days=1)),
        [("LINE-FUTURE-DATE", E, 1)],
        id="line-dated-tomorrow",
    ),
    pytest.param(
        lambda: professional(frequency="5"), [("CLAIM-FREQUENCY", E, None)], id="837p-frequency-5"
    ),
    pytest.param(
        lambda: professional(frequency="7"),
        [("REPLACEMENT-NO-ORIGINAL", E, None)],
        id="replacement-without-original",
    ),
    pytest.param(
        lambda: professional(frequency="7", original_reference="PAYER-CLM-1"), [], id="replacement"
    ),
    pytest.param(
        lambda: professional(frequency="8"),
        [("REPLACEMENT-NO-ORIGINAL", E, None)],
        id="void-without-original",
    ),
    # Timely filing
    pytest.param(
        lambda: professional(today=DOS + dt.timedelta(days=366)),
        [("TIMELY-FILING", E, None)],
        id="filed-too-late",
    ),
    pytest.param(
        lambda: professional(today=DOS + dt.timedelta(days=366), delay_reason="retro eligibility"),
        [("TIMELY-FILING", W, None)],
        id="late-with-a-delay-reason",
    ),
    pytest.param(
        lambda: professional(
            today=DOS + dt.timedelta(days=366), frequency="7", original_reference="PAYER-CLM-1"
        ),
        [("TIMELY-FILING", W, None)],
        id="late-replacement",
    ),
    pytest.param(
        lambda: professional(today=DOS + dt.timedelta(days=340)),
        [("TIMELY-FILING-SOON", W, None)],
        id="limit-within-30-days",
    ),
    pytest.param(
        lambda: professional(today=DOS + dt.timedelta(days=365)),
        [("TIMELY-FILING-SOON", W, None)],
        id="last-day",
    ),
    pytest.param(
        lambda: professional(
            today=DOS + dt.timedelta(days=100), payer_edits=PayerEdits(timely_filing_days=90)
        ),
        [("TIMELY-FILING", E, None)],
        id="payer-with-a-90-day-limit",
    ),
]


@pytest.mark.parametrize(("make", "expected"), PROFESSIONAL_CASES)
def test_one_broken_fact_on_a_professional_claim_yields_its_finding(make: Case, expected):
    assert found(make()) == sorted(expected, key=str)


# --- What the findings say and link to --------------------------------------------------------


def test_a_session_finding_names_the_session_and_links_to_it():
    (finding,) = scrub(with_service(professional(), note_signed=False))
    assert finding.service == "svc-1"
    assert finding.fix_url == "/sessions/svc-1/"
    assert "individual session on 2026-11-02" in finding.message


def test_an_auth_finding_carries_the_rules_words_and_links_to_the_authorization():
    message = "Needs authorization: yes, none covers it (no authorization on file)."
    (finding,) = scrub(with_auth(professional(), message=message))
    assert message in finding.message
    assert finding.fix_url == "/patients/pat-1/auths/"
    assert finding.service == "svc-1"


def test_a_provider_block_lists_its_reasons_and_links_to_the_provider():
    reasons = ("not enrolled with Evergreen on the date", "license expired in WA")
    (finding,) = scrub(with_rendering(professional(), blocks={DOS: reasons}))
    assert all(reason in finding.message for reason in reasons)
    assert "rendering provider Dana Reyes, LCSW" in finding.message
    assert finding.fix_url == "/providers/prov-lcsw/"


def test_a_coverage_gap_names_the_line_date_and_coverage_span():
    snapshot = with_coverage(professional(), end_date=dt.date(2026, 10, 31))
    (finding,) = scrub(snapshot)
    assert finding.message.startswith("Line 1 (90837 on 2026-11-02)")
    assert "2026-01-01 to 2026-10-31" in finding.message
    assert finding.fix_url == "/patients/pat-1/coverages/cov-1/"


def test_a_provider_blocked_on_two_lines_is_reported_on_each_date():
    snapshot = with_lines(
        professional(),
        line(),
        line(2, service_date=DOS + dt.timedelta(days=1), services=("svc-2",)),
    )
    snapshot = replace(
        snapshot, services=(service(), service("svc-2", service_date=DOS + dt.timedelta(days=1)))
    )
    blocks = {DOS: ("license lapsed",), DOS + dt.timedelta(days=1): ("license lapsed",)}
    assert found(with_rendering(snapshot, blocks=blocks)) == [
        ("PROVIDER-CANNOT-BILL", E, 1),
        ("PROVIDER-CANNOT-BILL", E, 2),
    ]


def test_errors_hold_the_claim_and_warnings_do_not():
    from claims.scrub import holds

    assert holds(scrub(with_service(professional(), note_signed=False)))
    assert not holds(scrub(with_service(professional(), coding_warnings=("note",))))

"""The platform's CARC/RARC knowledge (denials.codes): pure tests, no database."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from denials.codes import (
    ACTIONS,
    GROUP_CODES,
    PARITY_ROOT_CAUSES,
    ROOT_CAUSES,
    appeal_deadline,
    carc,
    classify,
    is_denial_adjustment,
    known_carcs,
    known_rarcs,
    priority,
    rarc,
)
from edi.x12 import X12Error, transactions
from tests.edi.samples import SAMPLES, needs_samples, sample, sample_names

# -- REFERENCE.md §7 -------------------------------------------------------------------------

# The §7 table: CARC -> the bucket it suggests, in ROOT_CAUSES terms (None: patient share or
# contractual, not a denial). Code 8 is listed under both credentialing and coding there.
REFERENCE_TABLE = [
    ("1", {None}),
    ("2", {None}),
    ("3", {None}),
    ("4", {"coding"}),
    ("5", {"coding"}),
    ("8", {"credentialing", "coding"}),
    ("11", {"coding"}),
    ("167", {"coding"}),
    ("15", {"authorization"}),
    ("18", {"duplicate"}),
    ("22", {"coordination_of_benefits"}),
    ("23", {"coordination_of_benefits"}),
    ("26", {"eligibility"}),
    ("27", {"eligibility"}),
    ("31", {"eligibility"}),
    ("32", {"eligibility"}),
    ("140", {"eligibility"}),
    ("29", {"timely_filing"}),
    ("45", {None}),
    ("50", {"medical_necessity"}),
    ("96", {"benefit_limit"}),
    ("204", {"benefit_limit"}),
    ("97", {"bundling"}),
    ("109", {"eligibility"}),
    ("119", {"benefit_limit"}),
    ("150", {"medical_necessity"}),
    ("151", {"medical_necessity"}),
    ("152", {"medical_necessity"}),
    ("170", {"credentialing"}),
    ("171", {"credentialing"}),
    ("185", {"credentialing"}),
    ("B7", {"credentialing"}),
    ("197", {"authorization"}),
    ("198", {"authorization"}),
    ("199", {"coding"}),
    ("242", {"credentialing"}),
    ("243", {"authorization"}),
]


@pytest.mark.parametrize(("code", "buckets"), REFERENCE_TABLE)
def test_every_carc_in_the_reference_table_lands_in_its_bucket(code, buckets) -> None:
    info = carc(code)
    assert info is not None
    assert info.root_cause in buckets
    assert "REFERENCE.md §7" in info.source


def test_the_reference_tables_special_cases_hold() -> None:
    assert carc("16").action == "correct_and_resubmit"  # data quality: correct and resubmit
    assert carc("18").action == "check_status"  # do not rebill a duplicate
    assert carc("29").recoverability <= Decimal("0.1")  # appeal only with 999/277CA proof
    assert carc("50").action == "appeal"  # clinical appeal
    assert carc("119").parity_relevant  # possible parity issue (§9)
    assert carc("45").recoverability == 0 and carc("45").action == "none"


REFERENCE_RARCS = [
    ("M51", "coding"),
    ("M53", "coding"),
    ("M62", "authorization"),
    ("M76", "coding"),
    ("M77", "coding"),
    ("M80", "bundling"),
    ("MA04", "coordination_of_benefits"),
    ("MA130", None),
    ("N290", "credentialing"),
    ("N54", "authorization"),
    ("N130", "benefit_limit"),
    ("N362", "benefit_limit"),
]


@pytest.mark.parametrize(("code", "hint"), REFERENCE_RARCS)
def test_every_rarc_in_the_reference_section_is_known_with_its_hint(code, hint) -> None:
    info = rarc(code)
    assert info is not None
    assert info.root_cause_hint == hint
    assert "REFERENCE.md §7" in info.source


# -- coverage ----------------------------------------------------------------------------------

BEHAVIORAL_HEALTH_CARCS = (
    "5 6 9 10 39 40 49 51 55 56 58 59 94 107 129 146 151 181 182 183 184 189 208 222 226 227 "
    "234 236 251 252 253 272 273 276 284 288 B5 B7 B9 B11 B12 B13 B15 B16 B20 B22"
).split()
BEHAVIORAL_HEALTH_RARCS = (
    "N4 N30 N95 N115 N130 N179 N180 N206 N211 N265 N290 N350 N362 N381 N432 N479 N522 N575 "
    "N657 N706 MA01 MA04 MA18 MA27 MA61 MA63 MA66 MA83 MA120 MA130 M15 M20 M49 M50 M51 M53 M54 "
    "M62 M76 M77 M79 M80 M86 M114 M119 M127"
).split()


@pytest.mark.parametrize("code", BEHAVIORAL_HEALTH_CARCS)
def test_common_behavioral_health_carcs_are_known(code) -> None:
    assert carc(code) is not None


@pytest.mark.parametrize("code", BEHAVIORAL_HEALTH_RARCS)
def test_common_behavioral_health_rarcs_are_known(code) -> None:
    assert rarc(code) is not None


def test_every_code_in_the_tables_is_well_formed_and_sourced() -> None:
    assert len(known_carcs()) >= 100 and len(known_rarcs()) >= 45
    for info in known_carcs():
        assert re.fullmatch(r"[0-9]{1,3}|[A-Z][0-9]{1,2}", info.code), info.code
        assert info.root_cause is None or info.root_cause in ROOT_CAUSES, info.code
        assert info.action in ACTIONS and info.description and info.source, info.code
        assert Decimal(0) <= info.recoverability <= Decimal(1), info.code
        if info.root_cause is None or info.action == "none":
            assert info.recoverability == 0 and not info.parity_relevant, info.code
        if info.root_cause == "medical_necessity":
            assert info.parity_relevant, info.code
    for info in known_rarcs():
        assert re.fullmatch(r"(M|MA|N)[0-9]{1,3}", info.code), info.code
        assert info.root_cause_hint is None or info.root_cause_hint in ROOT_CAUSES
        assert info.description and info.source, info.code


def test_look_ups_ignore_case_spaces_and_ints_and_miss_unknown_codes() -> None:
    assert carc(" a1 ").code == "A1"
    assert carc(45).code == "45"
    assert rarc("ma130").code == "MA130"
    assert carc("999") is None and rarc("N99999") is None


# -- the 835 samples, read in place ------------------------------------------------------------

# The shapes of real codes: template placeholders ("reason_code", MOA*1*2*3*4) are skipped.
_GROUP = re.compile(r"^[A-Z]{2}$")
_CARC = re.compile(r"^([0-9]{1,3}|[A-Z][0-9]{1,2})$")
_RARC = re.compile(r"^(M|MA|N)[0-9]{1,3}$")


def _segments(raw: bytes) -> list[tuple[str, ...]]:
    try:
        return [s.elements for t in transactions(raw) for s in t.segments]
    except X12Error:  # a transaction without an ISA envelope
        text = raw.decode("utf-8-sig")
        return [tuple(s.strip().split("*")) for s in text.split("~") if s.strip()]


def _sample_codes() -> tuple[set[tuple[str, str]], set[str]]:
    adjustments, remarks = set(), set()
    for name in sample_names("835"):
        for el in _segments(sample("835", name)):
            el = el + ("",) * 24
            if el[0] == "CAS":
                for i in range(2, 20, 3):  # CAS02/05/08/11/14/17: reason codes after the group
                    if _GROUP.match(el[1]) and _CARC.match(el[i]):
                        adjustments.add((el[1], el[i]))
            elif el[0] == "LQ" and el[1] == "HE":
                remarks.add(el[2])
            elif el[0] == "MOA":
                remarks.update(el[3:8])
            elif el[0] == "MIA":
                remarks.update((el[5], *el[20:24]))
    return adjustments, {r for r in remarks if _RARC.match(r)}


@needs_samples
def test_every_carc_in_the_835_samples_is_known() -> None:
    adjustments, _ = _sample_codes()
    assert ("CO", "45") in adjustments and ("OA", "23") in adjustments  # the reader works
    assert {group for group, _ in adjustments} <= set(GROUP_CODES)
    assert sorted(code for _, code in adjustments if carc(code) is None) == []
    for group, code in adjustments:
        assert classify(group, code).reasons[0].startswith(f"CARC {code} (")


@needs_samples
def test_every_remark_code_in_the_835_samples_is_known() -> None:
    _, remarks = _sample_codes()
    assert {"N206", "MA02"} <= remarks  # the reader found LQ and MOA remarks
    assert sorted(code for code in remarks if rarc(code) is None) == []


@needs_samples
def test_the_samples_are_read_in_place() -> None:
    assert (SAMPLES / "835").is_dir() and len(sample_names("835")) >= 10


# -- group codes -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["1", "2", "3"])
def test_patient_share_under_pr_is_billed_to_the_patient_not_a_denial(code) -> None:
    result = classify("PR", code)
    assert not result.is_denial
    assert result.action == "bill_patient"
    assert result.recoverability == 0
    assert not is_denial_adjustment("PR", code)


@pytest.mark.parametrize(
    ("group", "code"), [("CO", "45"), ("CO", "253"), ("CO", "A2"), ("CO", "94")]
)
def test_contractual_and_sequestration_adjustments_are_not_denials(group, code) -> None:
    result = classify(group, code)
    assert not result.is_denial and result.action == "none"
    assert not is_denial_adjustment(group, code)


def test_the_same_fee_schedule_code_is_patient_owed_under_pr_and_absorbed_under_co() -> None:
    assert classify("PR", "45").action == "bill_patient"
    assert classify("CO", "45").action == "none"


def test_oa_18_is_a_duplicate_to_check_never_to_rebill() -> None:
    result = classify("OA", "18")
    assert result.is_denial and result.root_cause == "duplicate"
    assert result.action == "check_status"


def test_oa_23_is_the_prior_payers_impact_not_a_denial() -> None:
    result = classify("OA", "23")
    assert not result.is_denial
    assert result.root_cause == "coordination_of_benefits"


@pytest.mark.parametrize("code", ["18", "22", "141", "29", "197"])
def test_cr_corrections_and_reversals_are_never_denials(code) -> None:
    result = classify("CR", code)
    assert not result.is_denial
    assert any("group CR" in line for line in result.reasons)


@pytest.mark.parametrize(
    ("group", "code"), [("CO", "197"), ("PI", "97"), ("OA", "18"), ("CO", "29")]
)
def test_co_pi_and_oa_with_denial_carcs_are_denials(group, code) -> None:
    assert is_denial_adjustment(group, code)


def test_a_payer_refused_service_left_to_the_patient_is_billed_to_the_patient() -> None:
    result = classify("PR", "204")
    assert result.is_denial and result.action == "bill_patient"
    assert result.parity_relevant


def test_a_claim_denied_outright_counts_even_with_only_contractual_codes() -> None:
    assert not classify("CO", "45").is_denial
    denied = classify("CO", "45", claim_status="4")
    assert denied.is_denial
    assert any("CLP02=4" in line for line in denied.reasons)
    assert not classify("PR", "1", claim_status="4").is_denial


def test_a_denied_claims_remark_names_its_cause() -> None:
    denied = classify("CO", "45", ["M62"], claim_status="4")
    assert denied.is_denial and denied.root_cause == "authorization"


def test_a_reversal_of_a_previous_payment_is_not_a_new_denial() -> None:
    assert classify("CO", "197").is_denial
    assert not classify("CO", "197", claim_status="22").is_denial


def test_an_unknown_group_code_is_refused() -> None:
    with pytest.raises(ValueError, match="group code"):
        classify("XX", "45")


def test_an_unknown_carc_is_a_denial_to_look_up_under_co_but_not_under_pr() -> None:
    unknown = classify("CO", "998")
    assert unknown.is_denial and unknown.action == "check_status"
    assert "not in the platform's list" in unknown.reasons[0]
    assert not classify("PR", "998").is_denial


# -- remark codes refine the cause -------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "remark", "root"),
    [
        ("16", "M62", "authorization"),
        ("16", "N290", "credentialing"),
        ("16", "MA04", "coordination_of_benefits"),
        ("16", "M76", "coding"),
        ("16", "M51", "coding"),
        ("252", "N706", "documentation"),
    ],
)
def test_a_remark_code_names_the_cause_of_a_generic_denial(code, remark, root) -> None:
    result = classify("CO", code, [remark])
    assert result.is_denial
    assert result.root_cause == root
    assert result.action == "correct_and_resubmit"


def test_without_a_remark_carc_16_stays_other() -> None:
    assert classify("CO", "16").root_cause == "other"


def test_the_first_remark_that_names_a_cause_wins_and_alerts_are_skipped() -> None:
    result = classify("CO", "16", ["MA01", "N290", "M62"])
    assert result.root_cause == "credentialing"
    assert any(line.startswith("RARC N290 (") for line in result.reasons)


def test_a_remark_does_not_override_a_specific_carc() -> None:
    assert classify("CO", "197", ["N290"]).root_cause == "authorization"


def test_a_missing_auth_field_is_clerical_not_a_parity_case() -> None:
    assert not classify("CO", "16", ["M62"]).parity_relevant
    assert classify("CO", "197").parity_relevant


def test_a_generic_denial_takes_the_remarks_cause_with_its_odds_and_step() -> None:
    result = classify("CO", "A1", ["N115"])
    assert result.root_cause == "medical_necessity"
    assert result.action == "appeal" and result.parity_relevant
    assert result.recoverability == Decimal("0.4") != carc("A1").recoverability


def test_carc_16_with_ma130_is_a_rejection_to_resubmit() -> None:
    result = classify("CO", "16", ["MA130"])
    assert result.action == "correct_and_resubmit"
    assert any("MA130" in line and "new claim" in line for line in result.reasons)


def test_no_appeal_rights_turn_an_appeal_into_a_write_off() -> None:
    assert classify("CO", "50").action == "appeal"
    assert classify("CO", "50", ["N211"]).action == "write_off"
    assert classify("CO", "50", ["N704"]).action == "correct_and_resubmit"


def test_an_unknown_remark_is_reported_not_guessed() -> None:
    result = classify("CO", "16", ["N99999"])
    assert result.root_cause == "other"
    assert "RARC N99999 is not in the platform's list" in result.reasons


def test_the_reasons_read_as_code_meaning_and_bucket() -> None:
    first = classify("CO", "197").reasons[0]
    assert first.startswith("CARC 197 (") and first.endswith(") -> authorization")
    assert "authorization" in carc("197").description.lower()


@pytest.mark.parametrize("root", sorted(PARITY_ROOT_CAUSES))
def test_each_parity_root_cause_has_a_parity_relevant_carc(root) -> None:
    assert any(i.parity_relevant for i in known_carcs() if i.root_cause == root)


# -- work order --------------------------------------------------------------------------------


def test_priority_explains_each_factor() -> None:
    score, lines = priority(Decimal("450"), Decimal("0.8"), 12, root_cause="authorization")
    assert score == Decimal("576.00")
    assert lines == (
        "$450.00 denied",
        "recoverability 0.8 (authorization: fixable with the auth number)",
        "deadline in 12 days: urgency 1.6",
        "score 576.00",
    )


def test_a_large_authorization_denial_due_soon_outranks_a_small_timely_filing_one() -> None:
    auth, late = classify("CO", "197"), classify("CO", "29")
    auth_score, _ = priority(Decimal("2000"), auth.recoverability, 10)
    late_score, _ = priority(Decimal("50"), late.recoverability, 5)
    assert auth_score > late_score > 0


def test_a_passed_deadline_scores_zero_and_says_so() -> None:
    score, lines = priority(Decimal("2000"), Decimal("0.9"), -1)
    assert score == 0
    assert lines[2].startswith("deadline passed 1 day ago") and "urgency 0" in lines[2]


def test_urgency_rises_as_the_deadline_nears() -> None:
    scores = [priority(Decimal("100"), Decimal("1"), d)[0] for d in (90, 30, 20, 10, 1, 0)]
    assert scores == sorted(scores)
    assert scores[0] == Decimal("100.00") and scores[-1] == Decimal("200.00")


def test_no_known_deadline_is_neutral() -> None:
    score, lines = priority(Decimal("100"), Decimal("0.5"), None)
    assert score == Decimal("50.00")
    assert lines[1] == "recoverability 0.5" and lines[2] == "no deadline known: urgency 1.0"


def test_today_dates_the_deadline_in_the_explanation() -> None:
    _, lines = priority(Decimal("1234.5"), Decimal("0.8"), 12, today=date(2026, 1, 1))
    assert lines[0] == "$1,234.50 denied"
    assert lines[2] == "deadline in 12 days (2026-01-13): urgency 1.6"


def test_priority_refuses_a_negative_amount_or_odds_outside_0_to_1() -> None:
    with pytest.raises(ValueError):
        priority(Decimal("-1"), Decimal("0.5"), 10)
    with pytest.raises(ValueError):
        priority(Decimal("10"), Decimal("1.5"), 10)


# -- appeal windows ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("denied_on", "window", "deadline"),
    [
        (date(2025, 1, 31), 120, date(2025, 5, 31)),  # Medicare redetermination (§7)
        (date(2025, 3, 1), 65, date(2025, 5, 5)),  # UnitedHealthcare commercial (§7)
        (date(2024, 2, 1), 30, date(2024, 3, 2)),  # across a leap day
        (date(2025, 12, 15), 180, date(2026, 6, 13)),  # across a year end
        (date(2025, 6, 1), 0, date(2025, 6, 1)),
    ],
)
def test_appeal_deadline_counts_calendar_days_from_the_denial(denied_on, window, deadline) -> None:
    assert appeal_deadline(denied_on, window) == deadline


def test_a_negative_appeal_window_is_refused() -> None:
    with pytest.raises(ValueError):
        appeal_deadline(date(2025, 1, 1), -1)


# -- purity ------------------------------------------------------------------------------------


def test_the_codes_module_imports_no_django() -> None:
    probe = (
        "import sys, denials.codes as c; c.known_carcs(); "
        "top = {m.split('.')[0] for m in sys.modules}; "
        "bad = sorted(top & {'django', 'rest_framework', 'celery', 'rcm', 'claims'}); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_co_pi_or_oa_denial_ever_says_bill_the_patient():
    from denials.codes import classify, known_carcs

    for info in known_carcs():
        for group in ("CO", "PI", "OA"):
            result = classify(group, info.code)
            assert result.action != "bill_patient", (group, info.code)
    assert classify("PR", "49").action == "bill_patient"

"""code_service end to end: interactive complexity, group modes, evaluations, E/M, modifiers."""

from datetime import datetime

import pytest

from coding import (
    MICHIGAN_PER_15_MIN,
    Attendance,
    GroupBilling,
    PayerRules,
    ServiceFacts,
    ServiceLine,
    code_service,
    interactive_complexity,
)


def facts(kind: str = "individual", **kw) -> ServiceFacts:
    kw.setdefault("rendering_license", "psychiatrist")
    kw.setdefault("facility_pos", "11")
    return ServiceFacts(kind=kind, **kw)


def test_default_individual_line_is_complete():
    result = code_service(facts(minutes=45))
    assert result.billable and result.errors == ()
    assert result.lines == (ServiceLine("90834", 1, (), "11", "rendering"),)
    assert result.reasons[0] == "45 minutes of psychotherapy in 38-52 → 90834"


def test_under_16_minutes_not_billable_with_reason():
    result = code_service(facts(minutes=15))
    assert not result.billable and result.lines == ()
    assert "15 minutes of psychotherapy < 16" in result.errors[0]


def test_time_based_service_without_minutes_is_refused():
    result = code_service(facts())
    assert "minutes are required" in result.errors[0]


# --- 90785 -------------------------------------------------------------------------------


def test_90785_added_to_90834():
    result = code_service(facts(minutes=45, interactive_complexity=True))
    assert result.codes == ("90834", "90785")
    assert "interactive complexity with 90834 → add 90785" in result.reasons


def test_90785_refused_with_crisis():
    result = code_service(facts("crisis", minutes=60, interactive_complexity=True))
    assert result.billable and result.codes == ("90839",)
    assert any("90785 refused" in r and "90839" in r for r in result.reasons)


def test_90785_refused_with_em_alone():
    result = code_service(
        facts("em_with_psychotherapy", em_code="99214", minutes=10, interactive_complexity=True)
    )
    assert result.codes == ("99214",)
    assert any("90785 refused: never with an E/M alone (99214)" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("codes", "added"),
    [
        (["90791"], True),
        (["90792"], True),
        (["99213", "90833"], True),
        (["90853"], True),
        (["90839", "90840"], False),
        (["99214"], False),
        (["90846"], False),
        (["H0031"], False),
    ],
)
def test_90785_eligibility_table(codes, added):
    assert (interactive_complexity(codes).code == "90785") is added


# --- evaluations and E/M ------------------------------------------------------------------


def test_evaluation_override_is_payer_data():
    payer = PayerRules(name="Medicaid X", evaluation_code_overrides={"90791": "H0031"})
    result = code_service(facts("evaluation", rendering_license="lcsw"), payer)
    assert result.codes == ("H0031",)
    assert "Medicaid X replaces 90791 with H0031" in result.reasons


def test_em_with_psychotherapy_under_16_bills_em_alone():
    result = code_service(facts("em_with_psychotherapy", em_code="99214", minutes=15))
    assert result.codes == ("99214",)
    assert any("E/M 99214 billed alone" in r for r in result.reasons)


@pytest.mark.parametrize("em_code", [None, "90834", "12345"])
def test_addon_never_without_an_em(em_code):
    result = code_service(facts("em_with_psychotherapy", em_code=em_code, minutes=40))
    assert not result.billable
    assert "never billed without an E/M" in result.errors[0]


# --- group ----------------------------------------------------------------------------------

ATTENDEES = (Attendance("A", 90), Attendance("B", 50), Attendance("C", 14), Attendance("D", 0))


def test_group_per_session_one_unit_per_attendee():
    result = code_service(facts("group", minutes=90, attendees=ATTENDEES, rendering_license="lcsw"))
    assert [(ln.patient_ref, ln.code, ln.units) for ln in result.lines] == [
        ("A", "90853", 1),
        ("B", "90853", 1),
        ("C", "90853", 1),
    ]
    assert "D: 0 minutes attended, no group line" in result.reasons


def test_group_per_15_minutes_units_follow_each_attendee():
    payer = PayerRules(
        group=GroupBilling(mode="per_15min", code="H0005", modifiers=("HQ",)),
        rounding=MICHIGAN_PER_15_MIN,
    )
    result = code_service(facts("group", attendees=ATTENDEES, rendering_license="lcsw"), payer)
    assert [(ln.patient_ref, ln.code, ln.units, ln.modifiers) for ln in result.lines] == [
        ("A", "H0005", 6, ("HQ",)),
        ("B", "H0005", 3, ("HQ",)),
    ]
    assert any(
        r.startswith("C: 14 min under Michigan PIHP") and "0 unit" in r for r in result.reasons
    )


def test_group_per_15_minutes_with_8_minute_rule():
    payer = PayerRules(group=GroupBilling(mode="per_15min", code="H2017", modifiers=("HQ",)))
    result = code_service(facts("group", attendees=ATTENDEES), payer)
    assert [(ln.patient_ref, ln.units) for ln in result.lines] == [("A", 6), ("B", 3), ("C", 1)]


def test_group_attendee_interactive_complexity():
    people = (Attendance("A", 60, interactive_complexity=True), Attendance("B", 60))
    result = code_service(facts("group", attendees=people))
    assert [(ln.patient_ref, ln.code) for ln in result.lines] == [
        ("A", "90853"),
        ("B", "90853"),
        ("A", "90785"),
    ]


def test_attendance_from_arrival_and_departure():
    a = Attendance.from_times("A", datetime(2025, 1, 6, 10, 5), datetime(2025, 1, 6, 10, 52))
    assert a.minutes == 47
    with pytest.raises(ValueError, match="before arrival"):
        Attendance.from_times("A", datetime(2025, 1, 6, 11), datetime(2025, 1, 6, 10))


def test_negative_attendee_minutes_raise():
    with pytest.raises(ValueError, match="attended minutes of B cannot be negative"):
        Attendance("B", -3)


# --- modifiers --------------------------------------------------------------------------------


def test_modifier_order_and_dedupe():
    payer = PayerRules(license_modifiers={"psychiatrist": "95"})
    result = code_service(facts(minutes=45, modality="video", patient_at_home=True), payer)
    assert result.lines[0].modifiers == ("95",)


def test_more_than_four_modifiers_is_an_error():
    payer = PayerRules(
        group=GroupBilling(mode="per_15min", code="H0005", modifiers=("HQ", "HF", "U1")),
        license_modifiers={"lcsw": "AJ"},
    )
    result = code_service(
        facts("group", minutes=60, rendering_license="lcsw", modality="video"), payer
    )
    assert not result.billable
    assert "max is 4" in result.errors[0]

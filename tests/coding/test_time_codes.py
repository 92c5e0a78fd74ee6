"""Minute thresholds for psychotherapy, add-ons, crisis and family codes (pure, no database)."""

import pytest

from coding import (
    PayerRules,
    ServiceFacts,
    addon_code,
    code_service,
    crisis_codes,
    family_code,
    psychotherapy_code,
)


def facts(kind: str, minutes: int, **kw) -> ServiceFacts:
    return ServiceFacts(
        kind=kind, minutes=minutes, rendering_license="psychiatrist", facility_pos="11", **kw
    )


@pytest.mark.parametrize(
    ("minutes", "code"),
    [
        (0, None),
        (15, None),
        (16, "90832"),
        (37, "90832"),
        (38, "90834"),
        (52, "90834"),
        (53, "90837"),
        (75, "90837"),
        (180, "90837"),
    ],
)
def test_psychotherapy_boundaries(minutes, code):
    decision = psychotherapy_code(minutes)
    assert decision.code == code
    assert str(minutes) in decision.reason


def test_psychotherapy_reason_names_threshold():
    assert psychotherapy_code(53).reason == "53 minutes of psychotherapy ≥ 53 → 90837"
    assert "not billable" in psychotherapy_code(15).reason
    assert "minimum 16" in psychotherapy_code(15).reason


@pytest.mark.parametrize(
    ("minutes", "code"),
    [(15, None), (16, "90833"), (37, "90833"), (38, "90836"), (52, "90836"), (53, "90838")],
)
def test_addon_boundaries(minutes, code):
    assert addon_code(minutes).code == code


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (29, ()),
        (30, (("90839", 1),)),
        (74, (("90839", 1),)),
        (75, (("90839", 1), ("90840", 1))),
        (104, (("90839", 1), ("90840", 1))),
        (105, (("90839", 1), ("90840", 2))),
        (134, (("90839", 1), ("90840", 2))),
        (135, (("90839", 1), ("90840", 3))),
    ],
)
def test_crisis_boundaries(minutes, expected):
    assert tuple((d.code, d.units) for d in crisis_codes(minutes)) == expected


@pytest.mark.parametrize(("minutes", "codes"), [(29, ("90832",)), (15, ()), (30, ("90839",))])
def test_crisis_under_30_falls_back_to_psychotherapy(minutes, codes):
    result = code_service(facts("crisis", minutes))
    assert result.codes == codes
    if minutes < 30:
        assert any("< 30" in r and "90832" in r for r in result.reasons)


def test_crisis_under_30_with_em_falls_back_to_addon():
    result = code_service(facts("crisis", 25, em_code="99214"))
    assert result.codes == ("99214", "90833")
    assert any("90833 with the E/M" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("minutes", "present", "code"),
    [(25, True, None), (26, True, "90847"), (25, False, None), (26, False, "90846")],
)
def test_family_default_floor(minutes, present, code):
    assert family_code(minutes, present).code == code


@pytest.mark.parametrize(("minutes", "code"), [(26, None), (37, None), (38, "90847")])
def test_family_raised_floor_is_payer_data(minutes, code):
    result = code_service(facts("family_with_patient", minutes), PayerRules(family_min_minutes=38))
    assert result.codes == ((code,) if code else ())
    assert result.billable is (code is not None)
    if code is None:
        assert "38-minute floor" in result.errors[0]


def test_family_without_patient_via_engine():
    result = code_service(facts("family_without_patient", 50))
    assert result.codes == ("90846",)
    assert "without the patient" in result.reasons[0]


@pytest.mark.parametrize("fn", [psychotherapy_code, addon_code, crisis_codes])
def test_negative_minutes_raise(fn):
    with pytest.raises(ValueError, match="cannot be negative"):
        fn(-1)


def test_negative_minutes_in_facts_raise():
    with pytest.raises(ValueError, match=r"minutes cannot be negative \(got -5\)"):
        facts("individual", -5)

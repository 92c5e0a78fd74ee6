"""Who may bill which code, supervision, and licence-level modifiers."""

import pytest

from coding import (
    BilledProvider,
    LicenseType,
    PayerRules,
    ServiceFacts,
    code_service,
    scope_error,
)

EM_ELIGIBLE = ["psychiatrist", "pmhnp", "pa", "cns"]
NOT_EM_ELIGIBLE = [
    "psychologist",
    "lcsw",
    "lpc",
    "lmft",
    "addiction_counselor",
    "associate",
    "peer_specialist",
]


def em_facts(license_type: str, minutes: int = 40) -> ServiceFacts:
    return ServiceFacts(
        kind="em_with_psychotherapy",
        em_code="99213",
        minutes=minutes,
        rendering_license=license_type,
        facility_pos="11",
    )


def eval_facts(license_type: str, medical: bool) -> ServiceFacts:
    return ServiceFacts(
        kind="evaluation",
        with_medical_services=medical,
        rendering_license=license_type,
        facility_pos="11",
    )


@pytest.mark.parametrize("license_type", EM_ELIGIBLE)
def test_em_eligible_can_bill_90792_and_addons(license_type):
    assert code_service(eval_facts(license_type, True)).codes == ("90792",)
    assert code_service(em_facts(license_type)).codes == ("99213", "90836")


@pytest.mark.parametrize("code", ["90792", "90833", "90836", "90838", "99214"])
@pytest.mark.parametrize("license_type", NOT_EM_ELIGIBLE)
def test_scope_refuses_em_only_codes(code, license_type):
    error = scope_error(code, LicenseType(license_type))
    assert error is not None and code in error and "E/M-eligible" in error


def test_lcsw_cannot_bill_90792():
    result = code_service(eval_facts("lcsw", True))
    assert not result.billable
    assert result.errors == (
        "LCSW cannot bill 90792: requires an E/M-eligible clinician (MD/DO, NP, PA, CNS)",
    )


def test_lcsw_cannot_bill_90833_or_the_em():
    result = code_service(em_facts("lcsw", 20))
    assert not result.billable
    assert any("LCSW cannot bill 90833" in e for e in result.errors)
    assert any("LCSW cannot bill 99213" in e for e in result.errors)


def test_lcsw_can_bill_90791_and_psychotherapy():
    assert code_service(eval_facts("lcsw", False)).codes == ("90791",)


def test_psychiatrist_bills_90833_as_rendering():
    result = code_service(em_facts("psychiatrist", 20))
    assert result.codes == ("99213", "90833")
    assert {ln.billed_provider for ln in result.lines} == {BilledProvider.RENDERING}


def test_peer_specialist_cannot_bill_psychotherapy():
    facts = ServiceFacts(
        kind="individual", minutes=45, rendering_license="peer_specialist", facility_pos="11"
    )
    result = code_service(facts)
    assert "peer specialist cannot bill psychotherapy code 90834" in result.errors


def test_90792_override_still_needs_prescriber():
    payer = PayerRules(evaluation_code_overrides={"90792": "H0031"})
    assert code_service(eval_facts("psychiatrist", True), payer).codes == ("H0031",)
    assert not code_service(eval_facts("lcsw", True), payer).billable


SUPERVISED_PAYER = PayerRules(
    name="State Medicaid",
    pays_under_supervisor=True,
    supervision_modifiers=("HO",),
    license_modifiers={"lcsw": "AJ", "psychologist": "AH"},
)


def associate(supervisor: str | None = "lcsw") -> ServiceFacts:
    return ServiceFacts(
        kind="individual",
        minutes=45,
        rendering_license="associate",
        supervising_license=supervisor,
        facility_pos="11",
    )


def test_associate_billed_under_supervisor_with_modifier():
    result = code_service(associate(), SUPERVISED_PAYER)
    assert result.billable
    (line,) = result.lines
    assert (line.code, line.billed_provider, line.modifiers) == (
        "90834",
        BilledProvider.SUPERVISING,
        ("HO",),
    )
    assert any(
        "associate (pre-licensed) not accepted by State Medicaid" in r
        and "supervising LCSW with HO" in r
        for r in result.reasons
    )


def test_associate_refused_when_payer_does_not_pay_under_supervisor():
    result = code_service(associate(), PayerRules(name="Plan A"))
    assert not result.billable and result.lines == ()
    assert result.errors == (
        "Plan A does not accept associate (pre-licensed) and does not pay under a supervisor",
    )


@pytest.mark.parametrize(
    ("supervisor", "message"),
    [
        (None, "no supervising provider given"),
        ("associate", "does not pay services billed under a supervising associate"),
    ],
)
def test_associate_refused_without_an_accepted_supervisor(supervisor, message):
    result = code_service(associate(supervisor), SUPERVISED_PAYER)
    assert not result.billable
    assert message in result.errors[0]


@pytest.mark.parametrize(
    ("license_type", "modifier"), [("lcsw", ("AJ",)), ("psychologist", ("AH",)), ("lmft", ())]
)
def test_license_modifiers_from_payer_map(license_type, modifier):
    facts = ServiceFacts(
        kind="individual", minutes=53, rendering_license=license_type, facility_pos="11"
    )
    result = code_service(facts, SUPERVISED_PAYER)
    assert result.lines[0].modifiers == modifier
    if modifier:
        assert any(f"billed with {modifier[0]} per payer map" in r for r in result.reasons)


def test_addiction_counselor_needs_payer_acceptance():
    facts = ServiceFacts(
        kind="individual", minutes=45, rendering_license="addiction_counselor", facility_pos="11"
    )
    assert not code_service(facts).billable
    accepting = PayerRules(accepted_licenses={"addiction_counselor"})
    assert code_service(facts, accepting).codes == ("90834",)


def test_unknown_license_string_rejected():
    with pytest.raises(ValueError, match="unknown rendering_license 'lpn'"):
        ServiceFacts(kind="individual", minutes=45, rendering_license="lpn")

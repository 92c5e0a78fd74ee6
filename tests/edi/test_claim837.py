"""The 837 claim model refuses what a clearinghouse would reject, with a ValueError naming the
field (edi/claim837.py; REFERENCE.md §5 "Claim limits", §10 "837P")."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest

from edi.claim837 import (
    Address,
    Adjustment,
    Batch837,
    BillingProvider,
    LineAdjudication,
    OtherPayer,
    ProfessionalLine,
    Provider,
    SubscriberGroup,
)
from tests.edi import scenarios as s

replace = dataclasses.replace
M = Decimal


def _claim():
    return s.outpatient().billing[0].subscribers[0].claims[0]


def _line(**kw) -> ProfessionalLine:
    base = dict(procedure_code="90834", charge=M("150"), units=M(1), service_date=s.D(2026, 3, 2))
    return ProfessionalLine(**{**base, **kw})


def _with_lines(*lines: ProfessionalLine, **kw):
    total = sum((ln.charge for ln in lines), M(0))
    return replace(_claim(), lines=lines, total_charge=total, **kw)


def test_the_scenarios_build():
    for build in (*s.PROFESSIONAL_SCENARIOS.values(), *s.INSTITUTIONAL_SCENARIOS.values()):
        assert isinstance(build(), Batch837)


def test_the_patient_control_number_is_at_most_38_characters():
    assert replace(_claim(), patient_control_number="X" * 38)
    with pytest.raises(ValueError, match="patient_control_number is at most 38 characters"):
        replace(_claim(), patient_control_number="X" * 39)


def test_an_837p_claim_carries_at_most_12_diagnoses():
    twelve = tuple(f"F{n:02d}9" for n in range(10, 22))
    assert replace(_claim(), diagnoses=twelve)
    with pytest.raises(ValueError, match="1 to 12 diagnoses"):
        replace(_claim(), diagnoses=(*twelve, "F329"))


def test_a_line_points_at_no_more_than_4_diagnoses_and_only_existing_ones():
    with pytest.raises(ValueError, match="1 to 4 diagnosis pointers"):
        _line(diagnosis_pointers=(1, 2, 3, 4, 5))
    with pytest.raises(ValueError, match="repeat"):
        _line(diagnosis_pointers=(1, 1))
    with pytest.raises(ValueError, match="line 1 points at diagnosis 3 of 2"):
        _with_lines(_line(diagnosis_pointers=(3,)))


def test_an_837p_claim_has_at_most_50_lines():
    assert _with_lines(*[_line()] * 50)
    with pytest.raises(ValueError, match="at most 50 lines, got 51"):
        _with_lines(*[_line()] * 51)


def test_at_most_four_two_character_modifiers():
    assert _line(modifiers=("95", "HO", "GT", "59"))
    with pytest.raises(ValueError, match="at most 4 modifiers"):
        _line(modifiers=("95", "HO", "GT", "59", "XU"))
    with pytest.raises(ValueError, match="modifier must be 2 letters or digits"):
        _line(modifiers=("9",))


def test_money_is_decimal_with_at_most_cents():
    with pytest.raises(ValueError, match="charge must be a Decimal, got float"):
        _line(charge=150.0)
    with pytest.raises(ValueError, match="more than 2 decimal places"):
        _line(charge=M("150.001"))
    with pytest.raises(ValueError, match=">= 0"):
        _line(charge=M("-1"))


def test_the_total_charge_is_the_sum_of_the_lines():
    with pytest.raises(ValueError, match=r"total_charge 999 != sum of line charges 430.00"):
        replace(_claim(), total_charge=M("999"))


def test_replacement_and_void_need_the_payer_claim_number():
    for frequency in ("7", "8"):
        with pytest.raises(ValueError, match=r"needs original_claim_number \(REF\*F8\)"):
            replace(_claim(), frequency_code=frequency)
        assert replace(_claim(), frequency_code=frequency, original_claim_number="PAYER123")


@pytest.mark.parametrize("code", ["F32.9", "f329", "329", "F", "F3291234"])
def test_diagnoses_are_icd10_codes_without_the_dot(code):
    with pytest.raises(ValueError, match="ICD-10-CM code without the dot"):
        replace(_claim(), diagnoses=(code,))


def test_the_billing_provider_needs_a_type_2_npi_an_ein_and_zip_plus_4():
    provider = s.CLINIC
    with pytest.raises(ValueError, match="npi must be 10 digits"):
        replace(provider, npi="123")
    with pytest.raises(ValueError, match="tin must be 9 digits"):
        replace(provider, tin="23-1234567")
    short_zip = Address(line1="1 MAIN ST", city="TOWN", state="PA", zip_code="17101")
    with pytest.raises(ValueError, match=r"ZIP\+4"):
        BillingProvider(
            org_name="X",
            npi="1234567893",
            tin="231234567",
            taxonomy="261QM0801X",
            address=short_zip,
        )


def test_values_cannot_smuggle_x12_delimiters():
    with pytest.raises(ValueError, match="may not contain"):
        Provider(last_name="O*BRIEN", npi="1234567893")


def test_a_subscriber_who_is_the_patient_needs_birth_date_and_address():
    group = s.outpatient().billing[0].subscribers[0]
    with pytest.raises(ValueError, match="dob and address are required"):
        replace(group, subscriber=replace(group.subscriber, dob=None))


def test_professional_and_institutional_claims_do_not_mix_under_one_subscriber():
    professional = _claim()
    institutional = s.iop().billing[0].subscribers[0].claims[0]
    with pytest.raises(ValueError, match="cannot be mixed"):
        SubscriberGroup(
            subscriber=s.ADULT, payer=s.COMMERCIAL, claims=(professional, institutional)
        )


def test_patient_control_numbers_are_unique_in_a_batch():
    batch = s.telehealth()
    group = batch.billing[0].subscribers[0]
    twin = replace(group.claims[1], patient_control_number="TH-2001")
    with pytest.raises(ValueError, match="share a patient control number"):
        replace(
            batch,
            billing=(
                replace(
                    batch.billing[0], subscribers=(replace(group, claims=(group.claims[0], twin)),)
                ),
            ),
        )


def test_coordination_of_benefits_must_balance():
    """Claim charge - claim CAS - line CAS = the other payer's paid amount (AMT*D)."""
    claim = s.medicare_secondary().billing[0].subscribers[0].claims[0]
    other = claim.other_payers[0]
    with pytest.raises(ValueError, match=r"does not balance: charge 150.00 - adjustments 70.00"):
        replace(claim, other_payers=(replace(other, paid_amount=M("90.00")),))


def test_a_line_adjudication_must_balance_and_name_a_known_payer():
    good = LineAdjudication(
        payer_id="KHP01",
        paid_amount=M("100"),
        paid_units=M(1),
        adjudication_date=datetime.date(2026, 3, 20),
        adjustments=(Adjustment(group="CO", reason="45", amount=M("50")),),
    )
    with pytest.raises(ValueError, match="does not balance"):
        _line(adjudications=(replace(good, paid_amount=M("90")),))
    with pytest.raises(ValueError, match="unknown payer 'KHP01'"):
        _with_lines(_line(adjudications=(good,)))
    other = OtherPayer(
        payer=s.COMMERCIAL,
        subscriber_last_name="DOE",
        subscriber_first_name="J",
        subscriber_member_id="K1",
        responsibility="P",
        paid_amount=M("100"),
    )
    assert _with_lines(_line(adjudications=(good,)), other_payers=(other,))


def test_institutional_limits():
    claim = s.php().billing[0].subscribers[0].claims[0]
    assert replace(claim, diagnoses=tuple(f"F{n:02d}9" for n in range(10, 35)))  # 1 + 24
    with pytest.raises(ValueError, match="up to 24 other"):
        replace(claim, diagnoses=tuple(f"F{n:02d}9" for n in range(10, 36)))
    with pytest.raises(ValueError, match="statement_to is before statement_from"):
        replace(claim, statement_to=claim.statement_from - datetime.timedelta(days=1))
    with pytest.raises(ValueError, match=r"2 digits \(CL103\)"):
        replace(claim, patient_status="")
    with pytest.raises(ValueError, match="admission_time needs admission_date"):
        replace(claim, admission_time=datetime.time(9))
    assert claim.type_of_bill == "761"


def test_institutional_lines_take_a_revenue_code_and_units_or_days():
    line = s.residential().billing[0].subscribers[0].claims[0].lines[0]
    assert line.unit_basis == "DA"
    with pytest.raises(ValueError, match="revenue_code must be 4 digits"):
        replace(line, revenue_code="912")
    with pytest.raises(ValueError, match="unit_basis must be one of UN, DA"):
        replace(line, unit_basis="MJ")
    with pytest.raises(ValueError, match="modifiers need a procedure_code"):
        replace(line, procedure_code="", modifiers=("HQ",))


def test_code_lists_are_checked_where_a_wrong_code_means_a_rejection():
    with pytest.raises(ValueError, match="filing_indicator must be one of"):
        replace(s.ADULT, filing_indicator="XX")
    with pytest.raises(ValueError, match="insurance_type must be one of"):
        replace(s.ADULT, insurance_type="99")
    with pytest.raises(ValueError, match="delay_reason must be one of"):
        replace(_claim(), delay_reason="12")
    assert replace(_claim(), delay_reason="3").delay_reason == "3"


def test_at_most_six_adjustments_per_group_code():
    seven = tuple(Adjustment(group="CO", reason=str(n), amount=M(1)) for n in range(7))
    other = s.medicare_secondary().billing[0].subscribers[0].claims[0].other_payers[0]
    with pytest.raises(ValueError, match="at most 6 adjustments per group code, CO has 7"):
        replace(other, adjustments=seven)

"""Program days billed service by service (Medicare PHP and IOP, REFERENCE.md §14 [V]: one line
per service with revenue code + HCPCS, condition code 41 PHP / 92 IOP, a per-diem APC chosen by
the number of qualifying services that day, 3 or 4 and more; CGS "Intensive Outpatient Program
Services" 2024-01-02, First Coast IOP page, Noridian MM13222). G0410/G0411 "approximately 45 to
50 minutes" (HCPCS descriptors). Per-diem payers stay per diem."""

from __future__ import annotations

import pytest

from coding import (
    LevelOfCareCode,
    PayerRules,
    PaymentClassRule,
    PerServiceDay,
    ProgramDayRules,
    ProgramService,
    ProgramServiceCode,
    ServiceFacts,
)
from coding import code_service as engine

SERVICES = {
    "group_psychotherapy": ProgramServiceCode(hcpcs="G0410", revenue_code="0915", unit_minutes=45),
    "interactive_group": ProgramServiceCode(hcpcs="G0411", revenue_code="0915", unit_minutes=45),
    "individual_psychotherapy": ProgramServiceCode(revenue_code="0914"),
    "family_with_patient": ProgramServiceCode(revenue_code="0916"),
    "family_without_patient": ProgramServiceCode(revenue_code="0916"),
    "occupational_therapy": ProgramServiceCode(hcpcs="G0129", revenue_code="0430", min_minutes=45),
    "activity_therapy": ProgramServiceCode(hcpcs="G0176", revenue_code="0904", min_minutes=45),
    "patient_education": ProgramServiceCode(hcpcs="G0177", revenue_code="0942", min_minutes=45),
    "diagnostic_evaluation": ProgramServiceCode(revenue_code="0900"),
}
# APC numbers are payer data; the engine only reads them back.
CLASSES = (
    PaymentClassRule(3, "3 services", "5863"),
    PaymentClassRule(4, "4 or more services", "5864"),
)
PHP = LevelOfCareCode(
    hcpcs="",
    label="Medicare PHP service lines",
    condition_codes=("41",),
    per_service=PerServiceDay(services=SERVICES, payment_classes=CLASSES),
)
IOP = LevelOfCareCode(
    hcpcs="",
    label="Medicare IOP service lines",
    condition_codes=("92",),
    per_service=PerServiceDay(services=SERVICES, payment_classes=CLASSES),
)
MINIMUMS = ProgramDayRules(min_hours_per_day=3, min_hours_per_week=20)


def medicare(level: LevelOfCareCode = PHP) -> PayerRules:
    return PayerRules(name="Medicare", level_of_care=level, program_day=MINIMUMS)


def code_service(facts: ServiceFacts, rules: PayerRules | None = None):
    return engine(facts, rules or medicare())


def day(*services: tuple[str, int], minutes: int = 240) -> ServiceFacts:
    return ServiceFacts(
        kind="program_day",
        rendering_license="lcsw",
        minutes=minutes,
        program_services=tuple(
            ProgramService(kind, m, ref=f"s{n}") for n, (kind, m) in enumerate(services)
        ),
    )


# Source: HCPCS G0410 "approximately 45 to 50 minutes": whole 45-minute units.
@pytest.mark.parametrize(
    ("minutes", "units"),
    [(44, 0), (45, 1), (89, 1), (90, 2)],
)
def test_group_psychotherapy_g0410_is_billed_in_whole_45_minute_units(minutes, units):
    result = code_service(day(("group_psychotherapy", minutes), ("individual_psychotherapy", 50)))
    g0410 = [line for line in result.lines if line.code == "G0410"]
    assert [line.units for line in g0410] == ([units] if units else [])
    if units:
        assert g0410[0].revenue_code == "0915"
        assert g0410[0].service_ref == "s0"
    else:
        assert any("under one 45-min unit of G0410" in w for w in result.warnings)


# Source: REFERENCE.md §2/§14, per-diem APCs for 3 and for 4 or more services a day; fewer
# than 3: no per diem [U].
@pytest.mark.parametrize(
    ("count", "label", "apc"),
    [
        (2, "fewer than 3: no per diem", None),
        (3, "3 services", "5863"),
        (4, "4 or more services", "5864"),
        (6, "4 or more services", "5864"),
    ],
)
def test_the_day_payment_class_follows_the_number_of_qualifying_services(count, label, apc):
    services = [("group_psychotherapy", 50)] * count
    result = code_service(day(*services))
    assert result.billable
    assert len(result.lines) == count
    assert result.payment_class is not None
    assert (result.payment_class.services, result.payment_class.label) == (count, label)
    assert result.payment_class.apc == apc


def test_a_day_short_of_three_services_says_no_per_diem_is_paid():
    result = code_service(day(("group_psychotherapy", 50), ("activity_therapy", 50)))
    assert any("no per-diem payment" in w for w in result.warnings)


def test_a_90_minute_group_counts_as_two_services():
    result = code_service(day(("group_psychotherapy", 90), ("individual_psychotherapy", 45)))
    assert result.payment_class.services == 3
    assert result.payment_class.label == "3 services"


# Source: REFERENCE.md §14, condition code 41 (PHP) or 92 (IOP).
@pytest.mark.parametrize(("level", "code"), [(PHP, "41"), (IOP, "92")])
def test_the_condition_code_follows_the_level(level, code):
    result = code_service(day(("group_psychotherapy", 50)), medicare(level))
    assert result.condition_codes == (code,)


# Source: REFERENCE.md §1, psychotherapy 90832 16-37, 90834 38-52, 90837 ≥53; family 90846
# (absent) / 90847 (present) from 26 min; 90791 evaluation.
@pytest.mark.parametrize(
    ("kind", "minutes", "code", "revenue"),
    [
        ("individual_psychotherapy", 30, "90832", "0914"),
        ("individual_psychotherapy", 45, "90834", "0914"),
        ("individual_psychotherapy", 60, "90837", "0914"),
        ("family_with_patient", 50, "90847", "0916"),
        ("family_without_patient", 50, "90846", "0916"),
        ("diagnostic_evaluation", 60, "90791", "0900"),
        ("interactive_group", 50, "G0411", "0915"),
        ("occupational_therapy", 45, "G0129", "0430"),
        ("activity_therapy", 45, "G0176", "0904"),
        ("patient_education", 60, "G0177", "0942"),
    ],
)
def test_each_service_gets_its_own_line_with_hcpcs_and_revenue_code(kind, minutes, code, revenue):
    result = code_service(day((kind, minutes)))
    assert [(line.code, line.revenue_code, line.units) for line in result.lines] == [
        (code, revenue, 1)
    ]
    assert result.lines[0].billed_provider.value == "facility"


@pytest.mark.parametrize(
    ("kind", "minutes", "why"),
    [
        ("individual_psychotherapy", 15, "< 16: not billable"),
        ("family_with_patient", 20, "not billable"),
        ("activity_therapy", 44, "under the 45-min minimum"),
        ("occupational_therapy", 30, "under the 45-min minimum"),
    ],
)
def test_a_service_short_of_its_minimum_is_explained_and_not_counted(kind, minutes, why):
    result = code_service(day((kind, minutes), ("group_psychotherapy", 50)))
    assert [line.code for line in result.lines] == ["G0410"]
    assert any(why in w for w in result.warnings)
    assert result.payment_class.services == 1


def test_a_kind_the_payer_does_not_bill_in_a_program_day_is_explained():
    services = {"group_psychotherapy": SERVICES["group_psychotherapy"]}
    level = LevelOfCareCode(hcpcs="", per_service=PerServiceDay(services=services))
    result = code_service(
        day(("activity_therapy", 60), ("group_psychotherapy", 50)), medicare(level)
    )
    assert [line.code for line in result.lines] == ["G0410"]
    assert any("Medicare has no code for it in a program day" in w for w in result.warnings)
    assert result.payment_class is None  # the payer set no classes


def test_a_per_service_day_without_recorded_services_is_not_billable_and_says_why():
    result = code_service(day())
    assert not result.billable
    assert any("record the day's services" in e for e in result.errors)


def test_a_day_whose_services_all_fall_short_is_not_billable():
    result = code_service(day(("individual_psychotherapy", 10)))
    assert not result.billable and result.payment_class is None
    assert any("none of the day's services qualifies" in e for e in result.errors)


def test_a_per_diem_payer_still_bills_one_per_diem_line_whatever_the_services():
    per_diem = PayerRules(
        name="Plan",
        level_of_care=LevelOfCareCode(hcpcs="S0201", revenue_code="0913"),
        program_day=MINIMUMS,
    )
    result = code_service(
        day(("group_psychotherapy", 90), ("individual_psychotherapy", 50)), per_diem
    )
    assert [(line.code, line.units, line.revenue_code) for line in result.lines] == [
        ("S0201", 1, "0913")
    ]
    assert result.payment_class is None and result.condition_codes == ()


def test_a_short_program_day_is_still_billed_service_by_service_with_a_warning():
    result = code_service(day(("group_psychotherapy", 50), minutes=120))
    assert result.billable and [line.code for line in result.lines] == ["G0410"]
    assert any("daily minimum" in w for w in result.warnings)

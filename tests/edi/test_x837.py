"""837P/837I output: golden files per scenario, zero pyx12 errors for every level of care and
billing situation, the TR3 details each situation needs, and a read-back of what was written
(edi/x837.py; REFERENCE.md §2, §3, §10, §14).

Regenerate the goldens after an intended change: EDI_REGENERATE_GOLDEN=1 (then review the diff).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from edi.x12 import parse, transactions
from edi.x837 import write_837i, write_837p
from edi.x837_read import list_claims
from tests.edi import scenarios as s
from tests.edi.pyx12_check import pyx12_errors
from tests.edi.samples import needs_samples, sample

GOLDEN = Path(__file__).parent / "golden"
P = s.PROFESSIONAL_SCENARIOS
I = s.INSTITUTIONAL_SCENARIOS  # noqa: E741


def _837p(name: str, **kw) -> str:
    return write_837p(P[name](), envelope=s.envelope(**kw), group_control=1)


def _837i(name: str, **kw) -> str:
    return write_837i(I[name](), envelope=s.envelope(**kw), group_control=1)


def _segments(text: str) -> list[str]:
    return [str(seg) for seg in transactions(text)[0].segments]


def _check_golden(path: Path, text: str) -> None:
    if os.environ.get("EDI_REGENERATE_GOLDEN"):
        path.write_text(text, encoding="ascii")
    assert path.read_text(encoding="ascii") == text, f"{path.name} changed (see module doc)"


@pytest.mark.parametrize("name", sorted(P))
def test_837p_matches_its_golden_file(name):
    _check_golden(GOLDEN / f"837p_{name}.x12", _837p(name, newline=True))


@pytest.mark.parametrize("name", sorted(I))
def test_837i_matches_its_golden_file(name):
    _check_golden(GOLDEN / f"837i_{name}.x12", _837i(name, newline=True))


def test_the_line_breaks_in_the_goldens_are_the_only_difference_from_what_is_sent():
    assert _837p("outpatient") == _837p("outpatient", newline=True).replace("~\n", "~")


@pytest.mark.parametrize("name", sorted(P))
def test_837p_validates_with_pyx12(name):
    assert pyx12_errors(_837p(name)) == []


@pytest.mark.parametrize("name", sorted(I))
def test_837i_validates_with_pyx12(name):
    assert pyx12_errors(_837i(name)) == []


def test_the_pyx12_check_reports_a_broken_837():
    """The helper can fail: a claim without its diagnosis (HI) and a billing provider NPI
    with a wrong qualifier are both reported."""
    good = _837p("outpatient")
    broken = good.replace("HI*ABK:F331*ABF:F411~", "").replace("SE*30*", "SE*29*")
    assert broken != good
    errors = pyx12_errors(broken)
    assert any("HI" in e and "missing" in e.lower() for e in errors), errors
    wrong_qualifier = good.replace("*XX*1234567893~", "*ZZ*1234567893~")
    assert any("ZZ" in e for e in pyx12_errors(wrong_qualifier))


def test_the_pyx12_check_reports_an_unknown_guide_version():
    text = _837p("outpatient").replace("005010X222A1", "005010X222A2")
    assert pyx12_errors(text) == [
        "pyx12 engine error: Map not found.  icvn=00501, fic=HC, vriic=005010X222A2"
    ]


def test_an_institutional_claim_cannot_go_in_an_837p():
    with pytest.raises(ValueError, match="InstitutionalClaim cannot go in an 005010X222A1"):
        write_837p(I["iop"](), envelope=s.envelope(), group_control=1)
    with pytest.raises(ValueError, match="ProfessionalClaim cannot go in an 005010X223A2"):
        write_837i(P["outpatient"](), envelope=s.envelope(), group_control=1)


def test_envelope_values_come_from_the_caller():
    text = write_837p(
        P["outpatient"](),
        envelope=s.envelope(control=905, usage="P"),
        group_control=31,
        transaction_control="000000777",
    )
    [interchange] = parse(text)
    assert interchange.control_number == "000000905" and interchange.usage == "P"
    group = interchange.groups[0]
    assert (group.functional_id, group.control_number, group.version) == (
        "HC",
        "31",
        "005010X222A1",
    )
    assert group.transactions[0].control_number == "000000777"
    assert interchange.problems == ()


# --- what each situation puts on the claim ------------------------------------------------


def test_outpatient_claim_has_billing_rendering_referring_and_prior_auth():
    seg = _segments(_837p("outpatient"))
    assert "PRV*BI*PXC*261QM0801X" in seg
    assert "REF*EI*231234567" in seg
    assert "CLM*OP-1001*430***11:B:1*Y*A*Y*Y" in seg
    assert "REF*G1*AUTH-55512" in seg
    assert "NM1*DN*1*PATEL*NINA****XX*1321098760" in seg
    assert "NM1*82*1*RIVERA*ANA****XX*1543210987" in seg and "PRV*PE*PXC*1041C0700X" in seg
    assert "SV1*HC:90837*180*UN*1***1:2" in seg and "REF*6R*L2" in seg


def test_telehealth_uses_pos_10_or_02_with_95_or_93():
    seg = _segments(_837p("telehealth"))
    assert "CLM*TH-2001*150***10:B:1*Y*A*Y*Y" in seg and "SV1*HC:90834:95*150*UN*1***1" in seg
    assert "CLM*TH-2002*95***02:B:1*Y*A*Y*Y" in seg and "SV1*HC:90832:93*95*UN*1***1" in seg


def test_group_therapy_for_a_dependent_has_a_patient_level_and_service_facility():
    seg = _segments(_837p("group"))
    assert "HL*2*1*22*1" in seg and "SBR*P********MC" in seg
    assert "HL*3*2*23*0" in seg and "PAT*19" in seg and "NM1*QC*1*SMITH*ALEX" in seg
    assert "NM1*77*2*RIVERBEND EAST*****XX*1876543210" in seg
    assert "SV1*HC:90853:HQ*60*UN*1***1" in seg


def test_crisis_bills_90839_and_90840_on_one_date():
    seg = _segments(_837p("crisis"))
    assert seg.count("DTP*472*D8*20260302") == 2
    assert "SV1*HC:90839*220*UN*1***1" in seg and "SV1*HC:90840*110*UN*1***1" in seg


def test_supervised_billing_names_the_supervisor_in_2310d():
    seg = _segments(_837p("supervised"))
    assert "NM1*82*1*OKAFOR*JAMES****XX*1765432103" in seg
    assert "NM1*DQ*1*MILLER*SARAH****XX*1432167892" in seg
    assert seg.index("NM1*DQ*1*MILLER*SARAH****XX*1432167892") > seg.index("PRV*PE*PXC*101YP2500X")
    assert "SV1*HC:90834:HL*140*UN*1***1" in seg


def test_a_secondary_claim_carries_the_primary_payers_adjudication():
    seg = _segments(_837p("secondary"))
    assert "SBR*S********MC" in seg
    other = seg.index("SBR*P*19*GRP7788******CI")
    assert seg[other + 1 : other + 6] == [
        "AMT*D*96",
        "AMT*EAF*24",
        "OI***Y***Y",
        "NM1*IL*1*SMITH*ROBIN****MI*KHP998877",
        "NM1*PR*2*KEYSTONE HEALTH PLAN*****PI*KHP01",
    ]
    line = seg.index("SVD*KHP01*96*HC:90834**1")
    assert seg[line + 1 : line + 4] == ["CAS*CO*45*30", "CAS*PR*2*24", "DTP*573*D8*20260320"]
    assert "DTP*573*D8*20260320" not in seg[other:line]  # line-level detail replaces 2330B's


def test_medicare_secondary_payer_reports_sbr05_and_a_claim_level_cob():
    seg = _segments(_837p("medicare_secondary"))
    assert "SBR*S*18***12****MB" in seg
    assert "CAS*PR*1*70" in seg and "AMT*D*80" in seg and "DTP*573*D8*20260318" in seg


def test_replacement_and_void_carry_the_frequency_and_payer_claim_number():
    for name, frequency in (("replacement", "7"), ("void", "8")):
        seg = _segments(_837p(name))
        assert f"CLM*OP-1001*180***11:B:{frequency}*Y*A*Y*Y" in seg
        assert "REF*F8*KHP2026030900123" in seg


def test_hl_levels_nest_across_billing_providers_and_subscribers():
    hls = [seg for seg in transactions(_837p("many"))[0].segments if seg.id == "HL"]
    assert [h.elements[1:] for h in hls] == [
        ("1", "", "20", "1"),
        ("2", "1", "22", "0"),
        ("3", "1", "22", "1"),
        ("4", "3", "23", "0"),
        ("5", "", "20", "1"),
        ("6", "5", "22", "0"),
    ]
    assert "NM1*87*2" in _segments(_837p("many"))


def test_residential_interim_bill_reports_days_leave_and_covered_days():
    seg = _segments(_837i("residential"))
    assert "CLM*RS-7001*8400***86:A:2**A*Y*Y" in seg
    assert "DTP*434*RD8*20260302-20260317" in seg and "DTP*435*DT*202603021400" in seg
    assert "CL1*3*1*30" in seg and "HI*ABK:F1020" in seg and "HI*ABJ:F1020" in seg
    assert "HI*BI:74:RD8:20260310-20260311" in seg
    assert "HI*BE:80:::14*BE:81:::1" in seg
    assert "SV2*1002*HC:H2036*8400*DA*14" in seg and "DTP*472*RD8*20260302-20260317" in seg
    assert "NM1*71*1*CHEN*DAVID*L***XX*1678901236" in seg and "PRV*AT*PXC*2084P0800X" in seg


def test_withdrawal_management_reports_admission_and_discharge_hours():
    seg = _segments(_837i("withdrawal_management"))
    assert seg[seg.index("CLM*WM-7101*2700***86:A:1**A*Y*Y") + 1 : seg.index("CL1*2*1*01")] == [
        "DTP*096*TM*1030",
        "DTP*434*RD8*20260305-20260308",
        "DTP*435*DT*202603052215",
    ]
    assert "HI*BH:42:D8:20260308" in seg and "SV2*1002*HC:H0011*2700*DA*3" in seg


def test_php_and_iop_carry_their_condition_codes_and_revenue_codes():
    php = _segments(_837i("php"))
    assert (
        "HI*BG:41" in php and "HI*APR:F332" in php and php.count("SV2*0912*HC:H0035*450*UN*1") == 5
    )
    iop = _segments(_837i("iop"))
    assert "HI*BG:92" in iop and "CLM*IOP-9001*720***13:A:1**A*Y*Y" in iop
    assert "SV2*0906*HC:H0015*300*UN*1" in iop and "SV2*0915*HC:G0410*120*UN*2" in iop
    # 2310A attending, 2310D rendering (no PRV on an 837I), 2310E facility, 2310F referring
    order = [
        iop.index(x)
        for x in (
            "NM1*71*1*CHEN*DAVID*L***XX*1678901236",
            "NM1*82*1*RIVERA*ANA****XX*1543210987",
            "NM1*77*2*RIVERBEND IOP",
            "NM1*DN*1*PATEL*NINA****XX*1321098760",
        )
    ]
    assert order == sorted(order)
    assert "PRV*PE*PXC*1041C0700X" not in iop


def test_institutional_secondary_void_and_replacement():
    seg = _segments(_837i("secondary"))
    assert "SBR*P*19*******CI" in seg and "CAS*PR*3*50" in seg and "AMT*D*300" in seg
    assert "SVD*KHP01*350*HC:H0015*0906*1" in seg
    assert "CLM*RS-7001*9000***86:A:7**A*Y*Y" in _segments(_837i("replacement"))
    void = _segments(_837i("void"))
    assert "CLM*IOP-9001*300***13:A:8**A*Y*Y" in void and "REF*F8*KHP20260399" in void


# --- reading back --------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "name"), [("P", n) for n in P] + [("I", n) for n in I])
def test_list_claims_reads_back_what_was_written(kind, name):
    batch = (P if kind == "P" else I)[name]()
    text = _837p(name) if kind == "P" else _837i(name)
    summaries = list_claims(text)
    claims = batch.claims()
    assert [c.patient_control_number for c in summaries] == [
        c.patient_control_number for c in claims
    ]
    assert [c.total_charge for c in summaries] == [c.total_charge for c in claims]
    assert [c.line_count for c in summaries] == [len(c.lines) for c in claims]
    assert [c.frequency_code for c in summaries] == [c.frequency_code for c in claims]
    assert all(c.institutional == (kind == "I") for c in summaries)
    assert all(c.batch_reference == batch.reference for c in summaries)


def test_list_claims_knows_each_claims_parties_and_dates():
    [dependent] = list_claims(_837p("group"))
    assert (dependent.patient_last_name, dependent.patient_first_name) == ("SMITH", "ALEX")
    assert dependent.member_id == "MCO555000111" and dependent.payer_id == "PAMCO"
    assert dependent.billing_provider_npi == "1234567893"
    [residential] = list_claims(_837i("residential"))
    assert residential.type_of_bill == "862"
    assert (residential.service_from, residential.service_to) == (s.D(2026, 3, 2), s.D(2026, 3, 17))
    first, *_ = list_claims(_837p("outpatient"))
    assert first.position == 19  # CLM's place in the set, as a 999 IK302 reports it
    assert transactions(_837p("outpatient"))[0].segments[18].id == "CLM"


def test_a_late_claim_with_a_delay_reason_validates():
    batch = P["outpatient"]()
    group = batch.billing[0].subscribers[0]
    late = dataclasses.replace(group.claims[0], delay_reason="3")  # authorization delays
    batch = dataclasses.replace(
        batch,
        billing=(
            dataclasses.replace(
                batch.billing[0], subscribers=(dataclasses.replace(group, claims=(late,)),)
            ),
        ),
    )
    text = write_837p(batch, envelope=s.envelope(), group_control=1)
    clm = next(seg for seg in transactions(text)[0].segments if seg.id == "CLM")
    assert clm[20] == "3"
    assert pyx12_errors(text) == []


@needs_samples
@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("stupidedi__tr3-commercial-health-insurance.x12", True),
        ("stupidedi__tr3-medicare-secondary-payer-cob.x12", True),
        ("uhin__psychotherapy-90834-icd10.x12", True),
        ("imsweb__invalid-missing-elements.x12", False),
        ("imsweb__invalid-bad-code-value.x12", False),
        ("imsweb__invalid-missing-required-loops.x12", False),
    ],
)
def test_the_pyx12_check_agrees_with_the_corpus_on_clean_and_invalid_files(name, clean):
    errors = pyx12_errors(sample("837P", name).decode("utf-8-sig"))
    assert (errors == []) is clean, errors[:3]

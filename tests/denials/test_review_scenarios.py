"""The outside billing/compliance review of remittance and denials (review 9), kept as
regression scenarios. Scenarios built the
real way: builder claims, 835s written with edi.x835_write (tests/denials/era.py), posted with
post_835. Each test asserts what the public rule says; tests marked xfail(strict=True) are the
review's findings (they flip to XPASS -> fail once fixed, so the marker must then go)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connections

from claims.models import Claim
from denials import appeals, codes, parity, reports, services
from denials.models import (
    ClaimPayment,
    Denial,
    DenialSettings,
    PatientLedgerEntry,
    PostingException,
    ProviderAdjustment,
    Remittance,
)
from denials.posting import post_835
from edi.x835 import ProviderAdjustment as PLB
from rcm.tenancy import org_context
from tests import factories
from tests.claims import builders
from tests.denials import era
from tests.denials.era import adj, clp, line_of

M = Decimal
API = "/api/o/clinic-a/"
WEB = "/o/clinic-a/denials/"


def _claim(*charges, status=Claim.Status.ACCEPTED, codes_=None, **kw):
    codes_ = codes_ or ["90834"] * len(charges)
    lines = [{"code": c, "charge": M(ch)} for c, ch in zip(codes_, charges, strict=True)]
    return builders.claim(status=status, lines=lines, **kw)


def _post(content, name="era.835"):
    return post_835(content=content, file_name=name, actor=None)


def _ledger(patient):
    return sum(
        PatientLedgerEntry.objects.filter(patient=patient).values_list("amount", flat=True), M(0)
    )


# --- 1. paid claim CO-45 + PR-1/2/3 ---------------------------------------------------------


def test_paid_claim_with_co45_and_pr_deductible_coinsurance_copay(in_org_a):
    claim = _claim("200.00")
    (line,) = claim.lines.all()
    rl = line_of(
        line,
        "60.00",
        adj("CO", "45", "50.00"),
        adj("PR", "1", "40.00"),
        adj("PR", "2", "30.00"),
        adj("PR", "3", "20.00"),
    )
    s = _post(era.file_of(era.remittance((clp(claim, (rl,)),), trace="R9-1")))
    assert (s.balance_errors, s.denials, s.patient_responsibility) == (0, 0, M("90.00"))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    assert (claim.paid_amount, claim.contractual_amount, claim.patient_amount) == (
        M("60.00"),
        M("50.00"),
        M("90.00"),
    )
    assert claim.balance == 0
    reasons = sorted(PatientLedgerEntry.objects.values_list("reason", "amount"))
    # CO-45 never reaches the patient; PR 1/2/3 each a labelled ledger line.
    assert reasons == [
        ("PR-1 deductible", M("40.00")),
        ("PR-2 coinsurance", M("30.00")),
        ("PR-3 copay", M("20.00")),
    ]
    assert _ledger(claim.patient) == M("90.00")


# --- 2. CO-197 + N54 and CO-50 --------------------------------------------------------------


def test_line_denied_co197_with_n54_and_another_co50(in_org_a):
    claim = _claim("150.00", "200.00", "100.00")
    a, b, c = claim.lines.order_by("number")
    rem = era.remittance(
        (
            clp(
                claim,
                (
                    line_of(a, "0", adj("CO", "197", "150.00"), remarks=("N54",)),
                    line_of(b, "0", adj("CO", "50", "200.00")),
                    line_of(c, "70.00", adj("CO", "45", "30.00")),
                ),
            ),
        ),
        trace="R9-2",
    )
    s = _post(era.file_of(rem))
    assert s.denials == 2
    d197 = Denial.objects.get(carc="197")
    d50 = Denial.objects.get(carc="50")
    assert (d197.root_cause, d197.rarcs, d197.parity_relevant) == ("authorization", ["N54"], True)
    assert (d50.root_cause, d50.rarcs, d50.action) == ("medical_necessity", [], "appeal")
    claim.refresh_from_db()
    assert claim.denied_amount == M("350.00") and claim.balance == M("350.00")
    assert claim.status == Claim.Status.PAID  # partly paid
    # The denied CO amounts never go to the patient.
    assert not PatientLedgerEntry.objects.exists()


def test_co_group_denial_never_recommends_billing_the_patient(in_org_a):
    """CO = contractual obligation: 'generally ... a write off for the provider and are not billed
    to the patient' (wpc-edi.com/custom_html/carc_more.htm). CARC 49 under CO must not say
    bill_patient (only PR-49 would)."""
    for carc in ("49",):
        result = codes.classify("CO", carc)
        assert result.action != "bill_patient", (carc, result)


# --- 3. whole claim denied CLP02=4 CO-29 ----------------------------------------------------


def test_whole_claim_denied_for_timely_filing(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    _post(
        era.file_of(
            era.remittance(
                (clp(claim, (line_of(line, "0", adj("CO", "29", "150.00")),), status="4"),),
                trace="R9-3",
            )
        )
    )
    claim.refresh_from_db()
    d = Denial.objects.get()
    assert claim.status == Claim.Status.DENIED and claim.balance == M("150.00")
    assert (d.root_cause, d.action, d.group) == ("timely_filing", "appeal", "CO")
    assert not PatientLedgerEntry.objects.exists()


# --- 4. reversal + correction ---------------------------------------------------------------


def _paid_remit(
    claim, line, trace, paid="80.00", co="50.00", pr="20.00", status="1", position=1, sign=1
):
    rl = line_of(
        line,
        str(M(paid) * sign),
        adj("CO", "45", str(M(co) * sign)),
        adj("PR", "2", str(M(pr) * sign)),
        **({"charge": -line.charge} if sign < 0 else {}),
    )
    return clp(claim, (rl,), status=status, position=position, sign=sign)


def test_paid_claim_reversed_and_corrected_in_one_835(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    _post(era.file_of(era.remittance((_paid_remit(claim, line, "x"),), trace="R9-4a")))
    reversal = _paid_remit(claim, line, "x", status="22", sign=-1)
    corrected = _paid_remit(claim, line, "x", paid="100.00", co="30.00", pr="20.00", position=2)
    s = _post(era.file_of(era.remittance((reversal, corrected), trace="R9-4b")))
    assert s.balance_errors == 0
    claim.refresh_from_db()
    assert (claim.paid_amount, claim.contractual_amount, claim.patient_amount) == (
        M("100.00"),
        M("30.00"),
        M("20.00"),
    )
    assert claim.balance == 0 and claim.status == Claim.Status.PAID
    assert _ledger(claim.patient) == M("20.00")


def test_reversal_and_correction_in_two_separate_835s(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    _post(era.file_of(era.remittance((_paid_remit(claim, line, "x"),), trace="R9-5a")))
    rev = era.remittance(
        (_paid_remit(claim, line, "x", status="22", sign=-1),),
        trace="R9-5b",
        total_paid=M("-80.00"),
    )
    # BPR02 cannot be negative: a lone reversal comes with a PLB FB moving the debit forward.
    rev = dataclasses.replace(
        rev,
        total_paid=M("0"),
        handling_code="H",
        payment_method="NON",
        provider_adjustments=(
            PLB(
                provider_id="1245319599",
                fiscal_period_date=dt.date(2026, 12, 31),
                reason_code="FB",
                reference="PCNREV",
                amount=M("-80.00"),
            ),
        ),
    )
    s = _post(era.file_of(rev))
    assert s.balance_errors == 0
    claim.refresh_from_db()
    assert claim.paid_amount == 0 and claim.balance == M("150.00")
    assert claim.status == Claim.Status.ACCEPTED  # awaiting the correction, back in A/R
    assert _ledger(claim.patient) == 0
    corr = _paid_remit(claim, line, "x", paid="100.00", co="30.00", pr="20.00")
    _post(era.file_of(era.remittance((corr,), trace="R9-5c")))
    claim.refresh_from_db()
    assert (claim.paid_amount, claim.contractual_amount, claim.patient_amount) == (
        M("100.00"),
        M("30.00"),
        M("20.00"),
    )
    assert claim.balance == 0 and _ledger(claim.patient) == M("20.00")


def test_reversal_of_a_whole_claim_denial_carrying_a_non_denial_carc_nets_to_zero(in_org_a):
    """TR3 1.10.2.8 (X12 RFI #1147): a reversal repeats the original group codes with negated
    amounts, so it must undo exactly what the original posted."""
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    _post(
        era.file_of(
            era.remittance(
                (clp(claim, (line_of(line, "0", adj("CO", "45", "150.00")),), status="4"),),
                trace="R9-6a",
            )
        )
    )
    claim.refresh_from_db()
    assert claim.denied_amount == M("150.00")  # CLP02=4 makes CO-45 a denial
    rev = clp(
        claim,
        (line_of(line, "0", adj("CO", "45", "-150.00"), charge=-line.charge),),
        status="22",
        sign=-1,
    )
    _post(era.file_of(era.remittance((rev,), trace="R9-6b")))
    claim.refresh_from_db()
    assert (claim.denied_amount, claim.contractual_amount) == (0, 0)
    assert claim.balance == M("150.00")  # the claim's charge, nothing more


# --- 5. overpayment and PLB WO --------------------------------------------------------------


@pytest.mark.xfail(strict=True, reason="F: PLB WO never reaches claim or cash report")
def test_duplicate_payment_then_plb_wo_takeback(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    _post(era.file_of(era.remittance((clp(claim, (line_of(line, "150.00"),)),), trace="R9-7a")))
    # The payer pays the same claim again under another trace: an overpayment.
    dup = clp(claim, (line_of(line, "150.00"),), payer_claim_number="PCNDUP")
    _post(era.file_of(era.remittance((dup,), trace="R9-7b")))
    claim.refresh_from_db()
    assert claim.paid_amount == M("300.00") and claim.balance == M("-150.00")
    assert PostingException.objects.filter(kind="overpayment", claim=claim).count() == 1
    # Later the payer recoups it with PLB WO against another payment (TR3 1.10.2.17).
    other = _claim("200.00")
    (oline,) = other.lines.all()
    wo = PLB(
        provider_id="1245319599",
        fiscal_period_date=dt.date(2026, 12, 31),
        reason_code="WO",
        reference="PCNDUP",
        amount=M("150.00"),
    )
    rem = era.remittance(
        (clp(other, (line_of(oline, "200.00"),)),),
        trace="R9-7c",
        total_paid=M("50.00"),
        provider_adjustments=(wo,),
    )
    s = _post(era.file_of(rem))
    assert s.balance_errors == 0
    assert PostingException.objects.filter(kind="takeback").count() == 1
    assert ProviderAdjustment.objects.get().amount == M("150.00")
    # The deposits were 150 + 150 + 50 = 350: the collections report should say so.
    paid = sum((r["paid"] for r in reports.collections(period="month")), M(0))
    claim.refresh_from_db()
    assert (paid, claim.paid_amount, claim.balance) == (M("350.00"), M("150.00"), 0)


# --- 6. unbalanced 835 ----------------------------------------------------------------------


def test_unbalanced_835_posts_with_balance_exceptions(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    rl = line_of(line, "100.00", adj("CO", "45", "30.00"))  # 150 - 30 != 100
    rem = era.remittance((clp(claim, (rl,)),), trace="R9-8")
    s = _post(era.file_of(rem, allow_unbalanced=True))
    assert s.balance_errors == 2  # line and claim
    assert Remittance.objects.get().balanced is False
    assert PostingException.objects.filter(kind="balance").count() == 2
    claim.refresh_from_db()
    assert claim.balance == M("20.00")  # the unexplained 20 stays in A/R


# --- 7. secondary after primary with PR -----------------------------------------------------


@pytest.fixture
def account(in_org_a):
    return factories.clearinghouse_account()


def test_secondary_after_primary_with_pr_then_secondary_pays_the_patient_share(account):
    from claims.submission import claims_submit
    from tests.denials.test_secondary import (
        _pay_with_patient_share,
        _primary_with_secondary,
        _segments,
        _split,
    )

    claim = _primary_with_secondary()
    _post(_pay_with_patient_share(claim, trace="R9-9a"))
    secondary = Claim.objects.get(primary_claim=claim)
    (batch,) = claims_submit(claims=[secondary], actor=None, enqueue=False)
    amts = {s[1]: M(s[2]) for s in _segments(batch.content, "AMT")}
    lines = list(claim.lines.order_by("number"))
    splits = [_split(ln.charge) for ln in lines]
    assert amts["D"] == sum(p for p, _, _ in splits)
    assert amts["EAF"] == sum(pt for _, _, pt in splits)
    patient_share = sum(pt for _, _, pt in splits)
    assert _ledger(claim.patient) == patient_share  # the patient owes it for now
    # The secondary pays exactly the patient's share (CLP02=2; CO-23 the prior payer's impact).
    secondary.refresh_from_db()
    Claim.objects.filter(pk=secondary.pk).update(status=Claim.Status.ACCEPTED)
    sec_lines = []
    for sl, (_, _, pt) in zip(secondary.lines.order_by("number"), splits, strict=True):
        sec_lines.append(line_of(sl, str(pt), adj("CO", "23", str(sl.charge - pt))))
    _post(
        era.file_of(era.remittance((clp(secondary, tuple(sec_lines), status="2"),), trace="R9-9b"))
    )
    secondary.refresh_from_db()
    assert secondary.balance == 0
    # Nothing is left for the patient: the secondary paid their share.
    assert _ledger(claim.patient) == 0


# --- 8. Medicare denial and its levels ------------------------------------------------------


def _denial_for(payer, amount="150.00", carc="50", **claim_kw):
    claim = _claim(amount, payer=payer, **claim_kw)
    (line,) = claim.lines.all()
    _post(
        era.file_of(
            era.remittance(
                (clp(claim, (line_of(line, "0", adj("CO", carc, amount)),), status="4"),),
                trace=f"R9-D-{claim.pk}",
            )
        )
    )
    return Denial.objects.select_related("payer", "claim").get(claim=claim)


def test_medicare_denial_deadlines_through_the_levels(in_org_a):
    medicare = factories.payer(name="Medicare Part B", kind="medicare", appeal_window_days=120)
    d = _denial_for(medicare)
    assert d.appeal_deadline == d.denied_on + dt.timedelta(days=120)
    names = [appeals.level_name("medicare", n) for n in range(1, 6)]
    assert names[0].startswith("Redetermination") and names[1].startswith("Reconsideration")
    a1 = services.denial_appeal(denial=d, actor=None)
    decided = dt.date(2027, 2, 1)
    services.appeal_record_outcome(appeal=a1, actor=None, outcome="upheld", decided_on=decided)
    d.refresh_from_db()
    assert d.appeal_deadline == decided + dt.timedelta(days=180)  # QIC: 405.962
    a2 = services.denial_appeal(denial=d, actor=None)
    assert a2.level == 2
    services.appeal_record_outcome(appeal=a2, actor=None, outcome="upheld", decided_on=decided)
    d.refresh_from_db()
    assert d.appeal_deadline == decided + dt.timedelta(days=60)  # ALJ: 405.1014


def test_medicare_alj_level_is_not_offered_below_the_amount_in_controversy(in_org_a):
    """ALJ hearing needs AIC >= $200 in CY2026 ($190 in 2025); federal court >= $1,960/$1,900
    (42 CFR 405.1006; CMS-4209-N, 90 FR, Dec 4 2025)."""
    medicare = factories.payer(name="Medicare B", kind="medicare", appeal_window_days=120)
    d = _denial_for(medicare, amount="150.00")
    for _ in range(2):
        a = services.denial_appeal(denial=d, actor=None)
        services.appeal_record_outcome(
            appeal=a, actor=None, outcome="upheld", decided_on=dt.date(2027, 2, 1)
        )
        d.refresh_from_db()
    with pytest.raises(Exception):
        services.denial_appeal(denial=d, actor=None)  # $150 < $200: no ALJ hearing


def test_medicare_advantage_second_level_is_the_independent_review_entity():
    # 42 CFR 422.592; cms.gov Part C reconsideration page: an adverse plan reconsideration is
    # forwarded automatically to the Part C IRE; ALJ (422.600) comes after the IRE.
    assert "independent" in (appeals.level_name("medicare_advantage", 2) or "").lower()


# --- 9. commercial ERISA denial escalated for parity ----------------------------------------


@pytest.mark.parametrize(
    ("kind", "funding", "regulator"),
    [
        ("commercial", "erisa_self_funded", "dol_ebsa"),
        ("commercial", "fully_insured", "state_doi"),
        ("commercial", "governmental", "cms"),
        ("medicaid_mco", "", "state_medicaid"),
        ("medicare", "", None),
    ],
)
def test_parity_regulator_by_plan(kind, funding, regulator):
    assert parity.regulator_for(payer_kind=kind, plan_funding=funding) == regulator


def test_erisa_denial_escalated_for_parity_goes_to_ebsa_with_nqtl_findings(in_org_a):
    payer = factories.payer(
        name="Employer Plan",
        kind="commercial",
        appeal_window_days=180,
        parity_comparators={
            "plan_funding": "erisa_self_funded",
            "medsurg_auth_required_levels": ["inpatient"],
        },
    )
    d = _denial_for(payer, carc="197")
    assert d.parity_relevant and d.appeal_deadline == d.denied_on + dt.timedelta(days=180)
    esc = services.denial_escalate_parity(denial=d, actor=None)
    assert esc.regulator == "dol_ebsa"
    assert {f["kind"] for f in esc.findings} == {"auth_stricter"}
    # Commercial level 2 is external review, 4 months after the final internal denial.
    assert appeals.level_deadline(
        payer_kind="commercial", level=2, start=dt.date(2027, 1, 31), payer_window_days=180
    ) == dt.date(2027, 5, 31)


def test_benefit_limit_finding_is_not_invented_when_comparators_are_unknown():
    found = parity.findings(
        root_cause="benefit_limit", level="outpatient", program="mh", comparators={}
    )
    assert found == []


# --- 10. write-off above the approval threshold ---------------------------------------------


def test_write_off_above_threshold_waits_for_a_manager(client, org_a):
    with org_context(org_a):
        DenialSettings.objects.create(write_off_approval_threshold=M("100.00"))
        d = _denial_for(factories.payer(), amount="150.00")
    biller = factories.member(org_a, role="biller", part2_access=True)
    client.force_login(biller)
    r = client.post(API + f"denials/{d.public_id}/write-off/", {"note": "small", "reason": "x"})
    assert r.status_code in (200, 201), r.content
    with org_context(org_a):
        d.refresh_from_db()
        assert d.status == Denial.Status.WRITE_OFF_PENDING
        assert Claim.objects.get(pk=d.claim_id).balance == M("150.00")
    r = client.post(API + f"denials/{d.public_id}/write-off-decision/", {"approve": True})
    assert r.status_code == 403


def test_write_off_requester_cannot_approve_their_own_request(in_org_a):
    """Segregation of duties: the approval exists so a second person signs off."""
    DenialSettings.objects.create(write_off_approval_threshold=M("100.00"))
    d = _denial_for(factories.payer(), amount="150.00")
    manager = factories.member(in_org_a, role="billing_manager", part2_access=True)
    services.denial_write_off(denial=d, actor=manager, reason="uncollectable")
    with pytest.raises(Exception):
        services.denial_write_off_decide(
            denial=d, actor=manager, approve=True, reason="ok", role="billing_manager"
        )


# --- 11. AR aging and the claims API --------------------------------------------------------


def test_aging_api_reconciles_with_claims_api_after_posting(client, org_a):
    with org_context(org_a):
        denied = _claim("150.00")
        (l1,) = denied.lines.all()
        paid = _claim("150.00")
        (l2,) = paid.lines.all()
        reversed_ = _claim("150.00")
        (l3,) = reversed_.lines.all()
        _post(
            era.file_of(
                era.remittance(
                    (
                        clp(denied, (line_of(l1, "0", adj("CO", "50", "150.00")),), status="4"),
                        _paid_remit(paid, l2, "x", position=2),
                        _paid_remit(reversed_, l3, "x", position=3),
                    ),
                    trace="R9-11a",
                )
            )
        )
        rev = era.remittance(
            (_paid_remit(reversed_, l3, "x", status="22", sign=-1),), trace="R9-11b"
        )
        rev = dataclasses.replace(
            rev,
            total_paid=M("0"),
            handling_code="H",
            payment_method="NON",
            provider_adjustments=(
                PLB(
                    provider_id="1245319599",
                    fiscal_period_date=dt.date(2026, 12, 31),
                    reason_code="FB",
                    reference="X",
                    amount=M("-80.00"),
                ),
            ),
        )
        _post(era.file_of(rev))
    client.force_login(factories.member(org_a, role="admin", part2_access=True))
    aging = client.get(API + "reports/ar-aging/", {"basis": "service"}).json()
    listed = client.get(API + "claims/", {"queue": "ar", "per_page": 200}).json()
    total = sum(M(r["balance"]) for r in listed["results"])
    assert total == M(aging["overall"]["amount"]) == M("300.00")
    assert {r["control_number"] for r in listed["results"]} == {
        denied.control_number,
        reversed_.control_number,
    }


def test_net_collection_rate_counts_patient_payments(in_org_a):
    """NCR = (payer + patient payments) / (charges - contractual) (MGMA cost-rev-formulas:
    'Net FFS revenue' / 'Adjusted FFS charges'; emds.com: payments from payers AND patients)."""
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    _post(era.file_of(era.remittance((_paid_remit(claim, line, "x"),), trace="R9-12")))
    services.patient_payment_record(
        patient=claim.patient, amount="20.00", method="card", reference="", actor=None
    )
    assert reports.rates()["net_collection_rate"] == 100.0


# --- 12. same 835 twice, concurrently -------------------------------------------------------


def test_same_payment_in_two_different_files_posted_at_the_same_moment(committed_db):
    org = factories.organization()
    with org_context(org):
        claim = _claim("150.00")
        (line,) = claim.lines.all()
        rem = era.remittance((clp(claim, (line_of(line, "150.00"),)),), trace="R9-13")
        files = [era.file_of(rem), era.file_of(rem)]  # different ISA13, same TRN
    assert files[0] != files[1]
    results, barrier = [], threading.Barrier(2)

    def run(content, name):
        try:
            barrier.wait()
            with org_context(org):
                results.append(_post(content, name))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f, f"{n}.835")) for n, f in enumerate(files)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.matched for r in results) == [0, 1]
    with org_context(org):
        claim.refresh_from_db()
        assert claim.paid_amount == M("150.00")
        assert ClaimPayment.objects.count() == 1


# --- 13. Part 2 ---------------------------------------------------------------------------


def _mixed_remittance(org):
    """One 835: an MH claim paid, a Part 2 (SUD, H0020) claim denied, and the Part 2 claim's
    line out of balance (so a balance exception names it)."""
    with org_context(org):
        mh = _claim("150.00")
        (ml,) = mh.lines.all()
        sud = _claim("120.00", codes_=["H0020"], part2=True)
        (sl,) = sud.lines.all()
        sud_line = line_of(sl, "0", adj("CO", "197", "100.00"))  # 120 - 100 != 0
        rem = era.remittance(
            (
                clp(mh, (line_of(ml, "100.00", adj("CO", "45", "50.00")),)),
                clp(sud, (sud_line,), position=2, status="4"),
            ),
            trace="R9-P2",
        )
        _post(era.file_of(rem, allow_unbalanced=True))
    return mh, sud


def test_part2_remittance_details_withheld_from_member_without_part2_access(client, org_a):
    mh, sud = _mixed_remittance(org_a)
    client.force_login(factories.member(org_a, role="biller", part2_access=False))
    api_ex = client.get(API + "posting-exceptions/").content.decode()
    page_ex = client.get(WEB + "exceptions/").content.decode()
    denials_api = client.get(API + "denials/").content.decode()
    leaks = [
        (where, token)
        for where, body in (
            ("exceptions API", api_ex),
            ("exceptions page", page_ex),
            ("denials API", denials_api),
        )
        for token in (sud.control_number, "H0020")
        if token in body
    ]
    assert leaks == []


def test_mixed_remittance_shows_the_non_part2_claims_to_member_without_part2_access(client, org_a):
    mh, sud = _mixed_remittance(org_a)
    client.force_login(factories.member(org_a, role="biller", part2_access=False))
    listed = client.get(API + "remittances/").json()
    assert listed["count"] == 1
    rid = listed["results"][0]["id"]
    html = client.get(WEB + f"remittances/{rid}/").content.decode()
    assert mh.control_number in html and sud.control_number not in html

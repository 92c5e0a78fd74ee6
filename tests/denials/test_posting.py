"""Posting 835s to claims: payments, adjustments, patient share, denials, reversals, exceptions;
each file and each payment once; unreadable files refused with nothing changed."""

from __future__ import annotations

import threading
from decimal import Decimal

from django.db import connections

from claims.models import Claim, ClaimEvent
from denials.models import (
    Adjustment,
    ClaimPayment,
    Denial,
    PatientLedgerEntry,
    PostingException,
    ProviderAdjustment,
    Remittance,
    RemittanceFile,
)
from denials.posting import post_835
from edi.x835 import ProviderAdjustment as PLB
from rcm.tenancy import org_context
from tests.claims import builders
from tests.denials import era
from tests.denials.era import adj, clp, line_of

M = Decimal


def _claim(*charges: str, status=Claim.Status.ACCEPTED, **kw):
    lines = [{"code": "90834", "charge": M(c)} for c in charges]
    return builders.claim(status=status, lines=lines, **kw)


def _post(content: bytes, name: str = "era.835"):
    return post_835(content=content, file_name=name, actor=None)


def test_a_paid_claim_posts_payment_contractual_and_patient_share(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    remit = era.remittance(
        (clp(claim, (line_of(line, "80.00", adj("CO", "45", "50.00"), adj("PR", "2", "20.00")),)),),
        trace="T-1",
    )
    summary = _post(era.file_of(remit))
    assert (summary.transactions, summary.claims, summary.service_lines) == (1, 1, 1)
    assert (summary.matched, summary.unmatched, summary.denials) == (1, 0, 0)
    assert summary.total_paid == M("80.00") and summary.payments_total == M("80.00")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    assert (claim.paid_amount, claim.contractual_amount, claim.patient_amount) == (
        M("80.00"),
        M("50.00"),
        M("20.00"),
    )
    assert claim.balance == M("0.00")
    assert claim.payer_claim_number == f"PCN{claim.pk:08d}"
    (entry,) = PatientLedgerEntry.objects.filter(patient=claim.patient)
    assert (entry.amount, entry.reason) == (M("20.00"), "PR-2 coinsurance")
    lp = ClaimPayment.objects.get(claim=claim).lines.get()
    assert lp.claim_line == line and lp.line_control_number == line.control_number
    assert set(Adjustment.objects.values_list("kind", flat=True)) == {"contractual", "patient"}
    assert ClaimEvent.objects.filter(claim=claim, kind="remitted").count() == 1


def test_a_denied_line_becomes_a_classified_prioritized_denial_and_stays_in_the_balance(in_org_a):
    claim = _claim("150.00", "200.00")
    first, second = claim.lines.order_by("number")
    remit = era.remittance(
        (
            clp(
                claim,
                (
                    line_of(first, "100.00", adj("CO", "45", "50.00")),
                    line_of(second, "0", adj("CO", "197", "200.00"), remarks=("N54",)),
                ),
            ),
        ),
        trace="T-2",
    )
    summary = _post(era.file_of(remit))
    assert summary.denials == 1
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID  # partly paid
    assert claim.denied_amount == M("200.00") and claim.balance == M("200.00")
    denial = Denial.objects.get()
    assert (denial.claim_line, denial.carc, denial.group) == (second, "197", "CO")
    assert denial.root_cause == "authorization" and denial.parity_relevant
    assert denial.rarcs == ["N54"]
    window = claim.payer.appeal_window_days
    assert (denial.appeal_deadline - denial.denied_on).days == window
    assert denial.priority > 0
    assert any("denied" in r for r in denial.priority_reasons)
    assert any("197" in r for r in denial.explanation)


def test_a_whole_claim_denial_moves_the_claim_to_denied(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    remit = era.remittance(
        (clp(claim, (line_of(line, "0", adj("CO", "29", "150.00")),), status="4"),), trace="T-3"
    )
    _post(era.file_of(remit))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DENIED
    assert Denial.objects.get().root_cause == "timely_filing"


def test_a_reversal_and_its_correction_net_to_the_corrected_payment(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    first = era.remittance(
        (clp(claim, (line_of(line, "0", adj("CO", "50", "150.00")),), status="4"),), trace="T-4"
    )
    _post(era.file_of(first))
    assert Denial.objects.get().status == Denial.Status.OPEN
    reversal = clp(
        claim,
        (line_of(line, "0", adj("CO", "50", "-150.00"), charge=-line.charge),),
        status="22",
        sign=-1,
    )
    corrected = clp(
        claim, (line_of(line, "120.00", adj("CO", "45", "30.00")),), status="1", position=2
    )
    summary = _post(era.file_of(era.remittance((reversal, corrected), trace="T-5")))
    assert summary.balance_errors == 0
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    assert (claim.paid_amount, claim.denied_amount, claim.contractual_amount) == (
        M("120.00"),
        M("0.00"),
        M("30.00"),
    )
    assert claim.balance == M("0.00")
    assert Denial.objects.get().status == Denial.Status.REVERSED
    assert PostingException.objects.filter(kind="reversal", claim=claim).count() == 1


def test_the_same_file_twice_posts_once(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    content = era.file_of(era.remittance((clp(claim, (line_of(line, "150.00"),)),), trace="T-6"))
    assert _post(content).matched == 1
    again = _post(content, "copy.835")
    assert again.duplicates_skipped == 1 and again.matched == 0
    claim.refresh_from_db()
    assert claim.paid_amount == M("150.00")
    assert RemittanceFile.objects.count() == 1 and Remittance.objects.count() == 1


def test_the_same_payment_in_another_file_posts_once(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    remit = era.remittance((clp(claim, (line_of(line, "150.00"),)),), trace="T-7")
    _post(era.file_of(remit))  # a new ISA control number: different bytes, same payment
    again = _post(era.file_of(remit), "resent.835")
    assert again.duplicates_skipped == 1
    claim.refresh_from_db()
    assert claim.paid_amount == M("150.00")
    assert Remittance.objects.count() == 1 and RemittanceFile.objects.count() == 2


def test_two_imports_of_one_file_at_the_same_moment_post_once(committed_db):
    from tests import factories

    org_a = factories.organization()
    with org_context(org_a):
        claim = _claim("150.00")
        (line,) = claim.lines.all()
        content = era.file_of(
            era.remittance((clp(claim, (line_of(line, "150.00"),)),), trace="T-8")
        )
    results, barrier = [], threading.Barrier(2)

    def run(name):
        try:
            barrier.wait()
            with org_context(org_a):
                results.append(_post(content, name))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f"{n}.835",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.matched for r in results) == [0, 1]
    assert sum(r.duplicates_skipped for r in results) == 1
    with org_context(org_a):
        claim.refresh_from_db()
        assert claim.paid_amount == M("150.00")
        assert Remittance.objects.count() == 1


def test_an_unknown_claim_and_an_unmatched_line_become_exceptions_and_keep_the_money(in_org_a):
    claim = _claim("150.00")
    (line,) = claim.lines.all()
    stranger = clp(claim, (line_of(line, "40.00", adj("CO", "45", "110.00")),), position=2)
    stranger = era.RemitClaim(**{**stranger.__dict__, "patient_control_number": "R9999999999"})
    odd_line = line_of(
        line, "150.00", procedure_code="90837", line_control_number="NOPE", position=1
    )
    remit = era.remittance((clp(claim, (odd_line,)), stranger), trace="T-9")
    summary = _post(era.file_of(remit))
    assert (summary.matched, summary.unmatched) == (1, 1)
    kinds = sorted(PostingException.objects.values_list("kind", flat=True))
    assert kinds == ["unmatched_claim", "unmatched_line"]
    unmatched = ClaimPayment.objects.get(claim__isnull=True)
    assert unmatched.paid == M("40.00") and "DOE" in unmatched.details
    claim.refresh_from_db()
    assert claim.paid_amount == M("150.00")


def test_a_line_without_a_control_number_matches_by_code_modifiers_and_date(in_org_a):
    claim = _claim("150.00", "150.00")
    a, b = claim.lines.order_by("number")
    b.modifiers = ["95"]
    b.save()
    lines = (
        line_of(b, "100.00", adj("CO", "45", "50.00"), line_control_number=None, position=1),
        line_of(a, "90.00", adj("CO", "45", "60.00"), line_control_number=None, position=2),
    )
    _post(era.file_of(era.remittance((clp(claim, lines),), trace="T-10")))
    matched = dict(ClaimPayment.objects.get().lines.values_list("claim_line_id", "paid"))
    assert matched == {b.pk: M("100.00"), a.pk: M("90.00")}
    assert not PostingException.objects.exists()


def test_a_takeback_and_an_overpayment_become_exceptions(in_org_a):
    claim = _claim("100.00")
    (line,) = claim.lines.all()
    over = line_of(line, "130.00", adj("CO", "45", "-30.00"))
    plb = (PLB("1234567893", era.PAID_ON, "WO", "R0000000001", M("25.00")),)
    remit = era.remittance(
        (clp(claim, (over,)),), trace="T-11", provider_adjustments=plb, total_paid=M("105.00")
    )
    summary = _post(era.file_of(remit))
    assert summary.provider_adjustments == 1 and summary.balance_errors == 0
    kinds = sorted(PostingException.objects.values_list("kind", flat=True))
    assert kinds == ["overpayment", "takeback"]
    assert ProviderAdjustment.objects.get().amount == M("25.00")


def test_a_payment_that_does_not_balance_posts_with_an_exception(in_org_a):
    claim = _claim("100.00")
    (line,) = claim.lines.all()
    remit = era.remittance(
        (clp(claim, (line_of(line, "100.00"),)),), trace="T-12", total_paid=M("90.00")
    )
    summary = _post(era.file_of(remit, allow_unbalanced=True))
    assert summary.balance_errors == 1 and summary.matched == 1
    assert PostingException.objects.get().kind == "balance"
    assert Remittance.objects.get().balanced is False


def test_a_file_that_is_not_a_readable_835_is_refused_and_changes_nothing(in_org_a):
    claim = _claim("100.00")
    (line,) = claim.lines.all()
    good = era.file_of(era.remittance((clp(claim, (line_of(line, "100.00"),)),), trace="T-13"))
    broken = good.replace(b"CLP*", b"CLP*X*", 1).replace(b"*100*100*", b"*ABC*100*", 1)
    summary = _post(broken, "broken.835")
    assert summary.refused and summary.refused[0]["file"] == "broken.835"
    assert "Not a readable 835" in summary.refused[0]["reason"]
    assert RemittanceFile.objects.get().status == "refused"
    assert not Remittance.objects.exists() and not ClaimPayment.objects.exists()
    claim.refresh_from_db()
    assert claim.paid_amount == 0 and claim.status == Claim.Status.ACCEPTED


def test_postings_to_a_part2_claim_are_withheld_from_members_without_part2_access(org_a):
    with org_context(org_a):
        claim = _claim("100.00", part2=True)
        (line,) = claim.lines.all()
        remit = era.remittance(
            (clp(claim, (line_of(line, "0", adj("CO", "50", "100.00")),), status="4"),),
            trace="T-14",
        )
        _post(era.file_of(remit))
        assert Denial.objects.get().part2 and ClaimPayment.objects.get().part2
        assert RemittanceFile.objects.get().part2
    with org_context(org_a, part2_access=False):
        assert not Denial.objects.exists()
        assert not ClaimPayment.objects.exists()
        assert not RemittanceFile.objects.exists()


def test_net_collection_counts_what_the_patient_paid(in_org_a):
    from denials.reports import rates
    from denials.services import patient_payment_record

    claim = _claim("150.00")
    (line,) = claim.lines.all()
    remit = era.remittance(
        (clp(claim, (line_of(line, "80.00", adj("CO", "45", "50.00"), adj("PR", "2", "20.00")),)),),
        trace="T-NCR",
    )
    _post(era.file_of(remit))
    assert rates()["net_collection_rate"] == 80.0
    patient_payment_record(
        patient=claim.patient, amount="20.00", method="card", reference="visit", actor=None
    )
    # (80 paid by the payer + 20 by the patient) / (150 charged - 50 contractual)
    assert rates()["net_collection_rate"] == 100.0

"""Denial work services: assign, note, next, correct, appeal and its outcome, write-off with
approval, parity escalation; each change versioned and recorded."""

from __future__ import annotations

import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from claims.models import Claim
from denials import services
from denials.models import Appeal, Denial, DenialSettings, ParityEscalation
from denials.selectors import DenialFilters
from rcm.tenancy import org_context
from tests import factories
from tests.denials.work import denied

M = Decimal


def _kinds(denial):
    return list(denial.events.order_by("pk").values_list("kind", flat=True))


def test_a_write_off_at_or_under_the_threshold_happens_at_once_and_adds_to_the_claim(in_org_a):
    DenialSettings.objects.create(write_off_approval_threshold=M("150.00"))
    d = denied(amount="150.00")
    services.denial_write_off(denial=d, actor=None, reason="small balance", version=d.version)
    d.refresh_from_db()
    claim = Claim.objects.get(pk=d.claim_id)
    assert d.status == Denial.Status.WRITTEN_OFF
    assert claim.written_off_amount == M("150.00") and claim.balance == M("0.00")
    assert "written_off" in _kinds(d)


def test_a_write_off_above_the_threshold_waits_for_a_manager_who_approves_or_rejects(in_org_a):
    DenialSettings.objects.create(write_off_approval_threshold=M("100.00"))
    d = denied(amount="150.00")
    services.denial_write_off(denial=d, actor=None, reason="not worth it")
    d.refresh_from_db()
    assert d.status == Denial.Status.WRITE_OFF_PENDING
    assert Claim.objects.get(pk=d.claim_id).written_off_amount == 0
    with pytest.raises(ValidationError):
        services.denial_write_off_decide(denial=d, actor=None, approve=True, role="biller")
    services.denial_write_off_decide(
        denial=d, actor=None, approve=False, reason="appeal it", role="billing_manager"
    )
    d.refresh_from_db()
    assert d.status == Denial.Status.OPEN
    services.denial_write_off(denial=d, actor=None, reason="again")
    services.denial_write_off_decide(denial=d, actor=None, approve=True, role="billing_manager")
    d.refresh_from_db()
    assert d.status == Denial.Status.WRITTEN_OFF
    assert Claim.objects.get(pk=d.claim_id).written_off_amount == M("150.00")


def test_a_write_off_needs_a_reason_and_a_stale_version_is_refused(in_org_a):
    d = denied()
    with pytest.raises(ValidationError) as exc:
        services.denial_write_off(denial=d, actor=None, reason=" ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(services.StaleDenial):
        services.denial_write_off(denial=d, actor=None, reason="x", version=d.version + 1)
    d.refresh_from_db()
    assert d.status == Denial.Status.OPEN


def test_correcting_a_denial_sends_a_replacement_claim_and_marks_it_corrected(in_org_a):
    d = denied(carc="16", remarks=("M51",))
    replacement = services.denial_correct(denial=d, actor=None, reason="wrong code")
    d.refresh_from_db()
    assert d.status == Denial.Status.CORRECTED
    assert replacement.frequency == "7" and replacement.original_id == d.claim_id
    assert Claim.objects.get(pk=d.claim_id).status == Claim.Status.REPLACED


def test_an_appeal_builds_its_letter_from_the_claims_facts(in_org_a):
    patient = factories.patient()
    d = denied(patient=patient, prior_auth_number="AUTH-778", program="sud", level="iop")
    appeal = services.denial_appeal(denial=d, actor=None)
    d.refresh_from_db()
    assert d.status == Denial.Status.APPEALED
    assert (appeal.level, appeal.level_name) == (1, "Internal appeal")
    assert appeal.deadline == d.appeal_deadline
    letter = appeal.letter
    assert patient.first_name in letter and patient.date_of_birth.strftime("%m/%d/%Y") in letter
    assert "90837" in letter and "CARC 50" in letter and "AUTH-778" in letter
    assert "ASAM" in letter
    with pytest.raises(ValidationError):
        services.denial_appeal(denial=d, actor=None)


def test_an_overturned_appeal_recovers_the_denial(in_org_a):
    d = denied()
    appeal = services.denial_appeal(denial=d, actor=None)
    services.appeal_record_outcome(appeal=appeal, actor=None, outcome="overturned")
    d.refresh_from_db()
    appeal.refresh_from_db()
    assert d.status == Denial.Status.RECOVERED and appeal.amount_recovered == M("150.00")


def test_a_partly_overturned_appeal_leaves_the_rest_open(in_org_a):
    d = denied()
    appeal = services.denial_appeal(denial=d, actor=None)
    with pytest.raises(ValidationError):
        services.appeal_record_outcome(
            appeal=appeal, actor=None, outcome="partial", amount_recovered=M("150.00")
        )
    services.appeal_record_outcome(
        appeal=appeal, actor=None, outcome="partial", amount_recovered=M("100.00")
    )
    d.refresh_from_db()
    assert d.status == Denial.Status.OPEN and d.amount == M("50.00")


def test_an_upheld_medicare_appeal_reopens_at_reconsideration_with_180_days(in_org_a):
    medicare = factories.payer(kind="medicare", claim_filing_indicator="MB")
    d = denied(payer=medicare)
    first = services.denial_appeal(denial=d, actor=None)
    assert first.level_name == "Redetermination (MAC)"
    decided = dt.date(2026, 12, 1)
    services.appeal_record_outcome(appeal=first, actor=None, outcome="upheld", decided_on=decided)
    d.refresh_from_db()
    assert d.status == Denial.Status.OPEN
    assert d.appeal_deadline == decided + dt.timedelta(days=180)  # 42 CFR 405.962
    second = services.denial_appeal(denial=d, actor=None)
    assert (second.level, second.level_name) == (2, "Reconsideration (QIC)")


def test_an_upheld_commercial_external_review_closes_the_denial(in_org_a):
    d = denied()
    for outcome_day in (dt.date(2026, 12, 1), dt.date(2027, 2, 1)):
        appeal = services.denial_appeal(denial=d, actor=None)
        services.appeal_record_outcome(
            appeal=appeal, actor=None, outcome="upheld", decided_on=outcome_day
        )
        d.refresh_from_db()
    assert appeal.level_name == "External review"
    assert d.status == Denial.Status.CLOSED


def test_the_letter_prints_as_a_pdf_whose_text_can_be_extracted(in_org_a):
    from pypdf import PdfReader

    from denials.appeals import letter_pdf

    d = denied()
    appeal = services.denial_appeal(denial=d, actor=None)
    pdf = letter_pdf(appeal.letter, title="Appeal")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "CARC 50" in text and "90837" in text


def test_assign_and_note_are_recorded_as_events(in_org_a):
    d = denied()
    u = factories.user()
    services.denial_assign(denial=d, actor=u, assignee=u, version=d.version)
    services.denial_note(denial=d, actor=u, note="called the payer")
    d.refresh_from_db()
    assert d.assigned_to == u and d.version == 2
    assert _kinds(d)[-2:] == ["assigned", "note"]


def test_next_denial_hands_out_the_highest_priority_and_assigns_it(in_org_a):
    small, big = denied(amount="90.00"), denied(amount="900.00")
    u = factories.user()
    got = services.denial_next(user=u)
    assert got.pk == big.pk and got.assigned_to == u
    other = factories.user()
    assert services.denial_next(user=other).pk == small.pk
    assert services.denial_next(user=factories.user()) is None
    assert services.denial_next(user=u, filters=DenialFilters(amount_max=M("100"))) is None


def test_two_billers_asking_at_once_never_get_the_same_denial(committed_db):
    org_a = factories.organization(slug="dwork-race")
    with org_context(org_a):
        for amount in ("100.00", "200.00"):
            denied(amount=amount)
        users = [factories.user(), factories.user()]
    got, barrier = [], threading.Barrier(2)

    def ask(u):
        try:
            with org_context(org_a, actor_id=u.pk):
                barrier.wait()
                got.append(services.denial_next(user=u).pk)
                barrier.wait()  # both hold their lock until both have asked
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(u,)) for u in users]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(got) == 2 and len(set(got)) == 2


def test_a_parity_escalation_explains_why_and_files_with_the_plans_regulator(in_org_a):
    payer = factories.payer(
        parity_comparators={
            "medsurg_auth_required_levels": ["inpatient"],
            "medsurg_denial_rate": 0.05,
            "plan_funding": "erisa_self_funded",
        }
    )
    d = denied(carc="197", payer=payer, level="iop", program="mh")
    assert d.parity_relevant
    esc = services.denial_escalate_parity(denial=d, actor=None)
    kinds = {f["kind"] for f in esc.findings}
    assert {"auth_stricter", "denial_rate"} <= kinds
    assert esc.regulator == "dol_ebsa"
    d.refresh_from_db()
    assert d.status == Denial.Status.ESCALATED
    esc = services.parity_escalation_update(escalation=esc, actor=None, status="filed")
    assert esc.filed_on is not None
    with pytest.raises(ValidationError):
        services.parity_escalation_update(escalation=esc, actor=None, status="open")


@pytest.mark.parametrize(
    ("kind", "funding", "regulator"),
    [
        ("commercial", "fully_insured", "state_doi"),
        ("commercial", "erisa_self_funded", "dol_ebsa"),
        ("medicaid_mco", "", "state_medicaid"),
    ],
)
def test_the_regulator_follows_the_plan(in_org_a, kind, funding, regulator):
    payer = factories.payer(kind=kind, parity_comparators={"plan_funding": funding})
    d = denied(carc="50", payer=payer)
    assert services.denial_escalate_parity(denial=d, actor=None).regulator == regulator


def test_medicare_denials_are_not_escalated_under_parity(in_org_a):
    d = denied(carc="50", payer=factories.payer(kind="medicare", claim_filing_indicator="MB"))
    with pytest.raises(ValidationError) as exc:
        services.denial_escalate_parity(denial=d, actor=None)
    assert "regulator" in exc.value.message_dict
    assert not ParityEscalation.objects.exists() and not Appeal.objects.exists()


def test_the_manager_who_asked_for_a_write_off_cannot_approve_it(in_org_a, org_a):
    from tests import factories

    DenialSettings.objects.create(write_off_approval_threshold=M("100.00"))
    asker = factories.member(org_a, role="billing_manager")
    other = factories.member(org_a, role="billing_manager")
    d = denied(amount="150.00")
    services.denial_write_off(denial=d, actor=asker, reason="not worth it")
    d.refresh_from_db()
    with pytest.raises(ValidationError, match="another billing manager"):
        services.denial_write_off_decide(
            denial=d, actor=asker, approve=True, role="billing_manager"
        )
    with pytest.raises(ValidationError, match="Only a billing manager"):
        services.denial_write_off_decide(denial=d, actor=other, approve=True)
    services.denial_write_off_decide(denial=d, actor=other, approve=True, role="billing_manager")
    d.refresh_from_db()
    assert d.status == Denial.Status.WRITTEN_OFF

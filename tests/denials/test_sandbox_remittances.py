"""The sandbox clearinghouse pays what it accepted: its 835s (paid, partly paid, denied with
behavioral-health reasons, reversed and corrected) pass pyx12 and balance, claims polling
leaves them waiting, and the denials poll posts them to claims, denials and patient ledgers."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from claims.acks import responses_poll
from claims.clearinghouse.sandbox_remit import outcome
from claims.models import Claim, SandboxMessage
from denials.imports import clearinghouse_poll
from denials.models import ClaimPayment, Denial, PatientLedgerEntry
from denials.tasks import poll_clearinghouse
from edi.x835 import balance_errors, read_835
from tests import factories
from tests.claims.test_acks import _claim, submitted
from tests.edi.pyx12_check import pyx12_errors

COUNT = 24


@pytest.fixture
def sent(in_org_a):
    factories.clearinghouse_account()
    payer = factories.payer(name="Acme Health")
    claims = [_claim(payer) for _ in range(COUNT)]
    submitted(claims)
    return claims


def _835s():
    return [m.content for m in SandboxMessage.objects.filter(name__endswith=".835")]


def test_the_sandbox_answers_accepted_claims_with_an_835_that_passes_pyx12_and_balances(sent):
    (text,) = _835s()
    assert pyx12_errors(text) == []
    remits = read_835(text)
    assert all(balance_errors(r) == [] for r in remits)
    paid = {c.patient_control_number for c in remits[0].claims}
    assert paid == {c.control_number for c in sent}


def test_the_same_claims_get_the_same_remittance_every_time(sent):
    kinds = Counter(outcome(c.control_number) for c in sent)
    assert kinds == Counter(outcome(c.control_number) for c in sent)
    assert {"paid", "denied"} <= set(kinds)


def test_claims_polling_leaves_the_835_for_the_remittance_poll(sent):
    assert responses_poll().files == 2
    assert SandboxMessage.objects.filter(fetched_at__isnull=True).count() == 1
    summary = clearinghouse_poll().as_dict()
    assert summary["files"] == 1 and summary["transactions"] >= 1
    assert SandboxMessage.objects.filter(fetched_at__isnull=True).count() == 0


def test_polling_posts_the_sandbox_835_to_claims_denials_and_patient_ledgers(sent):
    summary = clearinghouse_poll().as_dict()
    assert summary["acknowledgments_999"] == 1 and summary["acknowledgments_277ca"] == 1
    assert summary["matched"] >= COUNT and summary["unmatched"] == 0
    statuses = Counter(
        Claim.objects.filter(pk__in=[c.pk for c in sent]).values_list("status", flat=True)
    )
    expected = Counter("denied" if outcome(c.control_number) == "denied" else "paid" for c in sent)
    assert statuses == expected
    denied = [c for c in sent if outcome(c.control_number) == "denied"]
    assert Denial.objects.filter(claim__in=denied).count() == len(denied)
    assert set(Denial.objects.values_list("carc", flat=True)) <= {
        "197",
        "50",
        "29",
        "16",
        "242",
        "119",
        "96",
    }
    paid = [c for c in sent if outcome(c.control_number) == "paid"]
    assert PatientLedgerEntry.objects.filter(claim__in=paid).count() == len(paid)
    reversed_ = [c for c in sent if outcome(c.control_number) == "reversed"]
    for claim in reversed_:
        assert ClaimPayment.objects.filter(claim=claim, reversal=True).count() == 1
        claim.refresh_from_db()
        assert claim.balance == Decimal("0.00")
    assert clearinghouse_poll().as_dict()["files"] == 0


@pytest.mark.django_db
def test_the_poll_task_posts_for_one_org(org_a):
    from rcm.tenancy import org_context

    assert poll_clearinghouse.apply(args=(org_a.pk,)).get()["files"] == 0
    with org_context(org_a):
        factories.clearinghouse_account()
        payer = factories.payer(name="Acme Health")
        submitted([_claim(payer)])
    assert poll_clearinghouse.apply(args=(org_a.pk,)).get()["files"] == 3

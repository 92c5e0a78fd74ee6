"""Every real-world 835 in ../shared/x12-samples/835 either posts or is refused with a clear
reason, never crashes; `manage.py import_x12` reports what the posting read (figures from the
files, read by hand: see tests/edi/test_x835.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from denials.models import ClaimPayment, PostingException, Remittance, RemittanceFile
from denials.posting import post_835
from tests.edi.samples import SAMPLES, needs_samples, sample_names

pytestmark = needs_samples

# file -> (transactions, claims, lines, total CLP04, sum of BPR02, PLB pairs), or the refusal
POSTS = {
    "keiron__emedny-medicaid.x12": (1, 3, 10, "45.75", "45.75", 0),
    "lfh__cob-contractual-adjustment.x12": (1, 1, 1, "34.00", "34.00", 0),
    "lfh__medicare-part-a.x12": (1, 2, 0, "149998.73", "150000.00", 1),
    "lfh__secondary-payment.x12": (1, 2, 2, "1222.00", "1222.00", 0),
    "pyx12__denied-claim-multiple-loops.x12": (1, 1, 3, "0.00", "0.00", 0),
    "stupidedi__era-sample.x12": (1, 1, 5, "132.00", "132.00", 0),
    "stupidedi__secondary-payment-higher-fee-schedule.x12": (1, 1, 1, "34.00", "34.00", 0),
    "stupidedi__secondary-payments.x12": (1, 2, 2, "1222.00", "1222.00", 0),
    "stupidedi__tr3-dollars-and-data-sent-separately.x12": (1, 2, 2, "945.00", "945.00", 0),
    "stupidedi__tr3-dollars-and-data-together-medicare-part-a.x12": (
        1,
        2,
        0,
        "149998.73",
        "150000.00",
        1,
    ),
    "stupidedi__x221-case1-cr-terminated.x12": (1, 2, 0, "149998.73", "150000.00", 1),
}
REFUSED = {
    "affect__two-payments-plb-template-tokens.x12": "CAS01",
    "keiron__bcbs-nc-no-envelope.x12": "SVC02",
    "lfh__managed-care.x12": "BPR16",
    "oopfactory__ohio-adamh-behavioral-health-4010-envelope.x12": "CLP03",
}


def test_every_sample_is_listed_here():
    assert set(sample_names("835")) == set(POSTS) | set(REFUSED) | {
        "tastypackets__emedny-156-transactions-large.x12"
    }


@pytest.mark.parametrize("name", sorted(POSTS))
def test_a_readable_sample_posts_its_figures_as_unmatched_claims(in_org_a, name):
    summary = post_835(content=(SAMPLES / "835" / name).read_bytes(), file_name=name)
    transactions, claims, lines, paid, bpr, plb = POSTS[name]
    assert (summary.transactions, summary.claims, summary.service_lines) == (
        transactions,
        claims,
        lines,
    )
    assert (summary.total_paid, summary.payments_total) == (Decimal(paid), Decimal(bpr))
    assert summary.provider_adjustments == plb
    assert (summary.matched, summary.unmatched, summary.balance_errors) == (0, claims, 0)
    assert ClaimPayment.objects.filter(claim__isnull=True).count() == claims
    assert PostingException.objects.filter(kind="unmatched_claim").count() == claims
    assert not summary.refused


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_broken_sample_is_refused_with_the_reason_and_changes_nothing(in_org_a, name):
    summary = post_835(content=(SAMPLES / "835" / name).read_bytes(), file_name=name)
    (refused,) = summary.refused
    assert refused["reason"].startswith("Not a readable 835:")
    assert REFUSED[name] in refused["reason"]
    assert not Remittance.objects.exists() and not ClaimPayment.objects.exists()
    assert RemittanceFile.objects.get().status == "refused"


def test_the_large_file_repeats_one_payment_so_it_posts_once(in_org_a):
    name = "tastypackets__emedny-156-transactions-large.x12"
    summary = post_835(content=(SAMPLES / "835" / name).read_bytes(), file_name=name)
    # 156 transactions of the same payment (same payer, same TRN02): the first posts
    assert summary.transactions == 1 and summary.duplicates_skipped == 155
    assert summary.claims == 3 and Remittance.objects.count() == 1


def test_import_x12_prints_the_posting_summary_as_json(org_a):
    names = [
        "keiron__emedny-medicaid.x12",
        "lfh__medicare-part-a.x12",
        "lfh__managed-care.x12",
        "keiron__emedny-medicaid.x12",
    ]
    out = StringIO()
    call_command(
        "import_x12", "--org", org_a.slug, *(str(SAMPLES / "835" / n) for n in names), stdout=out
    )
    result = json.loads(out.getvalue())
    assert {
        k: result[k]
        for k in (
            "files",
            "transactions",
            "claims",
            "service_lines",
            "total_paid",
            "payments_total",
            "provider_adjustments",
            "matched",
            "unmatched",
            "duplicates_skipped",
            "balance_errors",
        )
    } == {
        "files": 4,
        "transactions": 2,
        "claims": 5,
        "service_lines": 10,
        "total_paid": "150044.48",
        "payments_total": "150045.75",
        "provider_adjustments": 1,
        "matched": 0,
        "unmatched": 5,
        "duplicates_skipped": 1,
        "balance_errors": 0,
    }
    assert [r["file"] for r in result["refused"]] == ["lfh__managed-care.x12"]

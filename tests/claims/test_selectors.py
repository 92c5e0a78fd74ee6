"""The work queues: which claims each holds, filters, sorting, pages, counts and aging, and a
fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim, ClaimEvent, ClaimFinding, ClaimLine
from claims.selectors import (
    QueueFilters,
    aging_buckets,
    claim_detail,
    claims_in_queue,
    edit_codes_held,
    parse_filters,
    queue_counts,
)
from rcm.tenancy import org_context
from tests import factories
from tests.claims import claimdata

S = Claim.Status
TODAY = factories.TODAY

pytestmark = pytest.mark.usefixtures("on_today")


def _ids(page) -> list[str]:
    return [c.control_number for c in page.rows]


def _queue(queue: str, user, **kwargs) -> list[str]:
    return _ids(claims_in_queue(queue=queue, user=user, **kwargs))


@pytest.fixture
def biller(org_a):
    return factories.member(org_a, role="biller")


@pytest.mark.django_db
def test_each_queue_holds_the_claims_in_its_statuses(in_org_a, biller):
    made = {
        status: claimdata.claim(status=status, control_number=f"Q-{status}")
        for status in (S.HELD, S.READY, S.ON_HOLD, S.QUEUED, S.SUBMITTED, S.REJECTED)
    }
    made["accepted"] = claimdata.sent(control_number="Q-accepted", days_ago=5)
    claimdata.claim(status=S.CANCELLED, control_number="Q-cancelled")
    claimdata.claim(status=S.PAID, control_number="Q-paid")
    assert _queue("held", biller) == ["Q-held"]
    assert _queue("ready", biller) == ["Q-ready"]
    assert _queue("on_hold", biller) == ["Q-on_hold"]
    assert sorted(_queue("submitted", biller)) == ["Q-queued", "Q-submitted"]
    assert _queue("rejected", biller) == ["Q-rejected"]
    assert _queue("awaiting_payment", biller) == ["Q-accepted"]
    assert _queue("follow_up", biller) == []


@pytest.mark.django_db
def test_follow_up_holds_due_follow_ups_and_claims_accepted_over_30_days_unpaid(in_org_a, biller):
    claimdata.claim(status=S.READY, control_number="due-today", follow_up_on=TODAY)
    claimdata.claim(
        status=S.REJECTED, control_number="due-last-week", follow_up_on=TODAY - dt.timedelta(days=7)
    )
    claimdata.claim(
        status=S.READY, control_number="due-tomorrow", follow_up_on=TODAY + dt.timedelta(days=1)
    )
    claimdata.claim(status=S.PAID, control_number="paid-with-date", follow_up_on=TODAY)
    claimdata.sent(control_number="accepted-31-days", days_ago=31)
    claimdata.sent(control_number="accepted-30-days", days_ago=30)
    claimdata.sent(S.PAID, control_number="paid-90-days", days_ago=90)
    found = _queue("follow_up", biller, sort="payer")
    assert sorted(found) == ["accepted-31-days", "due-last-week", "due-today"]


@pytest.mark.django_db
def test_filters_narrow_by_payer_program_level_provider_amount_edit_and_assignee(in_org_a, biller):
    aetna = factories.payer(name="Aetna")
    kim = factories.provider(first_name="Kim")
    claimdata.claim(control_number="aetna", payer=aetna, charge="90", hold_codes=("NOTE-UNSIGNED",))
    claimdata.claim(control_number="kim", provider=kim, charge="300", program="sud", level="iop")
    claimdata.claim(
        control_number="mine", charge="200", assigned_to=biller, hold_codes=("AUTH-MISSING",)
    )

    def held(**params) -> list[str]:
        return sorted(_queue("held", biller, filters=parse_filters(params)))

    assert held(payer=str(aetna.public_id)) == ["aetna"]
    assert held(provider=str(kim.public_id)) == ["kim"]
    assert held(program="sud") == held(level="iop") == ["kim"]
    assert held(amount_min="150") == ["kim", "mine"]
    assert held(amount_min="150", amount_max="250.00") == ["mine"]
    assert held(edit_code="note-unsigned") == ["aetna"]
    assert held(assigned="me") == ["mine"]
    assert held(assigned="unassigned") == ["aetna", "kim"]
    assert held() == ["aetna", "kim", "mine"]


@pytest.mark.django_db
def test_age_counts_days_since_service_before_submission_and_since_submission_after(
    in_org_a, biller
):
    for days in (3, 10, 40):
        claimdata.claim(control_number=f"held-{days}", service_from=TODAY - dt.timedelta(days=days))
        claimdata.sent(control_number=f"sent-{days}", days_ago=days)
    ranged = parse_filters({"age_min": "10", "age_max": "40"})
    assert sorted(_queue("held", biller, filters=ranged)) == ["held-10", "held-40"]
    assert sorted(_queue("awaiting_payment", biller, filters=ranged)) == ["sent-10", "sent-40"]
    young = parse_filters({"age_max": "9"})
    assert _queue("awaiting_payment", biller, filters=young) == ["sent-3"]
    page = claims_in_queue(queue="awaiting_payment", user=biller, sort="-age")
    assert [(c.control_number, c.age_days) for c in page.rows] == [
        ("sent-40", 40),
        ("sent-10", 10),
        ("sent-3", 3),
    ]


@pytest.mark.django_db
def test_awaiting_payment_ages_in_buckets_with_counts_and_amounts(in_org_a, biller):
    for days in (0, 30, 31, 60, 61, 90, 91, 120, 121, 400):
        claimdata.sent(control_number=f"aged-{days}", days_ago=days, charge="100")
    buckets = {b.key: (b.count, b.amount) for b in aging_buckets(user=biller)}
    assert buckets == {
        "0-30": (2, Decimal("200")),
        "31-60": (2, Decimal("200")),
        "61-90": (2, Decimal("200")),
        "91-120": (2, Decimal("200")),
        "120+": (2, Decimal("200")),
    }
    over = _queue("awaiting_payment", biller, filters=QueueFilters(bucket="120+"), sort="-age")
    assert over == ["aged-400", "aged-121"]
    page = claims_in_queue(queue="awaiting_payment", user=biller, sort="-age")
    assert [c.bucket for c in page.rows][:3] == ["120+", "120+", "91-120"]


@pytest.mark.django_db
def test_sorting_by_amount_payer_service_date_and_age(in_org_a, biller):
    zeta, acme = factories.payer(name="Zeta Health"), factories.payer(name="Acme Health")
    claimdata.claim(
        control_number="a", payer=zeta, charge="50", service_from=TODAY - dt.timedelta(days=2)
    )
    claimdata.claim(
        control_number="b", payer=acme, charge="500", service_from=TODAY - dt.timedelta(days=9)
    )
    claimdata.claim(
        control_number="c", payer=zeta, charge="120", service_from=TODAY - dt.timedelta(days=5)
    )
    assert _queue("held", biller, sort="-amount") == ["b", "c", "a"]
    assert _queue("held", biller, sort="amount") == ["a", "c", "b"]
    assert _queue("held", biller, sort="payer") == ["b", "a", "c"]
    assert _queue("held", biller, sort="service_date") == ["b", "c", "a"]
    assert _queue("held", biller, sort="-service_date") == ["a", "c", "b"]
    assert _queue("held", biller, sort="-age") == ["b", "c", "a"]
    assert _queue("held", biller, sort="age") == ["a", "c", "b"]


@pytest.mark.django_db
def test_priority_is_timely_filing_left_then_amount_then_age(in_org_a, biller):
    strict = factories.payer(name="Strict", timely_filing_days=90)
    lenient = factories.payer(name="Lenient", timely_filing_days=365)
    old = TODAY - dt.timedelta(days=60)
    claimdata.claim(control_number="lenient-big", payer=lenient, charge="900", service_from=old)
    claimdata.claim(control_number="strict-small", payer=strict, charge="80", service_from=old)
    claimdata.claim(control_number="strict-big", payer=strict, charge="200", service_from=old)
    claimdata.claim(
        control_number="strict-big-newer",
        payer=strict,
        charge="200",
        service_from=old + dt.timedelta(days=1),
    )
    page = claims_in_queue(queue="held", user=biller)
    assert _ids(page) == ["strict-big", "strict-small", "strict-big-newer", "lenient-big"]
    assert [c.filing_days_left for c in page.rows] == [30, 30, 31, 305]


@pytest.mark.django_db
def test_pages_split_the_queue_and_a_page_past_the_end_shows_the_last(in_org_a, biller):
    for n in range(5):
        claimdata.claim(control_number=f"p{n}", charge=str(100 + n))
    first = claims_in_queue(queue="held", user=biller, sort="-amount", per_page=2)
    last = claims_in_queue(queue="held", user=biller, sort="-amount", per_page=2, page=99)
    assert (_ids(first), first.total, first.pages, first.has_next) == (["p4", "p3"], 5, 3, True)
    assert (_ids(last), last.page, last.has_next, last.has_previous) == (["p0"], 3, False, True)


@pytest.mark.django_db
def test_counts_per_queue_in_one_query_under_the_filters(in_org_a, biller):
    aetna = factories.payer(name="Aetna")
    claimdata.claim(status=S.HELD, payer=aetna)
    claimdata.claim(status=S.HELD)
    claimdata.claim(status=S.READY, payer=aetna)
    claimdata.sent(days_ago=45, payer=aetna)
    with CaptureQueriesContext(connection) as ctx:
        counts = queue_counts(user=biller)
    assert len(ctx.captured_queries) == 1
    assert counts == {
        "held": 2,
        "ready": 1,
        "on_hold": 0,
        "submitted": 0,
        "rejected": 0,
        "awaiting_payment": 1,
        "follow_up": 1,
        "ar": 1,  # sent with an open balance (denials.reports' open A/R)
    }
    only_aetna = queue_counts(user=biller, filters=QueueFilters(payer=aetna.public_id))
    assert (only_aetna["held"], only_aetna["ready"]) == (1, 1)


def test_bad_filters_are_refused_with_a_message_per_field():
    with pytest.raises(ValidationError) as exc:
        parse_filters(
            {
                "payer": "nope",
                "program": "x",
                "age_min": "-3",
                "amount_max": "lots",
                "assigned": "them",
                "bucket": "7",
            }
        )
    assert set(exc.value.message_dict) == {
        "payer",
        "program",
        "age_min",
        "amount_max",
        "assigned",
        "bucket",
    }


@pytest.mark.django_db
def test_the_edit_codes_filter_lists_the_codes_holding_claims(in_org_a):
    claimdata.claim(hold_codes=("NOTE-UNSIGNED", "AUTH-MISSING"))
    claimdata.claim(hold_codes=("AUTH-MISSING",))
    claimdata.claim(status=S.READY)
    assert edit_codes_held() == ["AUTH-MISSING", "NOTE-UNSIGNED"]


def _queue_queries(user, queue: str = "held") -> int:
    with CaptureQueriesContext(connection) as ctx:
        page = claims_in_queue(queue=queue, user=user)
        for row in page.rows:  # what the page reads of each row
            (row.payer.name, row.patient.display_name, str(row.rendering_provider))
            (row.assigned_to.username if row.assigned_to else "", row.age_days)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_a_queue_page_costs_the_same_queries_for_3_or_30_claims(org_a, biller):
    with org_context(org_a):
        for _ in range(3):
            claimdata.claim(assigned_to=biller)
        few = _queue_queries(biller)
        for _ in range(27):
            claimdata.claim(assigned_to=biller)
        many = _queue_queries(biller)
    assert few == many == 2


def _detail_queries(claim) -> int:
    with CaptureQueriesContext(connection) as ctx:
        d = claim_detail(public_id=claim.public_id)
        for line in d.lines:
            (str(line.rendering_provider), line.session.service_date)
        for row in d.events:
            (row.actor_name, row.event.note)
        for link in d.services:
            (link.session.service_date, str(link.session.rendering_provider))
        (d.claim.patient.display_name, d.claim.payer.name, d.claim.coverage.member_id)
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_a_claim_page_costs_the_same_queries_for_one_line_or_many(org_a, biller):
    with org_context(org_a):
        small = claimdata.claim()
        big = claimdata.claim()
        for n in range(2, 8):
            session = factories.session(patient_obj=big.patient, status="completed")
            ClaimLine.objects.create(
                claim=big,
                number=n,
                control_number=f"{big.control_number}-{n}",
                service_date=TODAY,
                code="90834",
                units=1,
                charge=Decimal("100"),
                rendering_provider=factories.provider(),
                session=session,
            )
            big.services.create(session=session)
            ClaimEvent.objects.create(claim=big, kind="note", actor=biller, note=f"call {n}")
            ClaimFinding.objects.create(claim=big, code=f"E{n}", severity="warning", message="m")
        assert _detail_queries(small) == _detail_queries(big) == 7


@pytest.mark.django_db
def test_the_detail_names_who_did_what(in_org_a, biller):
    claim = claimdata.claim()
    ClaimEvent.objects.create(claim=claim, kind="note", actor=biller, note="Called the payer")
    d = claim_detail(public_id=claim.public_id)
    assert [(r.event.kind, r.actor_name) for r in d.events] == [
        ("built", "system"),
        ("note", biller.username),
    ]


@pytest.mark.django_db
def test_part2_claims_are_withheld_from_members_without_part2_access(org_a, biller):
    with org_context(org_a):
        claimdata.claim(control_number="mh")
        hidden = claimdata.claim(control_number="sud", part2=True)
    with org_context(org_a, part2_access=False):
        assert _queue("held", biller) == ["mh"]
        assert queue_counts(user=biller)["held"] == 1
        with pytest.raises(Claim.DoesNotExist):
            claim_detail(public_id=hidden.public_id)
    with org_context(org_a, part2_access=True):
        assert sorted(_queue("held", biller)) == ["mh", "sud"]

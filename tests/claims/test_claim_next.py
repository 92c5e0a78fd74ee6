""" "Next claim": the highest-priority claim that is unassigned (or already the asker's), assigned
with an event; many billers asking at once never get the same claim."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from claims.models import Claim, ClaimEvent
from claims.selectors import QueueFilters
from claims.services import claim_hold, claim_next
from rcm.tenancy import org_context
from tests import factories
from tests.claims import claimdata

TODAY = factories.TODAY
WORKERS = 12
CLAIMS = 60

pytestmark = pytest.mark.usefixtures("on_today")


@pytest.fixture
def biller(org_a):
    return factories.member(org_a, role="biller")


@pytest.mark.django_db
def test_next_hands_the_most_urgent_unassigned_claim_and_assigns_it(in_org_a, biller):
    other = factories.member(in_org_a, role="biller")
    strict = factories.payer(timely_filing_days=90)
    old = TODAY - dt.timedelta(days=80)
    claimdata.claim(status="ready", control_number="relaxed", charge="999")
    claimdata.claim(
        status="ready", control_number="taken", payer=strict, service_from=old, assigned_to=other
    )
    claimdata.claim(status="ready", control_number="urgent", payer=strict, service_from=old)
    got = claim_next(queue="ready", user=biller)
    assert got.control_number == "urgent" and got.assigned_to_id == biller.pk
    event = ClaimEvent.objects.filter(claim=got, kind="assigned").get()
    assert event.actor_id == biller.pk and biller.username in event.message
    assert got.version == 2


@pytest.mark.django_db
def test_a_claim_already_yours_comes_back_without_a_new_event_unless_skipped(in_org_a, biller):
    mine = claimdata.claim(status="ready", control_number="mine", charge="500", assigned_to=biller)
    claimdata.claim(status="ready", control_number="next", charge="100")
    assert claim_next(queue="ready", user=biller).pk == mine.pk
    assert not ClaimEvent.objects.filter(claim=mine, kind="assigned").exists()
    assert claim_next(queue="ready", user=biller, skip=[mine.public_id]).control_number == "next"


@pytest.mark.django_db
def test_next_honours_the_filters_and_answers_none_when_nothing_is_left(in_org_a, biller):
    aetna = factories.payer(name="Aetna")
    claimdata.claim(status="held", control_number="other", charge="900")
    claimdata.claim(status="held", control_number="aetna", payer=aetna)
    only_aetna = QueueFilters(payer=aetna.public_id)
    assert claim_next(queue="held", filters=only_aetna, user=biller).control_number == "aetna"
    assert claim_next(queue="ready", user=biller) is None


def _drain(
    org: Any, user: Any, handed: list[str], errors: list[BaseException], go: threading.Event
) -> None:
    """One biller: take the next ready claim, work it (hold it: it leaves the queue), repeat."""
    go.wait(10)
    try:
        while True:
            with org_context(org, actor_id=user.pk):
                claim = claim_next(queue="ready", user=user)
                if claim is None:
                    return
                handed.append(claim.control_number)
                claim_hold(claim=claim, actor=user, reason="worked", version=claim.version)
    except BaseException as exc:  # reported by the test, not lost in the thread
        errors.append(exc)
    finally:
        connection.close()


def test_a_dozen_billers_draining_a_queue_at_once_never_get_the_same_claim(committed_db):
    org = factories.organization(slug="drain")
    billers = [factories.member(org, role="biller") for _ in range(WORKERS)]
    with org_context(org):
        payer = factories.payer()
        for n in range(CLAIMS):
            claimdata.claim(status="ready", payer=payer, charge=str(100 + n % 7))
    handed: list[str] = []
    errors: list[BaseException] = []
    go = threading.Event()
    threads = [
        threading.Thread(target=_drain, args=(org, user, handed, errors, go)) for user in billers
    ]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(handed) == CLAIMS and len(set(handed)) == CLAIMS
    with org_context(org):
        assert Claim.objects.filter(status="ready").count() == 0
        assigned = ClaimEvent.objects.filter(kind="assigned")
        assert assigned.count() == CLAIMS
        assert assigned.values("claim").distinct().count() == CLAIMS
        # Every worker got some: the lock skips, it does not serialize the billers.
        assert len({e.actor_id for e in assigned}) > 1

"""The demo's claims: built, scrubbed, submitted to the sandbox and answered through the real
services, in every state the system reaches so far, in both clinics; a good share ready,
the others held for reasons a clinic has; the SUD clinic's program days on 837I claims; and
seeding again changes nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command

from claims.models import Claim, ClaimEvent, SubmissionBatch
from rcm.models import Organization
from rcm.tenancy import org_context

TODAY = "2026-11-02"
# Paid and denied come from remittance posting (835), which is not built yet.
DEMO_STATES = {
    Claim.Status.HELD,
    Claim.Status.READY,
    Claim.Status.ON_HOLD,
    Claim.Status.QUEUED,
    Claim.Status.SUBMITTED,
    Claim.Status.ACCEPTED,
    Claim.Status.REJECTED,
    Claim.Status.REPLACED,
    Claim.Status.VOIDED,
    Claim.Status.CANCELLED,
}
# The event each status is reached with.
EVENT_OF = {
    Claim.Status.QUEUED: ClaimEvent.Kind.QUEUED,
    Claim.Status.SUBMITTED: ClaimEvent.Kind.SUBMITTED,
    Claim.Status.ACCEPTED: ClaimEvent.Kind.ACCEPTED,
    Claim.Status.REJECTED: ClaimEvent.Kind.REJECTED,
    Claim.Status.REPLACED: ClaimEvent.Kind.REPLACED,
    Claim.Status.VOIDED: ClaimEvent.Kind.VOIDED,
    Claim.Status.CANCELLED: ClaimEvent.Kind.CANCELLED,
    Claim.Status.ON_HOLD: ClaimEvent.Kind.HELD,
}
REALISTIC_HOLDS = {"NOTE-UNSIGNED", "PROVIDER-CANNOT-BILL"}


def _claims_of(slug: str) -> dict[str, object]:
    with org_context(Organization.objects.get(slug=slug)):
        claims = list(Claim.objects.all())
        return {
            "status": Counter(c.status for c in claims),
            "holds": {code for c in claims if c.status == "held" for code in c.hold_codes},
            "events": set(ClaimEvent.objects.values_list("claim__status", "kind")),
            "built": ClaimEvent.objects.filter(kind="built").count(),
            "claims": len(claims),
            "batches": SubmissionBatch.objects.count(),
            "institutional": Counter(
                (c.level, c.status) for c in claims if c.kind == Claim.Kind.INSTITUTIONAL
            ),
        }


@pytest.mark.django_db
def test_both_clinics_have_claims_in_every_state_and_seeding_again_changes_nothing(capsys):
    """And the SUD clinic's residential, PHP and IOP days are on 837I claims (one seeding for
    both: seeding is what takes the time)."""
    call_command("seed_demo", "--patients", "25", "--today", TODAY)
    first = {slug: _claims_of(slug) for slug in ("harbor-mh", "summit-sud")}
    for slug, found in first.items():
        assert DEMO_STATES <= set(found["status"]), (slug, found["status"])
        assert found["built"] == found["claims"], slug  # every claim's history starts built
        for status, kind in EVENT_OF.items():
            assert (status, kind) in found["events"], (slug, status)
        ready = found["status"]["ready"] + sum(
            found["status"][s] for s in ("queued", "submitted", "accepted", "rejected")
        )
        assert ready >= found["claims"] // 3, (slug, found["status"])
        assert REALISTIC_HOLDS <= found["holds"], (slug, found["holds"])
    institutional = first["summit-sud"]["institutional"]
    _the_sud_clinic_bills_its_program_days_on_837i_claims(institutional)
    call_command("seed_demo", "--patients", "25", "--today", TODAY)
    assert {slug: _claims_of(slug) for slug in first} == first


def _the_sud_clinic_bills_its_program_days_on_837i_claims(found: Counter) -> None:
    levels = {level for level, _ in found}
    assert {"residential", "php", "iop"} <= levels
    went = {level for level, status in found if status not in ("held", "on_hold")}
    assert {"residential", "iop"} <= went, found

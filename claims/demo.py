"""Demo chargemaster: a charge for every code and revenue code the demo clinics bill (the
starter payers' code maps over the demo sessions), open-ended from January 1 of last year.
Synthetic prices. Idempotent: an org that has a chargemaster keeps it. And a clearinghouse
account on the built-in sandbox, so the demo's claims can be submitted and answered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from claims.chargemaster.services import chargemaster_entry_create
from claims.models import ChargemasterEntry, ClearinghouseAccount

# (code, revenue code, modifiers, description, charge)
CHARGES: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    ("90791", "", (), "Psychiatric diagnostic evaluation", "250.00"),
    ("90792", "", (), "Psychiatric diagnostic evaluation with medical services", "300.00"),
    ("90832", "", (), "Psychotherapy, 30 minutes", "110.00"),
    ("90834", "", (), "Psychotherapy, 45 minutes", "150.00"),
    ("90837", "", (), "Psychotherapy, 60 minutes", "200.00"),
    ("90833", "", (), "Psychotherapy add-on with E/M, 30 minutes", "90.00"),
    ("90836", "", (), "Psychotherapy add-on with E/M, 45 minutes", "120.00"),
    ("90838", "", (), "Psychotherapy add-on with E/M, 60 minutes", "160.00"),
    ("90839", "", (), "Psychotherapy for crisis, first 60 minutes", "260.00"),
    ("90840", "", (), "Psychotherapy for crisis, each additional 30 minutes", "120.00"),
    ("90785", "", (), "Interactive complexity", "30.00"),
    ("90846", "", (), "Family psychotherapy without the patient", "140.00"),
    ("90847", "", (), "Family psychotherapy with the patient", "160.00"),
    ("90849", "", (), "Multiple-family group psychotherapy", "80.00"),
    ("90853", "", (), "Group psychotherapy", "65.00"),
    ("96130", "", (), "Psychological testing evaluation, first hour", "180.00"),
    ("96131", "", (), "Psychological testing evaluation, each additional hour", "140.00"),
    ("99202", "", (), "Office visit, new patient, straightforward", "120.00"),
    ("99203", "", (), "Office visit, new patient, low complexity", "170.00"),
    ("99204", "", (), "Office visit, new patient, moderate complexity", "250.00"),
    ("99205", "", (), "Office visit, new patient, high complexity", "320.00"),
    ("99211", "", (), "Office visit, established patient, minimal", "40.00"),
    ("99212", "", (), "Office visit, established patient, straightforward", "90.00"),
    ("99213", "", (), "Office visit, established patient, low complexity", "140.00"),
    ("99214", "", (), "Office visit, established patient, moderate complexity", "200.00"),
    ("99215", "", (), "Office visit, established patient, high complexity", "270.00"),
    ("G0017", "", (), "Psychotherapy for crisis, non-office site, first 60 minutes", "260.00"),
    ("G0018", "", (), "Psychotherapy for crisis, non-office site, each added 30", "120.00"),
    ("G0129", "", (), "Occupational therapy, PHP/IOP, per session", "95.00"),
    ("G0176", "", (), "Activity therapy, PHP/IOP, per session", "60.00"),
    ("G0177", "", (), "Training and education, PHP/IOP, per session", "75.00"),
    ("G0410", "", (), "Group psychotherapy, PHP/IOP, 45-50 minutes", "70.00"),
    ("G0411", "", (), "Interactive group psychotherapy, PHP/IOP, 45-50 minutes", "70.00"),
    ("H0004", "", (), "Behavioral health counseling, per 15 minutes", "35.00"),
    ("H0005", "", (), "Alcohol and/or drug group counseling, per 15 minutes", "25.00"),
    ("H0005", "", ("HQ",), "Alcohol and/or drug group counseling (group setting)", "28.00"),
    ("H0006", "", (), "Alcohol and/or drug case management", "30.00"),
    ("H0010", "", (), "Sub-acute withdrawal management, residential, per diem", "450.00"),
    ("H0015", "", (), "Alcohol and/or drug IOP, per diem", "300.00"),
    ("H0015", "0906", (), "Alcohol and/or drug IOP, per diem (institutional)", "310.00"),
    ("H0018", "", (), "Short-term residential, per diem", "400.00"),
    ("H0019", "", (), "Long-term residential, per diem", "350.00"),
    ("H0031", "", (), "Mental health assessment, non-physician", "180.00"),
    ("H0035", "", (), "Mental health partial hospitalization, per diem", "500.00"),
    ("H0036", "", (), "Community psychiatric supportive treatment, per 15 minutes", "40.00"),
    ("H0038", "", (), "Peer support services, per 15 minutes", "30.00"),
    ("H2011", "", (), "Crisis intervention, per 15 minutes", "45.00"),
    ("H2014", "", (), "Skills training and development, per 15 minutes", "30.00"),
    ("S0201", "", (), "Partial hospitalization services, per diem", "550.00"),
    ("S9480", "", (), "Intensive outpatient psychiatric services, per diem", "320.00"),
    ("T1017", "", (), "Targeted case management, per 15 minutes", "30.00"),
    ("", "0132", (), "Room and board, semi-private, detoxification", "650.00"),
    ("", "0430", (), "Occupational therapy", "95.00"),
    ("", "0900", (), "Behavioral health treatment services", "300.00"),
    ("", "0904", (), "Activity therapy", "60.00"),
    ("", "0905", (), "Intensive outpatient, psychiatric", "320.00"),
    ("", "0906", (), "Intensive outpatient, chemical dependency", "300.00"),
    ("", "0912", (), "Partial hospitalization, less intensive", "500.00"),
    ("", "0913", (), "Partial hospitalization, intensive", "550.00"),
    ("", "0914", (), "Individual therapy", "150.00"),
    ("", "0915", (), "Group therapy", "65.00"),
    ("", "0916", (), "Family therapy", "160.00"),
    ("", "0942", (), "Education and training", "75.00"),
    ("", "1001", (), "Residential treatment, psychiatric, per diem", "650.00"),
    ("", "1002", (), "Residential treatment, chemical dependency, per diem", "700.00"),
)


def seed_clearinghouse(*, org: Any) -> bool:
    """A sandbox clearinghouse account for the active org, unless it has one (synthetic ids)."""
    if ClearinghouseAccount.objects.exists():
        return False
    ident = org.slug.upper().replace("-", "")[:15] or "DEMO"
    ClearinghouseAccount.objects.create(
        adapter=ClearinghouseAccount.Adapter.SANDBOX,
        submitter_name=org.name[:60],
        submitter_id=ident,
        contact_name="Billing Office",
        contact_phone="5035550100",
        receiver_name="Sandbox Clearinghouse",
        receiver_id="SANDBOXCH",
        isa_sender_id=ident,
        isa_receiver_id="SANDBOXCH",
        usage_indicator=ClearinghouseAccount.Usage.TEST,
    )
    return True


def seed(*, org: Any, today: dt.date) -> int:
    """Add the demo chargemaster to the active org (call inside org_context) unless it has one,
    and the sandbox clearinghouse account."""
    seed_clearinghouse(org=org)
    if ChargemasterEntry.objects.exists():
        return 0
    start = dt.date(today.year - 1, 1, 1)
    for code, revenue_code, modifiers, description, amount in CHARGES:
        chargemaster_entry_create(
            code=code,
            revenue_code=revenue_code,
            modifiers=list(modifiers),
            description=description,
            amount=Decimal(amount),
            effective_from=start,
        )
    return len(CHARGES)


# --- Claims in every state ------------------------------------------------------------------

# The week's sessions wait for the weekly billing run ("Build claims" has them to build).
BUILD_LAG = dt.timedelta(days=7)
# Claims whose services ended this long ago were sent and answered; a week's worth later are
# sent and still awaiting the acknowledgments; the newest ready ones are still to be sent.
ANSWERED_AFTER = dt.timedelta(days=35)
SENT_AFTER = dt.timedelta(days=21)
# What billers and the clinic did along the way (one claim or a few each: deterministic picks).
DEMO_NOTES = (
    ("Called the payer: the member's plan changed last month; checking the new card.", 3),
    ("Asked the clinician to sign the progress note.", 2),
    ("Requested a retro authorization from the payer's UM line.", 5),
)


def seed_claims(*, org: Any, today: dt.date, actor: Any = None) -> dict[str, int]:
    """Claims in every state for the active org, through the real services (call inside
    org_context, after the clinic's sessions, authorizations and consents are seeded): built
    and scrubbed from the completed sessions up to a week ago (READY, or HELD for what the
    data lacks: unsigned notes, missing authorizations, credentialing gaps, Part 2 consents),
    the older ready claims submitted to the sandbox clearinghouse (QUEUED, SUBMITTED) and
    answered (ACCEPTED, REJECTED), one accepted claim replaced and one voided, one held claim
    cancelled, and a biller's holds, notes and assignments. Idempotent: an org that has
    claims keeps them. Returns the count of claims in each status."""
    from claims.models import Claim
    from claims.services import claims_build

    if Claim.objects.exists():
        return {}
    claims_build(actor=actor, through=today - BUILD_LAG, org_slug=org.slug)
    _submit_and_answer(today, actor)
    _correct(actor)
    _biller_work(actor, today)
    counts: dict[str, int] = {}
    for status in Claim.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def _ready(before: dt.date | None = None) -> list[Any]:
    from claims.models import Claim

    rows = Claim.objects.filter(status=Claim.Status.READY)
    if before is not None:
        rows = rows.filter(service_to__lt=before)
    return list(rows.order_by("service_to", "pk"))


def _submit_and_answer(today: dt.date, actor: Any) -> None:
    """Old claims sent and answered, newer ones sent (acknowledgments not yet fetched), and one
    batch built but not sent."""
    from claims.acks import responses_poll
    from claims.submission import batch_send, claims_submit

    answered = _ready(before=today - ANSWERED_AFTER)
    if answered:
        _reject_one_member(answered)
        for batch in claims_submit(claims=answered, actor=actor, enqueue=False):
            batch_send(batch_id=batch.pk, actor=actor)
        responses_poll(actor=actor)
    sent = _ready(before=today - SENT_AFTER)
    if sent:
        batches = claims_submit(claims=sent, actor=actor, enqueue=False)
        for batch in batches[:-1]:  # the last batch waits for the sender (QUEUED)
            batch_send(batch_id=batch.pk, actor=actor)


def _reject_one_member(claims: list[Any]) -> None:
    """The sandbox payer's eligibility file lacks members whose id ends in its configured
    suffix: the demo's is the last digit of the first answered claim's member id, so some
    claims come back rejected (A7:21) in a demo of any size (the charge limit rejects others)."""
    from claims.models import ClearinghouseAccount

    account = ClearinghouseAccount.objects.filter(is_active=True).first()
    member_id = (claims[0].coverage.member_id or "").strip()
    if account is None or not member_id:
        return
    settings = dict(account.settings or {})
    settings["sandbox"] = {**settings.get("sandbox", {}), "reject_member_id_suffix": member_id[-1]}
    account.settings = settings
    account.save(update_fields=["settings", "updated_at"])


def _correct(actor: Any) -> None:
    """An accepted claim replaced (the session's minutes were corrected after a chart audit),
    another voided (billed to a coverage that had ended), a held claim cancelled."""
    from claims.models import Claim
    from claims.services import claim_cancel, claim_replace, claim_void

    accepted = list(Claim.objects.filter(status=Claim.Status.ACCEPTED).order_by("pk")[:2])
    if accepted:
        claim_replace(
            claim=accepted[0], actor=actor, reason="Chart audit: the session ran 38 minutes."
        )
    if len(accepted) > 1:
        claim_void(
            claim=accepted[1],
            actor=actor,
            reason="Billed to the wrong payer: the patient's plan had ended.",
        )
    held = Claim.objects.filter(status=Claim.Status.HELD).order_by("-pk").first()
    if held is not None:
        claim_cancel(
            claim=held, actor=actor, reason="Duplicate entry: the session was recorded twice."
        )


def _biller_work(actor: Any, today: dt.date) -> None:
    """Two ready claims held by the biller (eligibility in question), held claims assigned with
    notes and follow-up dates."""
    from claims.models import Claim
    from claims.services import claim_assign, claim_hold, claim_note

    for claim in _ready()[-2:]:
        claim_hold(
            claim=claim,
            actor=actor,
            reason="Eligibility check: the payer's portal shows the coverage as inactive.",
        )
    held = list(Claim.objects.filter(status=Claim.Status.HELD).order_by("pk"))
    for n, claim in enumerate(held[:: max(1, len(held) // 6)][:6]):
        if actor is not None:
            claim_assign(claim=claim, actor=actor, assignee=actor)
        text, days = DEMO_NOTES[n % len(DEMO_NOTES)]
        claim_note(
            claim=claim, actor=actor, note=text, follow_up_on=today + dt.timedelta(days=days)
        )


# --- Eligibility -----------------------------------------------------------------------------

DEMO_ELIGIBILITY_CHECKS = 4


def seed_eligibility(*, org: Any, today: dt.date) -> int:
    """Answered sandbox checks for the first few coverages (their cards show on the patient
    page, with what the sandbox answers by member id), leaving every other coverage due for the
    nightly `eligibility_checks` job. Deterministic: coverages in primary-key order, asked once
    (a coverage already checked is skipped)."""
    from claims.eligibility import eligibility_check_request
    from claims.models import EligibilityCheck
    from patients.models import Coverage

    if EligibilityCheck.objects.exists():
        return 0
    coverages = list(
        Coverage.objects.filter(effective_date__lte=today).select_related("patient", "payer")
        .order_by("pk")[:DEMO_ELIGIBILITY_CHECKS]
    )  # fmt: skip
    for coverage in coverages:
        eligibility_check_request(coverage=coverage, actor=None, source="manual", run_on=today)
    return len(coverages)

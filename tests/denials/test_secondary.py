"""Secondary claims built from the primary's remittance (denials.secondary), written as 837s
with the primary's adjudication in loops 2320/2330/2430."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims.models import Claim, ClaimEvent
from claims.submission import claims_submit
from denials.posting import post_835
from edi.x12 import parse
from tests import factories
from tests.denials import era
from tests.denials.era import adj, clp, line_of
from tests.edi.pyx12_check import pyx12_errors

pytestmark = pytest.mark.django_db
M = Decimal


@pytest.fixture
def account(in_org_a):
    return factories.clearinghouse_account()


CENTS = M("0.01")


def _enrolled(prov, payer):
    from credentialing.services import enrollment_upsert

    enrollment_upsert(
        provider=prov, payer=payer, status="enrolled", effective_date=dt.date(2026, 1, 1)
    )


def _primary_with_secondary(*, secondary=True, secondary_ends=None):
    """A claim built and scrubbed from two signed sessions (as claims_build leaves it), sent
    and accepted by the primary payer; the patient has a secondary coverage unless told."""
    from claims.models import ChargemasterEntry
    from claims.services import claims_build
    from patients.models import EpisodeDiagnosis, Session

    site = factories.facility(
        npi="1234567893", taxonomy="261QM0801X", tin="123456789", postal_code="627011234"
    )
    for code, amount in (("90837", "200.00"), ("90834", "150.00"), ("90832", "100.00")):
        ChargemasterEntry.objects.create(
            code=code, amount=M(amount), effective_from=dt.date(2026, 1, 1)
        )
    patient = factories.patient(
        address_line1="12 Elm Road", city="Portland", state="OR", postal_code="97202"
    )
    first_payer = factories.payer(name="Acme Health", timely_filing_days=365)
    factories.coverage(patient_obj=patient, payer_obj=first_payer, priority=1)
    prov = factories.licensed(factories.provider(), state="IL")
    _enrolled(prov, first_payer)
    if secondary:
        second_payer = factories.payer(
            name="Second Plan", timely_filing_days=365, claim_filing_indicator="BL"
        )
        factories.coverage(
            patient_obj=patient, payer_obj=second_payer, priority=2, end_date=secondary_ends
        )
        _enrolled(prov, second_payer)
    episode = factories.episode(patient_obj=patient, facility=site)
    EpisodeDiagnosis.objects.create(episode=episode, rank=1, code="F33.1")
    morning = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)
    for start, minutes in ((morning, 53), (morning + dt.timedelta(hours=3), 40)):
        factories.session(
            patient_obj=patient,
            provider_obj=prov,
            facility=site,
            episode=episode,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
        )
    Session.objects.update(note_signed_at=dt.datetime(2026, 11, 2, 20, 0, tzinfo=dt.UTC))
    claims_build(through=factories.TODAY)
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.READY
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.ACCEPTED)
    claim.refresh_from_db()
    return claim


def _split(charge):
    paid = (charge * M("0.4")).quantize(CENTS)
    patient = (charge * M("0.2")).quantize(CENTS)
    return paid, charge - paid - patient, patient


def _pay_with_patient_share(claim, trace="S-1"):
    """The primary pays 40% of each line, 40% is contractual (CO-45), 20% coinsurance (PR-2)."""
    lines = []
    for line in claim.lines.order_by("number"):
        paid, contractual, patient = _split(line.charge)
        lines.append(
            line_of(
                line, str(paid), adj("CO", "45", str(contractual)), adj("PR", "2", str(patient))
            )
        )
    return era.file_of(era.remittance((clp(claim, tuple(lines)),), trace=trace))


def _segments(text, tag):
    (interchange,) = parse(text)
    return [
        s for g in interchange.groups for t in g.transactions for s in t.segments if s.id == tag
    ]


def test_a_primary_paid_with_a_patient_share_leaves_a_ready_secondary_whose_837_passes_pyx12(
    account,
):
    claim = _primary_with_secondary()
    summary = post_835(content=_pay_with_patient_share(claim), file_name="a.835")
    assert summary.secondary_claims == 1
    secondary = Claim.objects.get(primary_claim=claim)
    assert secondary.status == Claim.Status.READY, list(secondary.findings.values("code"))
    assert secondary.coverage.priority == 2 and secondary.payer.name == "Second Plan"
    assert secondary.total_charge == claim.total_charge and secondary.frequency == "1"
    primary_lines = list(claim.lines.order_by("number"))
    assert len(primary_lines) == 2
    assert [(ln.code, ln.charge) for ln in secondary.lines.order_by("number")] == [
        (ln.code, ln.charge) for ln in primary_lines
    ]
    assert ClaimEvent.objects.filter(claim=secondary, kind="secondary").count() == 1
    splits = [_split(ln.charge) for ln in primary_lines]
    paid_total = sum((p for p, _, _ in splits), M(0))
    patient_total = sum((pt for _, _, pt in splits), M(0))
    assert M(secondary.cob["payers"][0]["paid"]) == paid_total

    batches = claims_submit(claims=[secondary], actor=None, enqueue=False)
    secondary.refresh_from_db()
    assert len(batches) == 1, (secondary.status, list(secondary.findings.values("code", "message")))
    (batch,) = batches
    text = batch.content
    assert pyx12_errors(text) == []
    sbr = _segments(text, "SBR")
    # 2000B: the secondary payer (S); 2320: the primary (P) with its filing indicator.
    assert sbr[0][1] == "S" and sbr[1][1] == "P" and sbr[1][9] == "CI"
    amts = {s[1]: M(s[2]) for s in _segments(text, "AMT")}
    assert amts["D"] == paid_total  # AMT*D: what the primary paid
    assert amts["EAF"] == patient_total  # AMT*EAF: the patient's remaining share
    assert len(_segments(text, "OI")) == 1
    nm1 = [s[1] for s in _segments(text, "NM1")]
    assert "PR" in nm1 and nm1.count("IL") == 2  # 2010BA and 2330A subscribers
    svd = _segments(text, "SVD")
    assert [(M(s[2]), s[3].split(":")[1]) for s in svd] == [
        (p, ln.code) for (p, _, _), ln in zip(splits, primary_lines, strict=True)
    ]
    # The TR3's 2430 balancing (X12 RFI #1555): SVD02 + the line's CAS amounts = the line
    # charge (SV102).
    segs = [s for s in _segments_all(text)]
    charges = [M(s[2]) for s in segs if s.id == "SV1"]
    per_line = _line_adjudication_totals(segs)
    assert per_line == charges == [ln.charge for ln in primary_lines]
    dtp573 = [s for s in _segments(text, "DTP") if s[1] == "573"]
    assert [s[3] for s in dtp573] == [era.PAID_ON.strftime("%Y%m%d")] * 2


def _segments_all(text):
    (interchange,) = parse(text)
    return [s for g in interchange.groups for t in g.transactions for s in t.segments]


def _line_adjudication_totals(segs):
    totals, current = [], None
    for s in segs:
        if s.id == "SVD":
            current = M(s[2])
            totals.append(current)
        elif s.id == "CAS" and totals and current is not None:
            amounts = s.elements[3::3]
            totals[-1] += sum((M(a) for a in amounts if a), M(0))
        elif s.id in ("LX", "SE"):
            current = None
    return totals


def test_without_a_secondary_coverage_no_secondary_claim_is_built(in_org_a):
    claim = _primary_with_secondary(secondary=False)
    summary = post_835(content=_pay_with_patient_share(claim), file_name="b.835")
    assert summary.secondary_claims == 0
    assert not Claim.objects.filter(primary_claim=claim).exists()


def test_a_secondary_coverage_ended_before_the_dates_of_service_is_not_billed(in_org_a):
    claim = _primary_with_secondary(secondary_ends=dt.date(2026, 10, 1))
    post_835(content=_pay_with_patient_share(claim), file_name="c.835")
    assert not Claim.objects.filter(primary_claim=claim).exists()


def test_posting_twice_builds_one_secondary(in_org_a):
    claim = _primary_with_secondary()
    content = _pay_with_patient_share(claim)
    post_835(content=content, file_name="d.835")
    post_835(content=content, file_name="d-again.835")
    # The same payment in another file (another ISA) is still one payment, one secondary.
    post_835(content=_pay_with_patient_share(claim, trace="S-1"), file_name="d-third.835")
    assert Claim.objects.filter(primary_claim=claim).count() == 1


def test_a_whole_claim_denial_builds_no_secondary(in_org_a):
    claim = _primary_with_secondary()
    lines = tuple(
        line_of(ln, "0", adj("CO", "29", str(ln.charge))) for ln in claim.lines.order_by("number")
    )
    remit = era.remittance((clp(claim, lines, status="4"),), trace="S-4")
    post_835(content=era.file_of(remit), file_name="e.835")
    assert not Claim.objects.filter(primary_claim=claim).exists()


def test_a_reversal_of_the_primary_cancels_the_unsent_secondary(in_org_a):
    claim = _primary_with_secondary()
    post_835(content=_pay_with_patient_share(claim), file_name="f.835")
    secondary = Claim.objects.get(primary_claim=claim)
    lines = []
    for ln in claim.lines.order_by("number"):
        paid, contractual, patient = _split(ln.charge)
        lines.append(
            line_of(
                ln,
                str(-paid),
                adj("CO", "45", str(-contractual)),
                adj("PR", "2", str(-patient)),
                charge=-ln.charge,
            )
        )
    reversal = clp(claim, tuple(lines), status="22", sign=-1)
    remit = era.remittance((reversal,), trace="S-5")
    post_835(content=era.file_of(remit, allow_unbalanced=True), file_name="g.835")
    secondary.refresh_from_db()
    assert secondary.status == Claim.Status.CANCELLED
    assert ClaimEvent.objects.filter(claim=secondary, kind="cancelled").exists()


def test_a_reversal_and_correction_rebuild_the_unsent_secondary_with_the_new_figures(in_org_a):
    claim = _primary_with_secondary()
    post_835(content=_pay_with_patient_share(claim), file_name="h.835")
    first = Claim.objects.get(primary_claim=claim)
    reversal, corrected = [], []
    for ln in claim.lines.order_by("number"):
        paid, contractual, patient = _split(ln.charge)
        reversal.append(
            line_of(
                ln,
                str(-paid),
                adj("CO", "45", str(-contractual)),
                adj("PR", "2", str(-patient)),
                charge=-ln.charge,
            )
        )
        corrected.append(line_of(ln, str(paid + patient), adj("CO", "45", str(contractual))))
    remit = era.remittance(
        (
            clp(claim, tuple(reversal), status="22", sign=-1),
            clp(claim, tuple(corrected), status="1", position=2),
        ),
        trace="S-6",
    )
    post_835(content=era.file_of(remit), file_name="i.835")
    first.refresh_from_db()
    assert first.status == Claim.Status.CANCELLED
    (live,) = Claim.objects.filter(primary_claim=claim).exclude(status="cancelled")
    payer = live.cob["payers"][0]
    assert M(payer["paid"]) == sum(
        (_split(ln.charge)[0] + _split(ln.charge)[2] for ln in claim.lines.all()), M(0)
    )
    assert M(payer["patient_liability"]) == 0

"""Eligibility checks against the sandbox payer, end to end (270 written, 271 read, the card
stored): active with BH cost share, BH carved out, inactive (ELIG-INACTIVE holds the claim and
the coverage_inactive hook fires), an invalid member id (AAA 72); the Part 2 gate on SUD service
types; channels without real-time eligibility."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.eligibility import DEFAULT_SERVICE_TYPES, coverage_inactive, eligibility_check_request
from claims.models import Claim, EligibilityCheck
from claims.services import claim_scrub
from consent.models import Disclosure
from edi.eligibility_scenarios import CARVE_OUT_ADMINISTRATOR, CARVE_OUT_PHONE
from edi.x270 import read_270
from tests import factories
from tests.claims import builders

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_today")]


def _coverage(member_id: str = "MEM100001", **fields):
    factories.clearinghouse_account()
    factories.facility(npi=factories.type2_npi())
    return factories.coverage(member_id=member_id, **fields)


def _check(coverage, **kwargs):
    kwargs.setdefault("source", "manual")
    return eligibility_check_request(coverage=coverage, actor=None, **kwargs)


def test_an_active_answer_keeps_the_271_and_a_card_with_behavioral_health_cost_share(in_org_a):
    check = _check(_coverage("MEM100001"))
    assert check.status == "answered" and check.active is True
    assert check.trace_number == f"EC{check.pk:010d}"
    assert check.response_271.startswith("ISA") and "~EB*B*" in check.response_271
    assert check.coverage_begin == dt.date(2026, 1, 1) and check.coverage_end == dt.date(
        2026, 12, 31
    )
    card = check.card
    mh = next(s for s in card["services"] if s["code"] == "MH")
    assert mh["in_network"]["copay"]["text"] == "$25.00 per visit"
    assert mh["out_of_network"]["copay"]["text"] == "$60.00 per visit"
    assert mh["in_network"]["coinsurance"]["text"] == "20%"
    assert mh["in_network"]["deductible"]["text"].startswith("$1,500.00")
    assert mh["in_network"]["deductible_remaining"]["text"].startswith("$400.00")
    a7 = next(s for s in card["services"] if s["code"] == "A7")
    assert a7["authorization_required"] == "yes"
    a6 = next(s for s in card["services"] if s["code"] == "A6")
    assert a6["in_network"]["visits_used"]["text"] == "8"
    assert a6["in_network"]["visits_allowed"]["text"] == "30"
    # The sandbox leaves out substance-use cost share: unknown with the reason, never zero.
    ai = next(s for s in card["services"] if s["code"] == "AI")
    assert ai["in_network"]["copay"] == {
        "known": False,
        "text": "unknown",
        "reason": ai["in_network"]["copay"]["reason"],
    }
    assert "CAQH CORE" in ai["in_network"]["copay"]["reason"]
    assert ai["unknown_reason"].startswith("the payer returned no substance abuse figures")
    # The first answer has nothing to compare with: every fact is new.
    assert any(c["what"] == "status" and c["after"] == "active" for c in check.changes)


def test_the_270_asks_about_the_plan_and_the_behavioral_health_types_as_the_facility(in_org_a):
    from claims.clearinghouse.sandbox import SandboxAdapter

    sent = []
    original = SandboxAdapter.send_eligibility_request

    def spy(self, content):
        sent.append(content)
        return original(self, content)

    SandboxAdapter.send_eligibility_request = spy
    try:
        coverage = _coverage("MEM100002")
        _check(coverage)
    finally:
        SandboxAdapter.send_eligibility_request = original
    (inquiry,) = read_270(sent[0])
    assert inquiry.service_types == DEFAULT_SERVICE_TYPES
    assert inquiry.member_id == "MEM100002"
    assert inquiry.subscriber_last_name == coverage.patient.last_name


def test_a_carve_out_answer_names_the_administrator_and_its_phone(in_org_a):
    check = _check(_coverage("MEM100007"))
    assert check.status == "answered" and check.active is True
    carve = check.card["carve_out"]
    assert carve["name"] == CARVE_OUT_ADMINISTRATOR and carve["phone"] == CARVE_OUT_PHONE
    mh = next(s for s in check.card["services"] if s["code"] == "MH")
    assert mh["carved_out"] and mh["in_network"]["copay"]["text"] == "unknown"
    assert CARVE_OUT_ADMINISTRATOR in mh["in_network"]["copay"]["reason"]


def test_an_inactive_answer_holds_the_coverages_claims_with_elig_inactive_and_fires_the_hook(
    in_org_a,
):
    coverage = _coverage("MEM100008")
    claim = builders.claim(coverage=coverage, status=Claim.Status.READY)
    heard = []

    def receiver(sender, check, **kwargs):
        heard.append(check)

    coverage_inactive.connect(receiver)
    try:
        check = _check(coverage)
    finally:
        coverage_inactive.disconnect(receiver)
    assert check.status == "answered" and check.active is False
    assert check.coverage_end == dt.date(2025, 12, 31)
    assert heard == [check]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.HELD and "ELIG-INACTIVE" in claim.hold_codes
    finding = claim.findings.get(code="ELIG-INACTIVE")
    assert "inactive from 2026-01-01" in finding.message
    assert f"/claims/eligibility/coverage/{coverage.public_id}/" in finding.fix_url


def test_an_inactive_answer_notifies_the_members_who_edit_patients(in_org_a, org_a):
    from notifications.models import Notification
    from tests import factories

    intake = factories.member(org_a, role="intake", part2_access=True)
    coverage = _coverage("MEM100008")
    check = _check(coverage)
    note = Notification.objects.get(user=intake)
    assert note.kind == "eligibility_inactive"
    assert coverage.patient.last_name not in note.title and coverage.patient.last_name in note.body
    assert note.url.endswith(f"/claims/eligibility/coverage/{coverage.public_id}/")
    assert note.dedupe_key == f"eligibility_inactive:{check.public_id}"


def test_a_later_active_answer_lifts_the_elig_inactive_hold(in_org_a):
    coverage = _coverage("MEM100008")
    claim = builders.claim(coverage=coverage, status=Claim.Status.READY)
    _check(coverage)
    coverage.member_id = "MEM100003"  # the corrected member id answers active
    coverage.save()
    assert _check(coverage).active is True
    claim_scrub(claim=claim, actor=None)
    claim.refresh_from_db()
    assert "ELIG-INACTIVE" not in claim.hold_codes


def test_a_claim_before_the_inactive_date_is_not_held(in_org_a):
    coverage = _coverage("MEM100008", effective_date=dt.date(2025, 1, 1))
    claim = builders.claim(
        coverage=coverage,
        status=Claim.Status.READY,
        lines=[{"code": "90834", "charge": 150, "service_date": dt.date(2025, 12, 1)}],
    )
    _check(coverage)
    claim_scrub(claim=claim, actor=None)
    claim.refresh_from_db()
    assert "ELIG-INACTIVE" not in claim.hold_codes


def test_an_invalid_member_id_is_rejected_with_aaa_72(in_org_a):
    check = _check(_coverage("MEM100009"))
    assert check.status == "rejected" and check.active is None
    assert "72" in check.reason and check.card["status"] == "rejected"


def test_a_second_answer_lists_what_changed_since_the_first(in_org_a):
    coverage = _coverage("MEM100001")
    _check(coverage)
    assert _check(coverage).changes == []  # the same answer: nothing changed
    coverage.member_id = "MEM100007"  # now carved out
    coverage.save()
    third = _check(coverage)
    changed = {c["what"]: c for c in third.changes}
    assert changed["carve-out administrator"]["after"] == CARVE_OUT_ADMINISTRATOR
    assert changed["MH in-network copay"]["before"].startswith("$25.00")
    assert changed["MH in-network copay"]["after"] == "unknown"


def test_an_adapter_without_a_real_time_channel_fails_the_check_with_the_reason(in_org_a):
    factories.clearinghouse_account(adapter="folder", settings={"outbox": "/tmp/x"})
    factories.facility(npi=factories.type2_npi())
    check = _check(factories.coverage())
    assert check.status == "failed"
    assert "no real-time eligibility channel" in check.reason


def test_no_clearinghouse_account_fails_the_check_and_says_so(in_org_a):
    check = _check(factories.coverage())
    assert check.status == "failed" and "clearinghouse account" in check.reason


# --- Part 2 ---------------------------------------------------------------------------------


def _part2_coverage(member_id: str = "MEM200001"):
    coverage = _coverage(member_id)
    factories.episode(patient_obj=coverage.patient, program="sud", part2_applies=True)
    return coverage


def test_a_part2_patient_with_consent_is_asked_about_sud_and_the_disclosure_is_logged(in_org_a):
    coverage = _part2_coverage()
    factories.part2_consent(patient_obj=coverage.patient)
    check = _check(coverage)
    assert check.status == "answered" and not check.sud_withheld
    assert {"AI", "AJ", "AK"} <= set(check.service_types)
    disclosure = Disclosure.objects.get(patient=coverage.patient)
    assert check.disclosure == disclosure
    assert disclosure.channel == "270" and disclosure.recipient == coverage.payer.name
    assert "AI, AJ, AK" in disclosure.description and disclosure.consent is not None


def test_a_part2_patient_without_consent_is_asked_without_sud_types_and_told_so(in_org_a):
    coverage = _part2_coverage()
    check = _check(coverage)
    assert check.status == "answered" and check.sud_withheld
    assert not {"AI", "AJ", "AK"} & set(check.service_types)
    assert "MH" in check.service_types
    assert check.reason.startswith("Asked without AI, AJ, AK")
    assert "No Part 2 consent is on file" in check.reason
    assert not Disclosure.objects.filter(patient=coverage.patient).exists()
    assert {s["code"] for s in check.card["services"]}.isdisjoint({"AI", "AJ", "AK"})


def test_asking_only_about_sud_without_consent_is_refused_and_nothing_is_sent(in_org_a):
    coverage = _part2_coverage()
    check = _check(coverage, service_types=["30", "AI"])
    assert check.status == "refused" and check.response_271 == ""
    assert "Part 2 disclosure gate refused" in check.reason


def test_a_patient_outside_part2_is_asked_about_sud_without_a_disclosure(in_org_a):
    coverage = _coverage()
    check = _check(coverage)
    assert "AI" in check.service_types and check.disclosure is None
    assert not Disclosure.objects.exists()


def test_unknown_service_types_are_refused_with_a_field_error(in_org_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        _check(_coverage(), service_types=["ZZ"])
    assert "service_types" in caught.value.message_dict
    assert not EligibilityCheck.objects.exists()

"""The sandbox clearinghouse: a real 999 for each file it is sent (rejecting what does not read
or validate structurally) and a 277CA per claim by its stated rules, waiting until fetched."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims.clearinghouse import adapter_for
from claims.clearinghouse.sandbox import Parties, SandboxRules, respond_837
from claims.models import SandboxMessage
from claims.submission import claims_submit
from edi.ack277 import read_277ca
from edi.ack999 import read_999
from tests import factories
from tests.claims import builders
from tests.edi.pyx12_check import pyx12_errors

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 3, 10, 0)
PARTIES = Parties(
    sandbox_id="SANDBOXCH",
    submitter_isa_id="SUBMIT01",
    submitter_name="Test Clinic",
    submitter_id="SUBMIT01",
)


def _patient(**fields):
    return factories.patient(
        address_line1="12 Elm Road", city="Portland", state="OR", postal_code="97202", **fields
    )


def _claim(payer, *, member_id="MEM000001", npi="1245319599", charge="150.00"):
    patient = _patient()
    coverage = factories.coverage(patient_obj=patient, payer_obj=payer, member_id=member_id)
    return builders.claim(
        coverage=coverage,
        billing={**builders.BILLING, "npi": npi},
        lines=[{"code": "90834", "charge": Decimal(charge)}],
    )


@pytest.fixture
def batch(in_org_a):
    factories.clearinghouse_account()
    payer = factories.payer(name="Acme Health")
    claims = {
        "fine": _claim(payer),
        "member": _claim(payer, member_id="MEM000009"),
        "npi": _claim(payer, member_id="MEM000003", npi="1234567890"),
        "charge": _claim(payer, member_id="MEM000002", charge="12500.00"),
    }
    (made,) = claims_submit(claims=list(claims.values()), actor=None, enqueue=False)
    return made, claims


def _respond(content, rules=SandboxRules()):
    return dict(respond_837(content, parties=PARTIES, rules=rules, now=NOW, control=77).files)


def test_an_accepted_file_gets_a_999_and_a_277ca_by_the_rules(batch):
    made, claims = batch
    files = _respond(made.content)
    assert set(files) == {"999", "277", "835"}  # the 835 pays what was accepted
    assert pyx12_errors(files["999"]) == [] and pyx12_errors(files["277"]) == []
    (ack,) = read_999(files["999"])
    assert (ack.status, ack.group_control) == ("A", str(made.group_control_number))
    assert [t.control_number for t in ack.transactions] == [f"{made.group_control_number:09d}"]
    (ca,) = read_277ca(files["277"])
    assert ca.reference == f"{made.interchange_control_number:09d}"  # the 837's BHT03
    by_pcn = {c.patient_control_number: c for c in ca.claims}
    fine = by_pcn[claims["fine"].control_number]
    assert fine.accepted and [f"{s.category}:{s.code}" for s in fine.all_statuses] == [
        "A1:20",
        "A2:20",
    ]
    assert fine.payer_claim_number == f"SBX{claims['fine'].control_number}"
    expected = {
        "member": ("A7", "21", "IL"),
        "npi": ("A7", "562", "85"),
        "charge": ("A3", "21", ""),
    }
    for name, (category, code, entity) in expected.items():
        ack = by_pcn[claims[name].control_number]
        (status,) = ack.all_statuses
        assert ack.rejected and (status.category, status.code, status.entity) == (
            category,
            code,
            entity,
        )
        assert ack.statuses[0].message and not ack.payer_claim_number
    assert "limit of 10,000.00" in by_pcn[claims["charge"].control_number].statuses[0].message


def test_the_rules_can_be_changed_per_account(batch):
    made, claims = batch
    rules = SandboxRules.from_settings(
        {"sandbox": {"reject_member_id_suffix": "1", "max_total_charge": "20000"}}
    )
    (ca,) = read_277ca(_respond(made.content, rules)["277"])
    outcome = {c.patient_control_number: c.outcome for c in ca.claims}
    assert outcome[claims["fine"].control_number] == "rejected"  # MEM000001 ends in 1
    assert outcome[claims["member"].control_number] == "accepted"
    assert outcome[claims["charge"].control_number] == "accepted"


def test_a_file_that_is_not_x12_is_rejected_whole(batch):
    made, _ = batch
    files = _respond("this is not an 837")
    assert set(files) == {"999"}
    (ack,) = read_999(files["999"])
    assert ack.status == "R" and ack.transactions == ()
    assert pyx12_errors(files["999"]) == []


def test_a_damaged_file_keeps_its_group_number_in_the_rejection(batch):
    made, _ = batch
    truncated = made.content[: len(made.content) // 2]
    (ack,) = read_999(_respond(truncated)["999"])
    assert ack.status == "R" and ack.group_control == str(made.group_control_number)


def test_a_wrong_segment_count_rejects_the_transaction_set(batch):
    made, _ = batch
    se = next(s for s in made.content.split("~") if s.startswith("SE*"))
    count = int(se.split("*")[1])
    broken = made.content.replace(se, f"SE*{count + 1}*{se.split('*')[2]}")
    files = _respond(broken)
    assert set(files) == {"999"}  # nothing accepted, so no 277CA
    (ack,) = read_999(files["999"])
    (item,) = ack.transactions
    assert (ack.status, item.status, item.error_codes) == ("R", "R", ("4",))


def test_the_adapter_keeps_the_responses_until_they_are_fetched(batch):
    made, _ = batch
    adapter = adapter_for(factories_account())
    assert adapter.send(made) == f"sandbox:{made.file_name}"
    stem = made.file_name.rsplit(".", 1)[0]
    fetched = adapter.fetch()
    assert [name for name, _ in fetched] == [f"{stem}.999", f"{stem}.277", f"{stem}.835"]
    assert all(content.startswith(b"ISA*") for _, content in fetched)
    adapter.done([f"{stem}.999"])
    assert [name for name, _ in adapter.fetch()] == [f"{stem}.277", f"{stem}.835"]
    assert SandboxMessage.objects.count() == 3  # kept, encrypted, marked fetched


def factories_account():
    from claims.models import ClearinghouseAccount

    return ClearinghouseAccount.objects.get()

"""The sandbox: a built-in simulated clearinghouse and payer, for the demo and the tests. It
answers each file it is sent the way a real one would, with real X12, deterministically:

1. A 999 (005010X231A1) for each functional group. A file that cannot be read as X12 is
   rejected whole (AK9 R, no AK2). A transaction set is rejected (IK5 R) when it is not an 837,
   names another implementation guide than 005010X222A1 / 005010X223A2 (IK5 code 19), its SE
   count or control number is wrong (4, 3), or it carries no claim (a CLM missing, IK3 code 3);
   a group whose GE count or control number is wrong is rejected whole (AK9 R, codes 5 / 4).
2. For the accepted transaction sets, a 277CA (005010X214) with one status per claim, by
   these rules, checked in this order (each threshold can be changed in the account's
   `settings["sandbox"]`):
   - the billing provider's NPI fails the check digit (Luhn with prefix 80840):
     rejected A7:562:85, "the billing provider's NPI fails its check digit";
   - the subscriber's member id ends in `reject_member_id_suffix` (default "9"):
     rejected A7:21:IL, "the member id is not on the sandbox payer's eligibility file";
   - the claim's total charge is over `max_total_charge` (default 10000.00):
     rejected A3:21, "the total charge is over the sandbox payer's limit for one claim";
   - any other claim: received A1:20 then accepted A2:20, with the payer claim number
     `SBX` + the patient control number (REF*1K).
   Rejections carry the plain-words reason in STC12.
3. For the claims the 277CA accepted, an 835 paying, partly paying, denying or reversing each
   one, deterministically by its control number (claims.clearinghouse.sandbox_remit). Claims
   polling (claims.acks.responses_poll) leaves 835s waiting; denials' poll posts them.

The responses wait in the org's sandbox mailbox (`SandboxMessage`, encrypted) until `fetch()`
returns them, named after the batch file (`837P_000000123.999`, `.277`). Answering other
transactions later (835, 277 status, 271) means adding a responder to `RESPONDERS`, keyed by
the transaction set id of what was sent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from claims.clearinghouse.base import Adapter, register
from claims.clearinghouse.sandbox_remit import remittances_for, sent_lines
from coding.codesets.npi import InvalidNpi, validate_npi
from edi.ack277 import Ack277, ClaimAck, Status, StatusInfo, write_277ca
from edi.ack999 import Ack999, SegmentError, TransactionAck, group_ack, write_999
from edi.x12 import FunctionalGroup, Interchange, Transaction, X12Error, parse
from edi.x12_writer import Envelope
from edi.x835_write import write_835
from edi.x837_read import ClaimSummary, list_claims

VERSIONS_837 = ("005010X222A1", "005010X223A2")
_GS06 = re.compile(r"GS\*HC\*(?:[^*~]*\*){4}(\d{1,9})\*")


@dataclass(frozen=True)
class SandboxRules:
    reject_member_id_suffix: str = "9"
    max_total_charge: Decimal = Decimal("10000.00")

    @classmethod
    def from_settings(cls, settings: dict[str, Any] | None) -> SandboxRules:
        data = (settings or {}).get("sandbox") or {}
        rules = cls()
        return cls(
            reject_member_id_suffix=str(
                data.get("reject_member_id_suffix", rules.reject_member_id_suffix)
            ),
            max_total_charge=Decimal(str(data.get("max_total_charge", rules.max_total_charge))),
        )


@dataclass(frozen=True)
class Parties:
    """Who the sandbox is and whom it answers (from the org's clearinghouse account)."""

    sandbox_id: str  # ISA sender of the responses (the account's receiver)
    submitter_isa_id: str
    submitter_name: str
    submitter_id: str
    usage: str = "T"
    sandbox_qualifier: str = "ZZ"
    submitter_qualifier: str = "ZZ"


@dataclass
class Response:
    """What the sandbox answers to one file: (suffix, X12 text) pairs."""

    files: list[tuple[str, str]] = field(default_factory=list)


# --- the 999 --------------------------------------------------------------------------------


def _set_problems(t: Transaction) -> tuple[tuple[str, ...], tuple[SegmentError, ...]]:
    """IK5 error codes and IK3 errors for one transaction set (empty: accepted)."""
    if t.set_id != "837":
        return ("6",), ()
    if t.version not in VERSIONS_837:
        return ("19",), ()
    trailer = t.segments[-1]
    codes = []
    if trailer[1] != str(len(t.segments)):
        codes.append("4")
    if trailer[2] != t.control_number:
        codes.append("3")
    if codes:
        return tuple(codes), ()
    if not any(seg.id == "CLM" for seg in t.body):
        missing = SegmentError(
            segment_id="CLM", position=len(t.segments) - 1, code="3", loop="2300"
        )
        return ("5",), (missing,)
    return (), ()


def _group_problems(group: FunctionalGroup) -> tuple[str, ...]:
    codes = []
    if group.trailer[1] != str(len(group.transactions)):
        codes.append("5")
    if group.trailer[2].lstrip("0") != group.control_number.lstrip("0"):
        codes.append("4")
    return tuple(codes)


def ack_of_group(group: FunctionalGroup) -> Ack999:
    sets = []
    for t in group.transactions:
        codes, errors = _set_problems(t)
        sets.append(
            TransactionAck(
                set_id=t.set_id,
                control_number=t.control_number,
                version=t.version,
                status="R" if codes else "A",
                error_codes=codes,
                errors=errors,
            )
        )
    ack = group_ack(
        functional_id=group.functional_id,
        group_control=group.control_number,
        version=group.version,
        sets=sets,
    )
    group_codes = _group_problems(group)
    if group_codes:
        rejected = tuple(
            TransactionAck(
                set_id=s.set_id,
                control_number=s.control_number,
                version=s.version,
                status="R",
                error_codes=s.error_codes or ("5",),
                errors=s.errors,
            )
            for s in sets
        )
        return Ack999(
            functional_id=ack.functional_id,
            group_control=ack.group_control,
            version=ack.version,
            status="R",
            included=len(sets),
            received=len(sets),
            accepted_count=0,
            transactions=rejected,
            error_codes=group_codes,
        )
    return ack


def unreadable_ack(group_control: str) -> Ack999:
    return Ack999(
        functional_id="HC",
        group_control=group_control,
        version=VERSIONS_837[0],
        status="R",
        included=0,
        received=0,
        accepted_count=0,
    )


def _envelope(parties: Parties, control: int, created: dt.datetime) -> Envelope:
    return Envelope(
        sender_id=parties.sandbox_id,
        receiver_id=parties.submitter_isa_id,
        sender_qualifier=parties.sandbox_qualifier,
        receiver_qualifier=parties.submitter_qualifier,
        control_number=control,
        created=created,
        usage=parties.usage,
    )


# --- the 277CA ------------------------------------------------------------------------------


def _luhn_ok(npi: str) -> bool:
    try:
        validate_npi(npi)
    except InvalidNpi:
        return False
    return True


def claim_verdict(claim: ClaimSummary, rules: SandboxRules) -> tuple[tuple[Status, ...], str]:
    """The claim's statuses and, when rejected, the plain-words reason (module docstring)."""
    if not _luhn_ok(claim.billing_provider_npi):
        return (Status("A7", "562", "85"),), "The billing provider's NPI fails its check digit."
    suffix = rules.reject_member_id_suffix
    if suffix and claim.member_id.endswith(suffix):
        return (
            (Status("A7", "21", "IL"),),
            "The member id is not on the sandbox payer's eligibility file.",
        )
    if claim.total_charge > rules.max_total_charge:
        return (
            (Status("A3", "21"),),
            f"The total charge {claim.total_charge:,.2f} is over the sandbox payer's limit of "
            f"{rules.max_total_charge:,.2f} for one claim.",
        )
    return (Status("A1", "20", "PR"), Status("A2", "20", "PR")), ""


def _claim_ack(claim: ClaimSummary, rules: SandboxRules, today: dt.date) -> ClaimAck:
    statuses, reason = claim_verdict(claim, rules)
    infos = tuple(
        StatusInfo(statuses=(s,), date=today, amount=claim.total_charge, message=reason)
        for s in statuses
    )
    return ClaimAck(
        patient_control_number=claim.patient_control_number,
        statuses=infos,
        payer_claim_number="" if reason else f"SBX{claim.patient_control_number}",
        patient_last_name=claim.patient_last_name or "UNKNOWN",
        patient_first_name=claim.patient_first_name,
        member_id=claim.member_id,
        billing_provider_name=claim.billing_provider_name or "UNKNOWN",
        billing_provider_npi=claim.billing_provider_npi or "0000000000",
        service_from=claim.service_from or today,
        service_to=claim.service_to,
    )


def ack277_for(
    claims: Sequence[ClaimSummary], *, parties: Parties, rules: SandboxRules, now: dt.datetime
) -> Ack277:
    first = claims[0]
    return Ack277(
        reference=first.batch_reference or first.transaction_control,
        claims=tuple(_claim_ack(c, rules, now.date()) for c in claims),
        source_name=first.payer_name or "SANDBOX PAYER",
        source_id=first.payer_id or "SANDBOX",
        source_trace=f"SBX{first.interchange_control}",
        receiver_name=parties.submitter_name,
        receiver_id=parties.submitter_id,
        received=now.date(),
        processed=now.date(),
        batch_id=f"SBX{first.interchange_control}",
        created=now,
    )


# --- responding -----------------------------------------------------------------------------


def respond_837(
    data: str | bytes,
    *,
    parties: Parties,
    rules: SandboxRules,
    now: dt.datetime,
    control: int,
) -> Response:
    """The 999 (and, for what it accepted, the 277CA) the sandbox answers to an 837 file.
    `control` numbers the responses' own envelopes."""
    response = Response()
    try:
        interchanges: list[Interchange] = parse(data)
        acks = [ack_of_group(g) for i in interchanges for g in i.groups]
        claims = list_claims(data)
    except X12Error:
        text = data.decode("latin-1") if isinstance(data, bytes) else data
        found = _GS06.search(text)
        acks, claims = [unreadable_ack(found.group(1) if found else "0")], []
    accepted = {
        (a.group_control, t.control_number) for a in acks for t in a.transactions if t.accepted
    }
    for ack in acks:
        text = write_999(ack, envelope=_envelope(parties, control, now), group_control=control)
        response.files.append(("999", text))
    going = [c for c in claims if (c.group_control, c.transaction_control) in accepted]
    if going:
        ack = ack277_for(going, parties=parties, rules=rules, now=now)
        text = write_277ca(ack, envelope=_envelope(parties, control, now), group_control=control)
        response.files.append(("277", text))
        payable = [c for c in going if not claim_verdict(c, rules)[1]]
        remits = remittances_for(
            payable, sent_lines(data), batch=str(control), on=now.date() + dt.timedelta(days=14)
        )
        if remits:
            text = write_835(remits, envelope=_envelope(parties, control, now))
            response.files.append(("835", text))
    return response


RESPONDERS: dict[str, Callable[..., Response]] = {"837": respond_837}


@register
class SandboxAdapter(Adapter):
    name = "sandbox"
    done_in_transaction = True

    def _parties(self) -> Parties:
        a = self.account
        return Parties(
            sandbox_id=a.isa_receiver_id,
            submitter_isa_id=a.isa_sender_id,
            submitter_name=a.submitter_name,
            submitter_id=a.submitter_id,
            usage=a.usage_indicator,
            sandbox_qualifier=a.isa_receiver_qualifier,
            submitter_qualifier=a.isa_sender_qualifier,
        )

    def send(self, batch: Any) -> str:
        from claims.models import SandboxMessage

        now = timezone.localtime().replace(tzinfo=None, microsecond=0)
        response = RESPONDERS["837"](
            batch.content,
            parties=self._parties(),
            rules=SandboxRules.from_settings(self.settings),
            now=now,
            control=batch.interchange_control_number,
        )
        stem = batch.file_name.rsplit(".", 1)[0]
        seen: dict[str, int] = {}
        for suffix, text in response.files:
            seen[suffix] = seen.get(suffix, 0) + 1
            name = f"{stem}.{suffix}" if seen[suffix] == 1 else f"{stem}-{seen[suffix]}.{suffix}"
            SandboxMessage.objects.update_or_create(
                name=name,
                defaults={
                    "content": text,
                    "batch": batch,
                    "part2": batch.part2,
                    "fetched_at": None,
                },
            )
        return f"sandbox:{batch.file_name}"

    def fetch(self) -> list[tuple[str, bytes]]:
        from claims.models import SandboxMessage

        waiting = SandboxMessage.objects.filter(fetched_at__isnull=True).order_by(
            "created_at", "pk"
        )
        return [(m.name, m.content.encode("utf-8")) for m in waiting]

    def done(self, names: Sequence[str]) -> None:
        from claims.models import SandboxMessage

        SandboxMessage.objects.filter(name__in=list(names), fetched_at__isnull=True).update(
            fetched_at=timezone.now()
        )

    def send_status_request(self, content: str) -> str | None:
        now = timezone.localtime().replace(tzinfo=None, microsecond=0)
        return respond_276(content, parties=self._parties(), now=now)


# --- claim status (276 -> 277), real time ----------------------------------------------------

# The sandbox payer has every claim it is asked about in process: 277 STC category P1
# ("pending/in process") with status 20 ("accepted for processing"), dated today. Codes from
# the X12 Claim Status Category and Claim Status code lists (REFERENCE.md §13).
SANDBOX_STATUS = ("P1", "20")


def respond_276(content: str, *, parties: Parties, now: dt.datetime) -> str:
    """The sandbox payer's 277 answer to a 276: one claim status per request."""
    from edi.x276 import read_276
    from edi.x277 import ClaimStatus, StatusResponse, write_277

    requests = read_276(content)
    info = StatusInfo(statuses=(Status(*SANDBOX_STATUS),), date=now.date())
    claims = tuple(
        ClaimStatus(
            trace_number=r.trace_number or r.patient_control_number,
            patient_control_number=r.patient_control_number,
            statuses=(info,),
            payer_name=r.payer_name,
            payer_id=r.payer_id,
            receiver_name=r.receiver_name,
            receiver_id=r.receiver_id,
            provider_name=r.provider_name,
            provider_npi=r.provider_npi,
            subscriber_last_name=r.subscriber_last_name,
            subscriber_first_name=r.subscriber_first_name or "",
            member_id=r.member_id,
            patient_last_name=r.patient_last_name,
            patient_first_name=r.patient_first_name,
            payer_claim_number=r.payer_claim_number,
            service_from=r.service_from,
            service_to=r.service_to,
        )
        for r in requests
    )
    control = int(now.strftime("%H%M%S")) or 1
    response = StatusResponse(claims=claims, batch_id="SANDBOX277", created=now)
    return write_277(response, envelope=_envelope(parties, control, now))

"""Claim rows -> the edi package's 837 dataclasses (edi.claim837) -> 837 text (edi.x837).

Each claim is mapped on its own first (`claim_parts`), so a claim the TR3 model refuses is named
with the reason while the others go; then the batch is assembled: billing providers (2000A,
from the claim's billing identity as built), under them one subscriber loop per coverage
(2000B, with a 2000C patient loop when the patient is not the subscriber), under it the claims.

Where a value comes from:
- CLM07 assignment "A"; CLM08 from `Coverage.assignment_of_benefits` (Y/N).
- CLM09 release of information, only I or Y in 5010 (X12 RFI #924: "the only valid values
  under the HIPAA Privacy rule are Y and I"; there is no N). I is "informed consent to release
  medical information for conditions or diagnoses regulated by federal statutes": a Part 2
  claim (`Claim.part2`) goes only when the disclosure gate found the patient's consent, so it
  says I (as payers' Part 2 companion guides ask). Otherwise Y when the patient's signature is
  on file (`Patient.signature_on_file_date`); without one, I, which the TR3 requires when no
  signature was collected and no law requires one (HIPAA does not, for payment).
- REF*F8 the original claim's payer claim number (replacement 7, void 8); REF*G1 the prior
  authorization; CLM20 the delay reason.
- SBR01 from the coverage's priority; SBR09 the payer's filing indicator; SBR05 the coverage's
  MSP type when Medicare is not the primary payer. A secondary (or tertiary) claim carries the
  higher-priority coverages in force on its first date of service as other payers (2320/2330);
  Their adjudication comes from the claim's `cob` (filled by denials.secondary from the prior
  payer's remittance): claim-level CAS, AMT*D paid, AMT*EAF the patient's remaining share when
  the prior payer left one, and per line a 2430 (SVD paid with the line's code, line CAS,
  DTP*573 the adjudication date).
- 837I: attending from the claim, else the episode (2310A, required); admission date, hour,
  type and source on stays billed by the census day and on the inpatient-type bills the
  scrubber asks an admission date of (claims.scrub ADMISSION-DATE); the patient
  status from the episode, else 30 (still a patient) or 01 (discharged home) by the statement
  period; the principal diagnosis as the reason for an outpatient visit (HI*APR).

Nothing here logs or raises patient data: refusals say which field, never its value."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from claims.build import CENSUS_LEVELS, claim_patient_status
from claims.models import Claim, ClaimLine
from claims.scrub.edits_claim import INPATIENT_BILL_TYPES
from edi import claim837 as e
from edi.x12_writer import Envelope
from edi.x837 import write_837i, write_837p
from patients.models import Coverage

RESPONSIBILITY = {1: "P", 2: "S", 3: "T"}
DELIMITERS = re.compile(r"[*:^~>|]")
TELEHEALTH_POS = frozenset({"02", "10"})


class MappingError(ValueError):
    """A claim the 837 model refuses; the message names the field, never its value."""


def _safe(exc: Exception) -> str:
    # The edi model's messages end with ", got <value>" for some checks: the value may be PHI.
    return str(exc).split(", got ")[0]


def _clean(value: Any, limit: int) -> str:
    text = " ".join(DELIMITERS.sub(" ", str(value or "")).split())
    return text[:limit]


def _digits(value: Any) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def _dx(code: str) -> str:
    return code.replace(".", "").strip().upper()


def _address(line1: Any, city: Any, state: Any, postal: Any, line2: Any = "") -> e.Address | None:
    if not (line1 and city and state and postal):
        return None
    return e.Address(
        line1=_clean(line1, 55),
        line2=_clean(line2, 55),
        city=_clean(city, 30),
        state=str(state).upper(),
        zip_code=_digits(postal),
    )


def _provider(p: Any, *, taxonomy: bool = True) -> e.Provider | None:
    if p is None:
        return None
    return e.Provider(
        last_name=_clean(p.last_name, 60),
        first_name=_clean(p.first_name, 35),
        npi=p.npi,
        taxonomy=p.taxonomy if taxonomy else "",
    )


def _named_provider(name: str, npi: str) -> e.Provider | None:
    """A referring provider known by name and NPI only ("Last, First" or "First Last")."""
    name, npi = (name or "").strip(), (npi or "").strip()
    if not name or not npi:
        return None
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
    else:
        first, _, last = name.rpartition(" ")
    return e.Provider(last_name=_clean(last or first, 60), first_name=_clean(first, 35), npi=npi)


# --- loading --------------------------------------------------------------------------------


def claims_for_837(ids: Iterable[int]) -> list[Claim]:
    """The claims with everything the mapping reads, in a fixed number of queries. Related rows
    are prefetched, not joined: a batch's thousands of claims name a few hundred patients and a
    handful of payers, facilities and providers, each then loaded (and decoded) once and shared
    by the claims naming it."""
    return list(
        Claim.objects.filter(pk__in=list(ids))
        .prefetch_related(
            "patient",
            "coverage__payer",
            "payer",
            "episode__attending_provider",
            "facility",
            "rendering_provider",
            "supervising_provider",
            "attending_provider",
            "original",
            Prefetch("lines", queryset=ClaimLine.objects.order_by("number")),
            "lines__rendering_provider",
        )
        .order_by("pk")
    )


def other_coverages(claims: Sequence[Claim]) -> dict[int, list[Coverage]]:
    """For each secondary or tertiary claim, the patient's higher-priority coverages in force
    on its first date of service (its other payers, loop 2320)."""
    wanted = [c for c in claims if c.coverage.priority > 1]
    found: dict[int, list[Coverage]] = {c.pk: [] for c in wanted}
    if not wanted:
        return found
    rows = Coverage.objects.filter(patient_id__in={c.patient_id for c in wanted}).select_related(
        "payer"
    )
    for claim in wanted:
        day = claim.service_from
        found[claim.pk] = sorted(
            (
                cov
                for cov in rows
                if cov.patient_id == claim.patient_id
                and cov.priority < claim.coverage.priority
                and cov.effective_date <= day
                and (cov.end_date is None or cov.end_date >= day)
            ),
            key=lambda cov: cov.priority,
        )
    return found


# --- one claim ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimParts:
    """One claim as the 837 model's pieces, ready to be grouped into a batch."""

    claim_id: int
    billing: e.BillingProvider
    pay_to: e.Address | None
    subscriber: e.Subscriber
    payer: e.Payer
    patient: e.Patient | None
    claim: e.ProfessionalClaim | e.InstitutionalClaim
    coverage_id: int


def release_of_information(claim: Claim) -> str:
    """CLM09 (and OI06): see the module docstring."""
    if claim.part2:
        return "I"
    return "Y" if claim.patient.signature_on_file_date else "I"


def _billing(data: dict[str, Any]) -> tuple[e.BillingProvider, e.Address | None]:
    address = _address(
        data.get("address_line1"),
        data.get("city"),
        data.get("state"),
        data.get("postal_code"),
        data.get("address_line2"),
    )
    if address is None:
        raise MappingError("The billing provider's address is incomplete.")
    provider = e.BillingProvider(
        org_name=_clean(data.get("name"), 60),
        npi=str(data.get("npi", "")),
        tin=_digits(data.get("tin")),
        taxonomy=str(data.get("taxonomy", "")),
        address=address,
    )
    pay_to = data.get("pay_to") or None
    if pay_to:
        pay_to = _address(
            pay_to.get("address_line1"),
            pay_to.get("city"),
            pay_to.get("state"),
            pay_to.get("postal_code"),
            pay_to.get("address_line2"),
        )
    return provider, pay_to


def _patient_address(patient: Any) -> e.Address | None:
    return _address(patient.address_line1, patient.city, patient.state, patient.postal_code)


def filing_indicator(payer: Any, kind: str) -> str:
    """SBR09: an 837I to a payer with an institutional side (Medicare Part A: "MA") carries that
    side's indicator; otherwise the payer's own (REFERENCE.md §10)."""
    if kind == Claim.Kind.INSTITUTIONAL and payer.institutional_filing_indicator:
        return payer.institutional_filing_indicator
    return payer.claim_filing_indicator or "CI"


def payer_id(payer: Any, kind: str) -> str:
    """2010BB NM109: the institutional side's payer id for an 837I where the payer has one."""
    if kind == Claim.Kind.INSTITUTIONAL and payer.institutional_payer_id:
        return payer.institutional_payer_id
    return payer.edi_payer_id


def _subscriber(claim: Claim) -> tuple[e.Subscriber, e.Patient | None]:
    cov, patient, payer = claim.coverage, claim.patient, claim.payer
    medicare_secondary = payer.kind == "medicare" and cov.priority > 1
    common = dict(
        member_id=_clean(cov.member_id, 80),
        group_number=_clean(cov.group_number, 50),
        group_name=_clean(cov.plan_name, 60) if not cov.group_number else "",
        responsibility=RESPONSIBILITY.get(cov.priority, "P"),
        filing_indicator=filing_indicator(payer, claim.kind),
        insurance_type=cov.msp_type if medicare_secondary else "",
    )
    if cov.relationship == Coverage.Relationship.SELF:
        sub = e.Subscriber(
            last_name=_clean(patient.last_name, 60),
            first_name=_clean(patient.first_name, 35),
            dob=patient.date_of_birth,
            sex=patient.sex or "U",
            address=_patient_address(patient),
            **common,
        )
        return sub, None
    sub = e.Subscriber(
        last_name=_clean(cov.subscriber_last_name, 60),
        first_name=_clean(cov.subscriber_first_name, 35),
        dob=cov.subscriber_date_of_birth,
        sex=cov.subscriber_sex or "U",
        address=_address(
            cov.subscriber_address_line1,
            cov.subscriber_city,
            cov.subscriber_state,
            cov.subscriber_postal_code,
        ),
        **common,
    )
    address = _patient_address(patient)
    if address is None:
        raise MappingError("The patient's address is incomplete (2010CA needs it).")
    pat = e.Patient(
        last_name=_clean(patient.last_name, 60),
        first_name=_clean(patient.first_name, 35),
        dob=patient.date_of_birth,
        sex=patient.sex or "U",
        address=address,
        relationship=cov.relationship,
    )
    return sub, pat


def cob_entry(claim: Claim, cov: Coverage) -> dict[str, Any] | None:
    """The prior payer's adjudication of this claim, as `Claim.cob` keeps it."""
    for entry in (claim.cob or {}).get("payers", []):
        if entry.get("coverage_id") == cov.pk:
            return entry
    return None


def _cas(rows: Any) -> tuple[e.Adjustment, ...]:
    return tuple(
        e.Adjustment(group=group, reason=reason, amount=Decimal(amount))
        for group, reason, amount in rows or ()
    )


def _adjudicated(claim: Claim, cov: Coverage) -> dict[str, Any]:
    entry = cob_entry(claim, cov)
    if entry is None:
        return {}
    liability = Decimal(entry.get("patient_liability") or "0")
    return dict(
        paid_amount=Decimal(entry["paid"]),
        remaining_patient_liability=liability if liability else None,
        adjustments=_cas(entry.get("adjustments")),
        adjudication_date=dt.date.fromisoformat(entry["adjudicated_on"]),
    )


def line_adjudications(
    claim: Claim, others: Sequence[Coverage], number: int
) -> tuple[e.LineAdjudication, ...]:
    """Loop 2430 of one line: one per prior payer that reported the line."""
    found = []
    for cov in others:
        entry = cob_entry(claim, cov)
        line = (entry or {}).get("lines", {}).get(str(number))
        if not line:
            continue
        found.append(
            e.LineAdjudication(
                payer_id=payer_id(cov.payer, claim.kind),
                paid_amount=Decimal(line["paid"]),
                paid_units=Decimal(line.get("units") or "1"),
                adjudication_date=dt.date.fromisoformat(entry["adjudicated_on"]),
                procedure_code=line.get("code", ""),
                modifiers=tuple(line.get("modifiers") or ()),
                revenue_code=line.get("revenue_code", ""),
                adjustments=_cas(line.get("adjustments")),
            )
        )
    return tuple(found)


def _other_payer(claim: Claim, cov: Coverage, release: str) -> e.OtherPayer:
    patient = claim.patient
    self_insured = cov.relationship == Coverage.Relationship.SELF
    return e.OtherPayer(
        **_adjudicated(claim, cov),
        payer=e.Payer(name=_clean(cov.payer.name, 60), payer_id=payer_id(cov.payer, claim.kind)),
        subscriber_last_name=_clean(
            patient.last_name if self_insured else cov.subscriber_last_name, 60
        ),
        subscriber_first_name=_clean(
            patient.first_name if self_insured else cov.subscriber_first_name, 35
        ),
        subscriber_member_id=_clean(cov.member_id, 80),
        responsibility=RESPONSIBILITY.get(cov.priority, "P"),
        relationship=cov.relationship,
        filing_indicator=filing_indicator(cov.payer, claim.kind),
        group_number=_clean(cov.group_number, 50),
        benefits_assignment="Y" if cov.assignment_of_benefits else "N",
        release_of_information=release,
    )


def _service_facility(claim: Claim, billing: e.BillingProvider) -> e.ServiceFacility | None:
    """2310C/2310E: only when the service was somewhere other than the billing address (and
    not by telehealth, where no clinic site is the place of service)."""
    site = claim.facility
    if site is None or claim.place_of_service in TELEHEALTH_POS:
        return None
    address = _address(site.address_line1, site.city, site.state, site.postal_code)
    if address is None or (address.line1, address.city) == (
        billing.address.line1,
        billing.address.city,
    ):
        return None
    return e.ServiceFacility(name=_clean(site.name, 60), address=address, npi=site.npi or "")


def _common(claim: Claim, others: Sequence[Coverage]) -> dict[str, Any]:
    release = release_of_information(claim)
    original = ""
    if claim.frequency in (Claim.Frequency.REPLACEMENT, Claim.Frequency.VOID):
        original = (claim.original.payer_claim_number if claim.original else "") or ""
        if not original:
            raise MappingError(
                "A replacement or void needs the original claim's payer claim number (REF*F8); "
                "it comes with the original's 277CA or remittance."
            )
    return dict(
        patient_control_number=claim.control_number,
        total_charge=claim.total_charge,
        diagnoses=tuple(_dx(code) for code in claim.diagnoses),
        frequency_code=claim.frequency,
        assignment="A",
        benefits_assignment="Y" if claim.coverage.assignment_of_benefits else "N",
        release_of_information=release,
        delay_reason=claim.delay_reason,
        original_claim_number=original,
        prior_authorization=_clean(claim.prior_auth_number, 50),
        other_payers=tuple(_other_payer(claim, cov, release) for cov in others),
    )


def _referring(claim: Claim) -> e.Provider | None:
    episode = claim.episode
    if episode is None:
        return None
    return _named_provider(episode.referring_provider_name, episode.referring_provider_npi)


def _professional(
    claim: Claim, common: dict[str, Any], billing: e.BillingProvider, others: Sequence[Coverage]
):
    lines = tuple(
        e.ProfessionalLine(
            procedure_code=ln.code,
            charge=ln.charge,
            units=Decimal(ln.units),
            service_date=ln.service_date,
            diagnosis_pointers=tuple(ln.pointers) or (1,),
            modifiers=tuple(ln.modifiers),
            place_of_service=ln.pos,
            service_date_end=ln.service_date_to,
            line_control_number=ln.control_number,
            rendering=_provider(ln.rendering_provider),
            adjudications=line_adjudications(claim, others, ln.number),
        )
        for ln in claim.lines.all()
    )
    pos = claim.place_of_service or next(
        (ln.place_of_service for ln in lines if ln.place_of_service), ""
    )
    return e.ProfessionalClaim(
        facility_code=pos,
        lines=lines,
        rendering=_provider(claim.rendering_provider),
        supervising=_provider(claim.supervising_provider, taxonomy=False),
        referring=_referring(claim),
        service_facility=_service_facility(claim, billing),
        **common,
    )


def _codes(rows: Any, *keys: str) -> list[dict[str, Any]]:
    return [r for r in rows or [] if isinstance(r, dict) and all(r.get(k) for k in keys)]


def _patient_status(claim: Claim) -> str:
    return claim_patient_status(claim)


def _admission(claim: Claim, inpatient: bool) -> dict[str, Any]:
    episode = claim.episode
    if episode is None or not inpatient:
        return {}
    facts: dict[str, Any] = {
        "admission_date": episode.admit_date,
        "admission_type": episode.admission_type,
        "admission_source": episode.admission_source,
        "admitting_diagnosis": _dx(claim.diagnoses[0]) if claim.diagnoses else "",
    }
    if episode.admission_hour is not None:
        facts["admission_time"] = dt.time(episode.admission_hour, 0)
    discharged_now = (
        episode.discharge_date is not None
        and claim.service_from <= episode.discharge_date <= claim.service_to
    )
    if discharged_now and episode.discharge_hour is not None:
        facts["discharge_time"] = dt.time(episode.discharge_hour, 0)
    return facts


def _institutional(
    claim: Claim, common: dict[str, Any], billing: e.BillingProvider, others: Sequence[Coverage]
):
    episode = claim.episode
    attending = claim.attending_provider or getattr(episode, "attending_provider", None)
    if attending is None:
        raise MappingError("An institutional claim needs an attending provider (2310A).")
    tob = claim.type_of_bill
    if len(tob) != 3:
        raise MappingError("An institutional claim needs its 3-digit type of bill.")
    inpatient = claim.level in CENSUS_LEVELS or tob.startswith(INPATIENT_BILL_TYPES)
    lines = tuple(
        e.InstitutionalLine(
            revenue_code=ln.revenue_code,
            procedure_code=ln.code,
            modifiers=tuple(ln.modifiers),
            charge=ln.charge,
            units=Decimal(ln.units),
            unit_basis=ln.unit_kind or "UN",
            service_date=ln.service_date,
            service_date_end=ln.service_date_to,
            line_control_number=ln.control_number,
            adjudications=line_adjudications(claim, others, ln.number),
        )
        for ln in claim.lines.all()
    )
    principal = common["diagnoses"][:1]
    return e.InstitutionalClaim(
        facility_code=tob[:2],
        lines=lines,
        statement_from=claim.service_from,
        statement_to=claim.service_to,
        attending=_provider(attending),
        patient_status=_patient_status(claim),
        reason_for_visit=() if inpatient else principal,
        condition_codes=tuple(claim.condition_codes),
        occurrence_codes=tuple(
            e.OccurrenceCode(code=r["code"], date=dt.date.fromisoformat(str(r["date"])))
            for r in _codes(claim.occurrence_codes, "code", "date")
        ),
        occurrence_spans=tuple(
            e.OccurrenceSpan(
                code=r["code"],
                start=dt.date.fromisoformat(str(r["from"])),
                end=dt.date.fromisoformat(str(r["to"])),
            )
            for r in _codes(claim.occurrence_spans, "code", "from", "to")
        ),
        value_codes=tuple(
            e.ValueCode(code=r["code"], amount=Decimal(str(r["amount"])))
            for r in _codes(claim.value_codes, "code", "amount")
        ),
        referring=_referring(claim),
        service_facility=_service_facility(claim, billing),
        **_admission(claim, inpatient),
        **common,
    )


def claim_parts(claim: Claim, others: Sequence[Coverage] = ()) -> ClaimParts:
    """One claim mapped (raises MappingError with a reason safe to show)."""
    try:
        billing, pay_to = _billing(claim.billing or {})
        subscriber, patient = _subscriber(claim)
        payer = e.Payer(
            name=_clean(claim.payer.name, 60), payer_id=payer_id(claim.payer, claim.kind)
        )
        common = _common(claim, others)
        build = _institutional if claim.kind == Claim.Kind.INSTITUTIONAL else _professional
        mapped = build(claim, common, billing, others)
        # The loop rules (a subscriber who is the patient needs a birth date and an address).
        e.SubscriberGroup(subscriber=subscriber, payer=payer, claims=(mapped,), patient=patient)
    except MappingError:
        raise
    except (ValueError, TypeError) as exc:
        raise MappingError(_safe(exc)) from None
    return ClaimParts(
        claim_id=claim.pk,
        billing=billing,
        pay_to=pay_to,
        subscriber=subscriber,
        payer=payer,
        patient=patient,
        claim=mapped,
        coverage_id=claim.coverage_id,
    )


# --- the batch ------------------------------------------------------------------------------


def submitter_of(account: Any) -> e.Submitter:
    return e.Submitter(
        name=_clean(account.submitter_name, 60),
        id=account.submitter_id,
        contact_name=_clean(account.contact_name, 60),
        contact_phone=_digits(account.contact_phone),
        contact_email=account.contact_email,
    )


def batch_837(parts: Sequence[ClaimParts], *, account: Any, reference: str) -> e.Batch837:
    """Mapped claims into one batch: billing providers, then subscribers (one per coverage,
    at most 100 claims under one subscriber loop), then claims, in the order given."""
    billing: dict[tuple, tuple[ClaimParts, dict[tuple, list[ClaimParts]]]] = {}
    for part in parts:
        key = (part.billing, part.pay_to)
        _, subscribers = billing.setdefault(key, (part, {}))
        subscribers.setdefault((part.coverage_id, part.subscriber, part.patient), []).append(part)
    groups = []
    for first, subscribers in billing.values():
        loops = []
        for members in subscribers.values():
            for start in range(0, len(members), e.MAX_CLAIMS_PER_HL):
                chunk = members[start : start + e.MAX_CLAIMS_PER_HL]
                loops.append(
                    e.SubscriberGroup(
                        subscriber=chunk[0].subscriber,
                        payer=chunk[0].payer,
                        patient=chunk[0].patient,
                        claims=tuple(p.claim for p in chunk),  # type: ignore[arg-type]
                    )
                )
        groups.append(
            e.BillingGroup(provider=first.billing, pay_to=first.pay_to, subscribers=tuple(loops))
        )
    return e.Batch837(
        submitter=submitter_of(account),
        receiver=e.Receiver(name=_clean(account.receiver_name, 60), id=account.receiver_id),
        billing=tuple(groups),
        reference=reference,
    )


def envelope_for(account: Any, *, control: int, created: dt.datetime) -> Envelope:
    return Envelope(
        sender_id=account.isa_sender_id,
        receiver_id=account.isa_receiver_id,
        sender_qualifier=account.isa_sender_qualifier,
        receiver_qualifier=account.isa_receiver_qualifier,
        control_number=control,
        created=created,
        usage=account.usage_indicator,
    )


def write_batch(
    batch: e.Batch837,
    *,
    kind: str,
    account: Any,
    control: int,
    transaction_control: str,
    created: dt.datetime,
) -> str:
    """The batch as one interchange (ISA13 = GS06 = `control`, ST02 = `transaction_control`)."""
    write = write_837i if kind == Claim.Kind.INSTITUTIONAL else write_837p
    return write(
        batch,
        envelope=envelope_for(account, control=control, created=created),
        group_control=control,
        transaction_control=transaction_control,
    )

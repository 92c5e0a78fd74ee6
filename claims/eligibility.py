"""Eligibility checks: a 270 asked through the org's clearinghouse, the 271 answer read into
the behavioral-health benefit card (edi.benefits), and what follows from it.

- The inquiry asks about the plan (30) and the BH service types (edi.x270.BH_SERVICE_TYPES),
  as the facility's billing identity (its name and NPI; REFERENCE.md §10 "270/271").
- Part 2 (REFERENCE.md §8 "Billing data flows"): a 270 asking about AI/AJ/AK for a Part 2
  patient discloses substance-use treatment, so it passes the consent gate
  (consent.gate.disclosure_record: the consent must cover payment disclosures to the payer,
  and the release is logged in the accounting of disclosures). Decision: without such a
  consent the check still asks, *without* the SUD service types, and says so on the check
  (`sud_withheld` and the gate's reasons): coverage and mental-health benefits are what the
  front desk needs most, and a 270 without AI/AJ/AK names no SUD service. When the caller
  asked about SUD service types only, nothing would be left to ask: the check is `refused`
  and nothing is sent.
- Adapters without a real-time eligibility channel refuse; the check is `failed` with the
  reason (never PHI).
- An inactive answer is a work item: the ELIG-INACTIVE scrub edit holds this coverage's
  claims with dates of service from the end of coverage the payer stated (claims.scrub), the
  coverage's unsent claims are scrubbed again now, and the `coverage_inactive` signal is sent
  (the notification hook).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from decimal import Decimal
from typing import Any

import django.dispatch
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from claims.models import Claim, EligibilityCheck
from consent.gate import disclosure_record
from edi.benefits import BenefitCard, Figure, NetworkTerms, benefit_card, changes
from edi.x12 import X12Error
from edi.x270 import BH_SERVICE_TYPES, SUD_SERVICE_TYPES, EligibilityInquiry, write_270
from edi.x271 import read_271
from patients.models import Coverage, EpisodeOfCare
from patients.selectors import patient_has_part2
from rcm.tenancy import require_org as check_org

log = logging.getLogger(__name__)

# The notification hook: sent with `check=` (inside the org) when a payer answers inactive.
coverage_inactive = django.dispatch.Signal()

PLAN_LEVEL = "30"
DEFAULT_SERVICE_TYPES = (PLAN_LEVEL, *BH_SERVICE_TYPES)
HEALTH_PLAN, PAYMENT, CHANNEL = "health_plan", "payment", "270"
# A 270 carries who the member is and which (SUD) services are asked about.
ELIGIBILITY_CATEGORIES = ("demographics", "services")
Source, Status = EligibilityCheck.Source, EligibilityCheck.Status


# --- asking --------------------------------------------------------------------------------


def eligibility_check_request(
    *,
    coverage: Coverage,
    actor: Any,
    source: str,
    service_types: tuple[str, ...] | list[str] | None = None,
    service_date: dt.date | None = None,
    run_on: dt.date | None = None,
    defer: bool = False,
) -> EligibilityCheck:
    """Record a check of `coverage` and ask it (`defer`: queue the task that asks, for the
    button, so the page does not wait on the payer). Returns the check."""
    if source not in Source.values:
        raise ValidationError({"source": [f"Unknown source '{source}'."]})
    asked = tuple(dict.fromkeys(service_types or DEFAULT_SERVICE_TYPES))
    unknown = [c for c in asked if c not in DEFAULT_SERVICE_TYPES]
    if unknown:
        raise ValidationError({"service_types": [f"Not asked about here: {', '.join(unknown)}."]})
    today = timezone.localdate()
    with transaction.atomic():
        check = EligibilityCheck.objects.create(
            coverage=coverage,
            patient_id=coverage.patient_id,
            requested_by=actor if getattr(actor, "pk", None) else None,
            run_on=run_on or today,
            source=source,
            service_date=service_date or today,
            service_types=list(asked),
        )
        if defer:
            from claims.tasks import run_eligibility_check

            org_id, check_id = check.org_id, check.pk
            transaction.on_commit(lambda: run_eligibility_check.delay(org_id, check_id))
            return check
        return eligibility_check_send(check=check)


def eligibility_check_send(*, check: EligibilityCheck) -> EligibilityCheck:
    """Ask a queued check (idempotent: a check already asked is returned as it is)."""
    from claims.clearinghouse import ClearinghouseError, account_for_org, adapter_for

    with transaction.atomic():
        check = EligibilityCheck.objects.select_for_update().get(pk=check.pk)
        if check.status != Status.QUEUED:
            return check
        coverage = Coverage.objects.select_related("patient", "payer").get(pk=check.coverage_id)
        actor = check.requested_by
        try:
            account = account_for_org()
            asked = _through_the_gate(check, coverage, actor)
            if asked is None:
                return check
            content = _write(check, coverage, account, asked)
            check.status = Status.SENT
            check.save(update_fields=["status", "service_types", "sud_withheld", "reason",
                                      "trace_number", "disclosure"])  # fmt: skip
            answer = adapter_for(account).send_eligibility_request(content)
        except ClearinghouseError as exc:
            return _close(check, Status.FAILED, str(exc))
        except X12Error as exc:  # missing facts: say which, never the member's data
            text = str(exc).replace(coverage.member_id or "\x00", "the member")
            return _close(check, Status.FAILED, f"The 270 could not be written: {text}")
        if not answer:
            return check  # the 271 comes later with the clearinghouse's responses
        return _record_answer(check, answer)


def _is_part2(coverage: Coverage) -> bool:
    return patient_has_part2(coverage.patient_id)


def _through_the_gate(
    check: EligibilityCheck, coverage: Coverage, actor: Any
) -> tuple[str, ...] | None:
    """The service types that may be asked about (see the module docstring); None: refused."""
    asked = tuple(check.service_types)
    sud = [c for c in asked if c in SUD_SERVICE_TYPES]
    if not sud or not _is_part2(coverage):
        return asked
    try:
        with transaction.atomic():
            check.disclosure = disclosure_record(
                patient=coverage.patient,
                recipient_kind=HEALTH_PLAN,
                recipient_name=coverage.payer.name,
                purpose=PAYMENT,
                carries=ELIGIBILITY_CATEGORIES,
                description=(
                    f"270 eligibility inquiry asking about {', '.join(sud)} "
                    f"(eligibility check {check.public_id})"
                )[:300],
                channel=CHANNEL,
                actor=actor,
                reference=str(check.public_id),
            )
        return asked
    except ValidationError as exc:
        reasons = " ".join(exc.message_dict.get("consent") or exc.messages)
    left = tuple(c for c in asked if c not in SUD_SERVICE_TYPES)
    if not [c for c in left if c != PLAN_LEVEL]:  # only SUD types were asked about
        _close(check, Status.REFUSED, f"Not sent: the Part 2 disclosure gate refused it. {reasons}")
        return None
    check.service_types, check.sud_withheld = list(left), True
    check.reason = (
        f"Asked without {', '.join(sud)}: no Part 2 consent covers disclosing substance-use "
        f"services to {coverage.payer.name}. {reasons}"
    )[:500]
    return left


def _facility_for(coverage: Coverage) -> Any:
    from facilities.models import Facility

    episode = (
        EpisodeOfCare.objects.filter(patient_id=coverage.patient_id, facility__isnull=False)
        .select_related("facility")
        .order_by("-admit_date")
        .first()
    )
    if episode is not None:
        return episode.facility
    return Facility.objects.filter(is_active=True).order_by("pk").first()


def _provider(coverage: Coverage, account: Any) -> tuple[str, str]:
    """The information receiver (2100B): the facility's billing identity, else the org as
    the clearinghouse account names it."""
    from facilities.selectors import billing_identity_for

    facility = _facility_for(coverage)
    if facility is not None:
        ident = billing_identity_for(facility=facility, program=None, payer=coverage.payer)
        if ident.npi:
            return ident.name[:60], ident.npi
    from claims.clearinghouse import ConfigurationError

    org = check_org()
    if not org.npi:
        raise ConfigurationError(
            "No facility or organization NPI to ask as: set the billing NPI first."
        )
    return org.name[:60], org.npi


def _inquiry(
    check: EligibilityCheck, coverage: Coverage, account: Any, asked: tuple[str, ...]
) -> EligibilityInquiry:
    from claims.edi_map import payer_id

    patient = coverage.patient
    name, npi = _provider(coverage, account)
    self_insured = coverage.relationship == Coverage.Relationship.SELF
    common = {
        "payer_name": coverage.payer.name[:60],
        "payer_id": payer_id(coverage.payer, Claim.Kind.PROFESSIONAL),
        "provider_name": name,
        "provider_npi": npi,
        "member_id": coverage.member_id,
        "service_types": asked,
        "service_date": check.service_date,
        "trace_number": check.trace_number,
    }
    if self_insured:
        return EligibilityInquiry(
            **common,
            subscriber_last_name=patient.last_name,
            subscriber_first_name=patient.first_name,
            subscriber_birth_date=patient.date_of_birth,
            subscriber_gender=patient.sex or "U",
        )
    return EligibilityInquiry(
        **common,
        subscriber_last_name=coverage.subscriber_last_name or patient.last_name,
        subscriber_first_name=coverage.subscriber_first_name or None,
        subscriber_birth_date=coverage.subscriber_date_of_birth,
        patient_last_name=patient.last_name,
        patient_first_name=patient.first_name,
        patient_birth_date=patient.date_of_birth,
        patient_gender=patient.sex or "U",
    )


def _write(
    check: EligibilityCheck, coverage: Coverage, account: Any, asked: tuple[str, ...]
) -> str:
    from claims.edi_map import envelope_for
    from claims.submission import next_interchange_control

    control = next_interchange_control()
    check.trace_number = f"EC{check.pk:010d}"
    now = timezone.localtime().replace(tzinfo=None, microsecond=0)
    return write_270(
        [_inquiry(check, coverage, account, asked)],
        envelope=envelope_for(account, control=control, created=now),
        batch_id=check.trace_number,
    )


def _close(check: EligibilityCheck, status: str, reason: str) -> EligibilityCheck:
    check.status, check.reason = status, reason[:500]
    check.answered_at = timezone.now()
    check.save(update_fields=["status", "reason", "answered_at", "service_types", "sud_withheld"])
    return check


# --- the answer ----------------------------------------------------------------------------


def _previous_card(check: EligibilityCheck) -> BenefitCard | None:
    before = (
        EligibilityCheck.objects.filter(
            coverage_id=check.coverage_id, status__in=[Status.ANSWERED, Status.REJECTED]
        )
        .exclude(pk=check.pk)
        .exclude(response_271="")
        .order_by("-answered_at", "-pk")
        .first()
    )
    if before is None:
        return None
    return _card_of(before.response_271, before.service_types)


def _card_of(text: str, asked: list[str]) -> BenefitCard | None:
    responses = read_271(text)
    if not responses:
        return None
    types = tuple(c for c in asked if c in BH_SERVICE_TYPES) or BH_SERVICE_TYPES
    return benefit_card(responses[0], types)


def _record_answer(check: EligibilityCheck, answer: str) -> EligibilityCheck:
    card = _card_of(answer, check.service_types)
    if card is None:
        return _close(check, Status.FAILED, "The clearinghouse answered with no 271 response.")
    previous = _previous_card(check)
    check.response_271 = answer
    check.card_json = json.dumps(card_data(card))
    check.changes_json = json.dumps([dataclasses.asdict(c) for c in changes(previous, card)])
    check.active = {"active": True, "inactive": False}.get(card.status)
    check.coverage_begin = card.eligibility_begin or card.plan_begin
    check.coverage_end = card.eligibility_end or card.plan_end
    check.answered_at = timezone.now()
    check.status = Status.REJECTED if card.status == "rejected" else Status.ANSWERED
    if card.status == "rejected":
        check.reason = "; ".join(card.status_reasons)[:500]
    check.save()
    if check.active is False:
        _inactive(check)
    return check


def inactive_from(check: EligibilityCheck) -> dt.date:
    """The first date an inactive answer covers: the day after the end of coverage the payer
    stated, else the date asked about."""
    if check.coverage_end is not None:
        return check.coverage_end + dt.timedelta(days=1)
    return check.service_date


def _inactive(check: EligibilityCheck) -> None:
    from claims.services import RESCRUBBED_STATUSES, _scrub_many

    start = inactive_from(check)
    claims = list(
        Claim.objects.select_for_update(of=("self",))
        .filter(coverage_id=check.coverage_id, status__in=RESCRUBBED_STATUSES)
        .filter(service_to__gte=start)
        .order_by("pk")
    )
    if claims:
        _scrub_many(claims, actor=check.requested_by, org_slug=check.org.slug, refresh=False)
    coverage_inactive.send(sender=EligibilityCheck, check=check)


# --- the card as data (stored encrypted, shown on the pages) -------------------------------


def _figure(f: Figure, kind: str) -> dict[str, Any]:
    if f.value is None:
        return {"known": False, "text": "unknown", "reason": f.reason}
    value: Decimal = f.value
    if kind == "percent":
        text = f"{(value * 100).normalize():f}%"
    elif kind == "money":
        text = f"${value:,.2f}"
    else:
        text = f"{value.normalize():f}"
    if f.period in ("visit", "day") and kind != "percent":
        text += f" per {f.period}"
    note = " (plan level)" if f.from_plan_level else ""
    return {"known": True, "text": text + note, "value": str(value), "reason": ""}


def _terms(t: NetworkTerms) -> dict[str, Any]:
    kinds = {"coinsurance": "percent", "visits_allowed": "count", "visits_used": "count",
             "visits_remaining": "count"}  # fmt: skip
    out: dict[str, Any] = {
        f.name: _figure(getattr(t, f.name), kinds.get(f.name, "money"))
        for f in dataclasses.fields(NetworkTerms)
        if f.name not in ("network", "authorization_required")
    }
    out["authorization_required"] = t.authorization_required
    return out


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "unknown"}[value]


def card_data(card: BenefitCard) -> dict[str, Any]:
    """The card in words and strings, ready for a template (and for JSON)."""
    carve = card.carve_out
    data = {
        "status": card.status,
        "status_reasons": list(card.status_reasons),
        "payer_name": card.payer_name,
        "plan_description": card.plan_description,
        "coverage_begin": str(card.eligibility_begin or card.plan_begin or ""),
        "coverage_end": str(card.eligibility_end or card.plan_end or ""),
        "plan_date": str(card.plan_date or ""),
        "authorization_required": _yes_no(card.authorization_required),
        "carve_out": (
            {
                "name": carve.name,
                "phone": carve.phone,
                "contact": carve.contact,
                "service_types": list(carve.service_types),
                "messages": list(carve.messages),
            }
            if carve
            else None
        ),  # fmt: skip
        "services": [
            {
                "code": s.service_type,
                "label": s.label,
                "covered": _yes_no(s.covered),
                "reason": s.reason,
                "authorization_required": _yes_no(s.authorization_required),
                "from_plan_level": s.from_plan_level,
                "carved_out": s.carve_out is not None,
                "messages": list(s.messages),
                "in_network": _terms(s.in_network),
                "out_of_network": _terms(s.out_of_network),
            }
            for s in card.services
        ],
    }
    for service in data["services"]:
        service["unknown_reason"] = _row_reason(service)
    return data


# How edi.benefits names each figure in its reasons ("the payer returned no mental health
# copay; ..."): a row's reason names them all at once.
_FIGURE_WORDS = ("out-of-pocket remaining", "out-of-pocket maximum", "deductible remaining",
                 "deductible", "visits remaining", "visits used", "visit limit", "coinsurance",
                 "copay")  # fmt: skip


def _row_reason(service: dict[str, Any]) -> str:
    """Why the row's unknown figures are unknown, once for the row (each cell keeps its own
    reason in full as its title)."""
    for tier in ("in_network", "out_of_network"):
        for figure in service[tier].values():
            if isinstance(figure, dict) and not figure["known"]:
                reason = figure["reason"].replace("out-of-network ", "")
                for word in _FIGURE_WORDS:
                    if word in reason:
                        return reason.replace(word, "figures", 1)
                return reason
    return ""

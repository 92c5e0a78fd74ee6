"""The behavioral-health benefit card: what a 271 says about mental-health and substance-use
coverage, in the terms a front desk uses, with every gap shown as unknown (never as zero).

`benefit_card(response)` reads one `edi.x271.EligibilityResponse` (one member's coverage) into a
`BenefitCard`: active or not with its dates; per behavioral-health service type (MH, A4..A8,
AI/AJ/AK, BB/BC/BD) the copay, coinsurance, deductible and what remains of it, out-of-pocket
maximum and what remains, visits allowed/used/remaining, authorization required (EB11), and
whether each figure is in network or out (EB12); and the carve-out administrator (a loop 2120
entity) with its phone. `changes(old, new)` lists what differs between two cards.

Rules (REFERENCE.md §10 "270/271"):
- A service type with nothing of its own takes the plan-level answer (EB03 = 30, or no EB03),
  and the figure says so (`from_plan_level`).
- CAQH CORE makes 1, 35, 88, A6, A7, A8, AI, AL and MH "discretionary": payers may omit cost
  share for them while still returning coverage status and dates. A missing figure is `None`
  with the reason, never 0.
- Loop 2120 usually names the BH carve-out administrator: a benefit for a BH service type whose
  EB01 is U (contact the entity named), MC (managed care coordinator) or R (other payer), or
  whose 2120 entity is another payer or a managed-care organization (PR, PRP, Y2, VN), carves
  that service type out to that entity.
- EB12 W ("not applicable") or blank means the figure applies in and out of network.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from edi.x270 import BH_SERVICE_TYPES, SERVICE_TYPES, SUD_SERVICE_TYPES
from edi.x271 import (
    ACTIVE_INFO,
    INACTIVE_INFO,
    TIME_PERIODS,
    Benefit,
    EligibilityResponse,
    Entity,
)

__all__ = [
    "CORE_DISCRETIONARY",
    "BenefitCard",
    "CarveOut",
    "Change",
    "Figure",
    "NetworkTerms",
    "ServiceCard",
    "benefit_card",
    "benefit_cards",
    "changes",
]

PLAN_LEVEL = "30"
# REFERENCE.md §10: service types whose cost share CAQH CORE leaves to the payer's discretion.
CORE_DISCRETIONARY = frozenset({"1", "35", "88", "A6", "A7", "A8", "AI", "AL", "MH"})
CARVE_OUT_INFO = frozenset({"U", "MC", "R"})
CARVE_OUT_ENTITIES = frozenset({"PR", "PRP", "Y2", "VN"})
REMAINING_PERIODS = frozenset({"29", "33"})


@dataclass(frozen=True)
class Figure:
    """One number on the card. `value` None means unknown, and `reason` says why."""

    value: Decimal | None
    reason: str = ""
    period: str = ""  # EB06 in words: visit, calendar year, remaining...
    from_plan_level: bool = False  # taken from the plan-level (30) answer
    network_stated: bool = True  # False when EB12 was W or blank (applies either way)

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class NetworkTerms:
    """Cost share for one network tier ("in" or "out")."""

    network: str
    copay: Figure
    coinsurance: Figure  # a fraction: 0.2 = 20%
    deductible: Figure
    deductible_remaining: Figure
    out_of_pocket: Figure
    out_of_pocket_remaining: Figure
    visits_allowed: Figure
    visits_used: Figure
    visits_remaining: Figure
    authorization_required: bool | None = None  # EB11 on this tier's benefits


@dataclass(frozen=True)
class CarveOut:
    """The administrator another plan hands behavioral health to, named in loop 2120."""

    administrator: Entity
    service_types: tuple[str, ...]
    phone: str = ""
    contact: str = ""  # PER02 of the first contact with a number
    messages: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.administrator.display_name


@dataclass(frozen=True)
class ServiceCard:
    """What the payer said about one behavioral-health service type."""

    service_type: str
    label: str
    covered: bool | None  # None: unknown, or carved out to another administrator
    from_plan_level: bool  # nothing specific to this type; the plan-level answer is shown
    in_network: NetworkTerms
    out_of_network: NetworkTerms
    authorization_required: bool | None
    carve_out: CarveOut | None = None
    messages: tuple[str, ...] = ()
    reason: str = ""  # why coverage is unknown, when it is


@dataclass(frozen=True)
class BenefitCard:
    """One member's coverage with one payer, for behavioral health."""

    payer_name: str
    payer_id: str
    member_id: str
    member_name: str
    trace_number: str
    status: str  # active, inactive, rejected, unknown
    status_reasons: tuple[str, ...] = ()  # the rejections, or why the status is unknown
    plan_begin: datetime.date | None = None
    plan_end: datetime.date | None = None
    eligibility_begin: datetime.date | None = None
    eligibility_end: datetime.date | None = None
    plan_date: datetime.date | None = None  # DTP*291: the date the payer answered for
    plan_description: str = ""
    insurance_type: str = ""
    carve_out: CarveOut | None = None
    services: tuple[ServiceCard, ...] = ()
    contacts: tuple[Entity, ...] = ()  # 2120 entities on the plan or BH benefits (not carve-outs)
    other_payers: tuple[Entity, ...] = ()  # EB*R (other or additional payer): 2120 entities
    mentions_sud: bool = False  # the payer answered about AI/AJ/AK: Part 2 data (REFERENCE.md §8)

    @property
    def active(self) -> bool:
        return self.status == "active"

    def service(self, code: str) -> ServiceCard:
        found = next((s for s in self.services if s.service_type == code), None)
        if found is None:
            raise KeyError(code)
        return found

    @property
    def mental_health(self) -> ServiceCard:
        return self.service("MH")

    @property
    def authorization_required(self) -> bool | None:
        values = {s.authorization_required for s in self.services}
        if True in values:
            return True
        return False if values == {False} else None


# --- building -------------------------------------------------------------------------------


def benefit_cards(responses: Iterable[EligibilityResponse]) -> list[BenefitCard]:
    return [benefit_card(r) for r in responses]


def benefit_card(
    response: EligibilityResponse, service_types: Sequence[str] = BH_SERVICE_TYPES
) -> BenefitCard:
    member = response.member
    status, reasons = _status(response)
    plan = _plan_benefit(response.benefits)
    carve_outs = {code: _carve_out(response, code) for code in service_types}
    first_carve = next((c for c in carve_outs.values() if c is not None), None)
    services = tuple(
        _service(response, code, status, reasons, carve_outs[code]) for code in service_types
    )
    return BenefitCard(
        payer_name=response.payer.name,
        payer_id=response.payer.id,
        member_id=(response.subscriber.member_id if response.subscriber else ""),
        member_name=(f"{member.first_name} {member.last_name}".strip() if member else ""),
        trace_number=response.trace_number,
        status=status,
        status_reasons=reasons,
        plan_begin=_date(response, plan, "346", start=True),
        plan_end=_date(response, plan, "347", start=True) or _date(response, plan, "346"),
        eligibility_begin=_date(response, plan, "356", start=True)
        or _date(response, plan, "307", start=True),
        eligibility_end=_date(response, plan, "357", start=True)
        or _date(response, plan, "356")
        or _date(response, plan, "307"),
        plan_date=_date(response, plan, "291", start=True),
        plan_description=plan.plan_description if plan else "",
        insurance_type=plan.insurance_type if plan else "",
        carve_out=first_carve,
        services=services,
        contacts=_contacts(response, service_types, first_carve),
        other_payers=tuple(e for b in response.benefits if b.info == "R" for e in b.entities),
        mentions_sud=any(SUD_SERVICE_TYPES & set(b.service_types) for b in response.benefits),
    )


def _contacts(
    response: EligibilityResponse, codes: Sequence[str], carve_out: CarveOut | None
) -> tuple[Entity, ...]:
    found: list[Entity] = []
    for b in response.benefits:
        if _plan_level(b) or any(_about(b, code) for code in codes):
            for entity in b.entities:
                if entity not in found and (carve_out is None or entity != carve_out.administrator):
                    found.append(entity)
    return tuple(found)


def _status(response: EligibilityResponse) -> tuple[str, tuple[str, ...]]:
    if response.rejected:
        reasons = tuple(
            f"{r.message} (AAA {r.code}{', ' + r.follow_up_message if r.follow_up else ''})"
            for r in response.rejections
        )
        return "rejected", reasons
    active = response.active
    if active is None:
        return "unknown", ("the payer returned no active or inactive coverage (EB01 1-8)",)
    return ("active" if active else "inactive"), ()


def _plan_benefit(benefits: Sequence[Benefit]) -> Benefit | None:
    """The benefit that states the plan's coverage status: active/inactive for 30 (or none)."""
    status = [b for b in benefits if b.info in ACTIVE_INFO | INACTIVE_INFO]
    plan = [b for b in status if PLAN_LEVEL in b.service_types or not b.service_types]
    return (plan or status or [None])[0]


def _date(
    response: EligibilityResponse, plan: Benefit | None, qualifier: str, *, start: bool = False
) -> datetime.date | None:
    """DTP `qualifier` at the member level, else on the plan benefit. For an RD8 range the
    start goes to `*_begin`; `start=False` asks for the range's end (346 RD8 = begin-end)."""
    found = response.date(qualifier) or (plan.date(qualifier) if plan else None)
    if found is None:
        return None
    if start:
        return found.start
    return found.end


def _about(benefit: Benefit, code: str) -> bool:
    return code in benefit.service_types


def _plan_level(benefit: Benefit) -> bool:
    return PLAN_LEVEL in benefit.service_types or not benefit.service_types


def _carve_out(response: EligibilityResponse, code: str) -> CarveOut | None:
    for b in response.benefits:
        if not _about(b, code) or not b.entities:
            continue
        for entity in b.entities:
            other_payer = entity.code in CARVE_OUT_ENTITIES and entity.name != response.payer.name
            if b.info in CARVE_OUT_INFO or other_payer:
                contact = next((c for c in entity.contacts if c.phone), None)
                types = tuple(
                    t
                    for t in b.service_types
                    if t in BH_SERVICE_TYPES  # the BH types this benefit hands over
                )
                return CarveOut(
                    administrator=entity,
                    service_types=types,
                    phone=contact.phone if contact else "",
                    contact=contact.name if contact else "",
                    messages=b.messages,
                )
    return None


_Pick = Callable[[Benefit], bool]

_FIELDS: dict[str, tuple[str, _Pick, Callable[[Benefit], Decimal | None]]] = {
    "copay": ("B", lambda b: True, lambda b: b.amount),
    "coinsurance": ("A", lambda b: True, lambda b: b.percent),
    "deductible": ("C", lambda b: b.time_period not in REMAINING_PERIODS, lambda b: b.amount),
    "deductible_remaining": ("C", lambda b: b.time_period in REMAINING_PERIODS, lambda b: b.amount),
    "out_of_pocket": ("G", lambda b: b.time_period not in REMAINING_PERIODS, lambda b: b.amount),
    "out_of_pocket_remaining": (
        "G",
        lambda b: b.time_period in REMAINING_PERIODS,
        lambda b: b.amount,
    ),
    "visits_allowed": (
        "F",
        lambda b: _visits(b) and b.quantity_qualifier != "99" and b.time_period != "29",
        lambda b: _visit_count(b),
    ),
    "visits_used": ("F", lambda b: b.quantity_qualifier == "99", lambda b: b.quantity),
    "visits_remaining": (
        "F",
        lambda b: _visits(b) and b.time_period == "29",
        lambda b: _visit_count(b),
    ),
}
_WORDS = {
    "copay": "copay",
    "coinsurance": "coinsurance",
    "deductible": "deductible",
    "deductible_remaining": "deductible remaining",
    "out_of_pocket": "out-of-pocket maximum",
    "out_of_pocket_remaining": "out-of-pocket remaining",
    "visits_allowed": "visit limit",
    "visits_used": "visits used",
    "visits_remaining": "visits remaining",
}


def _visits(b: Benefit) -> bool:
    return b.quantity_qualifier == "VS" or any(h.quantity_qualifier == "VS" for h in b.deliveries)


def _visit_count(b: Benefit) -> Decimal | None:
    if b.quantity_qualifier == "VS" and b.quantity is not None:
        return b.quantity
    return next((h.quantity for h in b.deliveries if h.quantity_qualifier == "VS"), None)


def _tier(b: Benefit, network: str) -> int | None:
    """0 when the benefit states this tier, 1 when it states neither (W/blank), None when it is
    the other tier's."""
    if b.in_network is None:
        return 1
    return 0 if b.in_network == (network == "in") else None


def _service(
    response: EligibilityResponse,
    code: str,
    status: str,
    reasons: tuple[str, ...],
    carve_out: CarveOut | None,
) -> ServiceCard:
    label = SERVICE_TYPES.get(code, code)
    own = [b for b in response.benefits if _about(b, code)]
    plan = [b for b in response.benefits if _plan_level(b)]
    covered, from_plan, why = _covered(own, plan, status, reasons, carve_out, label)
    unknown = _unknown_reason(code, label, status, reasons, carve_out)
    if covered is False and status == "active":
        unknown = f"{label} is not covered"
    terms = {network: _terms(network, own, plan, unknown, label) for network in ("in", "out")}
    relevant = [b for b in (own or plan) if b.authorization]
    auth = None
    if any(b.authorization_required for b in relevant):
        auth = True
    elif relevant and all(b.authorization_required is False for b in relevant):
        auth = False
    messages = tuple(m for b in own for m in b.messages)
    return ServiceCard(
        service_type=code,
        label=label,
        covered=covered,
        from_plan_level=from_plan,
        in_network=terms["in"],
        out_of_network=terms["out"],
        authorization_required=auth,
        carve_out=carve_out,
        messages=messages,
        reason=why,
    )


def _covered(
    own: list[Benefit],
    plan: list[Benefit],
    status: str,
    reasons: tuple[str, ...],
    carve_out: CarveOut | None,
    label: str,
) -> tuple[bool | None, bool, str]:
    if status == "rejected":
        return None, False, "the inquiry was rejected: " + "; ".join(reasons)
    if carve_out is not None:
        return None, False, f"{label} is carved out to {carve_out.name}: ask them"
    infos = {b.info for b in own}
    if "I" in infos:
        return False, False, ""
    if infos & ACTIVE_INFO:
        return True, False, ""
    if infos & INACTIVE_INFO:
        return False, False, ""
    plan_infos = {b.info for b in plan}
    if plan_infos & ACTIVE_INFO:
        return True, True, ""
    if plan_infos & INACTIVE_INFO:
        return False, True, ""
    return None, False, f"the payer said nothing about {label} or the plan's status"


def _unknown_reason(
    code: str, label: str, status: str, reasons: tuple[str, ...], carve_out: CarveOut | None
) -> str:
    if status == "rejected":
        return "the inquiry was rejected: " + "; ".join(reasons)
    if status == "inactive":
        return "coverage is inactive"
    if carve_out is not None:
        phone = f" ({carve_out.phone})" if carve_out.phone else ""
        return f"{label} is carved out to {carve_out.name}{phone}: ask them"
    if code in CORE_DISCRETIONARY:
        return (
            f"the payer returned no {label} {{what}}; CAQH CORE makes {code} discretionary "
            "(REFERENCE.md §10)"
        )
    return f"the payer returned no {{what}} for {label} or for the plan"


def _terms(
    network: str, own: list[Benefit], plan: list[Benefit], unknown: str, label: str
) -> NetworkTerms:
    values: dict[str, Figure] = {}
    auth: set[bool | None] = set()
    for name, (info, pick, value_of) in _FIELDS.items():
        figure = None
        for pool, from_plan in ((own, False), (plan, True)):
            found = _best(pool, info, pick, network)
            if found is not None:
                value = value_of(found)
                if value is None:
                    continue
                figure = Figure(
                    value=value,
                    period=TIME_PERIODS.get(found.time_period, ""),
                    from_plan_level=from_plan,
                    network_stated=found.in_network is not None,
                )
                auth.add(found.authorization_required)
                break
        if figure is None:
            reason = unknown.replace("{what}", _WORDS[name])
            if network == "out" and "{what}" in unknown:
                reason = reason.replace(_WORDS[name], "out-of-network " + _WORDS[name], 1)
            figure = Figure(value=None, reason=reason)
        values[name] = figure
    required = True if True in auth else (False if auth == {False} else None)
    return NetworkTerms(network=network, authorization_required=required, **values)


def _best(pool: list[Benefit], info: str, pick: _Pick, network: str) -> Benefit | None:
    """The benefit of kind `info` for this tier: one that states the tier beats one that
    states neither; individual coverage (EB02 IND or blank) beats family."""
    ranked = []
    for index, b in enumerate(pool):
        if b.info != info or not pick(b):
            continue
        tier = _tier(b, network)
        if tier is None:
            continue
        family = 1 if b.coverage_level not in ("", "IND", "EMP") else 0
        ranked.append((tier, family, index, b))
    return min(ranked, key=lambda r: r[:3])[3] if ranked else None


# --- changes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One line that differs between two cards, in words ('MH in-network copay')."""

    what: str
    before: str
    after: str


def changes(old: BenefitCard | None, new: BenefitCard) -> list[Change]:
    """What differs from `old` to `new`, in card order (everything, when there is no old)."""
    before = _facts(old) if old is not None else {}
    after = _facts(new)
    found = []
    for key, value in after.items():
        if before.get(key, "") != value:
            found.append(Change(key, before.get(key, ""), value))
    for key, value in before.items():
        if key not in after:
            found.append(Change(key, value, ""))
    return found


def _show(figure: Figure, *, percent: bool = False, money: bool = True) -> str:
    if figure.value is None:
        return "unknown"
    if percent:
        text = f"{(figure.value * 100).normalize():f}%"
    elif money:
        text = f"${figure.value:,.2f}"
    else:
        text = f"{figure.value.normalize():f}"
    return text + (f" per {figure.period}" if figure.period in ("visit", "day") else "")


def _facts(card: BenefitCard) -> dict[str, str]:
    facts = {
        "status": card.status,
        "status reasons": "; ".join(card.status_reasons),
        "plan begin": str(card.plan_begin or ""),
        "plan end": str(card.plan_end or ""),
        "eligibility begin": str(card.eligibility_begin or ""),
        "eligibility end": str(card.eligibility_end or ""),
        "plan date": str(card.plan_date or ""),
        "plan": card.plan_description,
        "carve-out administrator": card.carve_out.name if card.carve_out else "",
        "carve-out phone": card.carve_out.phone if card.carve_out else "",
        "other payers": ", ".join(e.display_name for e in card.other_payers),
    }
    for s in card.services:
        facts[f"{s.service_type} covered"] = {True: "yes", False: "no", None: "unknown"}[s.covered]
        facts[f"{s.service_type} authorization required"] = {
            True: "yes",
            False: "no",
            None: "unknown",
        }[s.authorization_required]
        for terms, tier in ((s.in_network, "in-network"), (s.out_of_network, "out-of-network")):
            for f in fields(NetworkTerms):
                if f.name in ("network", "authorization_required"):
                    continue
                figure = getattr(terms, f.name)
                shown = _show(
                    figure,
                    percent=f.name == "coinsurance",
                    money=not f.name.startswith("visits"),
                )
                facts[f"{s.service_type} {tier} {_WORDS[f.name]}"] = shown
    return facts

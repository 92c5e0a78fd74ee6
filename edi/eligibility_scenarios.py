"""Deterministic 271 answers to 270 inquiries, for the sandbox clearinghouse and demos.

The member id's last character picks the answer, as the claims sandbox does for rejections
(claims/clearinghouse/sandbox.py rejects member ids ending in 9):

- `9`: AAA*N**72*C: the member id is invalid (correct and resubmit);
- `8`: inactive (EB*6) with the plan's end date;
- `7`: active, with behavioral health carved out to another administrator: EB*U for MH and
  AI..A8 with loop 2120 naming the administrator (NM1*Y2) and its phone (PER);
- anything else: active with BH cost share: MH copay in and out of network, coinsurance,
  deductible and what remains of it, out-of-pocket, a visit limit, authorization required for
  inpatient psychiatric care (A7), and no cost share for substance-use services (AI): left out
  as CAQH CORE lets payers do (REFERENCE.md §10), so the card shows it as unknown.

All figures are synthetic.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from edi.x12_writer import Envelope
from edi.x270 import EligibilityInquiry, read_270
from edi.x271 import (
    Benefit,
    Contact,
    DateRange,
    EligibilityResponse,
    Entity,
    Person,
    Rejection,
    write_271,
)

__all__ = ["SCENARIOS", "answer", "answer_270", "scenario_for"]

SCENARIOS = ("active", "carved_out", "inactive", "invalid_member")
M = Decimal
_BH = ("MH", "A4", "A6", "A7", "A8", "AI", "BB", "BC")
CARVE_OUT_ADMINISTRATOR = "SANDBOX BEHAVIORAL HEALTH ADMINISTRATOR"
CARVE_OUT_PHONE = "8005550177"


def scenario_for(member_id: str) -> str:
    last = member_id[-1:] if member_id else ""
    return {"9": "invalid_member", "8": "inactive", "7": "carved_out"}.get(last, "active")


def answer(
    inquiry: EligibilityInquiry, *, today: datetime.date, scenario: str | None = None
) -> EligibilityResponse:
    kind = scenario or scenario_for(inquiry.member_id)
    if kind not in SCENARIOS:
        raise ValueError(f"unknown eligibility scenario {kind!r}")
    year_start, year_end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    subscriber = Person(
        last_name=inquiry.subscriber_last_name,
        first_name=inquiry.subscriber_first_name or "",
        member_id=inquiry.member_id,
        birth_date=inquiry.subscriber_birth_date,
        gender=inquiry.subscriber_gender or "",
    )
    patient = None
    if inquiry.dependent:
        patient = Person(
            last_name=inquiry.patient_last_name or "",
            first_name=inquiry.patient_first_name or "",
            birth_date=inquiry.patient_birth_date,
            gender=inquiry.patient_gender or "",
            relationship="19",
        )
    on = inquiry.service_date or today
    rejections: tuple[Rejection, ...] = ()
    dates: tuple[DateRange, ...] = ()
    benefits: tuple[Benefit, ...] = ()
    if kind == "invalid_member":
        rejections = (Rejection(code="72", follow_up="C", level="subscriber"),)
        subscriber = Person(last_name=subscriber.last_name, first_name=subscriber.first_name,
                            member_id=subscriber.member_id)  # fmt: skip
    elif kind == "inactive":
        ended = datetime.date(today.year - 1, 12, 31)
        dates = (DateRange("346", datetime.date(today.year - 1, 1, 1)), DateRange("347", ended))
        benefits = (Benefit(info="6", service_types=("30",), insurance_type="C1"),)
    else:
        dates = (DateRange("346", year_start), DateRange("347", year_end))
        plan = Benefit(
            info="1",
            coverage_level="IND",
            service_types=("30",),
            insurance_type="C1",
            plan_description="SANDBOX PPO",
            dates=(DateRange("291", on),),
        )
        benefits = (plan, *(_carved() if kind == "carved_out" else _cost_share()))
    return EligibilityResponse(
        payer=Entity(code="PR", name=inquiry.payer_name, id_qualifier="PI", id=inquiry.payer_id),
        provider=Entity(
            code="1P",
            kind="1" if inquiry.provider_first_name else "2",
            name=inquiry.provider_name,
            first_name=inquiry.provider_first_name or "",
            id_qualifier=inquiry.provider_id_qualifier,
            id=inquiry.provider_npi,
        ),
        subscriber=subscriber,
        patient=patient,
        trace_number=inquiry.trace_number,
        trace_originator=inquiry.originator,
        rejections=rejections,
        dates=dates,
        benefits=benefits,
        reference=inquiry.trace_number,
    )


def _cost_share() -> tuple[Benefit, ...]:
    mh = ("MH", "A6", "A8")
    return (
        Benefit(info="1", service_types=_BH),
        Benefit(info="B", service_types=mh, time_period="27", amount=M("25"), network="Y"),
        Benefit(info="B", service_types=mh, time_period="27", amount=M("60"), network="N"),
        Benefit(info="A", service_types=mh, time_period="27", percent=M("0.2"), network="Y"),
        Benefit(info="A", service_types=mh, time_period="27", percent=M("0.4"), network="N"),
        Benefit(
            info="C",
            coverage_level="IND",
            service_types=("30",),
            time_period="23",
            amount=M("1500"),
            network="Y",
        ),  # fmt: skip
        Benefit(
            info="C",
            coverage_level="IND",
            service_types=("30",),
            time_period="29",
            amount=M("400"),
            network="Y",
        ),  # fmt: skip
        Benefit(
            info="G",
            coverage_level="IND",
            service_types=("30",),
            time_period="23",
            amount=M("6000"),
            network="Y",
        ),  # fmt: skip
        Benefit(
            info="G",
            coverage_level="IND",
            service_types=("30",),
            time_period="29",
            amount=M("4200.5"),
            network="Y",
        ),  # fmt: skip
        Benefit(
            info="F",
            service_types=("A6",),
            time_period="23",
            quantity_qualifier="VS",
            quantity=M("30"),
            network="Y",
        ),  # fmt: skip
        Benefit(
            info="F",
            service_types=("A6",),
            time_period="29",
            quantity_qualifier="VS",
            quantity=M("22"),
            network="Y",
        ),  # fmt: skip
        Benefit(
            info="F", service_types=("A6",), quantity_qualifier="99", quantity=M("8"), network="Y"
        ),  # fmt: skip
        Benefit(
            info="1",
            service_types=("A7", "BB"),
            authorization="Y",
            network="Y",
            messages=("PRIOR AUTHORIZATION REQUIRED FOR INPATIENT AND PHP",),
        ),  # fmt: skip
    )


def _carved() -> tuple[Benefit, ...]:
    administrator = Entity(
        code="Y2",
        name=CARVE_OUT_ADMINISTRATOR,
        id_qualifier="PI",
        id="SBBH01",
        contacts=(Contact(name="PROVIDER SERVICES", numbers=(("TE", CARVE_OUT_PHONE),)),),
    )
    return (
        Benefit(
            info="U",
            service_types=_BH,
            messages=("BEHAVIORAL HEALTH BENEFITS ADMINISTERED BY SEPARATE VENDOR",),
            entities=(administrator,),
        ),
    )


def answer_270(
    data: str | bytes,
    *,
    envelope: Envelope,
    scenarios: Sequence[str] | None = None,
) -> str:
    """The 271 text answering every inquiry in a 270 (scenarios by member id unless given)."""
    inquiries = read_270(data)
    today = envelope.created.date()
    responses = [
        answer(q, today=today, scenario=scenarios[i] if scenarios else None)
        for i, q in enumerate(inquiries)
    ]
    return write_271(responses, envelope=envelope)

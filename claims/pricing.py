"""What a claim line charges and who bills it, resolved in memory for a whole build.

Charges come from the org's chargemaster (its billed charges, `claims.chargemaster`), else the
payer's fee schedule (expected rates, a fallback so a new org's claims are not all held), per
unit and multiplied by the line's units. The billing provider (2010AA) comes from the
facility's billing profiles (`facilities.selectors`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from claims.chargemaster.selectors import charge_lookup
from payers.models import FeeScheduleRate
from rcm.tenancy import require_org


class _FeeSchedule:
    def __init__(self) -> None:
        self._rates: dict[tuple[int, str], list[FeeScheduleRate]] = defaultdict(list)
        for rate in FeeScheduleRate.objects.order_by("-effective_from"):
            self._rates[(rate.payer_id, rate.code)].append(rate)

    def rate(
        self, payer_id: int, code: str, modifiers: tuple[str, ...], license_type: str, day: dt.date
    ) -> Decimal | None:
        live = [
            r
            for r in self._rates.get((payer_id, code), ())
            if r.effective_from <= day and (r.effective_to is None or r.effective_to >= day)
        ]
        for wanted_mods, wanted_license in (
            (list(modifiers), license_type),
            (list(modifiers), ""),
            ([], license_type),
            ([], ""),
        ):
            for r in live:
                if list(r.modifiers) == wanted_mods and r.license_type == wanted_license:
                    return r.rate
        return None


def charge_function() -> Callable[..., tuple[Decimal | None, str]]:
    master = charge_lookup(org=require_org())
    fees = _FeeSchedule()

    def charge(
        payer: Any,
        code: str,
        modifiers: tuple[str, ...],
        revenue_code: str,
        day: dt.date,
        rendering: Any,
    ) -> tuple[Decimal | None, str]:
        amount = master.charge(code, modifiers, revenue_code, day)
        if amount is not None:
            return amount, "chargemaster"
        if code:
            license_type = getattr(rendering, "license_type", "") or ""
            rate = fees.rate(payer.pk, code, modifiers, license_type, day)
            if rate is not None:
                return rate, "fee schedule"
        return None, ""

    return charge


def billing_function() -> Callable[[Any], dict[str, Any]]:
    from facilities.selectors import billing_identities

    resolver = billing_identities(org=require_org())

    def billing(draft: Any) -> dict[str, Any]:
        if draft.facility is None:
            return {}
        ident = resolver.identity(
            facility=draft.facility, program=draft.program or None, payer=draft.payer
        )
        data = {
            "name": ident.name,
            "npi": ident.npi,
            "tin": ident.tin,
            "taxonomy": ident.taxonomy,
            "address_line1": ident.address_line1,
            "address_line2": ident.address_line2,
            "city": ident.city,
            "state": ident.state,
            "postal_code": ident.postal_code,
            "source": ident.source,
        }
        if ident.pay_to is not None:
            pay_to = ident.pay_to
            data["pay_to"] = {
                "address_line1": pay_to.line1,
                "address_line2": pay_to.line2,
                "city": pay_to.city,
                "state": pay_to.state,
                "postal_code": pay_to.postal_code,
            }
        return data

    return billing

"""The chargemaster: what the clinic charges per code, revenue code and modifiers over time.
`charge_lookup(org=...)` answers a claim line's charge from memory (one query for all lines);
the services in `claims.chargemaster.services` write it, one entry or a whole CSV at a time."""

from claims.chargemaster.selectors import ChargeLookup, ChargeRow, charge_lookup

__all__ = ["ChargeLookup", "ChargeRow", "charge_lookup"]

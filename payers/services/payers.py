"""Payer writes: payers carry their billing rules as data, checked before every save.

The checks live in `payers.services.rules_validation`, the code vocabulary in
`payers.services.codes`, fee schedules in `payers.services.fee_schedule` (re-exported
here, as are the names the payer API uses); facilities are written by
`facilities.services`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from payers.models import Payer
from payers.services.codes import FORMAT_HINTS, TAXONOMY_RE
from payers.services.fee_schedule import fee_rate_set, fee_rate_update
from payers.services.rules_validation import payer_errors
from rcm.fielderrors import FieldErrors, reject_unknown, save_guarded

__all__ = [
    "FORMAT_HINTS",
    "PAYER_FIELDS",
    "TAXONOMY_RE",
    "fee_rate_set",
    "fee_rate_update",
    "payer_create",
    "payer_errors",
    "payer_update",
]

PAYER_FIELDS = (
    "name",
    "edi_payer_id",
    "kind",
    "claim_filing_indicator",
    "institutional_filing_indicator",
    "institutional_payer_id",
    "professional_claim_period",
    "institutional_billing_cycle",
    "claim_edits",
    "timely_filing_days",
    "appeal_window_days",
    "rounding_rule",
    "rounding_params",
    "telehealth",
    "accepted_license_types",
    "pays_under_supervisor",
    "supervision_modifiers",
    "supervisor_license_types",
    "supervision_places_of_service",
    "crisis_site_codes",
    "z_code_primary_allowed",
    "license_modifiers",
    "auth_required_levels",
    "auth_required_codes",
    "outpatient_visits_before_auth",
    "auth_tied_to_provider",
    "auth_expiry_alert_days",
    "auth_usage_alert_percent",
    "family_min_minutes",
    "group_billing",
    "evaluation_code_overrides",
    "program_minimums",
    "level_of_care_codes",
    "program_codes",
    "parity_comparators",
    "is_active",
)


def _save_payer(payer: Payer) -> Payer:
    errors = FieldErrors()
    errors.errors = payer_errors(payer)
    errors.raise_if_any()
    return save_guarded(
        lambda: payer.save() or payer,
        field="name",
        message="A payer with this name already exists.",
    )


@transaction.atomic
def payer_create(*, actor: Any = None, **fields: Any) -> Payer:
    reject_unknown(fields, PAYER_FIELDS, "payer_create")
    payer = Payer(**fields)
    payer.assign_active_org()
    return _save_payer(payer)


@transaction.atomic
def payer_update(*, payer: Payer, actor: Any = None, **changes: Any) -> Payer:
    reject_unknown(changes, PAYER_FIELDS, "payer_update")
    for name, value in changes.items():
        setattr(payer, name, value)
    return _save_payer(payer)

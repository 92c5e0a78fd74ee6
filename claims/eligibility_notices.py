"""An inactive eligibility answer notifies intake and billing (the members who edit patients):
once per check, no PHI in the title; Part 2 patients' checks only to members with access."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from notifications.services import notify
from patients.selectors import patient_has_part2
from rcm.permissions import Cap
from rcm.tenancy import require_org


def on_coverage_inactive(sender: Any, check: Any, **kwargs: Any) -> None:
    coverage, patient = check.coverage, check.patient
    notify(
        kind="eligibility_inactive",
        title=f"Coverage inactive: {coverage.payer.name}",
        body=f"{patient.last_name}, {patient.first_name}: the payer answered the eligibility "
        "check with inactive coverage; claims for the dates it covers are held.",
        url=reverse(
            "claims:eligibility_history",
            kwargs={"org_slug": require_org().slug, "public_id": coverage.public_id},
        ),
        capability=Cap.EDIT_PATIENTS,
        part2=patient_has_part2(patient.pk),
        dedupe_key=f"eligibility_inactive:{check.public_id}",
    )

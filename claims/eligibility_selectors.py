"""Reads for the eligibility pages and the API: each coverage's latest check, its history."""

from __future__ import annotations

from typing import Any

from claims.models import EligibilityCheck
from patients.models import Coverage


def latest_check(*, coverage: Coverage) -> EligibilityCheck | None:
    return (
        EligibilityCheck.objects.filter(coverage=coverage)
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")
        .first()
    )


def coverage_cards(*, patient: Any) -> list[dict[str, Any]]:
    """Per coverage of the patient (primary first): the coverage and its latest check."""
    coverages = list(
        Coverage.objects.filter(patient=patient)
        .select_related("payer")
        .order_by("priority", "-effective_date")
    )
    latest = {
        c.coverage_id: c
        for c in EligibilityCheck.objects.filter(coverage__in=coverages)
        .select_related("requested_by")
        .order_by("coverage_id", "-requested_at", "-pk")
        .distinct("coverage_id")
    }
    return [{"coverage": cov, "check": latest.get(cov.pk)} for cov in coverages]


def coverage_history(*, coverage: Coverage) -> list[EligibilityCheck]:
    return list(
        EligibilityCheck.objects.filter(coverage=coverage)
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")
    )

"""Leaves of absence and bed holds of census programs (residential, withdrawal management)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from patients.models import EpisodeOfCare, LeaveOfAbsence
from rcm.fielderrors import FieldErrors, clean_text, save_guarded


@transaction.atomic
def leave_record(
    *,
    episode: EpisodeOfCare,
    start_date: datetime.date,
    end_date: datetime.date,
    kind: str = LeaveOfAbsence.Kind.LEAVE,
    reason: str = "",
    actor: Any = None,
) -> LeaveOfAbsence:
    """Days away inside the stay (REFERENCE.md §14: billed or reported non-covered per payer)."""
    errors = FieldErrors()
    errors.require(kind in LeaveOfAbsence.Kind.values, "kind", "Choose leave or bed hold.")
    if errors.require(start_date is not None and end_date is not None, "end_date", "Required."):
        errors.require(end_date >= start_date, "end_date", "The leave ends before it starts.")
        errors.require(
            start_date > episode.admit_date,
            "start_date",
            f"A leave starts after the admission day ({episode.admit_date}).",
        )
        if episode.discharge_date:
            errors.require(
                end_date < episode.discharge_date,
                "end_date",
                f"A leave ends before the discharge day ({episode.discharge_date}).",
            )
    errors.raise_if_any()
    leave = LeaveOfAbsence(
        episode=episode,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        reason=clean_text(reason),
    )
    save_guarded(leave.save, field="start_date", message="Overlaps another leave of this stay.")
    return leave

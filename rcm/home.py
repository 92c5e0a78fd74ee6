"""The org home page's figures (aggregate counts only, no PHI)."""

from __future__ import annotations

from typing import Any

from django.apps import apps


def home_summary(*, org: Any) -> list[dict[str, Any]]:
    rows = []
    for label, model_label, filters in (
        ("Active patients", "patients.Patient", {"is_active": True}),
        ("Open episodes", "patients.EpisodeOfCare", {"status": "active"}),
        ("Active providers", "credentialing.Provider", {"is_active": True}),
        ("Approved authorizations", "authorizations.PriorAuthorization", {"status": "approved"}),
    ):
        model = apps.get_model(model_label)
        rows.append({"label": label, "count": model.objects.filter(**filters).count()})
    return rows

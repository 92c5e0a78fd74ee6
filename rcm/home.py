"""The org home page's figures. Other apps contribute counts through `HOME_SECTIONS`."""

from __future__ import annotations

from typing import Any

from django.apps import apps


def home_summary(*, org: Any) -> list[dict[str, Any]]:
    rows = []
    for label, model_label in (
        ("Patients", "patients.Patient"),
        ("Open episodes", "patients.EpisodeOfCare"),
        ("Providers", "credentialing.Provider"),
        ("Authorizations", "authorizations.PriorAuthorization"),
    ):
        try:
            model = apps.get_model(model_label)
        except LookupError:
            continue
        rows.append({"label": label, "count": model.objects.count()})
    return rows

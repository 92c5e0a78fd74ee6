"""UR alerts become notifications (notifications.notify) for the members who work
authorizations: one per alert (deduplicated by the alert), Part 2 alerts only to members with
Part 2 access. Titles carry no PHI; the body names the patient (encrypted at rest)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from authorizations.models import UrAlert
from patients.selectors import patient_has_part2

KINDS = {
    UrAlert.Kind.EXPIRING: "authorization_expiring",
    UrAlert.Kind.UNITS: "authorization_exhausting",
    UrAlert.Kind.REVIEW_DUE: "review_due",
    UrAlert.Kind.UNAUTHORIZED_SERVICE: "service_without_auth",
    UrAlert.Kind.LEVEL_CHANGE: "loc_without_auth",
}


def alert_notice(sender: Any, alert: UrAlert, **kwargs: Any) -> None:
    from notifications.services import notify
    from rcm.tenancy import require_org

    org = require_org()
    payer = alert.payer.name if alert.payer_id else "the payer"
    notify(
        kind=KINDS[alert.kind],
        title=f"{alert.get_kind_display()} ({payer}), due {alert.due_date:%Y-%m-%d}",
        body=f"{alert.patient.last_name}, {alert.patient.first_name}: "
        + "; ".join(str(r) for r in alert.reasons[:3]),
        url=reverse("authorizations:ur_queue", kwargs={"org_slug": org.slug})
        + f"?kind={alert.kind}",
        capability="edit_authorizations",
        part2=patient_has_part2(alert.patient_id),
        dedupe_key=f"ur:{alert.public_id}",
    )

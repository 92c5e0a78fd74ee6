"""Credentialing alerts through the notifications app: each new alert (credentialing.alerts.
alert_raised) is announced once to the members who edit providers (billing managers, admins).
Titles and links name the provider and payer only, never a patient; an enrollment gap seen on
Part 2 claims alone reaches only members with Part 2 access."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from credentialing.models import CredentialingAlert
from notifications.services import notify
from rcm.permissions import Cap
from rcm.tenancy import require_org

KIND_OF = {
    CredentialingAlert.Kind.LICENSE_EXPIRING: "license_expiring",
    CredentialingAlert.Kind.CAQH_DUE: "caqh_due",
    CredentialingAlert.Kind.RECREDENTIAL_DUE: "recredentialing_due",
    CredentialingAlert.Kind.ENROLLMENT_GAP: "enrollment_gap",
}


def on_alert_raised(sender: Any, alert: CredentialingAlert, **kwargs: Any) -> None:
    payer = f" with {alert.payer.name}" if alert.payer_id else ""
    notify(
        kind=KIND_OF[alert.kind],
        title=f"{alert.get_kind_display()}: {alert.provider}{payer}",
        body=alert.detail,
        url=reverse(
            "credentialing:provider_detail",
            kwargs={"org_slug": require_org().slug, "public_id": alert.provider.public_id},
        ),
        capability=Cap.EDIT_PROVIDERS,
        part2=alert.part2,
        dedupe_key=f"credentialing_alert:{alert.public_id}",
    )

"""The kinds of notification, each with a label and the delivery a member gets until they choose
otherwise (NotificationPreference). Other apps call notifications.services.notify() with these
kinds; this app knows nothing else about them."""

from __future__ import annotations

from dataclasses import dataclass

OFF, IMMEDIATE, DAILY_DIGEST = "off", "immediate", "daily_digest"
EMAIL_CHOICES = [
    (OFF, "No email"),
    (IMMEDIATE, "Email at once"),
    (DAILY_DIGEST, "Daily digest"),
]


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    in_app: bool = True
    email: str = DAILY_DIGEST


# Money and access to care are at stake within days: those are emailed at once by default.
_ALL = [
    Kind("denial_deadline", "Denial appeal deadline near", email=IMMEDIATE),
    Kind("authorization_expiring", "Authorization expiring"),
    Kind("authorization_exhausting", "Authorization units running out"),
    Kind("review_due", "Concurrent review due", email=IMMEDIATE),
    Kind("service_without_auth", "Service without an authorization", email=IMMEDIATE),
    Kind("loc_without_auth", "Level of care without an authorization", email=IMMEDIATE),
    Kind("eligibility_inactive", "Coverage inactive on eligibility check"),
    Kind("license_expiring", "License expiring"),
    Kind("caqh_due", "CAQH attestation due"),
    Kind("recredentialing_due", "Re-credentialing due"),
    Kind("enrollment_gap", "Payer enrollment gap"),
]
KINDS: dict[str, Kind] = {k.code: k for k in _ALL}
KIND_CHOICES = [(k.code, k.label) for k in _ALL]


def kind_named(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise ValueError(f"Unknown notification kind {code!r}; kinds: {', '.join(KINDS)}") from None

"""Writes: recording a Part 2 consent (every §2.31 element checked, nothing saved on error) and
revoking one (in writing or electronically, prospective only)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from consent import rules
from consent.models import Part2Consent, RecipientRevocation
from rcm.tenancy import require_org


def consent_record(*, patient: Any, actor: Any, **elements: Any) -> Part2Consent:
    """Record a signed consent. Raises ValidationError({field: [message naming the element]})."""
    unknown = set(elements) - set(rules.ELEMENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown consent elements: {', '.join(sorted(unknown))}")
    data = rules.normalized_elements(elements)
    today = timezone.localdate()
    errors = rules.element_errors(data, has_patient=_in_active_org(patient), today=today)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return Part2Consent.objects.create(patient=patient, recorded_by=actor, **data)


def _in_active_org(obj: Any) -> bool:
    return obj is not None and obj.org_id == require_org().pk


def consent_revoke(
    *, consent: Part2Consent, revoked_on: datetime.date | None, method: str, actor: Any
) -> Part2Consent:
    """Revoke from `revoked_on` on. Disclosures made before it stand (reliance exception)."""
    with transaction.atomic():
        locked = Part2Consent.objects.select_for_update().get(pk=consent.pk)
        errors = rules.revocation_errors(
            signed_on=locked.signed_on,
            already_revoked_on=locked.revoked_on,
            revoked_on=revoked_on,
            method=method or "",
            today=timezone.localdate(),
        )
        if errors:
            raise ValidationError(errors)
        locked.revoked_on = revoked_on
        locked.revocation_method = method
        locked.revoked_recorded_by = actor
        locked.save(update_fields=["revoked_on", "revocation_method", "revoked_recorded_by"])
    return locked


def consent_revoke_recipient(
    *,
    consent: Part2Consent,
    recipient: str,
    revoked_on: datetime.date | None,
    method: str,
    actor: Any,
) -> RecipientRevocation:
    """Revoke the consent for one of its named recipients from `revoked_on` on; the others
    keep it (SAMHSA FAQ on partial revocation). Disclosures made before it stand."""
    with transaction.atomic():
        locked = Part2Consent.objects.select_for_update().get(pk=consent.pk)
        done = locked.recipient_revocations.values_list("recipient", flat=True)
        errors = rules.recipient_revocation_errors(
            recipient_kind_of_consent=locked.recipient_kind,
            recipients=locked.recipients,
            recipient=recipient or "",
            already_revoked_for=list(done),
            consent_revoked_on=locked.revoked_on,
        )
        if not errors:
            errors = rules.revocation_errors(
                signed_on=locked.signed_on,
                already_revoked_on=None,
                revoked_on=revoked_on,
                method=method or "",
                today=timezone.localdate(),
            )
        if errors:
            raise ValidationError(errors)
        return RecipientRevocation.objects.create(
            consent=locked,
            recipient=" ".join(recipient.split()),
            revoked_on=revoked_on,
            method=method,
            recorded_by=actor,
        )

"""Writes: recording a Part 2 consent (every §2.31 element checked, nothing saved on error),
revoking one (in writing or electronically, prospective only; whole or for one named recipient),
and recording or ending qualified service organization agreements."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from consent import qso_rules, rules
from consent.models import Part2Consent, QualifiedServiceAgreement, RecipientRevocation
from rcm.models import Organization
from rcm.tenancy import require_org


def consent_record(*, patient: Any, actor: Any, **elements: Any) -> Part2Consent:
    """Record a signed consent. Raises ValidationError({field: [message naming the element]}).
    The purposes and kinds of recipient the consent names are required as ticked codes (the gate
    decides from them only); a TPO consent's purposes are treatment, payment and operations by
    definition, filled in when none is ticked and refused when ticked otherwise."""
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


# --- Qualified service organization agreements (§2.11, §2.12(c)(4)) --------------------------

QSOA_FIELDS = (
    "services",
    "effective_on",
    "ends_on",
    "qso_bound_by_part2",
    "qso_resists_judicial_efforts",
    "document_reference",
)


def qso_agreement_record(
    *, counterparty: Any, actor: Any, **fields: Any
) -> QualifiedServiceAgreement:
    """Record a signed QSOA with an outside billing company. Raises ValidationError({field:
    [message]}) naming each missing element; nothing is saved on error. The org's row is
    locked while checking for overlaps, so two overlapping agreements cannot race in."""
    unknown = set(fields) - set(QSOA_FIELDS)
    if unknown:
        raise TypeError(f"Unknown agreement fields: {', '.join(sorted(unknown))}")
    data = {
        "services": qso_rules.normalized_services(fields.get("services")),
        "effective_on": fields.get("effective_on") or None,
        "ends_on": fields.get("ends_on") or None,
        "qso_bound_by_part2": fields.get("qso_bound_by_part2") is True,
        "qso_resists_judicial_efforts": fields.get("qso_resists_judicial_efforts") is True,
        "document_reference": str(fields.get("document_reference") or "").strip(),
    }
    org = require_org()
    with transaction.atomic():
        list(Organization.objects.select_for_update().filter(pk=org.pk).values_list("pk"))
        existing = (
            QualifiedServiceAgreement.objects.filter(counterparty=counterparty).values_list(
                "effective_on", "ends_on"
            )
            if counterparty is not None
            else []
        )
        errors = qso_rules.record_errors(
            data,
            counterparty_kind=getattr(counterparty, "kind", None),
            counterparty_is_self=counterparty is not None and counterparty.pk == org.pk,
            existing=list(existing),
        )
        if errors:
            raise ValidationError(errors)
        return QualifiedServiceAgreement.objects.create(
            counterparty=counterparty, recorded_by=actor, **data
        )


def qso_agreement_end(
    *, agreement: QualifiedServiceAgreement, ends_on: datetime.date | None, actor: Any
) -> QualifiedServiceAgreement:
    """End an agreement: from `ends_on` on it is no longer in force, and the billing company's
    staff lose Part 2 access that day without anyone touching their grants."""
    with transaction.atomic():
        locked = QualifiedServiceAgreement.objects.select_for_update().get(pk=agreement.pk)
        errors = qso_rules.end_errors(
            effective_on=locked.effective_on, current_ends_on=locked.ends_on, ends_on=ends_on
        )
        if errors:
            raise ValidationError(errors)
        locked.ends_on = ends_on
        locked.ended_by = actor
        locked.ended_recorded_at = timezone.now()
        locked.save(update_fields=["ends_on", "ended_by", "ended_recorded_at"])
    return locked

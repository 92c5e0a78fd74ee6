"""Synthetic Part 2 consents for the demo org: TPO consents for most SUD patients, some missing,
some revoked, one expired specific consent; and the clinic's QSO agreement with the demo billing
company. Deterministic for a given rng; rerunning skips
patients who already have a consent. Run inside org_context(org) after episodes are seeded
(SUD patients are those with an SUD-program or Part 2 episode)."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from consent.forms import (
    TPO_CATEGORIES,
    TPO_EXPIRATION,
    TPO_PURPOSE,
    TPO_PURPOSES,
    TPO_RECIPIENT_KINDS,
    TPO_RECIPIENTS,
    TPO_SCOPE,
)
from consent.models import Part2Consent, QualifiedServiceAgreement
from patients.models import EpisodeOfCare

MISSING_SHARE = 0.05
REVOKED_SHARE = 0.04


def seed(
    *, org: Any, rng: random.Random, patients: Iterable[Any], today: datetime.date
) -> list[Part2Consent]:
    created: list[Part2Consent] = []
    expired_placed = False
    for patient in _sud_patients(patients):
        # Draw for every patient, seeded or not, so reruns make the same choices.
        roll, age_days, revoked_after = rng.random(), rng.randint(20, 300), rng.randint(5, 15)
        outcome = _outcome(roll)
        make_expired = outcome == "missing" and not expired_placed
        expired_placed = expired_placed or make_expired
        if Part2Consent.objects.filter(patient=patient).exists():
            continue
        signed_on = today - datetime.timedelta(days=age_days)
        if make_expired:
            created.append(_expired_specific(org, patient, signed_on))
        elif outcome != "missing":
            created.append(_tpo(org, patient, signed_on, outcome, revoked_after, today))
    return created


def _outcome(roll: float) -> str:
    if roll < MISSING_SHARE:
        return "missing"
    return "revoked" if roll < MISSING_SHARE + REVOKED_SHARE else "valid"


def _sud_patients(patients: Iterable[Any]) -> list[Any]:
    by_pk = {p.pk: p for p in patients}
    sud_ids = set(
        EpisodeOfCare.objects.filter(patient_id__in=by_pk)
        .filter(Q(program="sud") | Q(part2_applies=True))
        .values_list("patient_id", flat=True)
    )
    return sorted((by_pk[pk] for pk in sud_ids), key=lambda p: p.mrn)


def _common(org: Any, patient: Any, signed_on: datetime.date) -> dict[str, Any]:
    return dict(
        org=org,
        patient=patient,
        disclosing_party=org.name,
        revocation_rights_stated=True,
        signer_name=f"{patient.first_name} {patient.last_name}",
        signer_role=Part2Consent.SignerRole.PATIENT,
        signed_on=signed_on,
        signature_method="electronic",
    )


def _tpo(
    org: Any,
    patient: Any,
    signed_on: datetime.date,
    outcome: str,
    revoked_after: int,
    today: datetime.date,
) -> Part2Consent:
    revoked_on = min(signed_on + datetime.timedelta(days=revoked_after), today)
    return Part2Consent.objects.create(
        **_common(org, patient, signed_on),
        kind=Part2Consent.Kind.TPO,
        information_scope=TPO_SCOPE,
        information_categories=TPO_CATEGORIES,
        recipient_kind="class",
        recipients=TPO_RECIPIENTS,
        recipient_kinds=TPO_RECIPIENT_KINDS,
        purpose=TPO_PURPOSE,
        purposes=TPO_PURPOSES,
        expiration_event=TPO_EXPIRATION,
        recipient_covered_entity=True,
        redisclosure_notice_stated=True,
        refusal_consequences_stated=True,
        revoked_on=revoked_on if outcome == "revoked" else None,
        revocation_method="written" if outcome == "revoked" else "",
    )


def _expired_specific(org: Any, patient: Any, signed_on: datetime.date) -> Part2Consent:
    return Part2Consent.objects.create(
        **_common(org, patient, signed_on),
        kind=Part2Consent.Kind.SPECIFIC,
        information_scope="Dates of attendance and level of care",
        information_categories=["attendance", "services"],
        recipient_kind="named",
        recipients="County Drug Court Probation Office",
        recipient_kinds=["other"],
        purpose="At the patient's request: verify attendance for the court",
        purposes=["patient_request"],
        expires_on=signed_on + datetime.timedelta(days=14),
    )


def seed_agreement(*, org: Any, company: Any, today: datetime.date) -> QualifiedServiceAgreement:
    """The clinic's QSO agreement with the demo billing company, in force today: it is what lets
    keystone.biller see Part 2 records here (with the grant). Idempotent: one per company."""
    existing = QualifiedServiceAgreement.objects.filter(counterparty=company).first()
    if existing is not None:
        return existing
    return QualifiedServiceAgreement.objects.create(
        org=org,
        counterparty=company,
        services=["billing", "collections"],
        effective_on=today - datetime.timedelta(days=365),
        ends_on=today + datetime.timedelta(days=3 * 365),
        qso_bound_by_part2=True,
        qso_resists_judicial_efforts=True,
        document_reference=f"contracts/{company.slug}-qsoa.pdf",
    )

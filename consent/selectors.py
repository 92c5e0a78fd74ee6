"""Reads: a patient's consents, their consent status (for badges) and the accounting of
disclosures (§2.25). HTML pages, the API and the gate share these."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.utils import timezone

from consent import rules
from consent.models import Disclosure, Part2Consent, QualifiedServiceAgreement
from patients.models import EpisodeOfCare
from rcm.models import Organization
from rcm.tenancy import require_org
from rcm.tenancy.part2 import AgreementStatus

ConsentStatus = Literal["valid", "missing", "revoked", "expired"]


def _consents() -> QuerySet[Part2Consent]:
    return (
        Part2Consent.objects.select_related("recorded_by", "revoked_recorded_by")
        .prefetch_related("recipient_revocations")
        .order_by("-signed_on", "-id")
    )


def consents_for_patient(*, patient: Any) -> QuerySet[Part2Consent]:
    """Newest signature first."""
    return _consents().filter(patient=patient)


def consents_of_patients(*, patient_ids: Any) -> QuerySet[Part2Consent]:
    """Many patients' consents (a batch), each patient's newest signature first."""
    return _consents().filter(patient_id__in=patient_ids)


def _part2_episodes() -> QuerySet[EpisodeOfCare]:
    return EpisodeOfCare.objects.filter(Q(part2_applies=True) | Q(program="sud"))


def treatment_episodes(*, patient: Any) -> list[rules.Episode]:
    """(admit, discharge) of the patient's Part 2 episodes (Part 2 applies, or the SUD program):
    what a Part 2 consent's 'end of treatment' resolves to. A mental-health episode is another
    treatment and never keeps the consent alive."""
    return list(
        _part2_episodes().filter(patient=patient).values_list("admit_date", "discharge_date")
    )


def treatment_episodes_of(*, patient_ids: Any) -> list[tuple[int, Any, Any]]:
    """(patient id, admit, discharge) of many patients' Part 2 episodes, in one query."""
    rows = _part2_episodes().filter(patient_id__in=patient_ids)
    return list(rows.values_list("patient_id", "admit_date", "discharge_date"))


def consent_expiry(
    consent: Part2Consent, *, episodes: list[rules.Episode] | None = None
) -> rules.Expiry:
    """The consent's expiry with an 'end of treatment' event resolved to the discharge date."""
    if episodes is None and rules.is_end_of_treatment(consent.expiration_event):
        episodes = treatment_episodes(patient=consent.patient_id)
    return rules.resolve_expiry(
        expires_on=consent.expires_on,
        expiration_event=consent.expiration_event,
        signed_on=consent.signed_on,
        episodes=episodes or [],
    )


def consent_state_of(
    consent: Part2Consent,
    *,
    on_date: datetime.date,
    episodes: list[rules.Episode] | None = None,
) -> rules.ConsentState:
    return rules.consent_state(
        signed_on=consent.signed_on,
        revoked_on=consent.revoked_on,
        expires_on=consent_expiry(consent, episodes=episodes).on,
        on_date=on_date,
    )


def consent_status_for_patient(*, patient: Any, on_date: datetime.date) -> ConsentStatus:
    """'valid' when any disclosure consent (TPO or specific) is in force on `on_date`; otherwise
    the state of the newest one signed by then ('revoked' / 'expired'), or 'missing'. SUD
    counseling-notes consents never authorise billing disclosures, so they do not count."""
    episodes = treatment_episodes(patient=patient)
    states = [
        consent_state_of(c, on_date=on_date, episodes=episodes)
        for c in consents_for_patient(patient=patient).exclude(
            kind=Part2Consent.Kind.COUNSELING_NOTES
        )
    ]
    signed = [s for s in states if s != "not_yet_signed"]
    if "valid" in signed:
        return "valid"
    return signed[0] if signed else "missing"  # type: ignore[return-value]


def disclosures_for_patient(*, patient: Any) -> QuerySet[Disclosure]:
    """Every disclosure of the patient's records, newest first."""
    return (
        Disclosure.objects.filter(patient=patient)
        .select_related("consent", "disclosed_by")
        .order_by("-disclosed_at", "-id")
    )


def disclosure_accounting(*, patient: Any, today: datetime.date) -> QuerySet[Disclosure]:
    """The accounting of disclosures (§2.25): those of the 3 years before `today` (the org's
    date), with their legal basis and the recipient's name and address when known."""
    since = rules.accounting_start(today)
    start = datetime.datetime.combine(
        since, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    return disclosures_for_patient(patient=patient).filter(disclosed_at__gte=start)


def recipients_still_named(consent: Part2Consent) -> list[str]:
    """The named recipients a consent in force may still be revoked for, one at a time (a
    consent naming a single recipient, or a class, is revoked whole)."""
    names = rules.recipient_names(consent.recipients)
    if consent.revoked_on or consent.recipient_kind != "named" or len(names) < 2:
        return []
    done = {r.recipient.casefold() for r in consent.recipient_revocations.all()}
    return [name for name in names if name.casefold() not in done]


# --- Qualified service organization agreements ------------------------------------------------


def qso_agreements() -> QuerySet[QualifiedServiceAgreement]:
    """The org's agreements, newest first, with their counterparty."""
    return QualifiedServiceAgreement.objects.select_related(
        "counterparty", "recorded_by", "ended_by"
    ).order_by("-effective_on", "-id")


def billing_companies() -> QuerySet[Organization]:
    """Organizations a QSOA may be made with: outside billing companies."""
    return Organization.objects.filter(kind=Organization.Kind.BILLING_COMPANY).exclude(
        pk=require_org().pk
    )


def qso_agreement_status(*, company: Organization, on_date: datetime.date) -> AgreementStatus:
    """Whether the org has an agreement with `company` in force on `on_date`, and until when
    (registered with rcm.tenancy.part2 from the app config)."""
    agreements = list(
        QualifiedServiceAgreement.objects.filter(counterparty=company).order_by("-effective_on")
    )
    current = next((a for a in agreements if a.in_force_on(on_date)), None)
    if current is not None:
        return AgreementStatus(company=company.name, in_force=True, until=current.ends_on)
    ended = [a.ends_on for a in agreements if a.ends_on is not None and a.ends_on <= on_date]
    return AgreementStatus(
        company=company.name, in_force=False, last_ended_on=max(ended) if ended else None
    )

"""Writes for providers, licenses, payer enrollments and CAQH attestation. Each service checks
everything first, raises ValidationError({field: [message]}) and saves inside one transaction.
`actor` is recorded by the change-log trigger through the active org context."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coding.codesets.npi import InvalidNpi, validate_npi
from coding.types import LicenseType, license_label
from credentialing import rules
from credentialing.models import License, PayerEnrollment, Provider
from facilities.models import Facility
from payers.models import Payer

Errors = dict[str, list[str]]

PROVIDER_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "credentials",
        "npi",
        "taxonomy",
        "license_type",
        "supervisor",
        "user",
        "caqh_id",
        "caqh_attested_on",
        "is_active",
    }
)
LICENSE_FIELDS = frozenset({"state", "number", "license_type", "status", "issued_on", "expires_on"})
MAX_SUPERVISION_DEPTH = 50  # a chain this long is a data problem; stop walking


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _refuse_unknown(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    _raise_if({name: ["This field cannot be changed here."] for name in set(changes) - allowed})


def _model_clean(obj: Any, errors: Errors) -> None:
    """Length, choice and constraint checks from the model for fields not already in error."""
    try:
        obj.full_clean(exclude=[*errors, "org"], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)


def _save(obj: Any, conflict: Errors) -> None:
    """Save; a unique-constraint race becomes a field error instead of a 500."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError(conflict) from exc


def _not_future(errors: Errors, field: str, day: dt.date | None, what: str) -> None:
    if day and day > timezone.localdate():
        _add(errors, field, f"The {what} cannot be in the future.")


# --- Providers -------------------------------------------------------------------------------


@transaction.atomic
def provider_create(
    *,
    first_name: str,
    last_name: str,
    npi: str,
    taxonomy: str,
    license_type: str,
    credentials: str = "",
    supervisor: Provider | None = None,
    caqh_id: str = "",
    caqh_attested_on: dt.date | None = None,
    is_active: bool = True,
    user: Any = None,
    actor: Any = None,
) -> Provider:
    provider = Provider(
        user=user,
        first_name=first_name,
        last_name=last_name,
        npi=npi,
        taxonomy=taxonomy,
        license_type=license_type,
        credentials=credentials,
        supervisor=supervisor,
        caqh_id=caqh_id,
        caqh_attested_on=caqh_attested_on,
        is_active=is_active,
    )
    _validate_provider(provider)
    _save(provider, {"npi": ["Another provider in this organization already has this NPI."]})
    return provider


@transaction.atomic
def provider_update(*, provider: Provider, actor: Any = None, **changes: Any) -> Provider:
    """Apply `changes` to a fresh, locked copy (the caller's instance stays untouched)."""
    _refuse_unknown(changes, PROVIDER_FIELDS)
    target = Provider.objects.select_for_update().get(pk=provider.pk)
    for name, value in changes.items():
        setattr(target, name, value)
    _validate_provider(target)
    _save(target, {"npi": ["Another provider in this organization already has this NPI."]})
    return target


def _check_user(p: Provider, errors: Errors) -> None:
    """A linked sign-in must belong to an active member of this org, and to one provider."""
    from rcm.models import Membership

    if p.user_id is None:
        return
    if not Membership.objects.filter(user_id=p.user_id, is_active=True).exists():
        _add(errors, "user", "Link an active member of this organization.")
    elif Provider.objects.filter(user_id=p.user_id).exclude(pk=p.pk).exists():
        _add(errors, "user", "This sign-in is already linked to another provider.")


def _validate_provider(p: Provider) -> None:
    p.assign_active_org()
    p.first_name, p.last_name = (p.first_name or "").strip(), (p.last_name or "").strip()
    p.credentials, p.caqh_id = (p.credentials or "").strip(), (p.caqh_id or "").strip()
    errors: Errors = {}
    _check_npi(p, errors)
    _check_taxonomy(p, errors)
    _check_supervisor(p, errors)
    _check_supervisees(p, errors)
    _check_user(p, errors)
    _not_future(errors, "caqh_attested_on", p.caqh_attested_on, "CAQH attestation date")
    _model_clean(p, errors)
    _raise_if(errors)


def _check_npi(p: Provider, errors: Errors) -> None:
    try:
        p.npi = validate_npi(p.npi or "")
    except InvalidNpi as exc:
        _add(errors, "npi", f"{exc}.")
        return
    if Provider.objects.filter(npi=p.npi).exclude(pk=p.pk).exists():
        _add(errors, "npi", "Another provider in this organization already has this NPI.")
    facility = Facility.objects.filter(npi=p.npi).first()
    if facility is not None:
        _add(
            errors,
            "npi",
            f"This is the type-2 NPI of {facility.name}; a clinician needs "
            "their own type-1 (individual) NPI.",
        )


def _check_taxonomy(p: Provider, errors: Errors) -> None:
    p.taxonomy = (p.taxonomy or "").strip().upper()
    if not rules.TAXONOMY_RE.match(p.taxonomy):
        _add(
            errors,
            "taxonomy",
            "A taxonomy code is 10 characters: 3 digits, 6 letters or "
            "digits, then X (e.g. 1041C0700X).",
        )


def _a(license_type: str) -> str:
    """The license type's label with its article: "an associate (pre-licensed)"."""
    try:
        label = license_label(LicenseType(license_type))
    except ValueError:
        label = license_type
    return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"


def _check_supervisor(p: Provider, errors: Errors) -> None:
    sup = p.supervisor
    if sup is None:
        if p.license_type in rules.NEEDS_SUPERVISOR:
            _add(errors, "supervisor", f"{_a(p.license_type).capitalize()} must have a supervisor.")
        return
    if sup.org_id != p.org_id:
        _add(errors, "supervisor", "The supervisor must belong to this organization.")
    elif p.pk is not None and sup.pk == p.pk:
        _add(errors, "supervisor", "A provider cannot supervise themselves.")
    elif not sup.is_active:
        _add(errors, "supervisor", f"{sup} is inactive and cannot supervise.")
    elif sup.license_type in rules.CANNOT_SUPERVISE:
        _add(errors, "supervisor", f"{sup} is {_a(sup.license_type)} and cannot supervise.")
    elif p.pk is not None and _supervised_by(sup.pk, p.pk):
        _add(
            errors,
            "supervisor",
            f"Supervision cannot be circular: {sup} is already "
            "supervised, directly or indirectly, by this provider.",
        )


def _supervised_by(provider_id: int, ancestor_id: int) -> bool:
    """Whether `ancestor_id` appears in the supervision chain above `provider_id`."""
    current, seen = provider_id, set()
    while current is not None and current not in seen and len(seen) < MAX_SUPERVISION_DEPTH:
        seen.add(current)
        above = Provider.objects.filter(pk=current).values_list("supervisor_id", flat=True)
        current = above.first()
        if current == ancestor_id:
            return True
    return False


def _check_supervisees(p: Provider, errors: Errors) -> None:
    """A supervisor may not become unable to supervise while people still report to them."""
    if p.pk is None or (p.is_active and p.license_type not in rules.CANNOT_SUPERVISE):
        return
    count = Provider.objects.filter(supervisor=p, is_active=True).count()
    if count:
        field = "is_active" if not p.is_active else "license_type"
        _add(
            errors,
            field,
            f"This provider supervises {count} active provider(s); "
            "assign them another supervisor first.",
        )


# --- CAQH ------------------------------------------------------------------------------------


@transaction.atomic
def caqh_attest(
    *,
    provider: Provider,
    attested_on: dt.date | None,
    caqh_id: str | None = None,
    actor: Any = None,
) -> Provider:
    if attested_on is None:
        _raise_if({"caqh_attested_on": ["Enter the date the profile was attested."]})
    changes: dict[str, Any] = {"caqh_attested_on": attested_on}
    if caqh_id is not None:
        changes["caqh_id"] = caqh_id
    return provider_update(provider=provider, actor=actor, **changes)


# --- Licenses --------------------------------------------------------------------------------

LICENSE_CONFLICT = {"number": ["A license with this state and number is already on file."]}


@transaction.atomic
def license_add(
    *,
    provider: Provider,
    state: str,
    number: str,
    expires_on: dt.date | None,
    license_type: str = "",
    status: str = License.Status.ACTIVE,
    issued_on: dt.date | None = None,
    actor: Any = None,
) -> License:
    lic = License(
        provider=provider,
        state=state,
        number=number,
        expires_on=expires_on,
        license_type=license_type,
        status=status,
        issued_on=issued_on,
    )
    _validate_license(lic)
    _save(lic, LICENSE_CONFLICT)
    return lic


@transaction.atomic
def license_update(*, license: License, actor: Any = None, **changes: Any) -> License:
    _refuse_unknown(changes, LICENSE_FIELDS)
    target = License.objects.select_related("provider").select_for_update().get(pk=license.pk)
    for name, value in changes.items():
        setattr(target, name, value)
    _validate_license(target)
    _save(target, LICENSE_CONFLICT)
    return target


def _validate_license(lic: License) -> None:
    lic.assign_active_org()
    lic.state = (lic.state or "").strip().upper()
    lic.number = (lic.number or "").strip()
    lic.license_type = lic.license_type or lic.provider.license_type
    errors: Errors = {}
    if lic.provider.org_id != lic.org_id:
        _add(errors, "provider", "The provider must belong to this organization.")
    _check_state(lic.state, errors)
    if not lic.number:
        _add(errors, "number", "Enter the license number.")
    elif License.objects.filter(state=lic.state, number=lic.number).exclude(pk=lic.pk).exists():
        _add(errors, "number", LICENSE_CONFLICT["number"][0])
    _check_license_dates(lic, errors)
    _model_clean(lic, errors)
    _raise_if(errors)


def _check_state(state: str, errors: Errors) -> None:
    if not rules.STATE_RE.match(state):
        _add(errors, "state", "Use the two-letter state code, e.g. IL.")
    elif state not in rules.US_STATES:
        _add(errors, "state", f"{state} is not a US state or territory code.")


def _check_license_dates(lic: License, errors: Errors) -> None:
    if lic.expires_on is None:
        _add(errors, "expires_on", "Enter the expiry date.")
    elif lic.issued_on and lic.expires_on <= lic.issued_on:
        _add(errors, "expires_on", "The expiry date must be after the issue date.")
    _not_future(errors, "issued_on", lic.issued_on, "issue date")


# --- Payer enrollments -----------------------------------------------------------------------


@transaction.atomic
def enrollment_upsert(
    *,
    provider: Provider,
    payer: Payer,
    status: str,
    effective_date: dt.date | None = None,
    submitted_on: dt.date | None = None,
    end_date: dt.date | None = None,
    recredential_due: dt.date | None = None,
    payer_provider_id: str = "",
    actor: Any = None,
) -> PayerEnrollment:
    """Create or update the one enrollment of `provider` with `payer` (natural key)."""
    enrollment = PayerEnrollment.objects.select_for_update().filter(
        provider=provider, payer=payer
    ).first() or PayerEnrollment(provider=provider, payer=payer)
    enrollment.status, enrollment.effective_date = status, effective_date
    enrollment.submitted_on, enrollment.end_date = submitted_on, end_date
    enrollment.recredential_due = recredential_due
    enrollment.payer_provider_id = (payer_provider_id or "").strip()
    _validate_enrollment(enrollment)
    _save(enrollment, {"payer": ["This provider already has an enrollment with this payer."]})
    return enrollment


def _validate_enrollment(e: PayerEnrollment) -> None:
    e.assign_active_org()
    errors: Errors = {}
    if e.provider.org_id != e.org_id:
        _add(errors, "provider", "The provider must belong to this organization.")
    if e.payer.org_id != e.org_id:
        _add(errors, "payer", "The payer must belong to this organization.")
    _check_enrollment_dates(e, errors)
    _not_future(errors, "submitted_on", e.submitted_on, "submission date")
    _model_clean(e, errors)
    _raise_if(errors)


def _check_enrollment_dates(e: PayerEnrollment, errors: Errors) -> None:
    if e.status == PayerEnrollment.Status.ENROLLED and e.effective_date is None:
        _add(errors, "effective_date", "An enrolled provider needs an effective date.")
    if not e.effective_date:
        return
    if e.recredential_due and e.recredential_due <= e.effective_date:
        _add(errors, "recredential_due", "Recredentialing must be due after the effective date.")
    if e.end_date and e.end_date < e.effective_date:
        _add(errors, "end_date", "The end date cannot be before the effective date.")

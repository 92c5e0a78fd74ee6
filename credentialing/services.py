"""Writes for providers, licenses, compact privileges, payer enrollments and CAQH
attestation. Each service checks everything first, raises ValidationError({field: [message]})
and saves inside one transaction.
`actor` is recorded by the change-log trigger through the active org context.

License and enrollment dates are history: a renewal adds a license period, a suspension or a
reinstatement adds a dated status change, a re-enrollment adds an enrollment period, a compact
privilege renewed is a new privilege and one ended early keeps its row; earlier rows stay, so
billing on a past date of service reads what was in effect then."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from coding.codesets.npi import InvalidNpi, validate_npi
from coding.types import LicenseType, license_label
from credentialing import rules
from credentialing.compacts import COMPACTS, compact_name, covers_license_type
from credentialing.models import (
    CompactPrivilege,
    EnrollmentPeriod,
    License,
    LicensePeriod,
    LicenseStatusChange,
    PayerEnrollment,
    Provider,
)
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
LICENSE_FIELDS = frozenset(
    {"state", "number", "license_type", "status", "status_effective_on", "issued_on", "expires_on"}
)
ONE_DAY = dt.timedelta(days=1)
MAX_SUPERVISION_DEPTH = 50  # a chain this long is a data problem; stop walking


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _refuse_unknown(changes: dict[str, Any], allowed: frozenset[str]) -> None:
    _raise_if({name: ["This field cannot be changed here."] for name in set(changes) - allowed})


def _model_clean(obj: Any, errors: Errors, *, skip: tuple[str, ...] = ()) -> None:
    """Length, choice and constraint checks from the model for fields not already in error
    (nor in `skip`, e.g. the parent of a child row not saved yet)."""
    try:
        obj.full_clean(exclude=[*errors, "org", *skip], validate_unique=False)
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
PERIOD_OVERLAP = {"issued_on": ["This period overlaps another period of the license."]}


@transaction.atomic
def license_add(
    *,
    provider: Provider,
    state: str,
    number: str,
    expires_on: dt.date | None,
    license_type: str = "",
    status: str = License.Status.ACTIVE,
    status_effective_on: dt.date | None = None,
    issued_on: dt.date | None = None,
    actor: Any = None,
) -> License:
    """A license with its first period (`issued_on` through `expires_on`). A status other than
    active is recorded as a status change from `status_effective_on` (default: today)."""
    lic = License(provider=provider, state=state, number=number, license_type=license_type)
    period = LicensePeriod(license=lic, starts_on=issued_on, expires_on=expires_on)
    errors = _license_errors(lic)
    _check_period(period, None, errors, first=True)
    _check_status(status, errors)
    _raise_if(errors)
    _save(lic, LICENSE_CONFLICT)
    period.license = lic
    _save(period, PERIOD_OVERLAP)
    if status != License.Status.ACTIVE:
        _set_status(lic, status, status_effective_on or timezone.localdate(), note="")
    return lic


@transaction.atomic
def license_update(*, license: License, actor: Any = None, **changes: Any) -> License:
    """Correct a license: its state, number or type; `issued_on`/`expires_on` correct its latest
    period (record a renewal with `license_renew`); a different `status` is recorded as a status
    change from `status_effective_on` (default: today), like `license_status_change`."""
    _refuse_unknown(changes, LICENSE_FIELDS)
    target = License.objects.select_related("provider").select_for_update().get(pk=license.pk)
    for name in ("state", "number", "license_type"):
        if name in changes:
            setattr(target, name, changes[name])
    errors = _license_errors(target)
    period = _corrected_period(target, changes, errors)
    status, effective_on = _status_change_of(target, changes, errors)
    _raise_if(errors)
    _save(target, LICENSE_CONFLICT)
    if period is not None:
        _save(period, PERIOD_OVERLAP)
    if status is not None and effective_on is not None:
        _set_status(target, status, effective_on, note="")
    return target


@transaction.atomic
def license_renew(
    *,
    license: License,
    expires_on: dt.date | None,
    starts_on: dt.date | None = None,
    actor: Any = None,
) -> LicensePeriod:
    """Record a renewal: a new period of the same license after the latest one. `starts_on`
    defaults to the day after the latest period expires (renewed on time); a later date records
    a late renewal, and the days between are not covered."""
    target = License.objects.select_for_update().get(pk=license.pk)
    latest = target.latest_period
    if starts_on is None and latest is not None:
        starts_on = latest.expires_on + ONE_DAY
    period = LicensePeriod(license=target, starts_on=starts_on, expires_on=expires_on)
    errors: Errors = {}
    if starts_on is None:
        _add(errors, "starts_on", "Enter the date the renewal took effect.")
    _check_period(period, latest, errors, first=False, start_field="starts_on")
    _raise_if(errors)
    _save(period, {"starts_on": PERIOD_OVERLAP["issued_on"]})
    return period


@transaction.atomic
def license_status_change(
    *,
    license: License,
    status: str,
    effective_on: dt.date | None,
    note: str = "",
    actor: Any = None,
) -> License:
    """Record that the license is `status` from `effective_on` (a suspension, a revocation, or a
    reinstatement with "active"). Dates before it keep the status they had; a change already
    recorded on the same day is corrected instead."""
    target = License.objects.select_for_update().get(pk=license.pk)
    errors: Errors = {}
    _check_status(status, errors)
    if effective_on is None:
        _add(errors, "effective_on", "Enter the date the status applies from.")
    elif not errors and not _changes_status(target, status, effective_on):
        _add(errors, "status", f"The license is already {status} on {rules.fmt(effective_on)}.")
    note = (note or "").strip()
    if len(note) > LicenseStatusChange._meta.get_field("note").max_length:
        _add(errors, "note", "Keep the note under 200 characters.")
    _raise_if(errors)
    assert effective_on is not None
    _set_status(target, status, effective_on, note=note)
    return target


def _license_errors(lic: License) -> Errors:
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
    _model_clean(lic, errors)
    return errors


def _check_state(state: str, errors: Errors) -> None:
    if not rules.STATE_RE.match(state):
        _add(errors, "state", "Use the two-letter state code, e.g. IL.")
    elif state not in rules.US_STATES:
        _add(errors, "state", f"{state} is not a US state or territory code.")


def _check_status(status: str, errors: Errors) -> None:
    if status not in License.Status.values:
        _add(errors, "status", f"Choose one of: {', '.join(License.Status.values)}.")


def _check_period(
    period: LicensePeriod,
    previous: LicensePeriod | None,
    errors: Errors,
    *,
    first: bool,
    start_field: str = "issued_on",
) -> None:
    """A period ends after it starts and starts after the `previous` period expires; only the
    original issue date (the first period) cannot be in the future."""
    if period.expires_on is None:
        _add(errors, "expires_on", "Enter the expiry date.")
    elif period.starts_on and period.expires_on <= period.starts_on:
        _add(errors, "expires_on", "The expiry date must be after the issue date.")
    if first:
        _not_future(errors, start_field, period.starts_on, "issue date")
    if previous is not None and (
        period.starts_on is None or period.starts_on <= previous.expires_on
    ):
        _add(
            errors,
            start_field,
            f"This period must start after the previous one, which expires on "
            f"{rules.fmt(previous.expires_on)}.",
        )
    _model_clean(period, errors, skip=("license", "starts_on", "expires_on"))


def _corrected_period(
    lic: License, changes: dict[str, Any], errors: Errors
) -> LicensePeriod | None:
    """The latest period with `issued_on`/`expires_on` from `changes` applied (None: no change)."""
    if "issued_on" not in changes and "expires_on" not in changes:
        return None
    periods = list(lic.periods.select_for_update().order_by("expires_on"))
    period = periods[-1] if periods else LicensePeriod(license=lic)
    previous = periods[-2] if len(periods) > 1 else None
    period.starts_on = changes.get("issued_on", period.starts_on)
    period.expires_on = changes.get("expires_on", period.expires_on)
    _check_period(period, previous, errors, first=previous is None)
    return period


def _status_change_of(
    lic: License, changes: dict[str, Any], errors: Errors
) -> tuple[str | None, dt.date | None]:
    """The status change that `changes` asks for, if it changes anything."""
    if "status" not in changes:
        return None, None
    status = changes["status"]
    effective_on = changes.get("status_effective_on") or timezone.localdate()
    _check_status(status, errors)
    if "status" in errors or not _changes_status(lic, status, effective_on):
        return None, None
    return status, effective_on


def _changes_status(lic: License, status: str, effective_on: dt.date) -> bool:
    """Whether recording `status` from `effective_on` changes anything: it differs from the
    status in effect that day, or corrects a change recorded that very day."""
    return lic.status_changes.filter(effective_on=effective_on).exists() or (
        lic.status_on(effective_on) != status
    )


def _set_status(lic: License, status: str, effective_on: dt.date, *, note: str) -> None:
    """Record `status` from `effective_on`. A change already recorded that day is corrected; one
    that would only repeat the status in effect the day before is removed instead."""
    same_day = lic.status_changes.filter(effective_on=effective_on).first()
    before = lic.status_on(effective_on - ONE_DAY)
    if status == before:
        if same_day is not None:
            same_day.delete()
        return
    change = same_day or LicenseStatusChange(license=lic, effective_on=effective_on)
    change.status, change.note = status, note
    _save(change, {"effective_on": ["A status change is already recorded on that day."]})


# --- Compact privileges ----------------------------------------------------------------------

PRIVILEGE_FIELDS = frozenset(
    {
        "compact",
        "state",
        "number",
        "home_license",
        "effective_on",
        "expires_on",
        "status",
        "ended_on",
        "note",
    }
)
PRIVILEGE_CONFLICT = {
    "effective_on": [
        "This privilege overlaps another one for the same compact and state, or its number "
        "belongs to another provider."
    ]
}
ENDED_STATUSES = (CompactPrivilege.Status.RELINQUISHED, CompactPrivilege.Status.REVOKED)


@transaction.atomic
def privilege_record(
    *,
    provider: Provider,
    compact: str,
    state: str,
    number: str,
    home_license: License | None,
    effective_on: dt.date | None,
    expires_on: dt.date | None = None,
    note: str = "",
    actor: Any = None,
) -> CompactPrivilege:
    """Record a compact privilege of `provider` for `state`, resting on `home_license` (one of
    the provider's licenses, of a type the compact covers, from another state). A renewal is
    recorded the same way, taking effect after the previous privilege's last day."""
    privilege = CompactPrivilege(
        provider=provider,
        compact=compact,
        state=state,
        number=number,
        home_license=home_license,
        effective_on=effective_on,
        expires_on=expires_on,
        note=note,
    )
    _raise_if(_privilege_errors(privilege))
    _save(privilege, PRIVILEGE_CONFLICT)
    return privilege


@transaction.atomic
def privilege_correct(
    *, privilege: CompactPrivilege, actor: Any = None, **changes: Any
) -> CompactPrivilege:
    """Correct a privilege recorded wrongly (any field but the provider). Setting `status` back
    to active reopens a privilege ended by mistake."""
    _refuse_unknown(changes, PRIVILEGE_FIELDS)
    target = _locked_privilege(privilege)
    for name, value in changes.items():
        setattr(target, name, value)
    if target.status == CompactPrivilege.Status.ACTIVE and "ended_on" not in changes:
        target.ended_on = None
    _raise_if(_privilege_errors(target))
    _save(target, PRIVILEGE_CONFLICT)
    return target


@transaction.atomic
def privilege_end(
    *,
    privilege: CompactPrivilege,
    ended_on: dt.date | None,
    status: str = CompactPrivilege.Status.RELINQUISHED,
    note: str | None = None,
    actor: Any = None,
) -> CompactPrivilege:
    """Record that the privilege was relinquished or revoked: `ended_on` is its last valid day
    (services after it are not covered; a later date records an end ahead). Ending it again
    corrects the end. The row is kept, so billing on earlier dates still reads it."""
    target = _locked_privilege(privilege)
    errors: Errors = {}
    if status not in ENDED_STATUSES:
        _add(errors, "status", f"Choose one of: {', '.join(ENDED_STATUSES)}.")
    if ended_on is None:
        _add(errors, "ended_on", "Enter the last day the privilege was valid.")
    _raise_if(errors)
    target.status, target.ended_on = status, ended_on
    if note is not None:
        target.note = note
    _raise_if(_privilege_errors(target))
    _save(target, PRIVILEGE_CONFLICT)
    return target


def _locked_privilege(privilege: CompactPrivilege) -> CompactPrivilege:
    return (
        CompactPrivilege.objects.select_for_update()
        .select_related("provider", "home_license")
        .get(pk=privilege.pk)
    )


def _privilege_errors(p: CompactPrivilege) -> Errors:
    p.assign_active_org()
    p.state = (p.state or "").strip().upper()
    p.number, p.note = (p.number or "").strip(), (p.note or "").strip()
    errors: Errors = {}
    if p.provider.org_id != p.org_id:
        _add(errors, "provider", "The provider must belong to this organization.")
    if p.compact not in COMPACTS:
        _add(errors, "compact", f"Choose one of: {', '.join(COMPACTS)}.")
    _check_state(p.state, errors)
    if not p.number:
        _add(errors, "number", "Enter the privilege number.")
    _check_home_license(p, errors)
    _check_privilege_dates(p, errors)
    if not errors:
        _check_privilege_conflicts(p, errors)
    _model_clean(p, errors, skip=("provider", "home_license"))
    return errors


def _check_home_license(p: CompactPrivilege, errors: Errors) -> None:
    """A privilege rests on one of the provider's own licenses, from another state, of a type
    its compact covers (credentialing/compacts.py)."""
    if p.home_license_id is None:
        _add(errors, "home_license", "Choose the home-state license the privilege rests on.")
        return
    home = p.home_license
    if home.provider_id != p.provider_id:
        _add(errors, "home_license", "Choose one of this provider's own licenses.")
        return
    if home.state == p.state:
        _add(
            errors,
            "state",
            f"The home license is from {home.state}; a privilege is for another state.",
        )
    compact = COMPACTS.get(p.compact)
    if compact is not None and not covers_license_type(compact.code, home.license_type):
        types = " or ".join(sorted(license_label(LicenseType(t)) for t in compact.license_types))
        _add(
            errors,
            "compact",
            f"{compact.name} covers {types} licenses only; the home license {home} is "
            f"{rules.with_article(home.license_type)} license.",
        )


def _check_privilege_dates(p: CompactPrivilege, errors: Errors) -> None:
    if p.effective_on is None:
        _add(errors, "effective_on", "Enter the date the privilege takes effect.")
        return
    if p.expires_on is not None and p.expires_on < p.effective_on:
        _add(errors, "expires_on", "The expiry date cannot be before the date it takes effect.")
    if p.status == CompactPrivilege.Status.ACTIVE:
        if p.ended_on is not None:
            _add(errors, "ended_on", "Only a relinquished or revoked privilege has a last day.")
        return
    if p.ended_on is None:
        _add(errors, "ended_on", "Enter the last day the privilege was valid.")
    elif p.ended_on < p.effective_on:
        _add(errors, "ended_on", "The last valid day cannot be before it takes effect.")
    elif p.expires_on is not None and p.ended_on > p.expires_on:
        _add(
            errors,
            "ended_on",
            f"The privilege expires on {rules.fmt(p.expires_on)}; it cannot end after that.",
        )


def _overlaps(a: CompactPrivilege, b: CompactPrivilege) -> bool:
    a_end, b_end = a.last_day or dt.date.max, b.last_day or dt.date.max
    return a.effective_on <= b_end and b.effective_on <= a_end


def _check_privilege_conflicts(p: CompactPrivilege, errors: Errors) -> None:
    """No overlap with another privilege of the provider for the compact and state, and a
    number held by this provider only."""
    same = CompactPrivilege.objects.filter(
        provider_id=p.provider_id, compact=p.compact, state=p.state
    ).exclude(pk=p.pk)
    clash = next((other for other in same if _overlaps(p, other)), None)
    if clash is not None:
        last = rules.fmt(clash.last_day) if clash.last_day else "open-ended"
        _add(
            errors,
            "effective_on",
            f"This overlaps {clash} (valid {rules.fmt(clash.effective_on)} – {last}); a renewal "
            "takes effect after the previous privilege's last day.",
        )
    held = CompactPrivilege.objects.filter(compact=p.compact, number=p.number)
    if held.exclude(provider_id=p.provider_id).exists():
        _add(
            errors, "number", f"Another provider holds {compact_name(p.compact)} number {p.number}."
        )


# --- Payer enrollments -----------------------------------------------------------------------

PERIOD_CONFLICT = {"effective_date": ["This period overlaps another period of the enrollment."]}
OPEN_STATUSES = frozenset(
    {
        PayerEnrollment.Status.NOT_STARTED,
        PayerEnrollment.Status.SUBMITTED,
        PayerEnrollment.Status.DENIED,
    }
)


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
    """Create or update the one enrollment of `provider` with `payer` (natural key).

    `effective_date` and `end_date` describe a period: they correct the latest period, or start
    a new one when the latest has ended and `effective_date` comes after its end date (a
    re-enrollment after a termination: the ended period is kept). `end_date` is the last
    covered day, included. Both blank: the periods stay as they are."""
    enrollment = PayerEnrollment.objects.select_for_update().filter(
        provider=provider, payer=payer
    ).first() or PayerEnrollment(provider=provider, payer=payer)
    enrollment.status, enrollment.submitted_on = status, submitted_on
    enrollment.recredential_due = recredential_due
    enrollment.payer_provider_id = (payer_provider_id or "").strip()
    errors = _enrollment_errors(enrollment)
    periods = list(enrollment.periods.order_by("effective_date")) if enrollment.pk else []
    period = _placed_period(enrollment, periods, effective_date, end_date, errors)
    latest = period or (periods[-1] if periods else None)
    _check_status_against(enrollment, latest, effective_date, errors)
    _raise_if(errors)
    _save(enrollment, {"payer": ["This provider already has an enrollment with this payer."]})
    if period is not None:
        period.enrollment = enrollment
        _save(period, PERIOD_CONFLICT)
    return enrollment


def _enrollment_errors(e: PayerEnrollment) -> Errors:
    e.assign_active_org()
    errors: Errors = {}
    if e.provider.org_id != e.org_id:
        _add(errors, "provider", "The provider must belong to this organization.")
    if e.payer.org_id != e.org_id:
        _add(errors, "payer", "The payer must belong to this organization.")
    _not_future(errors, "submitted_on", e.submitted_on, "submission date")
    _model_clean(e, errors)
    return errors


def _placed_period(
    e: PayerEnrollment,
    periods: list[EnrollmentPeriod],
    effective_date: dt.date | None,
    end_date: dt.date | None,
    errors: Errors,
) -> EnrollmentPeriod | None:
    """The period that `effective_date`/`end_date` describe: the latest one corrected, or a
    new one after it (None: no dates given)."""
    if effective_date is None:
        if end_date is not None:
            _add(errors, "end_date", "Enter the effective date of the period this date ends.")
        return None
    latest = periods[-1] if periods else None
    if latest is None or (latest.end_date is not None and effective_date > latest.end_date):
        period, previous = EnrollmentPeriod(enrollment=e), latest
    else:
        period, previous = latest, (periods[-2] if len(periods) > 1 else None)
    period.effective_date, period.end_date = effective_date, end_date
    if end_date is not None and end_date < effective_date:
        _add(errors, "end_date", "The end date cannot be before the effective date.")
    if previous is not None and previous.end_date and effective_date <= previous.end_date:
        _add(
            errors,
            "effective_date",
            f"The previous period ran through {rules.fmt(previous.end_date)}; this one must "
            "start after it.",
        )
    return period


def _check_status_against(
    e: PayerEnrollment,
    latest: EnrollmentPeriod | None,
    effective_date: dt.date | None,
    errors: Errors,
) -> None:
    """The status must agree with the latest period: enrolled needs one, terminated needs it
    ended, and an application still open cannot sit beside a period without an end."""
    label = PayerEnrollment.Status(e.status).label.lower() if e.status in OPEN_STATUSES else ""
    if e.status == PayerEnrollment.Status.ENROLLED and effective_date is None:
        _add(errors, "effective_date", "An enrolled provider needs an effective date.")
    elif e.status == PayerEnrollment.Status.TERMINATED and latest and latest.end_date is None:
        _add(errors, "end_date", "Enter the last covered day of the terminated enrollment.")
    elif label and latest is not None and latest.end_date is None:
        _add(
            errors,
            "end_date",
            f"The enrollment is in force with no end date; enter its last covered day before "
            f"marking it {label}.",
        )
    if e.recredential_due and latest and e.recredential_due <= latest.effective_date:
        _add(errors, "recredential_due", "Recredentialing must be due after the effective date.")

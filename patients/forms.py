"""Forms for intake and clinical pages. They parse input; the services validate and write.
Object choices are referenced by public_id, never by integer id."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from coding import Modality, ServiceKind
from credentialing.models import Provider
from facilities.models import Facility
from patients.models import (
    MODALITY_CHOICES,
    SERVICE_KIND_CHOICES,
    AdmissionSource,
    AdmissionType,
    Coverage,
    GroupSession,
    LevelOfCare,
    Patient,
    PatientStatus,
    Program,
    Session,
)
from patients.services.episodes import ASAM_LEVELS, validate_diagnosis_input
from payers.models import Payer
from rcm.timezones import NonexistentLocalTime, local_moment

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DX_INPUTS = 6
GOAL_INPUTS = 3
ASAM_EDITIONS = [("3", "ASAM 3rd edition (2013)"), ("4", "ASAM 4th edition (2023)")]
GROUP_LOOKBACK_DAYS = 14


def _by_public_id(
    queryset: Any, *, required: bool = True, label: str | None = None, empty_label: str = "—"
) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=queryset,
        to_field_name="public_id",
        required=required,
        label=label,
        empty_label=empty_label,
    )


def providers() -> Any:
    # String lookup: patients sits below credentialing in the import order.
    return Provider.objects.filter(is_active=True)


def apply_errors(
    exc: ValidationError,
    forms_by_prefix: dict[str, forms.Form],
    aliases: dict[str, str] | None = None,
) -> None:
    """Put a service's field errors on the matching form fields (by key prefix, e.g.
    "coverage_member_id" -> the coverage form's member_id); unknown keys become form errors."""
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    main = forms_by_prefix[""]
    for key, messages in detail.items():
        key = (aliases or {}).get(key, key)
        form, name = main, key
        for prefix, candidate in forms_by_prefix.items():
            if prefix and key.startswith(prefix):
                form, name = candidate, key.removeprefix(prefix)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(
                target,
                message
                if target or name == "__all__"
                else f"{name.replace('_', ' ').capitalize()}: {message}",
            )


# --- Patients and coverage ---------------------------------------------------------------


class PatientSearchForm(forms.Form):
    name = forms.CharField(
        required=False, label="Name", help_text="Last name, or “Last, First”: exact last name."
    )
    dob = forms.DateField(required=False, label="Date of birth", widget=DATE)
    member_id = forms.CharField(required=False, label="Member ID")
    mrn = forms.CharField(required=False, label="MRN")

    def criteria(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data.get("name") or "",
            "dob": data.get("dob"),
            "member_id": data.get("member_id") or "",
            "mrn": data.get("mrn") or "",
        }


class PatientForm(forms.Form):
    mrn = forms.CharField(
        required=False,
        max_length=30,
        label="MRN",
        help_text="Leave blank to assign the next number.",
    )
    first_name = forms.CharField(required=False, label="First name")
    last_name = forms.CharField(required=False, label="Last name")
    date_of_birth = forms.DateField(required=False, label="Date of birth", widget=DATE)
    sex = forms.ChoiceField(choices=Patient.Sex.choices, initial=Patient.Sex.UNKNOWN)
    ssn = forms.CharField(required=False, label="SSN", help_text="Optional.")
    address_line1 = forms.CharField(required=False, label="Address")
    city = forms.CharField(required=False, max_length=60)
    state = forms.CharField(required=False, max_length=2)
    postal_code = forms.CharField(required=False, max_length=10, label="ZIP")
    phone = forms.CharField(required=False)
    email = forms.CharField(required=False)
    signature_on_file_date = forms.DateField(
        required=False,
        widget=DATE,
        label="Signature on file since",
        help_text="The date the patient signed the release of information to bill.",
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


def _blank_choice(choices: Any, label: str = "—") -> list[tuple[str, str]]:
    return [("", label), *choices]


class SubscriberFields(forms.Form):
    """The subscriber's address and sex, the MSP type and assignment of benefits: what a claim
    says about the coverage beyond the card."""

    subscriber_address_line1 = forms.CharField(required=False, label="Subscriber address")
    subscriber_city = forms.CharField(required=False, max_length=60, label="Subscriber city")
    subscriber_state = forms.CharField(required=False, max_length=2, label="Subscriber state")
    subscriber_postal_code = forms.CharField(required=False, max_length=10, label="Subscriber ZIP")
    subscriber_sex = forms.ChoiceField(
        choices=_blank_choice(Patient.Sex.choices), required=False, label="Subscriber sex"
    )
    msp_type = forms.ChoiceField(
        choices=_blank_choice(Coverage.MspType.choices, "— not Medicare secondary —"),
        required=False,
        label="Medicare secondary payer type",
        help_text="Only on a Medicare coverage that pays second: why another payer is primary.",
    )
    assignment_of_benefits = forms.TypedChoiceField(
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        empty_value=True,
        required=False,
        initial="yes",
        label="Benefits assigned to the provider",
    )


class CoverageForm(SubscriberFields):
    payer = _by_public_id(
        Payer.objects.filter(is_active=True), required=False, empty_label="— choose the payer —"
    )
    member_id = forms.CharField(required=False, label="Member ID")
    plan_name = forms.CharField(required=False, max_length=120, label="Plan")
    group_number = forms.CharField(required=False, max_length=40, label="Group number")
    priority = forms.TypedChoiceField(
        choices=Coverage.Priority.choices, coerce=int, initial=Coverage.Priority.PRIMARY
    )
    relationship = forms.ChoiceField(
        choices=Coverage.Relationship.choices,
        initial=Coverage.Relationship.SELF,
        label="Patient is the subscriber's",
    )
    subscriber_first_name = forms.CharField(required=False, label="Subscriber first name")
    subscriber_last_name = forms.CharField(required=False, label="Subscriber last name")
    subscriber_date_of_birth = forms.DateField(
        required=False, widget=DATE, label="Subscriber date of birth"
    )
    effective_date = forms.DateField(required=False, widget=DATE, label="Effective")
    end_date = forms.DateField(required=False, widget=DATE, label="Ends")

    field_order = [
        "payer",
        "member_id",
        "plan_name",
        "group_number",
        "priority",
        "relationship",
        "subscriber_first_name",
        "subscriber_last_name",
        "subscriber_date_of_birth",
    ]

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("payer") and not data.get("member_id")

    def facts(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CoverageEditForm(SubscriberFields):
    """A saved coverage's plan, group and subscriber facts (payer, member id and dates stay)."""

    plan_name = forms.CharField(required=False, max_length=120, label="Plan")
    group_number = forms.CharField(required=False, max_length=40, label="Group number")
    relationship = forms.ChoiceField(
        choices=Coverage.Relationship.choices, label="Patient is the subscriber's"
    )
    subscriber_first_name = forms.CharField(required=False, label="Subscriber first name")
    subscriber_last_name = forms.CharField(required=False, label="Subscriber last name")
    subscriber_date_of_birth = forms.DateField(
        required=False, widget=DATE, label="Subscriber date of birth"
    )

    field_order = [
        "plan_name",
        "group_number",
        "relationship",
        "subscriber_first_name",
        "subscriber_last_name",
        "subscriber_date_of_birth",
    ]


def coverage_edit_initial(coverage: Coverage) -> dict[str, Any]:
    initial = {name: getattr(coverage, name) for name in CoverageEditForm.base_fields}
    initial["assignment_of_benefits"] = "yes" if coverage.assignment_of_benefits else "no"
    return initial


# --- Episodes, levels, plans --------------------------------------------------------------


class UbCodesField(forms.CharField):
    """Occurrence or value codes, one per line: "11 2026-10-01" (code and date) or "80 12"
    (code and amount). Parsed into [{"code": ..., <second>: ...}]; the service checks them."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, *, second: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.second = second

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(
                f"{item.get('code', '')} {item.get(self.second, '')}" for item in value
            )
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        rows = []
        for n, line in enumerate(str(value or "").splitlines(), start=1):
            parts = line.replace(",", " ").split()
            if not parts:
                continue
            if len(parts) != 2:
                raise ValidationError(
                    f"Line {n}: a code and its {self.second}, separated by a space."
                )
            rows.append({"code": parts[0].upper(), self.second: parts[1]})
        return rows


class AdmissionFacts(forms.Form):
    """Admission facts an institutional claim (UB-04 / 837I) carries."""

    admission_hour = forms.IntegerField(
        required=False, min_value=0, max_value=23, label="Admission hour (0-23)"
    )
    admission_type = forms.ChoiceField(
        choices=_blank_choice(AdmissionType.choices), required=False, label="Type of admission"
    )
    admission_source = forms.ChoiceField(
        choices=_blank_choice(AdmissionSource.choices), required=False, label="Point of origin"
    )
    attending_provider = _by_public_id(
        Provider.objects.none(), required=False, label="Attending clinician", empty_label="—"
    )
    referring_provider_name = forms.CharField(
        required=False, max_length=60, label="Referring provider"
    )
    referring_provider_npi = forms.CharField(
        required=False, max_length=10, label="Referring provider NPI"
    )
    occurrence_codes = UbCodesField(
        second="date",
        label="Occurrence codes",
        help_text="One per line: code and date, e.g. 11 2026-10-01",
    )
    value_codes = UbCodesField(
        second="amount", label="Value codes", help_text="One per line: code and amount, e.g. 80 12"
    )

    def __init__(self, *args: Any, current_attending: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attending_provider"].queryset = _active_or(
            Provider.objects.all(), current_attending
        )


class EpisodeClaimFactsForm(AdmissionFacts):
    """An episode's admission and discharge facts for institutional claims."""

    discharge_hour = forms.IntegerField(
        required=False, min_value=0, max_value=23, label="Discharge hour (0-23)"
    )
    patient_status = forms.ChoiceField(
        choices=_blank_choice(PatientStatus.choices), required=False, label="Discharge status"
    )

    def facts(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in self.fields}


class DischargeForm(forms.Form):
    discharge_date = forms.DateField(widget=DATE, label="Discharge on")
    discharge_hour = forms.IntegerField(
        required=False, min_value=0, max_value=23, label="Hour (0-23)"
    )
    patient_status = forms.ChoiceField(
        choices=_blank_choice(PatientStatus.choices), required=False, label="Discharge status"
    )


class LevelFields(forms.Form):
    asam_edition = forms.ChoiceField(choices=ASAM_EDITIONS, initial="3", label="ASAM edition")
    asam_level = forms.CharField(
        required=False,
        max_length=8,
        label="ASAM level",
        help_text="e.g. " + ", ".join(ASAM_LEVELS["3"][:6]),
    )


class EpisodeAdmitForm(LevelFields, AdmissionFacts):
    program = forms.ChoiceField(choices=Program.choices)
    level = forms.ChoiceField(choices=LevelOfCare.choices, label="Level of care")
    admit_date = forms.DateField(widget=DATE, label="Admission date")
    facility = _by_public_id(Facility.objects.filter(is_active=True), required=False)
    part2_applies = forms.TypedChoiceField(
        choices=[("", "Default (yes for SUD)"), ("yes", "Yes"), ("no", "No")],
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        label="42 CFR Part 2 applies",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, DX_INPUTS + 1):
            label = "Primary diagnosis (ICD-10-CM)" if n == 1 else f"Diagnosis {n}"
            self.fields[f"dx_{n}"] = forms.CharField(required=n == 1, label=label, max_length=10)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for n in range(1, DX_INPUTS + 1):
            code = (data.get(f"dx_{n}") or "").strip()
            error = validate_diagnosis_input(code) if code else None
            if error:
                self.add_error(f"dx_{n}", error)
        return data

    def diagnoses(self) -> list[str]:
        return [self.cleaned_data.get(f"dx_{n}") or "" for n in range(1, DX_INPUTS + 1)]

    def facts(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = (
            "program",
            "level",
            "asam_edition",
            "asam_level",
            "admit_date",
            "facility",
            "part2_applies",
            *AdmissionFacts.base_fields,
        )
        return {k: data.get(k) for k in keys} | {"diagnoses": self.diagnoses()}


class LevelTransitionForm(LevelFields):
    new_level = forms.ChoiceField(choices=LevelOfCare.choices, label="New level of care")
    on_date = forms.DateField(
        widget=DATE, label="Starts on", help_text="The current level ends the day before."
    )


class TreatmentPlanForm(forms.Form):
    effective_date = forms.DateField(widget=DATE, label="Effective date")

    def __init__(self, *args: Any, episode: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = [(d.code, f"{d.code} {d.description}") for d in episode.diagnoses.all()]
        for n in range(1, GOAL_INPUTS + 1):
            self.fields[f"goal_{n}"] = forms.CharField(
                required=n == 1, label=f"Goal {n}", widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"goal_{n}_dx"] = forms.MultipleChoiceField(
                choices=codes,
                required=False,
                label=f"Goal {n} addresses",
                widget=forms.CheckboxSelectMultiple,
            )

    def goals(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {"description": data.get(f"goal_{n}"), "diagnosis_codes": data.get(f"goal_{n}_dx")}
            for n in range(1, GOAL_INPUTS + 1)
            if (data.get(f"goal_{n}") or "").strip()
        ]


# --- Sessions -----------------------------------------------------------------------------


def _group_label(group: GroupSession) -> str:
    when = timezone.localtime(group.starts_at)
    return f"{when:%Y-%m-%d %H:%M} {group.topic or 'Group'}"


def _active_or(queryset: Any, *current: Any) -> Any:
    """Active choices, plus the ones a saved session already uses (still shown if retired)."""
    ids = [obj.pk for obj in current if obj is not None]
    return queryset.filter(Q(is_active=True) | Q(pk__in=ids)).distinct()


class SessionFactsForm(forms.Form):
    """What a session records about the service itself (shared by recording and correcting)."""

    kind = forms.ChoiceField(choices=SERVICE_KIND_CHOICES, initial=ServiceKind.INDIVIDUAL.value)
    service_date = forms.DateField(widget=DATE, label="Date of service")
    start_time = forms.TimeField(required=False, widget=TIME, label="Start")
    end_time = forms.TimeField(required=False, widget=TIME, label="End")
    psychotherapy_minutes = forms.IntegerField(
        required=False,
        label="Psychotherapy minutes",
        help_text="E/M + psychotherapy: excluding E/M time",
    )
    em_code = forms.CharField(required=False, max_length=5, label="E/M code")
    arrival_time = forms.TimeField(required=False, widget=TIME, label="Arrived")
    departure_time = forms.TimeField(required=False, widget=TIME, label="Left")
    attended_minutes = forms.IntegerField(required=False, label="Program day: minutes attended")
    modality = forms.ChoiceField(choices=MODALITY_CHOICES, initial=Modality.IN_PERSON.value)
    patient_location = forms.ChoiceField(
        choices=Session.PatientLocation.choices, label="Patient was"
    )
    audio_only_reason = forms.CharField(required=False, max_length=200, label="Why audio-only")
    patient_state = forms.CharField(
        required=False,
        max_length=2,
        label="Patient's state (telehealth)",
        help_text="Where the patient was; blank = their address state",
    )
    facility = _by_public_id(Facility.objects.filter(is_active=True), required=False)
    rendering_provider = forms.ModelChoiceField(
        queryset=Facility.objects.none(), to_field_name="public_id"
    )
    supervising_provider = forms.ModelChoiceField(
        queryset=Facility.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label="— none —",
    )
    interactive_complexity = forms.BooleanField(required=False)
    with_medical_services = forms.BooleanField(
        required=False, label="Evaluation with medical services"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("rendering_provider", "supervising_provider"):
            self.fields[name].queryset = providers()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in TIME_FIELDS:
            try:
                self._moment(name)
            except NonexistentLocalTime as exc:
                self.add_error(name, str(exc))
        return data

    def _moment(self, time_name: str) -> datetime.datetime | None:
        """The clock time on the date of service, in the org's time zone (active in the
        request), so an evening session keeps its local date. An end (or departure) earlier on
        the clock than its start is the next morning: a session from 23:30 to 00:23."""
        day, clock = self.cleaned_data.get("service_date"), self.cleaned_data.get(time_name)
        if day is None or clock is None:
            return None
        start = self.cleaned_data.get(ENDS_AFTER.get(time_name, ""))
        if start is not None and _crosses_midnight(start, clock):
            day += datetime.timedelta(days=1)
        return local_moment(day, clock, timezone.get_current_timezone())


class SessionForm(SessionFactsForm):
    patient = forms.CharField(label="Patient MRN")
    status = forms.ChoiceField(choices=Session.Status.choices, initial=Session.Status.COMPLETED)
    group = forms.ModelChoiceField(
        queryset=GroupSession.objects.none(),
        required=False,
        to_field_name="public_id",
        empty_label="—",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        since = timezone.now() - datetime.timedelta(days=GROUP_LOOKBACK_DAYS)
        self.fields["group"].queryset = GroupSession.objects.filter(starts_at__gte=since).order_by(
            "-starts_at"
        )
        self.fields["group"].label_from_instance = _group_label

    def clean_patient(self) -> Patient:
        mrn = self.cleaned_data["patient"].strip()
        patient = Patient.objects.filter(mrn__iexact=mrn).first()
        if patient is None:
            raise ValidationError(f"No patient with MRN {mrn}.")
        return patient

    def facts(self) -> dict[str, Any]:
        """Service facts from whatever parsed (previews run on half-filled forms)."""
        data = self.cleaned_data
        keys = (
            "patient",
            "kind",
            "status",
            "service_date",
            "psychotherapy_minutes",
            "em_code",
            "group",
            "attended_minutes",
            "modality",
            "patient_location",
            "audio_only_reason",
            "patient_state",
            "facility",
            "rendering_provider",
            "supervising_provider",
            "interactive_complexity",
            "with_medical_services",
        )
        facts = {k: data[k] for k in keys if data.get(k) not in (None, "")}
        for name, field in TIME_FIELDS.items():
            try:
                facts[field] = self._moment(name)
            except NonexistentLocalTime:
                facts[field] = None
        return {k: v for k, v in facts.items() if v is not None}


def _crosses_midnight(start: datetime.time, end: datetime.time) -> bool:
    """An end earlier on the clock than the start, within 12 hours across midnight (23:30 to
    00:23); a larger gap (15:00 to 14:00) is a typing error, not a 23-hour session."""
    if end >= start:
        return False
    day = datetime.date(2000, 1, 1)
    gap = datetime.datetime.combine(day, start) - datetime.datetime.combine(day, end)
    return gap >= datetime.timedelta(hours=12)


# An end time and the start it follows (an earlier clock time may be the next day).
ENDS_AFTER = {"end_time": "start_time", "departure_time": "arrival_time"}
# Form time inputs and the session's moments they set.
TIME_FIELDS = {
    "start_time": "starts_at",
    "end_time": "ends_at",
    "arrival_time": "arrived_at",
    "departure_time": "departed_at",
}
# Correctable facts the form holds as they are on the session.
CORRECTED_AS_IS = (
    "kind",
    "service_date",
    "psychotherapy_minutes",
    "em_code",
    "attended_minutes",
    "modality",
    "patient_location",
    "audio_only_reason",
    "patient_state",
    "facility",
    "rendering_provider",
    "supervising_provider",
    "interactive_complexity",
    "with_medical_services",
)


def _clock(moment: datetime.datetime | None) -> datetime.time | None:
    """A saved moment as the form shows it: local time of day, to the minute."""
    if moment is None:
        return None
    return timezone.localtime(moment).time().replace(second=0, microsecond=0)


def correction_initial(session: Session) -> dict[str, Any]:
    initial = {name: getattr(session, name) for name in CORRECTED_AS_IS}
    initial.update({name: _clock(getattr(session, attr)) for name, attr in TIME_FIELDS.items()})
    initial["revision"] = session.revision
    return initial


class SessionCorrectionForm(SessionFactsForm):
    """The saved session's facts, pre-filled (times in the current time zone), and why they are
    corrected. Only what the user changed goes to the service, so a value the form can't show
    exactly (seconds of an API-recorded time) is never rewritten by accident."""

    reason = forms.CharField(
        max_length=500,
        label="Why is it corrected?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the session's history with your name.",
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        kwargs["initial"] = correction_initial(session)
        super().__init__(*args, **kwargs)
        people = (session.rendering_provider, session.supervising_provider)
        for name in ("rendering_provider", "supervising_provider"):
            self.fields[name].queryset = _active_or(Provider.objects.all(), *people)
        self.fields["facility"].queryset = _active_or(Facility.objects.all(), session.facility)

    def changes(self) -> dict[str, Any]:
        """The corrected facts: fields the user changed; every time again when the date moved
        (the times are on the service date)."""
        changed, data = set(self.changed_data), self.cleaned_data  # parsed fields only
        found = {name: data[name] for name in CORRECTED_AS_IS if name in changed and name in data}
        moved = "service_date" in changed
        for name, attr in TIME_FIELDS.items():
            if (name in changed or moved) and {name, "service_date"} <= set(data):
                found[attr] = self._moment(name)
        return found


SESSION_ERROR_ALIASES = {
    "starts_at": "start_time",
    "ends_at": "end_time",
    "arrived_at": "arrival_time",
    "departed_at": "departure_time",
}

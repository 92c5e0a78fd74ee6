"""Patients, coverage, episodes, levels of care, treatment plans and sessions. Raw facts only:
codes are derived when billing."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from coding.types import (
    PROGRAM_SERVICE_CHOICES,
    Level,
    Modality,
    ProgramKind,
    ServiceKind,
    elapsed_minutes,
)
from facilities.models import Facility
from payers.models import Payer
from rcm.fields import BlindIndexField, EncryptedDateField, EncryptedTextField, digits_only
from rcm.tenancy.models import TenantModel


def upper_letters(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalpha())


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


# --- Patients and coverage --------------------------------------------------------------------


class Patient(TenantModel):
    part2_path = "episodes__part2_applies"

    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        UNKNOWN = "U", "Unknown"

    mrn = models.CharField("Medical record number", max_length=30)
    first_name = EncryptedTextField()
    last_name = EncryptedTextField()
    last_name_bidx = BlindIndexField(source="last_name", normalizer=upper_letters)
    date_of_birth = EncryptedDateField()
    date_of_birth_bidx = BlindIndexField(source="date_of_birth", normalizer=str)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ssn = EncryptedTextField(blank=True)
    ssn_bidx = BlindIndexField(source="ssn", normalizer=digits_only)
    address_line1 = EncryptedTextField(blank=True)
    # City and ZIP are identifiers under HIPAA Safe Harbor (state is not): encrypted.
    city = EncryptedTextField(blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    # The date the patient signed the release of information / authorization to bill: with it
    # a claim says the signature is on file (837 CLM09 "Y"; "I" when a Part 2 consent governs).
    signature_on_file_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "mrn"], name="uniq_patient_mrn")]

    def __str__(self) -> str:
        return f"{self.mrn}"

    @property
    def display_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


class Coverage(TenantModel):
    part2_path = "patient__episodes__part2_applies"

    class Priority(models.IntegerChoices):
        PRIMARY = 1, "Primary"
        SECONDARY = 2, "Secondary"
        TERTIARY = 3, "Tertiary"

    class Relationship(models.TextChoices):
        SELF = "18", "Self"
        SPOUSE = "01", "Spouse"
        CHILD = "19", "Child"
        OTHER = "G8", "Other"

    class MspType(models.TextChoices):
        """837 SBR05 insurance type code, sent when Medicare is a secondary payer: why another
        payer is primary. Source: the 5010 837 loop 2000B SBR05 code list as CMS's MACs
        publish it for MSP claims (e.g. medicarepaymentandreimbursement.com, "EMC loop 2000B
        SBR01, SBR02 and SBR05"; First Coast "Billing the correct MSP insurance type code")."""

        WORKING_AGED = "12", "12 Working aged (employer group health plan)"
        ESRD = "13", "13 End-stage renal disease (employer group health plan)"
        NO_FAULT = "14", "14 No-fault insurance, including auto"
        WORKERS_COMP = "15", "15 Workers' compensation"
        FEDERAL_AGENCY = "16", "16 Public Health Service or other federal agency"
        BLACK_LUNG = "41", "41 Black lung"
        VETERANS = "42", "42 Veterans Affairs"
        DISABILITY = "43", "43 Disabled under 65, large group health plan"
        OTHER_LIABILITY = "47", "47 Other liability insurance"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    plan_name = models.CharField(max_length=120, blank=True)
    member_id = EncryptedTextField()
    member_id_bidx = BlindIndexField(source="member_id")
    group_number = models.CharField(max_length=40, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.PRIMARY)
    relationship = models.CharField(
        max_length=2, choices=Relationship.choices, default=Relationship.SELF
    )
    subscriber_first_name = EncryptedTextField(blank=True)
    subscriber_last_name = EncryptedTextField(blank=True)
    subscriber_date_of_birth = EncryptedDateField(blank=True, null=True)
    # The subscriber's address and sex (837 2010BA N3/N4, DMG03) when the patient is not the
    # subscriber; city and ZIP are identifiers under HIPAA Safe Harbor (state is not).
    subscriber_address_line1 = EncryptedTextField(blank=True)
    subscriber_city = EncryptedTextField(blank=True)
    subscriber_state = models.CharField(max_length=2, blank=True)
    subscriber_postal_code = EncryptedTextField(blank=True)
    subscriber_sex = models.CharField(max_length=1, blank=True, choices=Patient.Sex.choices)
    msp_type = models.CharField(
        "Medicare secondary payer type", max_length=2, blank=True, choices=MspType.choices
    )
    # The patient assigned benefits to the provider (837 CLM08 "Y"; "N" = paid to the patient).
    assignment_of_benefits = models.BooleanField(default=True)
    effective_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    benefits_summary = models.JSONField(default=dict, blank=True)
    benefits_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("effective_date")),
                name="coverage_end_after_start",
            ),
            ExclusionConstraint(
                name="coverage_priority_no_overlap",
                expressions=[
                    ("patient", RangeOperators.EQUAL),
                    ("priority", RangeOperators.EQUAL),
                    (
                        DateRange("effective_date", "end_date", models.Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]
        ordering = ["priority", "-effective_date"]


# --- Episodes, levels of care, plans ---------------------------------------------------------


# The canonical lists live in the pure coding package (payers key their rules on them too).
Program = models.TextChoices("Program", [(p.name, (p.value, p.label)) for p in ProgramKind])
LevelOfCare = models.TextChoices("LevelOfCare", [(lv.name, (lv.value, lv.label)) for lv in Level])


class AdmissionType(models.TextChoices):
    """UB-04 FL14 priority (type) of admission or visit, NUBC codes (6-8 reserved). Sources:
    Horizon BCBSNJ "Update to UB-04 claim submissions: type of admission/visit" (2018) citing
    the NUBC manual; LinuxForHealth FHIR IG value set "UB04 Admit Type"."""

    EMERGENCY = "1", "1 Emergency"
    URGENT = "2", "2 Urgent"
    ELECTIVE = "3", "3 Elective"
    NEWBORN = "4", "4 Newborn"
    TRAUMA = "5", "5 Trauma"
    NOT_AVAILABLE = "9", "9 Information not available"


class AdmissionSource(models.TextChoices):
    """UB-04 FL15 point of origin for admission or visit (non-newborn codes; 3 reserved, 7
    retired July 2010). Sources: Noridian's point-of-origin code list (as quoted by
    formjuicer.com/ub04/field-15 for D, E, F and 5); Arkansas APCD HSP data dictionary
    "admission source"."""

    NON_HEALTH_CARE = "1", "1 Non-health care point of origin (e.g. home)"
    CLINIC = "2", "2 Clinic or physician's office"
    HOSPITAL = "4", "4 Transfer from a hospital (different facility)"
    SNF = "5", "5 Transfer from a SNF, ICF or assisted living facility"
    OTHER_FACILITY = "6", "6 Transfer from another health care facility"
    COURT = "8", "8 Court or law enforcement"
    NOT_AVAILABLE = "9", "9 Information not available"
    SAME_HOSPITAL = "D", "D Transfer from one unit to another of the same hospital"
    ASC = "E", "E Transfer from an ambulatory surgery center"
    HOSPICE = "F", "F Transfer from a hospice facility"


class PatientStatus(models.TextChoices):
    """UB-04 FL17 patient discharge status (837I CL103), as of the claim's through date.
    Sources: Noridian JF Part A "Patient discharge status codes" (article 10529); CMS MLN
    web-based training on the CMS-1450, loop 2300 CL1/FL17; formjuicer.com/ub04/field-17/code-70
    for code 70."""

    HOME = "01", "01 Home or self-care"
    SHORT_TERM_HOSPITAL = "02", "02 Short-term general hospital"
    SNF = "03", "03 Skilled nursing facility (Medicare certified)"
    CUSTODIAL = "04", "04 Intermediate / custodial or supportive care"
    CANCER_CHILDRENS = "05", "05 Designated cancer center or children's hospital"
    HOME_HEALTH = "06", "06 Home under a home health organization"
    AGAINST_ADVICE = "07", "07 Left against medical advice or discontinued care"
    EXPIRED = "20", "20 Expired"
    COURT = "21", "21 Court or law enforcement"
    STILL_A_PATIENT = "30", "30 Still a patient"
    FEDERAL_HOSPITAL = "43", "43 Federal health care facility"
    HOSPICE_HOME = "50", "50 Hospice, home"
    HOSPICE_FACILITY = "51", "51 Hospice, medical facility"
    SWING_BED = "61", "61 Hospital-based Medicare swing bed"
    IRF = "62", "62 Inpatient rehabilitation facility"
    LTCH = "63", "63 Long-term care hospital"
    MEDICAID_NURSING = "64", "64 Nursing facility certified under Medicaid only"
    PSYCHIATRIC_HOSPITAL = "65", "65 Psychiatric hospital or psychiatric unit"
    CAH = "66", "66 Critical access hospital"
    OTHER_INSTITUTION = "70", "70 Another health care institution not listed"


class EpisodeOfCare(TenantModel):
    part2_path = "patient__episodes__part2_applies"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DISCHARGED = "discharged", "Discharged"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    program = models.CharField(max_length=3, choices=Program.choices)
    part2_applies = models.BooleanField(
        default=False, help_text="42 CFR Part 2: SUD records of a federally assisted program"
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="episodes"
    )
    admit_date = models.DateField()
    discharge_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    # What an institutional claim (837I / UB-04) says about the stay: admission hour (FL13),
    # type (FL14) and point of origin (FL15), discharge hour (FL16) and status (FL17).
    admission_hour = models.PositiveSmallIntegerField(null=True, blank=True)
    admission_type = models.CharField(max_length=1, blank=True, choices=AdmissionType.choices)
    admission_source = models.CharField(
        "Point of origin", max_length=1, blank=True, choices=AdmissionSource.choices
    )
    discharge_hour = models.PositiveSmallIntegerField(null=True, blank=True)
    patient_status = models.CharField(
        "Discharge status", max_length=2, blank=True, choices=PatientStatus.choices
    )
    # The attending clinician (837I loop 2310A, required on institutional claims) and the
    # referring provider (2310F / 837P 2310A) when one referred the patient.
    attending_provider = models.ForeignKey(
        "credentialing.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attending_episodes",
    )
    referring_provider_name = models.CharField(max_length=60, blank=True)
    referring_provider_npi = models.CharField(max_length=10, blank=True)
    # Occurrence codes with their dates (FL31-34, 837I HI*BH): [{"code": "11", "date":
    # "2026-10-01"}]; value codes with their amounts (FL39-41, HI*BE): [{"code": "80",
    # "amount": "12"}]. Checked by patients.services.claim_facts.
    occurrence_codes = models.JSONField(default=list, blank=True)
    value_codes = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(discharge_date__isnull=True) | Q(discharge_date__gte=F("admit_date")),
                name="episode_discharge_after_admit",
            ),
            models.CheckConstraint(
                condition=(Q(admission_hour__isnull=True) | Q(admission_hour__lte=23))
                & (Q(discharge_hour__isnull=True) | Q(discharge_hour__lte=23)),
                name="episode_hours_in_a_day",
            ),
            models.CheckConstraint(
                condition=Q(discharge_hour__isnull=True) | Q(discharge_date__isnull=False),
                name="episode_discharge_hour_needs_date",
            ),
            # 30 = still a patient: never on a discharged episode.
            models.CheckConstraint(
                condition=~Q(patient_status="30") | Q(discharge_date__isnull=True),
                name="episode_still_a_patient_not_discharged",
            ),
        ]
        ordering = ["-admit_date"]
        permissions = [("view_part2_records", "May view the episode's Part 2 SUD records")]


class EpisodeUserObjectPermission(UserObjectPermissionBase, TenantModel):
    """django-guardian direct-FK object permission that carries the org (restricted records)."""

    content_object = models.ForeignKey(EpisodeOfCare, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        unique_together = ["org", "user", "permission", "content_object"]


class EpisodeGroupObjectPermission(GroupObjectPermissionBase, TenantModel):
    content_object = models.ForeignKey(EpisodeOfCare, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        unique_together = ["org", "group", "permission", "content_object"]


class EpisodeDiagnosis(TenantModel):
    """Ranked ICD-10-CM diagnoses of an episode (rank 1 = primary)."""

    part2_path = "episode__patient__episodes__part2_applies"

    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.CASCADE, related_name="diagnoses")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    code = models.CharField(max_length=8)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "episode", "rank"], name="uniq_dx_rank"),
            models.UniqueConstraint(fields=["org", "episode", "code"], name="uniq_dx_code"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="dx_rank_positive"),
        ]
        ordering = ["rank"]


class LevelOfCareSegment(TenantModel):
    part2_path = "episode__patient__episodes__part2_applies"

    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.CASCADE, related_name="segments")
    level = models.CharField(max_length=24, choices=LevelOfCare.choices)
    asam_edition = models.CharField(
        max_length=1, choices=[("3", "ASAM 3rd ed."), ("4", "ASAM 4th ed.")], default="3"
    )
    asam_level = models.CharField(max_length=8, blank=True, help_text="e.g. 2.1, 3.5, 3.2-WM")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="loc_end_after_start",
            ),
            ExclusionConstraint(
                name="loc_segments_no_overlap",
                expressions=[
                    ("episode", RangeOperators.EQUAL),
                    (
                        DateRange("start_date", "end_date", models.Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]
        ordering = ["start_date"]


class LeaveOfAbsence(TenantModel):
    """Days a patient of a census program (residential, withdrawal management) is away but
    keeps the bed: billed or reported as non-covered by the payer's rule (REFERENCE.md §14)."""

    part2_path = "episode__patient__episodes__part2_applies"

    class Kind(models.TextChoices):
        LEAVE = "leave", "Leave of absence"
        BED_HOLD = "bed_hold", "Bed hold"

    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.CASCADE, related_name="leaves")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LEAVE)
    start_date = models.DateField()
    end_date = models.DateField(help_text="The last night away (the return day is in census)")
    reason = EncryptedTextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="leave_ends_after_start"
            ),
            ExclusionConstraint(
                name="leaves_no_overlap",
                expressions=[
                    ("episode", RangeOperators.EQUAL),
                    (
                        DateRange("start_date", "end_date", models.Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]
        ordering = ["start_date"]

    def days(self) -> list[datetime.date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + datetime.timedelta(days=n) for n in range(count)]


class TreatmentPlan(TenantModel):
    part2_path = "episode__patient__episodes__part2_applies"

    episode = models.ForeignKey(EpisodeOfCare, on_delete=models.CASCADE, related_name="plans")
    level = models.CharField(max_length=24, choices=LevelOfCare.choices, blank=True)
    effective_date = models.DateField()
    review_due_date = models.DateField()
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        "credentialing.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(review_due_date__gte=F("effective_date")),
                name="plan_review_after_effective",
            ),
        ]
        ordering = ["-effective_date"]


class TreatmentGoal(TenantModel):
    part2_path = "plan__episode__patient__episodes__part2_applies"

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="goals")
    description = EncryptedTextField()
    diagnosis_codes = ArrayField(models.CharField(max_length=8), default=list)


# --- Sessions (service events) -----------------------------------------------------------------

SERVICE_KIND_CHOICES = [(k.value, k.value.replace("_", " ").capitalize()) for k in ServiceKind]
MODALITY_CHOICES = [(m.value, m.value.replace("_", " ").capitalize()) for m in Modality]


class GroupSession(TenantModel):
    """A group's own start/stop and facilitator; each attendee is a Session row."""

    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    facilitator = models.ForeignKey(
        "credentialing.Provider", on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(max_length=120, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="group_ends_after_start"
            )
        ]


class Session(TenantModel):
    part2_path = "patient__episodes__part2_applies"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        NO_SHOW = "no_show", "No-show"
        CANCELLED = "cancelled", "Cancelled"

    class PatientLocation(models.TextChoices):
        FACILITY = "facility", "At the clinic"
        HOME = "home", "At home"
        OTHER = "other", "Other site (not home)"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="sessions")
    episode = models.ForeignKey(
        EpisodeOfCare, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    kind = models.CharField(max_length=24, choices=SERVICE_KIND_CHOICES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPLETED)
    service_date = models.DateField()
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    # Face-to-face psychotherapy minutes for E/M + psychotherapy (E/M time excluded).
    psychotherapy_minutes = models.PositiveIntegerField(null=True, blank=True)
    group = models.ForeignKey(
        GroupSession, on_delete=models.PROTECT, null=True, blank=True, related_name="attendees"
    )
    arrived_at = models.DateTimeField(null=True, blank=True)
    departed_at = models.DateTimeField(null=True, blank=True)
    attended_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Program days: minutes attended"
    )
    modality = models.CharField(max_length=12, choices=MODALITY_CHOICES, default="in_person")
    patient_location = models.CharField(
        max_length=10, choices=PatientLocation.choices, default=PatientLocation.FACILITY
    )
    audio_only_reason = models.CharField(max_length=200, blank=True)
    # Where the patient was at the time of service (telehealth: the rendering licence must be
    # valid in this state, REFERENCE.md §14). Defaults to the patient's address state.
    patient_state = models.CharField(max_length=2, blank=True)
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rendering_provider = models.ForeignKey(
        "credentialing.Provider", on_delete=models.PROTECT, related_name="rendered_sessions"
    )
    supervising_provider = models.ForeignKey(
        "credentialing.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_sessions",
    )
    interactive_complexity = models.BooleanField(default=False)
    em_code = models.CharField(max_length=5, blank=True)
    with_medical_services = models.BooleanField(default=False)
    note_signed_at = models.DateTimeField(null=True, blank=True)
    # Set by the claims app when a claim carries the session (session_lock_for_claim): from then
    # on a correction needs a replacement claim (frequency code 7).
    claim_locked_at = models.DateTimeField(null=True, blank=True)
    claim_reference = models.CharField(max_length=50, blank=True)
    # Bumped by each correction; a form carries it so two people can't overwrite each other,
    # and the units ledger keys a session's debits on it.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(claim_locked_at__isnull=True, claim_reference="")
                | (Q(claim_locked_at__isnull=False) & ~Q(claim_reference="")),
                name="session_claim_lock_names_the_claim",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gte=F("starts_at")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(departed_at__isnull=True)
                | Q(arrived_at__isnull=True)
                | Q(departed_at__gte=F("arrived_at")),
                name="session_departs_after_arrival",
            ),
        ]
        indexes = [models.Index(fields=["org", "service_date"])]
        ordering = ["-service_date", "-starts_at"]

    @property
    def minutes(self) -> int | None:
        start, end = (
            (self.arrived_at, self.departed_at) if self.group_id else (self.starts_at, self.ends_at)
        )
        if start and end:
            return elapsed_minutes(start, end)
        return None


class ProgramDayService(TenantModel):
    """One service inside a program day (a PHP/IOP day recorded as a Session of kind
    program_day): its kind and minutes, and who rendered it. Payers that bill the day service by
    service (Medicare PHP/IOP, REFERENCE.md §14) bill a line for each; per-diem payers ignore
    them."""

    part2_path = "session__patient__episodes__part2_applies"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="program_services")
    kind = models.CharField(max_length=32, choices=PROGRAM_SERVICE_CHOICES)
    minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    rendering_provider = models.ForeignKey(
        "credentialing.Provider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="program_day_services",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the day")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=1440),
                name="program_service_minutes_in_a_day",
            ),
        ]
        ordering = ["position", "id"]


class SessionCorrection(TenantModel):
    """One row per correction of a recorded session: who, when, why, and each field's value
    before and after (`changes`: {field: {"from": ..., "to": ...}}, JSON values: ids for
    related rows, ISO strings for dates and times). Append-only for the app role."""

    part2_path = "session__patient__episodes__part2_applies"
    append_only = True

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="corrections")
    revision = models.PositiveIntegerField(help_text="The session's revision after this change")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = EncryptedTextField()  # free text: may name clinical detail
    changes = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["org", "session", "revision"], name="uniq_session_correction_revision"
            )
        ]
        ordering = ["-created_at", "-id"]

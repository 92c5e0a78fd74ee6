"""Inputs and outputs of the coding engine: plain dataclasses and string enums, no Django.

Raw facts go in (`ServiceFacts`), payer behaviour goes in as data (`PayerRules`), and a
`CodingResult` comes out. Every default describes a CPT/Medicare-like payer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class LicenseType(StrEnum):
    PSYCHIATRIST = "psychiatrist"
    PSYCHOLOGIST = "psychologist"
    LCSW = "lcsw"
    LPC = "lpc"
    LMFT = "lmft"
    ADDICTION_COUNSELOR = "addiction_counselor"
    PMHNP = "pmhnp"
    PA = "pa"
    CNS = "cns"
    ASSOCIATE = "associate"
    PEER_SPECIALIST = "peer_specialist"


LICENSE_LABELS: dict[LicenseType, str] = {
    LicenseType.PSYCHIATRIST: "psychiatrist (MD/DO)",
    LicenseType.PSYCHOLOGIST: "psychologist",
    LicenseType.LCSW: "LCSW",
    LicenseType.LPC: "LPC/LMHC",
    LicenseType.LMFT: "LMFT",
    LicenseType.ADDICTION_COUNSELOR: "addiction counselor (LADC/CADC)",
    LicenseType.PMHNP: "PMHNP/NP",
    LicenseType.PA: "PA",
    LicenseType.CNS: "CNS",
    LicenseType.ASSOCIATE: "associate (pre-licensed)",
    LicenseType.PEER_SPECIALIST: "peer specialist",
}


def license_label(license_type: LicenseType) -> str:
    return LICENSE_LABELS[license_type]


# Choices for model fields and forms (value, label): short types upper-cased, others capitalized.
LICENSE_CHOICES: list[tuple[str, str]] = [
    (
        lt.value,
        lt.value.replace("_", " ").upper()
        if len(lt.value) <= 5
        else lt.value.replace("_", " ").capitalize(),
    )
    for lt in LicenseType
]


LICENSE_VALUES: list[str] = [lt.value for lt in LicenseType]


class ProgramKind(StrEnum):
    """The program a service belongs to: mental health or substance use disorder."""

    MH = "mh"
    SUD = "sud"

    @property
    def label(self) -> str:
        return {"mh": "Mental health", "sud": "Substance use disorder"}[self.value]


class Level(StrEnum):
    """Levels of care, lowest intensity first."""

    OUTPATIENT = "outpatient"
    IOP = "iop"
    PHP = "php"
    RESIDENTIAL = "residential"
    WITHDRAWAL_MANAGEMENT = "withdrawal_management"
    INPATIENT = "inpatient"
    OTP = "otp"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS: dict[str, str] = {
    "outpatient": "Outpatient",
    "iop": "Intensive outpatient (IOP)",
    "php": "Partial hospitalization (PHP)",
    "residential": "Residential",
    "withdrawal_management": "Withdrawal management (detox)",
    "inpatient": "Inpatient",
    "otp": "Opioid treatment program",
}
LEVEL_CHOICES: list[tuple[str, str]] = [(lv.value, LEVEL_LABELS[lv.value]) for lv in Level]


def elapsed_seconds(start: datetime, end: datetime) -> float:
    """Real time between two aware moments. Python subtracts two datetimes that share a tzinfo
    on the wall clock, which is wrong across a daylight-saving change (01:30 -> 03:30 on a
    spring-forward day is one hour), so both are taken to UTC first."""
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()


def elapsed_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes of real time from `start` to `end` (rounded down)."""
    return int(elapsed_seconds(start, end) // 60)


def minutes_within(
    start: datetime, end: datetime, window_start: datetime, window_end: datetime
) -> int:
    """Minutes of [start, end] that fall inside [window_start, window_end] (0 when they do not
    overlap). A group attendee's time counts only while the group met (REFERENCE.md §14)."""
    begin = max(start.astimezone(UTC), window_start.astimezone(UTC))
    finish = min(end.astimezone(UTC), window_end.astimezone(UTC))
    return max(0, elapsed_minutes(begin, finish))


class ServiceKind(StrEnum):
    EVALUATION = "evaluation"
    INDIVIDUAL = "individual"
    FAMILY_WITH_PATIENT = "family_with_patient"
    FAMILY_WITHOUT_PATIENT = "family_without_patient"
    GROUP = "group"
    CRISIS = "crisis"
    EM_WITH_PSYCHOTHERAPY = "em_with_psychotherapy"
    PROGRAM_DAY = "program_day"
    # Community services that Medicaid programs pay with HCPCS codes (REFERENCE.md §14): they
    # have no CPT code, so a payer must name the code (H0038, T1017/H0006, H2014/H2017,
    # H0036/H2019) in its code map.
    PEER_SUPPORT = "peer_support"
    CASE_MANAGEMENT = "case_management"
    SKILLS_TRAINING = "skills_training"
    COMMUNITY_SUPPORT = "community_support"


# Kinds billed only with a payer-named HCPCS code.
COMMUNITY_KINDS: frozenset[ServiceKind] = frozenset(
    {
        ServiceKind.PEER_SUPPORT,
        ServiceKind.CASE_MANAGEMENT,
        ServiceKind.SKILLS_TRAINING,
        ServiceKind.COMMUNITY_SUPPORT,
    }
)


class Modality(StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"
    AUDIO_ONLY = "audio_only"


class RoundingKind(StrEnum):
    CMS_8_MINUTE = "cms_8_minute"
    CPT_MIDPOINT = "cpt_midpoint"
    STATE_TABLE = "state_table"


class ShortDayOutcome(StrEnum):
    DENY = "deny"
    DOWNCODE = "downcode"
    PAY = "pay"
    INFORMATIONAL = "informational"


class GroupBillingMode(StrEnum):
    PER_SESSION = "per_session"
    PER_15_MIN = "per_15min"


class BilledProvider(StrEnum):
    RENDERING = "rendering"
    SUPERVISING = "supervising"
    # A per-diem program day is billed by the program itself (its Type-2 NPI and facility
    # taxonomy), whoever led that day's groups (REFERENCE.md §14).
    FACILITY = "facility"


class DayBasis(StrEnum):
    """What makes a program day billable: attended hours (PHP, IOP) or the midnight census
    (residential, withdrawal management: REFERENCE.md §14)."""

    ATTENDANCE = "attendance"
    CENSUS = "census"


class LeaveDays(StrEnum):
    """A payer's treatment of leave-of-absence / bed-hold days in a census program."""

    BILL = "bill"
    NON_COVERED = "non_covered"  # reported, not billed (occurrence span 74 on the 837I)


# Levels billed per census day, not from attended minutes.
CENSUS_LEVELS: frozenset[str] = frozenset({"residential", "withdrawal_management", "inpatient"})


@dataclass(frozen=True)
class CensusDay:
    """One calendar day of a census program: does it count, and why (a leave day counts as
    `leave`, billed or reported by the payer's rule)."""

    counts: bool
    reason: str
    leave: bool = False


def check_minutes(minutes: int, what: str = "minutes") -> int:
    """Return `minutes` unchanged, or raise ValueError when it is negative."""
    if minutes < 0:
        raise ValueError(f"{what} cannot be negative (got {minutes})")
    return minutes


def _coerce(instance: Any, name: str, enum: type[StrEnum]) -> None:
    """Turn a plain string field into its enum member (frozen-safe), with a clear error."""
    value = getattr(instance, name)
    if value is None or isinstance(value, enum):
        return
    try:
        object.__setattr__(instance, name, enum(value))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValueError(f"unknown {name} {value!r}; expected one of: {allowed}") from None


# --- Payer data -------------------------------------------------------------------------


@dataclass(frozen=True)
class MinuteBand:
    """State-table row: from `from_minutes` on, the service is worth `units`."""

    from_minutes: int
    units: int


@dataclass(frozen=True)
class RoundingRule:
    """How minutes become units.

    CMS_8_MINUTE and CPT_MIDPOINT need no parameters. STATE_TABLE takes either
    `count_unit_at` (minutes into a unit before that unit counts: 15 = whole units only,
    1 = any started unit) or explicit `bands`.
    """

    kind: RoundingKind = RoundingKind.CPT_MIDPOINT
    unit_minutes: int = 15
    count_unit_at: int | None = None
    bands: tuple[MinuteBand, ...] = ()
    max_units: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        _coerce(self, "kind", RoundingKind)
        if self.unit_minutes <= 0:
            raise ValueError("unit_minutes must be positive")
        if self.kind is RoundingKind.CMS_8_MINUTE and self.unit_minutes != 15:
            raise ValueError("the CMS 8-minute rule only applies to 15-minute units")
        if (
            self.bands or self.count_unit_at is not None
        ) and self.kind is not RoundingKind.STATE_TABLE:
            raise ValueError("bands/count_unit_at only apply to the state_table rounding kind")
        if self.count_unit_at is not None and not 1 <= self.count_unit_at <= self.unit_minutes:
            raise ValueError("count_unit_at must be between 1 and unit_minutes")


@dataclass(frozen=True)
class TelehealthProfile:
    """A payer's telehealth rules. `use_facility_pos` means "bill the in-person POS"."""

    home_pos: str = "10"
    other_site_pos: str = "02"
    use_facility_pos: bool = False
    video_modifier: str | None = "95"
    audio_only_modifier: str | None = "93"
    audio_only_allowed: bool = True
    audio_only_requires_home: bool = True
    label: str = "CMS (POS 02/10, 95 video, 93 audio-only at home)"
    # Licensure exceptions as data (REFERENCE.md §14): a payer that accepts a clinician's
    # valid license of any state, and patient states where it accepts an out-of-state license
    # (e.g. a state's out-of-state telehealth registration). Default: the patient's state only.
    any_state_license: bool = False
    license_exception_states: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupBilling:
    """Per-session (90853, one unit) or per-15-minute (e.g. H0005 + HQ) group billing."""

    mode: GroupBillingMode = GroupBillingMode.PER_SESSION
    code: str = "90853"
    modifiers: tuple[str, ...] = ()
    unit_rule: RoundingRule | None = None  # None: the payer's general rounding rule

    def __post_init__(self) -> None:
        _coerce(self, "mode", GroupBillingMode)


class ProgramServiceKind(StrEnum):
    """A service inside a PHP/IOP program day, billed on its own line where the payer bills the
    day service by service (Medicare: REFERENCE.md §14; the HCPCS list of a PHP day, e.g. CMS
    Pub 100-04 ch. 4 §260.1)."""

    GROUP_PSYCHOTHERAPY = "group_psychotherapy"
    INTERACTIVE_GROUP = "interactive_group"
    INDIVIDUAL_PSYCHOTHERAPY = "individual_psychotherapy"
    FAMILY_WITH_PATIENT = "family_with_patient"
    FAMILY_WITHOUT_PATIENT = "family_without_patient"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    ACTIVITY_THERAPY = "activity_therapy"
    PATIENT_EDUCATION = "patient_education"
    DIAGNOSTIC_EVALUATION = "diagnostic_evaluation"

    @property
    def label(self) -> str:
        return PROGRAM_SERVICE_LABELS[self.value]


PROGRAM_SERVICE_LABELS: dict[str, str] = {
    "group_psychotherapy": "Group psychotherapy",
    "interactive_group": "Interactive group psychotherapy",
    "individual_psychotherapy": "Individual psychotherapy",
    "family_with_patient": "Family psychotherapy (patient present)",
    "family_without_patient": "Family psychotherapy (patient absent)",
    "occupational_therapy": "Occupational therapy",
    "activity_therapy": "Activity therapy",
    "patient_education": "Patient education / training",
    "diagnostic_evaluation": "Diagnostic evaluation",
}
PROGRAM_SERVICE_CHOICES: list[tuple[str, str]] = [
    (kind.value, PROGRAM_SERVICE_LABELS[kind.value]) for kind in ProgramServiceKind
]


def program_service_label(kind: str) -> str:
    return PROGRAM_SERVICE_LABELS.get(kind, kind.replace("_", " "))


@dataclass(frozen=True)
class ProgramServiceCode:
    """How a payer bills one kind of service inside a per-service program day: `hcpcs` None =
    the CPT code the engine picks from the minutes (90832/90834/90837, 90846/90847, 90791);
    `unit_minutes` = whole units of that many minutes (G0410: 45 → 44 min 0, 90 min 2), None =
    one unit per service; below `min_minutes` the service does not qualify."""

    hcpcs: str | None = None
    revenue_code: str | None = None
    unit_minutes: int | None = None
    min_minutes: int = 0
    modifiers: tuple[str, ...] = ()
    label: str = ""

    def __post_init__(self) -> None:
        if self.unit_minutes is not None and self.unit_minutes <= 0:
            raise ValueError("unit_minutes must be positive")
        check_minutes(self.min_minutes, "min_minutes")


@dataclass(frozen=True)
class PaymentClassRule:
    """A day payment class from `from_services` qualifying services on (Medicare: per-diem APCs
    for 3 and for 4 or more services a day, REFERENCE.md §2/§14); `apc` is payer data."""

    from_services: int
    label: str
    apc: str | None = None


@dataclass(frozen=True)
class PerServiceDay:
    """A program day billed one line per qualifying service (`services`: kind -> code), paid by
    the class its count of qualifying service units reaches."""

    services: Mapping[str, ProgramServiceCode]
    payment_classes: tuple[PaymentClassRule, ...] = ()

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.payment_classes, key=lambda c: c.from_services))
        object.__setattr__(self, "payment_classes", ordered)


@dataclass(frozen=True)
class LevelOfCareCode:
    """What a program day is billed as. `unit_rule` None = per diem (one unit a day);
    `per_service` set = one line per service of the day instead (Medicare PHP/IOP), `hcpcs`
    then empty. `condition_codes` go on the institutional claim (41 PHP, 92 IOP)."""

    hcpcs: str
    revenue_code: str | None = None
    unit_rule: RoundingRule | None = None
    modifiers: tuple[str, ...] = ()
    label: str = ""
    # A code's own attendance rule (H0015: "at least 3 days a week", REFERENCE.md §14).
    min_days_per_week: int = 0
    condition_codes: tuple[str, ...] = ()
    per_service: PerServiceDay | None = None

    @property
    def name(self) -> str:
        return self.hcpcs or self.label or "the program's service lines"


@dataclass(frozen=True)
class ServiceCode:
    """A payer's code for one service kind (in one program, at one level): `hcpcs` replaces
    the CPT code the engine would pick (None keeps it and only adds `modifiers`, e.g. HR/HS on
    family psychotherapy); `unit_rule` None = one unit per service, else units from minutes
    (H0004 and H2011 per 15 minutes, S9484 per hour)."""

    hcpcs: str | None = None
    modifiers: tuple[str, ...] = ()
    unit_rule: RoundingRule | None = None
    label: str = ""


@dataclass(frozen=True)
class ProgramDayRules:
    min_hours_per_day: float = 3.0
    min_hours_per_week: float = 9.0
    short_day_outcome: ShortDayOutcome = ShortDayOutcome.INFORMATIONAL
    downcode_to: LevelOfCareCode | None = None
    # H0015 "at least 3 hours a day and at least 3 days a week" (REFERENCE.md §14): 0 = none.
    min_days_per_week: int = 0
    basis: DayBasis = DayBasis.ATTENDANCE
    leave_days: LeaveDays = LeaveDays.NON_COVERED

    def __post_init__(self) -> None:
        _coerce(self, "short_day_outcome", ShortDayOutcome)
        _coerce(self, "basis", DayBasis)
        _coerce(self, "leave_days", LeaveDays)


@dataclass(frozen=True)
class CrisisSiteCodes:
    """Crisis codes a payer wants when crisis psychotherapy is furnished in person at a
    non-office, non-facility site (Medicare since 2024: G0017 first 60 minutes, G0018 each
    further 30; cms.gov "Psychotherapy for Crisis"). `places_of_service` lists the sites."""

    first: str = "G0017"
    each_additional: str = "G0018"
    places_of_service: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "places_of_service", frozenset(self.places_of_service))


DEFAULT_ACCEPTED_LICENSES: frozenset[LicenseType] = frozenset(
    {
        LicenseType.PSYCHIATRIST,
        LicenseType.PSYCHOLOGIST,
        LicenseType.LCSW,
        LicenseType.LPC,
        LicenseType.LMFT,
        LicenseType.PMHNP,
        LicenseType.PA,
        LicenseType.CNS,
    }
)


@dataclass(frozen=True, kw_only=True)
class PayerRules:
    """Everything payer- or state-specific. The defaults are CPT/Medicare-like."""

    name: str = "default (CPT/Medicare-like)"
    rounding: RoundingRule = field(default_factory=RoundingRule)
    telehealth: TelehealthProfile = field(default_factory=TelehealthProfile)
    accepted_licenses: frozenset[LicenseType] = DEFAULT_ACCEPTED_LICENSES
    pays_under_supervisor: bool = False
    supervision_modifiers: tuple[str, ...] = ()
    license_modifiers: Mapping[LicenseType, str] = field(default_factory=dict)
    family_min_minutes: int = 26
    group: GroupBilling = field(default_factory=GroupBilling)
    evaluation_code_overrides: Mapping[str, str] = field(default_factory=dict)
    program_day: ProgramDayRules = field(default_factory=ProgramDayRules)
    level_of_care: LevelOfCareCode | None = None
    crisis_site: CrisisSiteCodes | None = None
    # Credential (licence-level) modifiers on per-diem program lines only where a payer asks.
    credential_modifiers_on_per_diem: bool = False
    # The payer's codes by service kind, already chosen for the service's program and level
    # (payers.rules resolves program x level x kind); kinds not listed use CPT.
    service_codes: Mapping[ServiceKind, ServiceCode] = field(default_factory=dict)
    # Who a pre-licensed or auxiliary clinician's service may be billed under (incident-to);
    # empty = any licence the payer accepts. Medicare: physician, CP, CNS, NP, PA (not CSW,
    # MFT, MHC); REFERENCE.md §14 "Incident-to for behavioral health".
    supervisor_licenses: frozenset[LicenseType] = frozenset()
    # Places of service where billing under a supervisor is allowed; empty = anywhere.
    supervision_places: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "accepted_licenses", frozenset(LicenseType(x) for x in self.accepted_licenses)
        )
        object.__setattr__(
            self,
            "supervisor_licenses",
            frozenset(LicenseType(x) for x in self.supervisor_licenses),
        )
        object.__setattr__(self, "supervision_places", frozenset(self.supervision_places))
        object.__setattr__(
            self, "service_codes", {ServiceKind(k): v for k, v in self.service_codes.items()}
        )
        object.__setattr__(
            self,
            "license_modifiers",
            {LicenseType(k): v for k, v in self.license_modifiers.items()},
        )


# --- Service facts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    """One group attendee's attended minutes (from their arrival and departure)."""

    patient_ref: str | None
    minutes: int
    interactive_complexity: bool = False

    def __post_init__(self) -> None:
        check_minutes(self.minutes, f"attended minutes of {self.patient_ref or 'attendee'}")

    @classmethod
    def from_times(
        cls,
        patient_ref: str | None,
        arrival: datetime,
        departure: datetime,
        interactive_complexity: bool = False,
    ) -> Attendance:
        if elapsed_seconds(arrival, departure) < 0:
            raise ValueError(f"departure {departure} is before arrival {arrival}")
        return cls(patient_ref, elapsed_minutes(arrival, departure), interactive_complexity)


@dataclass(frozen=True)
class ProgramService:
    """One service recorded inside a program day: its kind, minutes and an optional reference
    (the stored row's id) carried onto its billed line."""

    kind: str
    minutes: int
    ref: str | None = None

    def __post_init__(self) -> None:
        check_minutes(self.minutes, f"minutes of {program_service_label(self.kind).lower()}")


@dataclass(frozen=True, kw_only=True)
class ServiceFacts:
    """Raw facts about one service. Enum fields also accept their string values."""

    kind: ServiceKind
    rendering_license: LicenseType
    minutes: int | None = None
    attendees: tuple[Attendance, ...] = ()
    modality: Modality = Modality.IN_PERSON
    patient_at_home: bool = False
    facility_pos: str | None = None
    supervising_license: LicenseType | None = None
    interactive_complexity: bool = False
    em_code: str | None = None
    with_medical_services: bool = False
    week_minutes: tuple[int, ...] = ()
    # Crisis minutes of the same patient on the same date are added up (90839 once a day):
    # `crisis_minutes_before` = minutes of that day's earlier crisis services, which this
    # service's lines are coded on top of (REFERENCE.md §14 "Crisis").
    crisis_minutes_before: int = 0
    # Census programs (residential, withdrawal management): the day's census facts.
    census: CensusDay | None = None
    # The services inside a program day, for payers that bill the day service by service.
    program_services: tuple[ProgramService, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "program_services", tuple(self.program_services))
        check_minutes(self.crisis_minutes_before, "earlier crisis minutes that day")
        for name, enum in _FACT_ENUMS:
            _coerce(self, name, enum)
        if self.minutes is not None:
            check_minutes(self.minutes)
        for day, minutes in enumerate(self.week_minutes, start=1):
            check_minutes(minutes, f"program-day minutes for day {day}")


_FACT_ENUMS: tuple[tuple[str, type[StrEnum]], ...] = (
    ("kind", ServiceKind),
    ("rendering_license", LicenseType),
    ("supervising_license", LicenseType),
    ("modality", Modality),
)


# --- Results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceLine:
    code: str
    units: int
    modifiers: tuple[str, ...]
    pos: str | None
    billed_provider: BilledProvider
    patient_ref: str | None = None
    revenue_code: str | None = None
    # The program-day service this line bills (its stored reference), if any.
    service_ref: str | None = None
    # The result's reasons that explain this line (coding.explain); the same line coded for
    # the same reasons compares equal whatever their wording.
    reasons: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class DayPaymentClass:
    """The payment class a per-service program day reaches: qualifying service units counted,
    the class's label and the payer's APC for it (None: no per diem)."""

    services: int
    label: str
    apc: str | None
    reason: str


@dataclass(frozen=True)
class DayOutcome:
    """One program day: did it meet the daily minimum and what is billed."""

    day: int
    minutes: int
    qualifies: bool
    outcome: ShortDayOutcome | None
    billed: LevelOfCareCode | None
    reason: str

    @property
    def billable(self) -> bool:
        return self.billed is not None


@dataclass(frozen=True)
class ProgramWeekResult:
    days: tuple[DayOutcome, ...]
    total_minutes: int
    meets_weekly_minimum: bool
    reason: str
    meets_days_minimum: bool = True


@dataclass(frozen=True)
class CodingResult:
    billable: bool
    lines: tuple[ServiceLine, ...]
    reasons: tuple[str, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    program_week: ProgramWeekResult | None = None
    # Institutional-claim facts of a program day: condition codes (41 PHP, 92 IOP) and, where
    # the payer bills the day service by service, the day's payment class.
    condition_codes: tuple[str, ...] = ()
    payment_class: DayPaymentClass | None = None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(line.code for line in self.lines)

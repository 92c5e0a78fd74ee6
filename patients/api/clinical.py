"""Intake and clinical API: patients, coverages, episodes, level-of-care segments,
treatment plans, sessions and group sessions. Writes go through patients.services.clinical;
objects are referenced by public_id. (Facilities are served by patients/api/payers.py.)"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from coding.types import PROGRAM_SERVICE_CHOICES
from credentialing.models import Provider
from facilities.models import Facility
from patients import answers
from patients.api.coding import CodingPreviewSerializer
from patients.coding_bridge import preview_of_session, preview_summary, prime_week_cache
from patients.models import (
    MODALITY_CHOICES,
    SERVICE_KIND_CHOICES,
    Coverage,
    EpisodeOfCare,
    GroupSession,
    LevelOfCare,
    LevelOfCareSegment,
    Patient,
    Session,
    TreatmentPlan,
)
from patients.selectors import (
    coding_ready_sessions,
    current_segment,
    patient_search,
    session_corrections,
    with_primary_payer,
)
from patients.services import clinical as services
from patients.services.corrections import CORRECTABLE_FIELDS, NOT_CORRECTABLE
from patients.services.sessions import SESSION_FIELDS
from payers.models import Payer
from rcm.api.fields import LocalDateTimeField
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet
from rcm.permissions import Cap

READ_CREATE = ["get", "post", "head", "options"]
READ_CREATE_PATCH = ["get", "post", "patch", "head", "options"]


def call_service(service: Any, **kwargs: Any) -> Any:
    """Run a service; its field errors become a 400 with the same keys (`coverage_x` keys
    become a nested `coverage` object)."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        nested: dict[str, Any] = {}
        for key, messages in detail.items():
            if key.startswith("coverage_"):
                nested.setdefault("coverage", {})[key.removeprefix("coverage_")] = messages
            else:
                nested["non_field_errors" if key == "__all__" else key] = messages
        raise ValidationError(nested) from exc


def _actor(serializer: serializers.Serializer) -> Any:
    return serializer.context["request"].user


@extend_schema_field(OpenApiTypes.UUID)
class PublicId(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="public_id", **kwargs)


class ProviderId(PublicId):
    """Provider by public_id."""

    def get_queryset(self) -> Any:
        return Provider.objects.all()


# Inline enum: the same choices are named LevelOfCareEnum by the authorizations API.
@extend_schema_field({"type": "string", "enum": LevelOfCare.values})
class LevelField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=LevelOfCare.choices, **kwargs)


class IdField(serializers.UUIDField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="public_id", read_only=True, **kwargs)


# --- Patients and coverage ------------------------------------------------------------------


class CoverageFields(serializers.Serializer):
    payer = PublicId(queryset=Payer.objects.all())
    member_id = serializers.CharField(allow_blank=True)
    plan_name = serializers.CharField(required=False, allow_blank=True)
    group_number = serializers.CharField(required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Coverage.Priority.choices, required=False)
    relationship = serializers.ChoiceField(choices=Coverage.Relationship.choices, required=False)
    subscriber_first_name = serializers.CharField(required=False, allow_blank=True)
    subscriber_last_name = serializers.CharField(required=False, allow_blank=True)
    subscriber_date_of_birth = serializers.DateField(required=False, allow_null=True)
    subscriber_address_line1 = serializers.CharField(required=False, allow_blank=True)
    subscriber_city = serializers.CharField(required=False, allow_blank=True)
    subscriber_state = serializers.CharField(required=False, allow_blank=True, max_length=2)
    subscriber_postal_code = serializers.CharField(required=False, allow_blank=True)
    subscriber_sex = serializers.ChoiceField(
        choices=Patient.Sex.choices, required=False, allow_blank=True
    )
    msp_type = serializers.ChoiceField(
        choices=Coverage.MspType.choices,
        required=False,
        allow_blank=True,
        help_text="SBR05, only on a Medicare coverage that pays second",
    )
    assignment_of_benefits = serializers.BooleanField(required=False, help_text="CLM08")
    effective_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)


class PatientSerializer(serializers.ModelSerializer):
    id = IdField()
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    date_of_birth = serializers.DateField()
    ssn = serializers.CharField(write_only=True, required=False, allow_blank=True)
    ssn_last4 = serializers.SerializerMethodField()
    address_line1 = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True)
    mrn = serializers.CharField(required=False, allow_blank=True, max_length=30)
    coverage = CoverageFields(write_only=True, required=False)

    class Meta:
        model = Patient
        fields = [
            "id",
            "mrn",
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "ssn",
            "ssn_last4",
            "address_line1",
            "city",
            "state",
            "postal_code",
            "phone",
            "email",
            "signature_on_file_date",
            "is_active",
            "created_at",
            "coverage",
        ]
        read_only_fields = ["is_active", "created_at"]

    def get_ssn_last4(self, patient: Patient) -> str:
        return patient.ssn[-4:] if patient.ssn else ""

    def create(self, validated: dict[str, Any]) -> Patient:
        coverage = validated.pop("coverage", None)
        return call_service(
            services.patient_register, actor=_actor(self), coverage=coverage, **validated
        )

    def update(self, patient: Patient, validated: dict[str, Any]) -> Patient:
        if "coverage" in validated:
            raise ValidationError({"coverage": ["Add coverage through /coverages/."]})
        return call_service(
            services.patient_update, patient=patient, actor=_actor(self), **validated
        )


class CoverageSerializer(CoverageFields, serializers.ModelSerializer):
    id = IdField()
    patient = PublicId(queryset=Patient.objects.all())
    member_id = serializers.CharField(allow_blank=True)
    subscriber_first_name = serializers.CharField(required=False, allow_blank=True)
    subscriber_last_name = serializers.CharField(required=False, allow_blank=True)
    subscriber_date_of_birth = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = Coverage
        fields = [
            "id",
            "patient",
            "payer",
            "plan_name",
            "member_id",
            "group_number",
            "priority",
            "relationship",
            "subscriber_first_name",
            "subscriber_last_name",
            "subscriber_date_of_birth",
            "subscriber_address_line1",
            "subscriber_city",
            "subscriber_state",
            "subscriber_postal_code",
            "subscriber_sex",
            "msp_type",
            "assignment_of_benefits",
            "effective_date",
            "end_date",
            "benefits_summary",
            "benefits_checked_at",
        ]
        read_only_fields = ["benefits_summary", "benefits_checked_at"]

    def create(self, validated: dict[str, Any]) -> Coverage:
        patient = validated.pop("patient")
        return call_service(services.coverage_add, patient=patient, actor=_actor(self), **validated)

    def update(self, coverage: Coverage, validated: dict[str, Any]) -> Coverage:
        """The plan, group and subscriber facts change in place; end_date ends the coverage;
        a new payer, member id, priority or start is a new coverage."""
        other = sorted(set(validated) - {"end_date", *services.COVERAGE_EDITABLE})
        if other:
            raise ValidationError(
                {
                    name: ["Cannot change on a saved coverage; end it and add a new one."]
                    for name in other
                }
            )
        edits = {k: v for k, v in validated.items() if k in services.COVERAGE_EDITABLE}
        if edits:
            coverage = call_service(
                services.coverage_update, coverage=coverage, actor=_actor(self), **edits
            )
        if "end_date" in validated:
            coverage = call_service(
                services.coverage_end,
                coverage=coverage,
                actor=_actor(self),
                end_date=validated.get("end_date"),
            )
        return coverage


# --- Episodes, segments, plans ----------------------------------------------------------------


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "rank": {"type": "integer", "readOnly": True},
                "code": {"type": "string"},
                "description": {"type": "string", "readOnly": True},
            },
        },
    }
)
class DiagnosesField(serializers.Field):
    """Read: ranked [{rank, code, description}]. Write: codes in rank order (strings or
    {"code": ...} objects)."""

    def to_representation(self, manager: Any) -> list[dict[str, Any]]:
        return [
            {"rank": d.rank, "code": d.code, "description": d.description} for d in manager.all()
        ]

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, list):
            raise ValidationError("Send a list of ICD-10-CM codes in rank order.")
        return [str(item.get("code", "")) if isinstance(item, dict) else str(item) for item in data]


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "date": {"type": "string"}},
        },
    }
)
class OccurrenceCodesField(serializers.JSONField):
    """[{"code": "11", "date": "YYYY-MM-DD"}]: UB-04 occurrence codes with their dates."""


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "amount": {"type": "string"}},
        },
    }
)
class ValueCodesField(serializers.JSONField):
    """[{"code": "80", "amount": "12"}]: UB-04 value codes with their amounts."""


class EpisodeSerializer(serializers.ModelSerializer):
    id = IdField()
    patient = PublicId(queryset=Patient.objects.all())
    attending_provider = ProviderId(required=False, allow_null=True)
    admission_hour = serializers.IntegerField(required=False, allow_null=True)
    discharge_hour = serializers.IntegerField(required=False, allow_null=True)
    admission_type = serializers.CharField(required=False, allow_blank=True)
    admission_source = serializers.CharField(required=False, allow_blank=True)
    patient_status = serializers.CharField(required=False, allow_blank=True)
    referring_provider_npi = serializers.CharField(required=False, allow_blank=True)
    occurrence_codes = OccurrenceCodesField(required=False)
    value_codes = ValueCodesField(required=False)
    facility = PublicId(queryset=Facility.objects.all(), required=False, allow_null=True)
    part2_applies = serializers.BooleanField(required=False, allow_null=True, default=None)
    diagnoses = DiagnosesField()
    level = LevelField(write_only=True)
    asam_edition = serializers.ChoiceField(choices=["3", "4"], write_only=True, default="3")
    asam_level = serializers.CharField(write_only=True, required=False, allow_blank=True)
    current_level = serializers.SerializerMethodField()

    class Meta:
        model = EpisodeOfCare
        fields = [
            "id",
            "patient",
            "program",
            "part2_applies",
            "facility",
            "admit_date",
            "discharge_date",
            "status",
            "diagnoses",
            "level",
            "asam_edition",
            "asam_level",
            "current_level",
            *services.CLAIM_FACTS,
        ]
        read_only_fields = ["status"]

    def get_current_level(self, episode: EpisodeOfCare) -> dict[str, Any] | None:
        seg = current_segment(episode)
        return (
            None
            if seg is None
            else {
                "level": seg.level,
                "asam_edition": seg.asam_edition,
                "asam_level": seg.asam_level,
                "start_date": seg.start_date,
                "end_date": seg.end_date,
            }
        )

    def create(self, validated: dict[str, Any]) -> EpisodeOfCare:
        validated.pop("discharge_date", None)
        at_discharge = sorted(set(validated) & {"discharge_hour", "patient_status"})
        if at_discharge:
            raise ValidationError(
                {name: ["Recorded at discharge (PATCH discharge_date)."] for name in at_discharge}
            )
        return call_service(services.episode_admit, actor=_actor(self), **validated)

    def update(self, episode: EpisodeOfCare, validated: dict[str, Any]) -> EpisodeOfCare:
        """PATCH discharge_date (with discharge_hour and patient_status) discharges; the claim
        facts change in place; everything else has its own path."""
        other = sorted(set(validated) - {"discharge_date", *services.CLAIM_FACTS})
        if other:
            raise ValidationError(
                {
                    name: [
                        "Cannot change here: discharge with discharge_date, edit the claim "
                        "facts, and use level-of-care-segments for level changes."
                    ]
                    for name in other
                }
            )
        facts = {k: v for k, v in validated.items() if k in services.CLAIM_FACTS}
        if "discharge_date" in validated:
            at_discharge = {
                k: facts.pop(k) for k in ("discharge_hour", "patient_status") if k in facts
            }
            episode = call_service(
                services.episode_discharge,
                episode=episode,
                actor=_actor(self),
                discharge_date=validated.get("discharge_date"),
                **at_discharge,
            )
        if facts:
            episode = call_service(
                services.episode_update, episode=episode, actor=_actor(self), **facts
            )
        return episode


class SegmentSerializer(serializers.ModelSerializer):
    id = IdField()
    episode = PublicId(queryset=EpisodeOfCare.objects.all())
    level = LevelField()
    authorization = serializers.SerializerMethodField()

    class Meta:
        model = LevelOfCareSegment
        fields = [
            "id",
            "episode",
            "level",
            "asam_edition",
            "asam_level",
            "start_date",
            "end_date",
            "authorization",
        ]
        read_only_fields = ["end_date"]

    def get_authorization(self, segment: LevelOfCareSegment) -> dict[str, Any] | None:
        auth = getattr(segment, "auth_requirement", None)
        if auth is None:
            return None
        return {
            "needed": auth.needed,
            "action_needed": auth.action_needed,
            "payer": auth.payer.name if auth.payer else None,
            "covered_by": str(auth.covered_by.public_id) if auth.covered_by else None,
            "message": auth.message,
        }

    def create(self, validated: dict[str, Any]) -> LevelOfCareSegment:
        result = call_service(
            services.level_transition,
            episode=validated["episode"],
            actor=_actor(self),
            new_level=validated["level"],
            asam_edition=validated.get("asam_edition", "3"),
            asam_level=validated.get("asam_level", ""),
            on_date=validated["start_date"],
        )
        result.segment.auth_requirement = result.auth
        return result.segment


class GoalSerializer(serializers.Serializer):
    description = serializers.CharField(allow_blank=True)
    diagnosis_codes = serializers.ListField(child=serializers.CharField(), allow_empty=True)


class TreatmentPlanSerializer(serializers.ModelSerializer):
    id = IdField()
    episode = PublicId(queryset=EpisodeOfCare.objects.all())
    goals = GoalSerializer(many=True)
    level = LevelField(required=False)
    signed_by = PublicId(read_only=True)

    class Meta:
        model = TreatmentPlan
        fields = [
            "id",
            "episode",
            "level",
            "effective_date",
            "review_due_date",
            "goals",
            "signed_at",
            "signed_by",
        ]
        read_only_fields = ["review_due_date", "signed_at"]

    def create(self, validated: dict[str, Any]) -> TreatmentPlan:
        return call_service(services.treatment_plan_create, actor=_actor(self), **validated)


# --- Sessions -------------------------------------------------------------------------------


# Set by services only: corrections bump the revision, the claims app sets the claim lock.
SESSION_READ_ONLY = ["revision", "claim_locked_at", "claim_reference"]


class ProgramDayServiceSerializer(serializers.Serializer):
    """A service inside a program day (REFERENCE.md §14: billed on its own line by payers that
    bill PHP/IOP days service by service)."""

    id = IdField()
    kind = serializers.ChoiceField(choices=PROGRAM_SERVICE_CHOICES)
    minutes = serializers.IntegerField(min_value=1, max_value=1440)
    rendering_provider = ProviderId(required=False, allow_null=True)


class ProgramDayServicesSerializer(serializers.Serializer):
    services = ProgramDayServiceSerializer(many=True)


class SessionSerializer(serializers.ModelSerializer):
    id = IdField()
    patient = PublicId(queryset=Patient.objects.all())
    episode = PublicId(queryset=EpisodeOfCare.objects.all(), required=False, allow_null=True)
    group = PublicId(queryset=GroupSession.objects.all(), required=False, allow_null=True)
    facility = PublicId(queryset=Facility.objects.all(), required=False, allow_null=True)
    rendering_provider = ProviderId()
    supervising_provider = ProviderId(required=False, allow_null=True)
    service_date = serializers.DateField(required=False)
    psychotherapy_minutes = serializers.IntegerField(required=False, allow_null=True)
    attended_minutes = serializers.IntegerField(required=False, allow_null=True)
    minutes = serializers.IntegerField(read_only=True)
    services = ProgramDayServiceSerializer(many=True, required=False, source="program_services")
    coding = serializers.SerializerMethodField()

    class Meta:
        model = Session
        # What the recording service accepts, plus what is derived for reading.
        fields = ["id", *SESSION_FIELDS, *SESSION_READ_ONLY, "minutes", "services", "coding"]
        read_only_fields = SESSION_READ_ONLY

    @extend_schema_field(CodingPreviewSerializer)
    def get_coding(self, session: Session) -> dict[str, Any]:
        cache = self.context.setdefault("week_cache", {})
        return preview_summary(preview_of_session(session=session, week_cache=cache))

    def create(self, validated: dict[str, Any]) -> Session:
        day_services = validated.pop("program_services", [])
        return call_service(
            services.session_record, actor=_actor(self), services=day_services, **validated
        )


class SessionCorrectionSerializer(serializers.Serializer):
    """Any of the correctable facts (see session_correct), why, and the revision you read."""

    reason = serializers.CharField(
        max_length=500, help_text="Why the session is corrected (kept in its history)"
    )
    revision = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The session's revision you read: refused if someone corrected it since",
    )
    service_date = serializers.DateField(required=False)
    starts_at = LocalDateTimeField(required=False, allow_null=True)
    ends_at = LocalDateTimeField(required=False, allow_null=True)
    psychotherapy_minutes = serializers.IntegerField(required=False, allow_null=True)
    arrived_at = LocalDateTimeField(required=False, allow_null=True)
    departed_at = LocalDateTimeField(required=False, allow_null=True)
    attended_minutes = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=SERVICE_KIND_CHOICES, required=False)
    modality = serializers.ChoiceField(choices=MODALITY_CHOICES, required=False)
    patient_location = serializers.ChoiceField(
        choices=Session.PatientLocation.choices, required=False
    )
    audio_only_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    patient_state = serializers.CharField(required=False, allow_blank=True, max_length=2)
    facility = PublicId(queryset=Facility.objects.all(), required=False, allow_null=True)
    rendering_provider = ProviderId(required=False)
    supervising_provider = ProviderId(required=False, allow_null=True)
    interactive_complexity = serializers.BooleanField(required=False)
    em_code = serializers.CharField(required=False, allow_blank=True, max_length=5)
    with_medical_services = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise ValidationError(
                {name: [NOT_CORRECTABLE.get(name, "Not a correctable field.")] for name in unknown}
            )
        return attrs

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in CORRECTABLE_FIELDS}


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class SessionCorrectionRowSerializer(serializers.Serializer):
    """One correction: providers, facilities and episodes by name, times in the org's zone."""

    when = LocalDateTimeField()
    who = serializers.CharField()
    reason = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


class AuthorizationLineSerializer(serializers.Serializer):
    """One billed line: does it need an authorization, which covers it, or why none does."""

    code = serializers.CharField()
    modifiers = serializers.ListField(child=serializers.CharField())
    revenue_code = serializers.CharField(allow_null=True)
    units = serializers.IntegerField()
    needed = serializers.BooleanField()
    authorization = serializers.UUIDField(allow_null=True)
    auth_number = serializers.CharField(allow_null=True)
    unit_type = serializers.CharField(allow_null=True)
    units_authorized = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    units_remaining = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    covered_by = serializers.CharField(allow_null=True)
    why_not = serializers.ListField(child=serializers.CharField())


class SessionAuthorizationSerializer(serializers.Serializer):
    """Whether the session's service needs a prior authorization and whether one covers it;
    `holds_claim` (needed, not covered) is what the claims scrubber acts on."""

    needed = serializers.BooleanField()
    covered = serializers.BooleanField()
    holds_claim = serializers.BooleanField()
    message = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    lines = AuthorizationLineSerializer(many=True)


class AttendeeSerializer(serializers.Serializer):
    patient = PublicId(queryset=Patient.objects.all())
    arrived_at = LocalDateTimeField(required=False)
    departed_at = LocalDateTimeField(required=False)
    interactive_complexity = serializers.BooleanField(required=False, default=False)
    patient_location = serializers.ChoiceField(
        choices=Session.PatientLocation.choices, required=False
    )

    def to_representation(self, session: Session) -> dict[str, Any]:
        return {
            "session": str(session.public_id),
            "patient": str(session.patient.public_id),
            "arrived_at": session.arrived_at,
            "departed_at": session.departed_at,
            "minutes": session.minutes,
        }


class GroupSessionSerializer(serializers.ModelSerializer):
    id = IdField()
    facilitator = ProviderId()
    supervising_provider = ProviderId(required=False, allow_null=True, write_only=True)
    facility = PublicId(queryset=Facility.objects.all(), required=False, allow_null=True)
    modality = serializers.ChoiceField(
        choices=[m for m, _ in Session._meta.get_field("modality").choices],
        required=False,
        write_only=True,
    )
    attendees = AttendeeSerializer(many=True)

    class Meta:
        model = GroupSession
        fields = [
            "id",
            "facilitator",
            "supervising_provider",
            "facility",
            "topic",
            "starts_at",
            "ends_at",
            "modality",
            "attendees",
        ]

    def create(self, validated: dict[str, Any]) -> GroupSession:
        return call_service(services.group_session_record, actor=_actor(self), **validated)


# --- Filters --------------------------------------------------------------------------------


def _filters(
    model: type,
    by_public_id: tuple[str, ...],
    plain: tuple[str, ...],
    **extra: django_filters.Filter,
) -> type[django_filters.FilterSet]:
    """A FilterSet where related objects are filtered by public_id (`?patient=<uuid>`)."""
    attrs: dict[str, Any] = {
        name: django_filters.UUIDFilter(field_name=f"{name}__public_id") for name in by_public_id
    }
    meta = type("Meta", (), {"model": model, "fields": [*by_public_id, *plain]})
    return type(
        f"{model.__name__}Filter", (django_filters.FilterSet,), {**attrs, **extra, "Meta": meta}
    )


PatientFilter = _filters(
    Patient, (), ("is_active",), mrn=django_filters.CharFilter(lookup_expr="iexact")
)
CoverageFilter = _filters(Coverage, ("patient", "payer"), ("priority",))
EpisodeFilter = _filters(EpisodeOfCare, ("patient",), ("program", "status"))
SegmentFilter = _filters(LevelOfCareSegment, ("episode",), ("level",))
PlanFilter = _filters(TreatmentPlan, ("episode",), ())
SessionFilter = _filters(
    Session,
    ("patient", "episode", "rendering_provider"),
    ("kind", "status"),
    service_date_from=django_filters.DateFilter(field_name="service_date", lookup_expr="gte"),
    service_date_to=django_filters.DateFilter(field_name="service_date", lookup_expr="lte"),
)
GroupSessionFilter = _filters(GroupSession, ("facility",), ())


# --- Viewsets -------------------------------------------------------------------------------


class PatientSearchSerializer(serializers.Serializer):
    term = serializers.CharField(
        max_length=120,
        help_text='A name ("Last" or "Last, First"), a date of birth '
        "(YYYY-MM-DD), a member id or an MRN",
    )


class PatientViewSet(OrgModelViewSet):
    """Prefer `POST search/` with `{"term": ...}`: it keeps names, dates of birth and member
    ids out of URLs (and so out of proxy logs). `?search=` takes the same term; `?mrn=` filters
    exactly."""

    model = Patient
    serializer_class = PatientSerializer
    filterset_class = PatientFilter
    phi = True
    http_method_names = READ_CREATE_PATCH

    def get_queryset(self) -> Any:
        qs = with_primary_payer(super().get_queryset())
        term = self.request.query_params.get("search", "").strip()
        if self.action == "list" and term:
            qs = qs.filter(pk__in=[p.pk for p in self._search(term)])
        return qs

    @property
    def write_capability(self) -> Cap:  # type: ignore[override]
        return Cap.VIEW_PATIENTS if getattr(self, "action", None) == "search" else Cap.EDIT_PATIENTS

    @extend_schema(request=PatientSearchSerializer, responses=PatientSerializer(many=True))
    @action(detail=False, methods=["post"])
    def search(self, request: Request) -> Response:
        body = PatientSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = [p.pk for p in self._search(body.validated_data["term"].strip())]
        rows = list(with_primary_payer(super().get_queryset()).filter(pk__in=ids)[:50])
        self._log_reads(rows)
        return Response(self.get_serializer(rows, many=True).data)

    def _search(self, term: str) -> list[Patient]:
        org = self.request._request.org
        try:
            dob = datetime.date.fromisoformat(term)
        except ValueError:
            dob = None
        if dob:
            return patient_search(org=org, dob=dob)
        found = {p.pk: p for p in patient_search(org=org, name=term)}
        for p in patient_search(org=org, member_id=term) + patient_search(org=org, mrn=term):
            found.setdefault(p.pk, p)
        return list(found.values())


class CoverageViewSet(OrgModelViewSet):
    model = Coverage
    serializer_class = CoverageSerializer
    filterset_class = CoverageFilter
    phi = True
    select_related = ("patient", "payer")
    http_method_names = READ_CREATE_PATCH


class EpisodeViewSet(OrgModelViewSet):
    model = EpisodeOfCare
    serializer_class = EpisodeSerializer
    filterset_class = EpisodeFilter
    phi = True
    select_related = ("patient", "facility", "attending_provider")
    http_method_names = READ_CREATE_PATCH

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("diagnoses", "segments")


class SegmentViewSet(OrgModelViewSet):
    """Create = a level-of-care transition (the open segment closes the day before)."""

    model = LevelOfCareSegment
    serializer_class = SegmentSerializer
    filterset_class = SegmentFilter
    phi = True
    select_related = ("episode",)
    http_method_names = READ_CREATE


class TreatmentPlanViewSet(OrgModelViewSet):
    model = TreatmentPlan
    serializer_class = TreatmentPlanSerializer
    filterset_class = PlanFilter
    phi = True
    select_related = ("episode", "signed_by")
    http_method_names = READ_CREATE

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("goals")

    @property
    def write_capability(self) -> Cap:  # type: ignore[override]
        # Clinicians sign their own plans; writing plans is intake/billing work.
        return Cap.RECORD_SESSIONS if getattr(self, "action", None) == "sign" else Cap.EDIT_PATIENTS

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, public_id: str | None = None) -> Response:
        """The signed-in clinician signs as the provider linked to their sign-in."""
        plan = call_service(
            services.treatment_plan_sign_as, plan=self.get_object(), actor=request.user
        )
        return Response(self.get_serializer(plan).data)


class SessionStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Session.Status.choices)


class SessionViewSet(OrgModelViewSet):
    """`coding` explains what the session would bill (payer from the primary coverage on the
    service date, at the level of care then)."""

    model = Session
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    phi = True
    write_capability = Cap.RECORD_SESSIONS
    http_method_names = READ_CREATE
    select_related = (
        "patient",
        "episode",
        "group",
        "facility",
        "rendering_provider",
        "supervising_provider",
    )

    def get_queryset(self) -> Any:
        return coding_ready_sessions(super().get_queryset())

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        rows = args[0] if args and kwargs.get("many") else None
        if rows is not None:  # a page of sessions: their program weeks in one query
            context = kwargs.setdefault("context", self.get_serializer_context())
            prime_week_cache(list(rows), context.setdefault("week_cache", {}))
        return super().get_serializer(*args, **kwargs)

    @extend_schema(request=SessionStatusSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, public_id: str | None = None) -> Response:
        """Change the status (cancel, no-show, complete); authorized units follow."""
        target = self.get_object()  # another org's session: 404 before anything else
        body = SessionStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session = call_service(
            services.session_set_status,
            session=target,
            status=body.validated_data["status"],
            actor=request.user,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(request=SessionCorrectionSerializer, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, public_id: str | None = None) -> Response:
        """Correct a recorded session: every rule of recording applies to the corrected
        session, `reason` is required, nothing is saved unless all is right. A signed note
        is unsigned when what it documents changes; a session on a claim is refused (a
        replacement claim corrects it). Authorized units follow."""
        target = self.get_object()  # another org's session: 404 before anything else
        body = SessionCorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        session = call_service(
            services.session_correct,
            session=target,
            actor=request.user,
            reason=body.validated_data["reason"],
            expected_revision=body.validated_data.get("revision"),
            **body.changes(),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(responses=SessionCorrectionRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def corrections(self, request: Request, public_id: str | None = None) -> Response:
        """The session's corrections, newest first: who, when, why, each field's change."""
        session = self.get_object()
        self._log_reads([session])
        rows = session_corrections(session=session)
        return Response(SessionCorrectionRowSerializer(rows, many=True).data)

    @extend_schema(responses=SessionAuthorizationSerializer)
    @action(detail=True, methods=["get"])
    def authorization(self, request: Request, public_id: str | None = None) -> Response:
        """Does the service need a prior authorization (the payer billed on its date: levels,
        codes, outpatient visits before authorization), and which authorization covers each
        billed line, with units left, or why none does."""
        session = self.get_object()
        self._log_reads([session])
        answer = answers.service_authorization(session=session)
        return Response(SessionAuthorizationSerializer(answer).data)

    @extend_schema(request=ProgramDayServicesSerializer, responses=SessionSerializer)
    @action(detail=True, methods=["post"], url_path="services")
    def day_services(self, request: Request, public_id: str | None = None) -> Response:
        """Replace the services recorded inside a program day (group psychotherapy, individual
        psychotherapy, activity therapy...; an empty list clears them). A payer that bills the
        day service by service bills a line for each; authorized units follow."""
        target = self.get_object()  # another org's session: 404 before anything else
        body = ProgramDayServicesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call_service(
            services.program_day_services_set,
            session=target,
            services=body.validated_data["services"],
            actor=request.user,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=target.pk)).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="sign-note")
    def sign_note(self, request: Request, public_id: str | None = None) -> Response:
        session = call_service(
            services.session_sign_note, session=self.get_object(), actor=request.user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)


class GroupSessionViewSet(OrgModelViewSet):
    model = GroupSession
    serializer_class = GroupSessionSerializer
    phi = True
    write_capability = Cap.RECORD_SESSIONS
    http_method_names = READ_CREATE
    select_related = ("facilitator", "facility")
    filterset_class = GroupSessionFilter

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("attendees__patient")


register("patients", PatientViewSet, "patient")
register("coverages", CoverageViewSet, "coverage")
register("episodes", EpisodeViewSet, "episode")
register("level-of-care-segments", SegmentViewSet, "level-of-care-segment")
register("treatment-plans", TreatmentPlanViewSet, "treatment-plan")
register("sessions", SessionViewSet, "session")
register("group-sessions", GroupSessionViewSet, "group-session")

"""`POST coding/preview/`: what a session or program day would bill and why, from its facts
named by public id. Saves nothing; the session page's live preview and every session's `coding`
come from the same path (patients.coding_bridge.preview_from_facts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from coding.types import PROGRAM_SERVICE_CHOICES
from credentialing.rules import US_STATES
from facilities.models import Facility
from patients.api.clinical import LevelField, ProviderId, PublicId, call_service
from patients.api.coding import CodingPreviewSerializer
from patients.coding_bridge import preview_from_facts, preview_summary
from patients.models import (
    MODALITY_CHOICES,
    SERVICE_KIND_CHOICES,
    Coverage,
    Patient,
    Program,
    Session,
)
from patients.preview import preview_facts
from patients.services.sessions import MAX_DAY_MINUTES
from payers.models import Payer
from rcm.api.fields import LocalDateTimeField
from rcm.api.urls import register
from rcm.api.views import HasCapability, OrgScopedMixin
from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.permissions import Cap, role_has

PATIENT_FIELDS = ("patient", "coverage")


def _minutes(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_DAY_MINUTES, help_text=help_text
    )


class PreviewAttendeeSerializer(serializers.Serializer):
    """One group attendee: the arrival and departure (their time counts only while the group
    met, from `starts_at` to `ends_at`), or the minutes attended."""

    arrived_at = LocalDateTimeField(required=False)
    departed_at = LocalDateTimeField(required=False)
    minutes = _minutes("Minutes attended (instead of the arrival and departure)")
    interactive_complexity = serializers.BooleanField(required=False, default=False)


class PreviewServiceSerializer(serializers.Serializer):
    """One service inside a program day."""

    kind = serializers.ChoiceField(choices=PROGRAM_SERVICE_CHOICES)
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_DAY_MINUTES)


class CodingPreviewFactsSerializer(serializers.Serializer):
    """The facts of one session or program day. Objects by public id; date-times without an
    offset are read on the organization's clock. Only `kind` and `rendering_provider` are
    required: whatever else is left out is what a clinic would leave blank."""

    kind = serializers.ChoiceField(choices=SERVICE_KIND_CHOICES)
    rendering_provider = ProviderId()
    supervising_provider = ProviderId(
        required=False, allow_null=True, help_text="For pre-licensed clinicians and peers"
    )
    service_date = serializers.DateField(
        required=False,
        help_text="Default: the date of `starts_at` on the org's clock, else of the first "
        "attendee's arrival, else today",
    )
    starts_at = LocalDateTimeField(
        required=False, help_text="The service's start (a group: when the group met)"
    )
    ends_at = LocalDateTimeField(required=False)
    minutes = _minutes("The service's minutes, instead of `starts_at` and `ends_at`")
    psychotherapy_minutes = _minutes(
        "em_with_psychotherapy: psychotherapy minutes, E/M time excluded"
    )
    attended_minutes = _minutes("program_day: minutes the patient attended")
    week_minutes = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_DAY_MINUTES),
        required=False,
        max_length=7,
        help_text="program_day: attended minutes of each program day of the week, this one "
        "included. Default: the days recorded in the patient's episode, with this one",
    )
    attendees = PreviewAttendeeSerializer(
        many=True,
        required=False,
        help_text="group: every attendee (each is coded on their own line)",
    )
    services = PreviewServiceSerializer(
        many=True,
        required=False,
        help_text="program_day: the services inside the day (a payer that bills the day "
        "service by service, e.g. Medicare PHP/IOP, bills a line for each)",
    )
    modality = serializers.ChoiceField(choices=MODALITY_CHOICES, required=False)
    patient_location = serializers.ChoiceField(
        choices=Session.PatientLocation.choices, required=False
    )
    patient_state = serializers.ChoiceField(
        choices=sorted(US_STATES),
        required=False,
        help_text="The state the patient was in (telehealth default: the named patient's "
        "address state). Telehealth is refused unless the rendering provider's license, or a "
        "compact privilege, is valid there on the date of service",
    )
    facility = PublicId(
        queryset=Facility.objects.all(), required=False, help_text="Where it took place"
    )
    pos = serializers.RegexField(
        r"^[0-9]{2}$",
        required=False,
        help_text="A place of service code, instead of a facility (the home is 12)",
    )
    interactive_complexity = serializers.BooleanField(required=False)
    em_code = serializers.CharField(
        required=False, allow_blank=True, max_length=5, help_text="E/M code (99202-99499)"
    )
    with_medical_services = serializers.BooleanField(
        required=False, help_text="evaluation: with medical services (90792)"
    )
    patient = PublicId(
        queryset=Patient.objects.all(),
        required=False,
        help_text="Payer from their primary coverage on the date; program and level from "
        "their episode then. Needs the view-patients capability",
    )
    coverage = PublicId(
        queryset=Coverage.objects.all(),
        required=False,
        help_text="Payer from this coverage (it names the patient)",
    )
    payer = PublicId(
        queryset=Payer.objects.all(),
        required=False,
        allow_null=True,
        help_text="Payer whose rules apply (null: self-pay), whatever the patient's coverage",
    )
    program = serializers.ChoiceField(
        choices=Program.choices, required=False, help_text="Default: the patient's episode's"
    )
    level = LevelField(required=False, help_text="Level of care (default: the episode's then)")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise ValidationError({name: ["Not a fact the preview reads."] for name in unknown})
        return attrs


def _names_a_patient(data: Any) -> bool:
    return isinstance(data, Mapping) and any(data.get(name) for name in PATIENT_FIELDS)


EXAMPLES = [
    OpenApiExample(
        "MH IOP day (request)",
        request_only=True,
        value={
            "kind": "program_day",
            "rendering_provider": "8c1f0f5e-1b1e-4c43-9a53-3a8a3c1d2e01",
            "payer": "2f0d7a6c-96a4-4d36-8f0e-5b2b6f6c9b10",
            "program": "mh",
            "level": "iop",
            "service_date": "2026-11-02",
            "attended_minutes": 200,
            "facility": "a4c9d1f2-7e55-4b6e-9a1d-0c3e5f7a9b21",
        },
    ),
    OpenApiExample(
        "E/M in the ED with psychotherapy (request)",
        request_only=True,
        value={
            "kind": "em_with_psychotherapy",
            "rendering_provider": "8c1f0f5e-1b1e-4c43-9a53-3a8a3c1d2e01",
            "em_code": "99285",
            "psychotherapy_minutes": 40,
            "pos": "23",
        },
    ),
    OpenApiExample(
        "Group, each attendee on a line (request)",
        request_only=True,
        value={
            "kind": "group",
            "rendering_provider": "8c1f0f5e-1b1e-4c43-9a53-3a8a3c1d2e01",
            "starts_at": "2026-11-02T15:00",
            "ends_at": "2026-11-02T16:00",
            "facility": "a4c9d1f2-7e55-4b6e-9a1d-0c3e5f7a9b21",
            "attendees": [
                {"arrived_at": "2026-11-02T14:50", "departed_at": "2026-11-02T16:10"},
                {"minutes": 20, "interactive_complexity": True},
            ],
        },
    ),
    OpenApiExample(
        "MH IOP day at the State Medicaid starter payer (response)",
        response_only=True,
        value={
            "billable": True,
            "lines": [
                {
                    "code": "S9480",
                    "units": 1,
                    "modifiers": [],
                    "pos": "11",
                    "revenue_code": "0905",
                    "billed_provider": "facility",
                    "billed_provider_id": "a4c9d1f2-7e55-4b6e-9a1d-0c3e5f7a9b21",
                    "service": None,
                    "attendee": None,
                    "reasons": [
                        "day 1: 200 min (3.3 h) ≥ 3 h daily minimum → S9480",
                        "S9480 is per diem: 1 unit",
                        "a program day is billed by the program (its Type-2 NPI and taxonomy)",
                        "in person: facility POS 11",
                    ],
                }
            ],
            "reasons": [
                "payer State Medicaid (example) (named), MH program, level iop",
                "day 1: 200 min (3.3 h) ≥ 3 h daily minimum → S9480",
                "S9480 is per diem: 1 unit",
                "a program day is billed by the program (its Type-2 NPI and taxonomy)",
                "in person: facility POS 11",
            ],
            "errors": [],
            "warnings": [],
            "condition_codes": [],
            "payment_class": None,
            "program_week": None,
            "context": {
                "payer": {
                    "id": "2f0d7a6c-96a4-4d36-8f0e-5b2b6f6c9b10",
                    "name": "State Medicaid (example)",
                },
                "payer_source": "named",
                "coverage": None,
                "program": "mh",
                "level": "iop",
                "description": "payer State Medicaid (example) (named), MH program, level iop",
            },
        },
    ),
    OpenApiExample(
        "Refused: an add-on after an ED visit (response)",
        response_only=True,
        value={
            "billable": False,
            "lines": [],
            "reasons": [
                "no payer or patient named: CPT/Medicare-like defaults (no level of care on file)",
                "E/M 99285 billed by the same provider on the same day",
                "psychiatrist (MD/DO) accepted by default (CPT/Medicare-like): billed as rendering",
                "in person: facility POS 23",
            ],
            "errors": [
                "90836 is reported only with E/M codes of office/outpatient 99202-99215, hospital "
                "inpatient/observation 99221-99239, nursing facility 99304-99316, home/residence "
                "99341-99350; 99285 is an emergency department visit: record the psychotherapy "
                "as its own service or correct the E/M"
            ],
            "warnings": [],
            "condition_codes": [],
            "payment_class": None,
            "program_week": None,
            "context": {
                "payer": None,
                "payer_source": "none",
                "coverage": None,
                "program": None,
                "level": None,
                "description": "no payer or patient named: CPT/Medicare-like defaults "
                "(no level of care on file)",
            },
        },
    ),
]


class CodingPreviewViewSet(OrgScopedMixin, viewsets.ViewSet):
    """Any member may ask (the API capability); naming a patient or a coverage needs the
    view-patients capability, and a patient the member may not see (another organization's, or
    a Part 2 patient without Part 2 access) is an unknown id."""

    permission_classes = [permissions.IsAuthenticated, HasCapability]
    read_capability = Cap.USE_API
    write_capability = Cap.USE_API

    @extend_schema(
        operation_id="coding_preview",
        tags=["coding"],
        summary="What a session or program day would bill, and why (saves nothing)",
        description="Codes, modifiers, units, place of service or revenue code and the billed "
        "provider of each line, with the reasons for each; `billable: false` with `errors` "
        "when the service would be refused. 400 with field messages for facts that cannot be "
        "(an end before the start, an unknown id). A preview that names a patient is logged "
        "as a read of their record.",
        request=CodingPreviewFactsSerializer,
        responses={
            200: CodingPreviewSerializer,
            400: OpenApiResponse(description="Field messages: {field: [message]}"),
            403: OpenApiResponse(description="Naming a patient without view-patients"),
        },
        examples=EXAMPLES,
    )
    def create(self, request: Request) -> Response:
        membership = request._request.membership
        if _names_a_patient(request.data) and not role_has(membership.role, Cap.VIEW_PATIENTS):
            raise PermissionDenied(
                "Your role does not see patients: preview by payer, program and level instead."
            )
        body = CodingPreviewFactsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        facts = call_service(preview_facts, **body.validated_data)
        preview = preview_from_facts(facts=facts)
        if facts.patient is not None:
            phi_access_record(
                request=request._request, action=PhiAccess.Action.API, objects=[facts.patient]
            )
        return Response(CodingPreviewSerializer(preview_summary(preview)).data)


register("coding/preview", CodingPreviewViewSet, "coding-preview")

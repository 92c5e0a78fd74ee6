"""What a coding preview answers, as documented in the OpenAPI schema: the `coding` of every
session the API returns and the body of `POST coding/preview/` (one shape, from
patients.coding_bridge.preview_summary)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coding.types import BilledProvider, Level
from patients.models import Program

LEVELS = [level.value for level in Level]

PAYER_SOURCES = [
    ("named", "The payer named in the request"),
    ("coverage", "The payer of the coverage named in the request"),
    ("primary_coverage", "The patient's primary coverage in force on the date of service"),
    ("none", "No payer, coverage or patient named: CPT/Medicare-like defaults"),
]


# The same enum as the request's `level` (patients.api.clinical.LevelField).
@extend_schema_field({"type": "string", "enum": LEVELS, "nullable": True})
class LevelOut(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)


class CodingLineSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="CPT or HCPCS code")
    units = serializers.IntegerField()
    modifiers = serializers.ListField(child=serializers.CharField(), help_text="At most 4")
    pos = serializers.CharField(
        allow_null=True, help_text="Place of service (null: none, e.g. an institutional claim)"
    )
    revenue_code = serializers.CharField(
        allow_null=True, help_text="UB-04 revenue code of a program day (e.g. 0905), else null"
    )
    billed_provider = serializers.ChoiceField(
        choices=[p.value for p in BilledProvider],
        help_text="Whose NPI bills the line: the rendering or the supervising provider, or "
        "for a program day the program (the facility's Type-2 NPI)",
    )
    billed_provider_id = serializers.UUIDField(
        allow_null=True,
        help_text="The public id of who bills the line: the provider, or for `facility` the "
        "facility (null when none is known)",
    )
    service = serializers.CharField(
        allow_null=True,
        help_text="A program-day service's line: which service (a recorded one's id, or "
        '"service 2": the second in the request), else null',
    )
    attendee = serializers.CharField(
        allow_null=True,
        help_text='A group line\'s attendee ("attendee 2": the second in the request), else null',
    )
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="The reasons that explain this line: those naming its code, and those about "
        "the whole service (who bills, the place, the payer's modifiers)",
    )


class CodingPayerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class CodingContextSerializer(serializers.Serializer):
    payer = CodingPayerSerializer(allow_null=True, help_text="null: self-pay or no payer")
    payer_source = serializers.ChoiceField(choices=PAYER_SOURCES)
    coverage = serializers.UUIDField(
        allow_null=True, help_text="The coverage the payer came from, if one did"
    )
    program = serializers.ChoiceField(choices=Program.choices, allow_null=True)
    level = LevelOut(help_text="Level of care")
    description = serializers.CharField(help_text="The same, in words (the first reason)")


class ProgramWeekSerializer(serializers.Serializer):
    days = serializers.ListField(
        child=serializers.IntegerField(), help_text="Minutes of each program day, Monday first"
    )
    total_minutes = serializers.IntegerField()
    meets_weekly_minimum = serializers.BooleanField()
    reason = serializers.CharField()


class PaymentClassSerializer(serializers.Serializer):
    services = serializers.IntegerField(help_text="Qualifying service units counted")
    label = serializers.CharField()
    apc = serializers.CharField(allow_null=True, help_text="The payer's APC (null: no per diem)")
    reason = serializers.CharField()


class CodingPreviewSerializer(serializers.Serializer):
    billable = serializers.BooleanField(
        help_text="false: refused; `errors` says why and `lines` is empty"
    )
    lines = CodingLineSerializer(many=True)
    condition_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="A billed program day's institutional-claim condition codes (41 PHP, 92 IOP)",
    )
    payment_class = PaymentClassSerializer(
        allow_null=True,
        help_text="A program day billed service by service: the day's payment class",
    )
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Every decision, in the order it was made"
    )
    errors = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())
    program_week = ProgramWeekSerializer(
        allow_null=True, help_text="Program days: the week's attended minutes against its minimum"
    )
    context = CodingContextSerializer(help_text="The payer, program and level coded for")

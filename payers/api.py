"""Payers (rules as data) and their fee schedules. Reads need VIEW_PROVIDERS,
writes EDIT_PAYER_RULES; writes go through the services, so errors come back keyed by field."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from coding.types import LEVEL_CHOICES, LICENSE_CHOICES
from payers.models import FeeScheduleRate, Payer
from payers.rules import RuleDataError, payer_rules_for
from payers.services.payers import (
    PAYER_FIELDS,
    fee_rate_set,
    fee_rate_update,
    payer_create,
    payer_update,
)
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet, RefuseProtectedDeleteMixin
from rcm.permissions import Cap


def _actor(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


@extend_schema_field({"type": "string", "enum": [value for value, _ in LICENSE_CHOICES]})
class LicenseTypeField(serializers.ChoiceField):
    """Licence type named inline in the schema (the enum is shared with providers' licences)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=LICENSE_CHOICES, **kwargs)


class PayerSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    accepted_license_types = serializers.ListField(child=LicenseTypeField(), required=False)
    supervisor_license_types = serializers.ListField(child=LicenseTypeField(), required=False)

    class Meta:
        model = Payer
        fields = ["id", *PAYER_FIELDS]

    def create(self, validated_data: dict[str, Any]) -> Payer:
        return payer_create(actor=_actor(self), **validated_data)

    def update(self, instance: Payer, validated_data: dict[str, Any]) -> Payer:
        return payer_update(payer=instance, actor=_actor(self), **validated_data)


class FeeScheduleRateSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    payer = serializers.SlugRelatedField(slug_field="public_id", queryset=Payer.objects.all())

    class Meta:
        model = FeeScheduleRate
        fields = [
            "id",
            "payer",
            "code",
            "modifiers",
            "license_type",
            "rate",
            "effective_from",
            "effective_to",
        ]

    def create(self, validated_data: dict[str, Any]) -> FeeScheduleRate:
        return fee_rate_set(actor=_actor(self), **validated_data)

    def update(self, instance: FeeScheduleRate, validated_data: dict[str, Any]) -> FeeScheduleRate:
        return fee_rate_update(rate_obj=instance, actor=_actor(self), **validated_data)


def as_json(value: Any) -> Any:
    """The engine's dataclasses as JSON: enums by value, sets sorted, mapping keys as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(as_json(k)): as_json(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(as_json(v) for v in value)
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    return value


class PayerViewSet(RefuseProtectedDeleteMixin, OrgModelViewSet):
    model = Payer
    serializer_class = PayerSerializer
    read_capability = Cap.VIEW_PROVIDERS
    write_capability = Cap.EDIT_PAYER_RULES
    filterset_fields = ["kind", "claim_filing_indicator", "is_active"]
    ordering = ("name",)

    @action(detail=True, methods=["get"])
    def rules(self, request: Request, public_id: str | None = None) -> Response:
        """The coding engine's view of this payer (optionally at `?level=iop`)."""
        payer = self.get_object()
        level = request.query_params.get("level") or None
        if level is not None and level not in dict(LEVEL_CHOICES):
            raise ValidationError({"level": [f"Unknown level of care {level!r}."]})
        try:
            rules = payer_rules_for(payer, level=level)
        except RuleDataError as exc:
            raise ValidationError({exc.column: [exc.message]}) from exc
        return Response(as_json(rules))


class FeeScheduleRateViewSet(OrgModelViewSet):
    model = FeeScheduleRate
    serializer_class = FeeScheduleRateSerializer
    read_capability = Cap.VIEW_PROVIDERS
    write_capability = Cap.EDIT_PAYER_RULES
    select_related = ("payer",)
    filterset_fields = {"payer__public_id": ["exact"], "code": ["exact"], "license_type": ["exact"]}
    ordering = ("payer__name", "code", "effective_from")


register("payers", PayerViewSet, "payer")
register("fee-schedule-rates", FeeScheduleRateViewSet, "fee-schedule-rate")

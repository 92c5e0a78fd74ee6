"""Facilities (the clinic's sites). Reads need VIEW_PROVIDERS, writes EDIT_PAYER_RULES; writes
go through the services, so errors come back keyed by field."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from facilities.models import Facility
from facilities.services import facility_create, facility_update
from payers.services.codes import FORMAT_HINTS, TAXONOMY_RE
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet, RefuseProtectedDeleteMixin
from rcm.permissions import Cap


def _actor(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class FacilitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Facility
        fields = [
            "id",
            "name",
            "npi",
            "taxonomy",
            "address_line1",
            "city",
            "state",
            "postal_code",
            "pos",
            "bill_type",
            "is_active",
        ]

    def validate_taxonomy(self, value: str) -> str:
        value = value.strip().upper()
        if value and not TAXONOMY_RE.match(value):
            raise ValidationError(f"A taxonomy code is {FORMAT_HINTS['taxonomy']}.")
        return value

    def create(self, validated_data: dict[str, Any]) -> Facility:
        return facility_create(actor=_actor(self), **validated_data)

    def update(self, instance: Facility, validated_data: dict[str, Any]) -> Facility:
        return facility_update(facility=instance, actor=_actor(self), **validated_data)


class FacilityViewSet(RefuseProtectedDeleteMixin, OrgModelViewSet):
    model = Facility
    serializer_class = FacilitySerializer
    read_capability = Cap.VIEW_PROVIDERS
    write_capability = Cap.EDIT_PAYER_RULES
    filterset_fields = ["pos", "is_active"]
    ordering = ("name",)


register("facilities", FacilityViewSet, "facility")

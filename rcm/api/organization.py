"""The active organization's own settings: GET for every member, PATCH for administrators."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rcm.api.views import HasCapability
from rcm.models import Organization
from rcm.orgs import organization_update_settings
from rcm.permissions import Cap
from rcm.timezones import available_zones


class OrganizationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    time_zone = serializers.CharField(
        max_length=64, help_text="IANA time zone name, e.g. America/Los_Angeles"
    )

    class Meta:
        model = Organization
        fields = ["id", "slug", "name", "kind", "time_zone"]
        read_only_fields = ["slug", "name", "kind"]

    def validate_time_zone(self, value: str) -> str:
        if value not in available_zones():
            raise ValidationError(f"{value!r} is not an IANA time zone name.")
        return value


class OrganizationView(APIView):
    permission_classes = [HasCapability]
    read_capability = Cap.USE_API
    write_capability = Cap.MANAGE_MEMBERS

    @extend_schema(responses=OrganizationSerializer, tags=["organization"])
    def get(self, request: Request, org_slug: str) -> Response:
        return Response(OrganizationSerializer(request._request.org).data)

    @extend_schema(
        request=OrganizationSerializer, responses=OrganizationSerializer, tags=["organization"]
    )
    def patch(self, request: Request, org_slug: str) -> Response:
        serializer = OrganizationSerializer(request._request.org, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes: dict[str, Any] = dict(serializer.validated_data)
        try:
            org = organization_update_settings(
                org=request._request.org, actor=request.user, **changes
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(OrganizationSerializer(org).data)

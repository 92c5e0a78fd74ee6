"""Eligibility checks in the API: list a coverage's checks (`?coverage=<id>`), read one, and
POST to ask one (queued: poll the check until its status is no longer queued or sent)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from claims.eligibility import DEFAULT_SERVICE_TYPES, eligibility_check_request
from claims.models import EligibilityCheck
from patients.models import Coverage
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet
from rcm.permissions import Cap


class EligibilityCheckSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    coverage = serializers.SlugRelatedField(slug_field="public_id", queryset=Coverage.objects.all())
    service_types = serializers.ListField(
        child=serializers.ChoiceField(choices=DEFAULT_SERVICE_TYPES), required=False
    )
    card = serializers.JSONField(read_only=True, allow_null=True)
    changes = serializers.JSONField(read_only=True)

    class Meta:
        model = EligibilityCheck
        fields = ["id", "coverage", "requested_at", "source", "status", "service_date",
                  "service_types", "sud_withheld", "trace_number", "active", "coverage_begin",
                  "coverage_end", "answered_at", "reason", "card", "changes"]  # fmt: skip
        read_only_fields = [f for f in fields if f not in ("coverage", "service_types")]


class EligibilityCheckViewSet(OrgModelViewSet):
    model = EligibilityCheck
    serializer_class = EligibilityCheckSerializer
    read_capability = Cap.VIEW_PATIENTS
    write_capability = Cap.EDIT_PATIENTS
    phi = True
    http_method_names = ["get", "post", "head", "options"]
    ordering = ("-requested_at", "-id")

    def get_queryset(self) -> Any:
        rows = super().get_queryset()
        coverage = self.request.query_params.get("coverage")
        if coverage:
            try:
                rows = rows.filter(coverage__public_id=coverage)
            except DjangoValidationError as exc:
                raise ValidationError({"coverage": ["Not a coverage id."]}) from exc
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            check = eligibility_check_request(
                coverage=serializer.validated_data["coverage"],
                actor=request.user,
                source=EligibilityCheck.Source.MANUAL,
                service_types=serializer.validated_data.get("service_types"),
                defer=True,
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return Response(self.get_serializer(check).data, status=status.HTTP_202_ACCEPTED)


register("eligibility-checks", EligibilityCheckViewSet, "eligibility-check")

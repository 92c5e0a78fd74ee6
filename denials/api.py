"""Denials API under /api/o/<org>/: remittances (read) and posting exceptions (open ones by
kind; resolve with a note). Reads go through denials.selectors, writes through services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from denials import selectors, services
from denials.models import PostingException, Remittance
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet
from rcm.permissions import Cap


class RemittanceSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    open_exceptions = serializers.IntegerField(read_only=True)

    class Meta:
        model = Remittance
        fields = [
            "id",
            "payer_name",
            "trace_number",
            "payment_method",
            "payment_date",
            "total_paid",
            "claim_count",
            "provider_adjustment_total",
            "balanced",
            "open_exceptions",
            "posted_at",
        ]
        read_only_fields = fields


class PostingExceptionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    claim = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    claim_control_number = serializers.CharField(
        source="claim.control_number", default=None, read_only=True
    )
    remittance = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    resolved_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = PostingException
        fields = [
            "id",
            "kind",
            "message",
            "amount",
            "claim",
            "claim_control_number",
            "remittance",
            "status",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class RemittanceViewSet(OrgModelViewSet):
    model = Remittance
    serializer_class = RemittanceSerializer
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.WORK_CLAIMS
    phi = True
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.remittances_list()


class PostingExceptionViewSet(OrgModelViewSet):
    """Open exceptions by default (`?status=resolved` for the closed ones, `?kind=`)."""

    model = PostingException
    serializer_class = PostingExceptionSerializer
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.WORK_CLAIMS
    phi = True
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        rows = PostingException.objects.select_related("claim", "remittance", "resolved_by")
        if self.action == "list":
            status = self.request.query_params.get("status") or PostingException.Status.OPEN
            rows = rows.filter(status=status)
            if kind := self.request.query_params.get("kind"):
                rows = rows.filter(kind=kind)
        return rows.order_by("-created_at", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise ValidationError({"non_field_errors": ["Exceptions are raised by posting only."]})

    @extend_schema(request=ResolveSerializer, responses=PostingExceptionSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, public_id: str | None = None) -> Response:
        """Resolve the exception with a note (who and when are recorded)."""
        row = self.get_object()
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            row = services.exception_resolve(
                exception=row, note=body.validated_data["note"], actor=request.user
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(self.get_serializer(row).data)


register("remittances", RemittanceViewSet, "remittance")
register("posting-exceptions", PostingExceptionViewSet, "posting-exception")

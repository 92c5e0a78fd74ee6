"""The chargemaster in the API: list (filters by code, revenue code, date), add, edit, end-date,
import a CSV (all or nothing) and ask what a line would be charged. Billers read; billing
managers and admins write. Entries are never deleted: end-date or deactivate them."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from claims.chargemaster.csv_import import chargemaster_import_csv
from claims.chargemaster.selectors import charge_lookup
from claims.chargemaster.services import (
    chargemaster_entry_create,
    chargemaster_entry_end,
    chargemaster_entry_update,
)
from claims.models import ChargemasterEntry
from rcm.api.views import OrgModelViewSet
from rcm.permissions import Cap


def _actor(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class ChargemasterEntrySerializer(serializers.ModelSerializer):
    """Fields are parsed loosely and checked by the service, so every problem comes back keyed
    by field in one answer."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    code = serializers.CharField(required=False, allow_blank=True, max_length=10)
    revenue_code = serializers.CharField(required=False, allow_blank=True, max_length=10)
    modifiers = serializers.JSONField(required=False, help_text='e.g. ["HQ", "95"]')
    amount = serializers.CharField(help_text="Dollars and cents, e.g. 180.00")
    effective_from = serializers.CharField()
    effective_to = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    supersede = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="End an earlier open-ended charge of the same code the day before",
    )

    class Meta:
        model = ChargemasterEntry
        fields = [
            "id",
            "code",
            "revenue_code",
            "modifiers",
            "description",
            "amount",
            "effective_from",
            "effective_to",
            "is_active",
            "supersede",
        ]

    def to_representation(self, entry: ChargemasterEntry) -> dict[str, Any]:
        data = super().to_representation(entry)
        data["amount"] = str(entry.amount)
        data["effective_from"] = entry.effective_from.isoformat()
        data["effective_to"] = entry.effective_to.isoformat() if entry.effective_to else None
        return data

    def create(self, validated: dict[str, Any]) -> ChargemasterEntry:
        return chargemaster_entry_create(actor=_actor(self), **validated)

    def update(self, entry: ChargemasterEntry, validated: dict[str, Any]) -> ChargemasterEntry:
        if validated.pop("supersede", False):
            raise ValidationError({"supersede": ["Only when adding a charge."]})
        return chargemaster_entry_update(entry=entry, actor=_actor(self), **validated)


class EndSerializer(serializers.Serializer):
    effective_to = serializers.DateField()


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="A CSV file (multipart)")
    csv = serializers.CharField(required=False, help_text="Or the CSV text itself (JSON)")
    supersede = serializers.BooleanField(required=False, default=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if bool(data.get("file")) == bool(data.get("csv")):
            raise ValidationError({"csv": ["Send the CSV as `file` (multipart) or `csv` (text)."]})
        return data


class ChargeQuerySerializer(serializers.Serializer):
    code = serializers.CharField(required=False, allow_blank=True, max_length=5)
    modifiers = serializers.CharField(required=False, allow_blank=True, max_length=20)
    revenue_code = serializers.CharField(required=False, allow_blank=True, max_length=4)
    date = serializers.DateField()


class ChargeFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(method="by_code", label="code or revenue code (prefix)")
    revenue_code = django_filters.CharFilter()
    on = django_filters.DateFilter(method="in_effect_on", label="in effect on this date")

    class Meta:
        model = ChargemasterEntry
        fields = ["code", "revenue_code", "is_active", "on"]

    def by_code(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip().upper()
        return queryset.filter(Q(code__startswith=value) | Q(revenue_code__startswith=value))

    def in_effect_on(self, queryset: Any, name: str, value: datetime.date) -> Any:
        return queryset.filter(effective_from__lte=value).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=value)
        )


class ChargemasterViewSet(OrgModelViewSet):
    model = ChargemasterEntry
    serializer_class = ChargemasterEntrySerializer
    read_capability = Cap.WORK_CLAIMS
    write_capability = Cap.EDIT_PAYER_RULES
    filterset_class = ChargeFilter
    ordering = ("code", "revenue_code", "modifiers", "-effective_from")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=EndSerializer, responses=ChargemasterEntrySerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, public_id: str | None = None) -> Response:
        """End-date the charge: `effective_to` is the last day it applies."""
        entry = self.get_object()  # another org's entry: 404 before anything else
        body = EndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = chargemaster_entry_end(
            entry=entry, effective_to=body.validated_data["effective_to"], actor=request.user
        )
        return Response(self.get_serializer(entry).data)

    @extend_schema(request=ImportSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["post"], url_path="import")
    def import_csv(self, request: Request) -> Response:
        """Import a CSV chargemaster (columns: code, revenue_code, modifiers, description,
        amount, effective_from[, effective_to]): every row, or none. Problems come back as
        `csv`: one message per problem, naming its row."""
        body = ImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data.get("file")
        content = upload.read() if upload else body.validated_data["csv"]
        result = chargemaster_import_csv(
            content=content, actor=request.user, supersede=body.validated_data["supersede"]
        )
        return Response({"created": result.created, "superseded": result.superseded}, status=201)

    @extend_schema(
        parameters=[
            OpenApiParameter("code", str, required=False),
            OpenApiParameter("modifiers", str, required=False, description="e.g. HQ,95"),
            OpenApiParameter("revenue_code", str, required=False),
            OpenApiParameter("date", OpenApiTypes.DATE, required=True),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"])
    def charge(self, request: Request) -> Response:
        """What a claim line would be charged on `date`: the entry that prices it, or none."""
        query = ChargeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        mods = [m for m in data.get("modifiers", "").replace(",", " ").split() if m]
        row = charge_lookup(org=request._request.org).entry(
            data.get("code"), mods, data.get("revenue_code"), data["date"]
        )
        if row is None:
            return Response({"amount": None, "entry": None})
        return Response({"amount": str(row.amount), "entry": str(row.public_id)})

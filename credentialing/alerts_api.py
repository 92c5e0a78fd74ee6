"""Read-only API of the credentialing alerts (GET /api/o/<org>/credentialing-alerts/), for
whoever follows them up outside the pages; filters: kind, status, provider, payer. Part 2
alerts are withheld from members without Part 2 access by the scoped manager."""

from __future__ import annotations

import django_filters
from rest_framework import serializers

from credentialing.models import CredentialingAlert
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet
from rcm.permissions import Cap


class CredentialingAlertSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = serializers.UUIDField(source="provider.public_id", read_only=True)
    payer = serializers.UUIDField(source="payer.public_id", read_only=True, allow_null=True)
    license = serializers.UUIDField(source="license.public_id", read_only=True, allow_null=True)

    class Meta:
        model = CredentialingAlert
        fields = [
            "id",
            "kind",
            "status",
            "provider",
            "payer",
            "license",
            "due_on",
            "detail",
            "created_on",
            "last_seen_on",
            "resolved_on",
        ]
        read_only_fields = fields


class CredentialingAlertFilter(django_filters.FilterSet):
    provider = django_filters.UUIDFilter(field_name="provider__public_id")
    payer = django_filters.UUIDFilter(field_name="payer__public_id")

    class Meta:
        model = CredentialingAlert
        fields = ["kind", "status", "provider", "payer"]


class CredentialingAlertViewSet(OrgModelViewSet):
    model = CredentialingAlert
    serializer_class = CredentialingAlertSerializer
    filterset_class = CredentialingAlertFilter
    read_capability = Cap.VIEW_PROVIDERS
    write_capability = Cap.EDIT_PROVIDERS
    http_method_names = ["get", "head", "options"]
    select_related = ("provider", "payer", "license")
    ordering = ("due_on", "id")


register("credentialing-alerts", CredentialingAlertViewSet, "credentialing-alerts")

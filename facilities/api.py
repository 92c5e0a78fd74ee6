"""Facilities (the clinic's sites) and their billing profiles. Reads need VIEW_PROVIDERS, writes
EDIT_PAYER_RULES; writes go through the services, so errors come back keyed by field."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from facilities.models import PROFILE_PROGRAM_CHOICES, BillingProfile, Facility
from facilities.selectors import billing_identity_for
from facilities.services import (
    billing_profile_create,
    billing_profile_update,
    facility_create,
    facility_update,
)
from payers.models import Payer
from payers.services.codes import FORMAT_HINTS, TAXONOMY_RE
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet, RefuseProtectedDeleteMixin
from rcm.permissions import Cap


def _actor(serializer: serializers.Serializer) -> Any:
    request = serializer.context.get("request")
    return getattr(request, "user", None)


@extend_schema_field(OpenApiTypes.UUID)
class PublicId(serializers.SlugRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="public_id", **kwargs)


class FacilitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    tin = serializers.CharField(
        max_length=10, required=False, allow_blank=True, help_text="EIN: 9 digits"
    )

    class Meta:
        model = Facility
        fields = [
            "id",
            "name",
            "npi",
            "tin",
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


class BillingIdentitySerializer(serializers.Serializer):
    name = serializers.CharField()
    npi = serializers.CharField()
    tin = serializers.CharField()
    taxonomy = serializers.CharField()
    address_line1 = serializers.CharField()
    address_line2 = serializers.CharField()
    city = serializers.CharField()
    state = serializers.CharField()
    postal_code = serializers.CharField()
    pay_to = serializers.DictField(allow_null=True)
    source = serializers.CharField()

    def to_representation(self, identity: Any) -> dict[str, Any]:
        data = dict(vars(identity))
        data["pay_to"] = dict(vars(identity.pay_to)) if identity.pay_to else None
        return data


class FacilityViewSet(RefuseProtectedDeleteMixin, OrgModelViewSet):
    model = Facility
    serializer_class = FacilitySerializer
    read_capability = Cap.VIEW_PROVIDERS
    write_capability = Cap.EDIT_PAYER_RULES
    filterset_fields = ["pos", "is_active"]
    ordering = ("name",)

    @extend_schema(
        parameters=[
            OpenApiParameter("program", str, enum=["mh", "sud"], required=False),
            OpenApiParameter("payer", OpenApiTypes.UUID, required=False),
        ],
        responses=BillingIdentitySerializer,
    )
    @action(detail=True, methods=["get"], url_path="billing-identity")
    def billing_identity(self, request: Request, public_id: str | None = None) -> Response:
        """Who a claim of this facility names as billing provider for `program` and `payer`
        (both optional): the most specific active billing profile, else the facility."""
        facility = self.get_object()
        payer = None
        if request.query_params.get("payer"):
            try:
                payer = Payer.objects.get(public_id=request.query_params["payer"])
            except (Payer.DoesNotExist, DjangoValidationError) as exc:
                raise ValidationError({"payer": ["No such payer."]}) from exc
        program = request.query_params.get("program") or None
        if program not in (None, "mh", "sud"):
            raise ValidationError({"program": ["mh or sud."]})
        identity = billing_identity_for(facility=facility, program=program, payer=payer)
        return Response(BillingIdentitySerializer(identity).data)


class BillingProfileSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    facility = PublicId(queryset=Facility.objects.all())
    payer = PublicId(queryset=Payer.objects.all(), required=False, allow_null=True)
    program = serializers.ChoiceField(
        choices=PROFILE_PROGRAM_CHOICES, required=False, allow_blank=True
    )
    tin = serializers.CharField(max_length=10)
    postal_code = serializers.CharField(max_length=10, help_text="ZIP+4: 9 digits")
    pay_to_postal_code = serializers.CharField(max_length=10, required=False, allow_blank=True)

    class Meta:
        model = BillingProfile
        fields = [
            "id",
            "facility",
            "program",
            "payer",
            "billing_name",
            "npi",
            "tin",
            "taxonomy",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "pay_to_address_line1",
            "pay_to_address_line2",
            "pay_to_city",
            "pay_to_state",
            "pay_to_postal_code",
            "is_active",
        ]

    def create(self, validated: dict[str, Any]) -> BillingProfile:
        return billing_profile_create(actor=_actor(self), **validated)

    def update(self, profile: BillingProfile, validated: dict[str, Any]) -> BillingProfile:
        return billing_profile_update(profile=profile, actor=_actor(self), **validated)


class BillingProfileFilter(django_filters.FilterSet):
    facility = django_filters.UUIDFilter(field_name="facility__public_id")
    payer = django_filters.UUIDFilter(field_name="payer__public_id")

    class Meta:
        model = BillingProfile
        fields = ["facility", "payer", "program", "is_active"]


class BillingProfileViewSet(OrgModelViewSet):
    """A facility's billing profiles: who its claims name as billing provider for a program
    and/or payer (blank = any). Deactivate with `is_active: false`; they are never deleted."""

    model = BillingProfile
    serializer_class = BillingProfileSerializer
    read_capability = Cap.VIEW_PROVIDERS
    write_capability = Cap.EDIT_PAYER_RULES
    filterset_class = BillingProfileFilter
    select_related = ("facility", "payer")
    ordering = ("facility__name", "program", "id")
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


register("facilities", FacilityViewSet, "facility")
register("billing-profiles", BillingProfileViewSet, "billing-profile")

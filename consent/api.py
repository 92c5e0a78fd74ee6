"""Part 2 consents (create, read, revoke; never edited or deleted), the accounting of
disclosures (read; log one made without consent) and QSO agreements (record, end)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from consent import rules
from consent.gate import disclosure_record_without_consent
from consent.models import (
    Disclosure,
    Part2Consent,
    QualifiedServiceAgreement,
    RecipientRevocation,
)
from consent.services import (
    consent_record,
    consent_revoke,
    consent_revoke_recipient,
    qso_agreement_end,
    qso_agreement_record,
)
from patients.models import Patient
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet
from rcm.models import Organization
from rcm.permissions import Cap

_TEXT = (
    "kind",
    "disclosing_party",
    "information_scope",
    "recipient_kind",
    "recipients",
    "purpose",
    "expiration_event",
    "signer_name",
    "signer_role",
    "signature_method",
)


class RecipientRevocationSerializer(serializers.ModelSerializer):
    method = serializers.CharField(read_only=True)  # one enum name in the schema (RevokeSerializer)

    class Meta:
        model = RecipientRevocation
        fields = ["recipient", "revoked_on", "method"]


class Part2ConsentSerializer(serializers.ModelSerializer):
    """Element fields are optional here so the service answers with the element's own message."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Patient.objects.all(), required=False, allow_null=True
    )
    recipient_revocations = RecipientRevocationSerializer(many=True, read_only=True)

    class Meta:
        model = Part2Consent
        fields = [
            "id",
            "patient",
            *rules.ELEMENT_FIELDS,
            "revoked_on",
            "revocation_method",
            "recipient_revocations",
            "created_at",
        ]
        read_only_fields = ["revoked_on", "revocation_method", "created_at"]
        extra_kwargs = {
            **{name: {"required": False, "allow_blank": True} for name in _TEXT},
            "signed_on": {"required": False, "allow_null": True},
        }

    def create(self, validated_data: dict[str, Any]) -> Part2Consent:
        patient = validated_data.pop("patient", None)
        return consent_record(patient=patient, actor=self.context["request"].user, **validated_data)


class RevokeSerializer(serializers.Serializer):
    recipient = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="One of the named recipients, to revoke for that recipient only (partial "
        "revocation); blank revokes the whole consent.",
    )
    revoked_on = serializers.DateField(required=False, allow_null=True)
    method = serializers.ChoiceField(
        choices=rules.REVOCATION_METHODS, required=False, allow_blank=True
    )


class ConsentFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(field_name="patient__public_id")

    class Meta:
        model = Part2Consent
        fields = ["patient", "kind"]


class _NotFoundBeforeNotAllowed:
    """On an object route, another org's id answers 404 even for a method the route lacks
    (e.g. GET on revoke/); only this org's objects answer 405."""

    def http_method_not_allowed(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if "public_id" in kwargs:
            self.get_object()
        return super().http_method_not_allowed(request, *args, **kwargs)


class Part2ConsentViewSet(_NotFoundBeforeNotAllowed, OrgModelViewSet):
    model = Part2Consent
    serializer_class = Part2ConsentSerializer
    read_capability = Cap.VIEW_PATIENTS
    write_capability = Cap.RECORD_CONSENT
    phi = True
    select_related = ("patient",)
    ordering = ("-signed_on", "-id")

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("recipient_revocations")

    filterset_class = ConsentFilter
    # A signed consent is a record of what the patient signed: it is never edited or deleted.
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=RevokeSerializer, responses=Part2ConsentSerializer)
    @action(detail=True, methods=["post"], serializer_class=RevokeSerializer)
    def revoke(self, request: Request, public_id: str | None = None) -> Response:
        consent = self.get_object()
        form = RevokeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        when = {
            "actor": request.user,
            "revoked_on": form.validated_data.get("revoked_on"),
            "method": form.validated_data.get("method", ""),
        }
        recipient = form.validated_data.get("recipient", "").strip()
        if recipient:
            consent_revoke_recipient(consent=consent, recipient=recipient, **when)
        else:
            consent_revoke(consent=consent, **when)
        consent = self.get_queryset().get(pk=consent.pk)
        return Response(Part2ConsentSerializer(consent, context={"request": request}).data)


class DisclosureSerializer(serializers.ModelSerializer):
    """Reads show every row of the accounting. A POST logs a disclosure made without consent
    (its legal basis: medical emergency, audit, court order ...); disclosures with consent are
    written by the disclosure gate only. Fields are optional here so the service answers with
    its own messages."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    patient = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Patient.objects.all(), required=False, allow_null=True
    )
    consent = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    disclosed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    legal_basis = serializers.CharField(required=False, allow_blank=True)
    information_categories = serializers.ListField(
        child=serializers.CharField(max_length=20), required=False
    )

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "patient",
            "legal_basis",
            "basis_detail",
            "consent",
            "recipient",
            "recipient_address",
            "purpose",
            "information_categories",
            "description",
            "channel",
            "reference",
            "notice_statement",
            "scope_explanation",
            "disclosed_at",
            "disclosed_by",
        ]
        read_only_fields = ["notice_statement", "scope_explanation", "disclosed_at"]
        extra_kwargs = {
            name: {"required": False, "allow_blank": True}
            for name in (
                "basis_detail",
                "recipient",
                "recipient_address",
                "purpose",
                "description",
                "channel",
                "reference",
            )
        }

    def create(self, validated_data: dict[str, Any]) -> Disclosure:
        data = dict(validated_data)
        return disclosure_record_without_consent(
            patient=data.pop("patient", None),
            legal_basis=data.pop("legal_basis", ""),
            basis_detail=data.pop("basis_detail", ""),
            recipient_name=data.pop("recipient", ""),
            carries=data.pop("information_categories", []),
            purpose=data.pop("purpose", ""),
            description=data.pop("description", ""),
            channel=data.pop("channel", ""),
            actor=self.context["request"].user,
            **data,
        )


class DisclosureFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(field_name="patient__public_id")
    consent = django_filters.UUIDFilter(field_name="consent__public_id")

    class Meta:
        model = Disclosure
        fields = ["patient", "consent", "legal_basis"]


class DisclosureViewSet(_NotFoundBeforeNotAllowed, OrgModelViewSet):
    """The accounting of disclosures (§2.25). Consented disclosures are written by the gate;
    POST logs one made without consent. Rows are never edited or deleted."""

    model = Disclosure
    serializer_class = DisclosureSerializer
    read_capability = Cap.VIEW_PATIENTS
    write_capability = Cap.LOG_DISCLOSURES
    phi = True
    select_related = ("patient", "consent", "disclosed_by")
    ordering = ("-disclosed_at", "-id")
    filterset_class = DisclosureFilter
    http_method_names = ["get", "post", "head", "options"]


class QsoAgreementSerializer(serializers.ModelSerializer):
    """A qualified service organization agreement (42 CFR 2.11) with an outside billing company.
    Fields are optional here so the service answers with its own messages."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    counterparty = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Organization.objects.filter(kind=Organization.Kind.BILLING_COMPANY),
        required=False,
        allow_null=True,
    )
    counterparty_name = serializers.CharField(source="counterparty.name", read_only=True)
    services = serializers.ListField(child=serializers.CharField(max_length=24), required=False)
    in_force_today = serializers.SerializerMethodField()

    class Meta:
        model = QualifiedServiceAgreement
        fields = [
            "id",
            "counterparty",
            "counterparty_name",
            "services",
            "effective_on",
            "ends_on",
            "qso_bound_by_part2",
            "qso_resists_judicial_efforts",
            "document_reference",
            "in_force_today",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "effective_on": {"required": False, "allow_null": True},
            "document_reference": {"required": False, "allow_blank": True},
        }

    def get_in_force_today(self, agreement: QualifiedServiceAgreement) -> bool:
        return agreement.in_force_on(timezone.localdate())

    def create(self, validated_data: dict[str, Any]) -> QualifiedServiceAgreement:
        data = dict(validated_data)
        return qso_agreement_record(
            counterparty=data.pop("counterparty", None),
            actor=self.context["request"].user,
            **data,
        )


class QsoEndSerializer(serializers.Serializer):
    ends_on = serializers.DateField(required=False, allow_null=True)


class QsoAgreementViewSet(_NotFoundBeforeNotAllowed, OrgModelViewSet):
    """QSO agreements: recorded and ended, never edited or deleted (the history is the record of
    who could see Part 2 records when)."""

    model = QualifiedServiceAgreement
    serializer_class = QsoAgreementSerializer
    read_capability = Cap.MANAGE_AGREEMENTS
    write_capability = Cap.MANAGE_AGREEMENTS
    select_related = ("counterparty",)
    ordering = ("-effective_on", "-id")
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=QsoEndSerializer, responses=QsoAgreementSerializer)
    @action(detail=True, methods=["post"], serializer_class=QsoEndSerializer)
    def end(self, request: Request, public_id: str | None = None) -> Response:
        agreement = self.get_object()
        form = QsoEndSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        agreement = qso_agreement_end(
            agreement=agreement, ends_on=form.validated_data.get("ends_on"), actor=request.user
        )
        return Response(QsoAgreementSerializer(agreement, context={"request": request}).data)


register("part2-consents", Part2ConsentViewSet, "part2-consent")
register("qso-agreements", QsoAgreementViewSet, "qso-agreement")
register("disclosures", DisclosureViewSet, "disclosure")

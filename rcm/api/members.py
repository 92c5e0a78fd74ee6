from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from rcm.api.views import HasCapability, OrgScopedMixin
from rcm.models import Membership
from rcm.permissions import Cap


class AgreementStatusSerializer(serializers.Serializer):
    company = serializers.CharField()
    in_force = serializers.BooleanField()
    until = serializers.DateField(allow_null=True)
    last_ended_on = serializers.DateField(allow_null=True)


class MembershipSerializer(serializers.ModelSerializer):
    """`part2_access` is the admin's grant; `part2_access_today` is what the member sees today:
    the grant and, for a billing company's staff, an agreement in force with each company they
    work for (`agreements`)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    part2_access_today = serializers.SerializerMethodField()
    agreements = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "role",
            "is_active",
            "part2_access",
            "part2_access_today",
            "agreements",
            "created_at",
        ]
        read_only_fields = ["role", "is_active", "created_at"]

    def _access(self, membership: Membership) -> Any:
        from rcm.members import part2_access_of

        cache = self.context.setdefault("part2", {})
        if membership.pk not in cache:
            cache[membership.pk] = part2_access_of(membership)
        return cache[membership.pk]

    def get_part2_access_today(self, membership: Membership) -> bool:
        return self._access(membership).allowed

    @extend_schema_field(AgreementStatusSerializer(many=True))
    def get_agreements(self, membership: Membership) -> list[dict[str, Any]]:
        return AgreementStatusSerializer(self._access(membership).agreements, many=True).data


class MembershipViewSet(
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the org and their roles (administrators only). PATCH `part2_access` to grant or
    withhold 42 CFR Part 2 records; a billing company's staff see them only while a QSO
    agreement with their company is in force (`part2_access_today`, `agreements`)."""

    model = Membership
    serializer_class = MembershipSerializer
    lookup_field = "public_id"
    permission_classes = [HasCapability]
    read_capability = Cap.MANAGE_MEMBERS
    write_capability = Cap.MANAGE_MEMBERS
    filterset_fields = ["role", "is_active", "part2_access"]
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer: MembershipSerializer) -> None:
        from rcm.members import membership_set_part2_access

        if "part2_access" in serializer.validated_data:
            serializer.instance = membership_set_part2_access(
                membership=serializer.instance,
                allowed=serializer.validated_data["part2_access"],
                actor=self.request.user,
            )

    def get_queryset(self):  # noqa: ANN201
        return Membership.objects.select_related("user").order_by("user__username")

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from rcm.api.views import HasCapability, OrgScopedMixin
from rcm.models import Membership
from rcm.permissions import Cap


class MembershipSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "is_active", "part2_access", "created_at"]
        read_only_fields = ["role", "is_active", "created_at"]


class MembershipViewSet(
    OrgScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Members of the org and their roles (administrators only). PATCH `part2_access` to grant or
    withhold 42 CFR Part 2 records (e.g. once a billing company's QSOA is on file)."""

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

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
        fields = ["id", "username", "role", "is_active", "created_at"]


class MembershipViewSet(
    OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Members of the org and their roles (administrators only)."""

    model = Membership
    serializer_class = MembershipSerializer
    lookup_field = "public_id"
    permission_classes = [HasCapability]
    read_capability = Cap.MANAGE_MEMBERS
    write_capability = Cap.MANAGE_MEMBERS
    filterset_fields = ["role", "is_active"]

    def get_queryset(self):  # noqa: ANN201
        return Membership.objects.select_related("user").order_by("user__username")

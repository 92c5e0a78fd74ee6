"""/api/o/<org>/notifications/: the caller's own notifications (unread first; `?unread=1` for
the unread only), `POST <id>/read/` and `POST read-all/`."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.request import Request
from rest_framework.response import Response

from notifications import selectors, services
from notifications.models import Notification
from rcm.api.urls import register
from rcm.api.views import OrgModelViewSet
from rcm.permissions import Cap


class NotificationSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "part2", "created_at", "read_at"]
        read_only_fields = fields


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class NotificationViewSet(OrgModelViewSet):
    model = Notification
    serializer_class = NotificationSerializer
    read_capability = Cap.USE_API
    write_capability = Cap.USE_API
    phi = True  # the body may name a patient
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Notification.objects.none()
        rows = selectors.notifications_of(user=self.request.user)
        if self.request.query_params.get("unread") in {"1", "true"}:
            rows = rows.filter(read_at__isnull=True)
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise MethodNotAllowed("POST", detail="Notifications are sent by the system only.")

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, public_id: str | None = None) -> Response:
        """Mark one notification read."""
        row = services.notification_mark_read(notification=self.get_object(), actor=request.user)
        return Response(self.get_serializer(row).data)

    @extend_schema(request=None, responses=ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark every unread notification read."""
        return Response({"marked": services.notifications_mark_all_read(actor=request.user)})


register("notifications", NotificationViewSet, "notification")

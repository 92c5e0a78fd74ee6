"""Base classes for org-scoped API views. The org is active (middleware) before they run."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from rest_framework import permissions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from rcm.audit import phi_access_record
from rcm.models import PhiAccess
from rcm.permissions import Cap, role_has

SAFE = {"GET", "HEAD", "OPTIONS"}


class HasCapability(permissions.BasePermission):
    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        membership = getattr(request._request, "membership", None)
        if membership is None:
            return False
        cap = view.read_capability if request.method in SAFE else view.write_capability
        return role_has(membership.role, cap)


class OrgScopedMixin:
    """The org in the URL has been resolved by the middleware (request.org); handlers and
    custom actions don't take it as an argument."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("org_slug", None)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class OrgModelViewSet(OrgScopedMixin, viewsets.ModelViewSet):
    """CRUD over one tenant model. Subclasses set `model`, `serializer_class`, capabilities and
    `phi` (True when reads must be logged in the PHI access log)."""

    model: Any = None
    lookup_field = "public_id"
    lookup_url_kwarg = "public_id"
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    read_capability: Cap = Cap.VIEW_PATIENTS
    write_capability: Cap = Cap.EDIT_PATIENTS
    phi = False
    select_related: tuple[str, ...] = ()
    ordering: tuple[str, ...] = ("-id",)

    def get_queryset(self) -> Any:
        return self.model.objects.select_related(*self.select_related).order_by(*self.ordering)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()  # once: the log and the response share it
        self._log_reads([instance])
        return Response(self.get_serializer(instance).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        self._log_reads(rows)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _log_reads(self, rows: list[Any]) -> None:
        if self.phi:
            phi_access_record(
                request=self.request._request, action=PhiAccess.Action.API, objects=rows
            )

    def perform_create(self, serializer: Any) -> None:
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer: Any) -> None:
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance: Any) -> None:
        with transaction.atomic():
            instance.delete()


class RefuseProtectedDeleteMixin:
    """A delete of a row still referenced (on_delete=PROTECT) answers 400, not 500."""

    def perform_destroy(self, instance: Any) -> None:
        try:
            super().perform_destroy(instance)  # type: ignore[misc]
        except ProtectedError as exc:
            raise ValidationError(
                {"non_field_errors": [f"{instance} is still in use; mark it inactive instead."]}
            ) from exc

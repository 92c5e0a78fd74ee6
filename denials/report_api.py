"""Reports API (loaded by denials.api) under /api/o/<org>/: open A/R aging (denials.reports),
overall and per payer, by date of service or submission date."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.models import Claim
from claims.selectors import BUCKETS
from denials import reports
from rcm.api.urls import register_path
from rcm.api.views import HasCapability
from rcm.permissions import Cap


class AgingBucketSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Claims with an open balance in the bucket")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Open balance")


class PayerAgingSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True, help_text="Payer id (null: all payers)")
    name = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    buckets = AgingBucketSerializer(many=True)


class ArAgingSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(choices=list(reports.BASES))
    as_of = serializers.DateField()
    overall = PayerAgingSerializer()
    payers = PayerAgingSerializer(many=True)


def _row(row: reports.AgingRow) -> dict[str, Any]:
    return {
        "id": row.payer_public_id or None,
        "name": row.payer,
        "count": row.count,
        "amount": row.total,
        "buckets": [
            {"key": k, "label": label, "count": row.counts[k], "amount": row.amounts[k]}
            for k, label, *_ in BUCKETS
        ],
    }


class ArAgingView(APIView):
    """Open A/R (claims sent — submitted, accepted, paid, denied, rejected — with a balance
    above zero) by age bucket, overall and per payer. The claims listed by
    GET /claims/?queue=ar (with `bucket` or `dos_bucket`) are the claims counted."""

    model = Claim
    permission_classes = [permissions.IsAuthenticated, HasCapability]
    read_capability = Cap.VIEW_DASHBOARDS
    write_capability = Cap.VIEW_DASHBOARDS

    @extend_schema(
        summary="Open A/R aging",
        parameters=[
            OpenApiParameter(
                "basis",
                str,
                enum=list(reports.BASES),
                description="service (default) or submission",
            )
        ],
        responses={200: ArAgingSerializer},
        tags=["reports"],
    )
    def get(self, request: Request, org_slug: str) -> Response:
        basis = request.query_params.get("basis", "service")
        if basis not in reports.BASES:
            raise ValidationError({"basis": ["Choose service or submission."]})
        aging = reports.ar_aging(basis=basis)
        data = {
            "basis": basis,
            "as_of": aging["as_of"],
            "overall": _row(aging["overall"]),
            "payers": [_row(r) for r in aging["payers"]],
        }
        return Response(ArAgingSerializer(data).data)


register_path("reports/ar-aging/", ArAgingView, "api-reports-ar-aging")

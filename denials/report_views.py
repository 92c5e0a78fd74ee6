"""The leadership dashboard (/o/<org>/reports/): A/R aging by payer, days in A/R, A/R over 90
days, initial denial rate by payer and root cause, clean-claim, first-pass and net collection
rates, collections over time; each figure links to the claims behind it; each table as CSV.
And /reports/ar/: the orgs a member (e.g. a billing company's biller) belongs to, each computed
inside its own org_context, with the total across them."""

from __future__ import annotations

import csv
import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from claims.selectors import BUCKETS
from denials import reports
from payers.models import Payer
from rcm.permissions import Cap, role_has
from rcm.selectors import billing_companies_of, memberships_for_user
from rcm.tenancy import org_context
from rcm.tenancy.part2 import member_may_see_part2
from rcm.views import requires

PER_PAGE = 200


def _basis(request: HttpRequest) -> str:
    basis = request.GET.get("basis", "service")
    return basis if basis in reports.BASES else "service"


def _period(request: HttpRequest) -> str:
    return "week" if request.GET.get("period") == "week" else "month"


def drill_url(org_slug: str, metric: str, **params: Any) -> str:
    base = reverse("reports:claims", kwargs={"org_slug": org_slug})
    query = {"metric": metric, **{k: v for k, v in params.items() if v not in (None, "")}}
    return f"{base}?{urlencode(query)}"


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _chart_data(data: dict[str, Any]) -> dict[str, Any]:
    aging = data["aging"]
    return {
        "buckets": [label for _, label, *_ in BUCKETS],
        "aging": [
            {"payer": row.payer, "amounts": [float(row.amounts[k]) for k, *_ in BUCKETS]}
            for row in aging["payers"]
        ],
        "denials": {
            "labels": [r["payer"] for r in data["denials_by_payer"]],
            "rates": [r["rate"] for r in data["denials_by_payer"]],
            "benchmarks": reports.BENCHMARKS["initial_denial_rate"],
        },
        "collections": {
            "labels": [r["period"].isoformat() for r in data["collections"]],
            "paid": [float(r["paid"]) for r in data["collections"]],
        },
    }


@require_GET
@requires(Cap.VIEW_DASHBOARDS)
def dashboard(request: HttpRequest, org_slug: str) -> HttpResponse:
    basis, period = _basis(request), _period(request)
    data = reports.dashboard(basis=basis, period=period)
    slug = request.org.slug
    for row in data["aging"]["payers"]:
        row.links = {  # type: ignore[attr-defined]
            key: drill_url(slug, "ar", payer=row.payer_public_id, bucket=key, basis=basis)
            for key, *_ in BUCKETS
        }
        row.total_link = drill_url(slug, "ar", payer=row.payer_public_id)  # type: ignore[attr-defined]
    overall = data["aging"]["overall"]
    overall.links = {key: drill_url(slug, "ar", bucket=key, basis=basis) for key, *_ in BUCKETS}
    overall.total_link = drill_url(slug, "ar")
    for row in [*data["aging"]["payers"], overall]:
        row.cells = [  # type: ignore[attr-defined]
            (row.amounts[k], row.counts[k], row.links[k]) for k, *_ in BUCKETS
        ]
    for row in data["denials_by_payer"]:
        row["denied_link"] = drill_url(slug, "first_denied", payer=row["payer_public_id"])
        row["adjudicated_link"] = drill_url(slug, "adjudicated", payer=row["payer_public_id"])
    for row in data["denials_by_root_cause"]:
        row["denied_link"] = drill_url(slug, "first_denied", root_cause=row["root_cause"])
    links = {m: drill_url(slug, m) for m in reports.METRICS}
    links["over_90"] = drill_url(slug, "ar", over_90="1")
    context = {
        "data": data,
        "basis": basis,
        "period": period,
        "buckets": BUCKETS,
        "links": links,
        "chart": _chart_data(data),
    }
    return TemplateResponse(request, "reports/dashboard.html", context)


def _payer(request: HttpRequest) -> Payer | None:
    value = request.GET.get("payer", "")
    if not value:
        return None
    try:
        public_id = uuid.UUID(value)
    except ValueError as exc:
        raise Http404("No such payer") from exc
    payer = Payer.objects.filter(public_id=public_id).first()
    if payer is None:
        raise Http404("No such payer")
    return payer


@require_GET
@requires(Cap.VIEW_DASHBOARDS)
def claims(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The claims behind a figure (no patient names: control numbers, payer, dates, money)."""
    metric = request.GET.get("metric", "ar")
    if metric not in reports.METRICS:
        raise Http404("No such figure")
    bucket = request.GET.get("bucket", "")
    if bucket and bucket not in {k for k, *_ in BUCKETS}:
        raise Http404("No such bucket")
    payer = _payer(request)
    qs = reports.claims_for(
        metric,
        payer=payer,
        bucket=bucket,
        basis=_basis(request),
        root_cause=request.GET.get("root_cause", ""),
        over_90=request.GET.get("over_90") == "1",
    )
    total = qs.count()
    rows = list(qs.select_related("payer").order_by("service_from", "pk")[:PER_PAGE])
    totals = qs.aggregate(charge=Sum("total_charge"), balance=Sum("balance"))
    context = {
        "metric": metric,
        "label": reports.METRICS[metric],
        "payer": payer,
        "bucket": bucket,
        "basis": _basis(request),
        "root_cause": request.GET.get("root_cause", ""),
        "rows": rows,
        "total": total,
        "shown": len(rows),
        "totals": totals,
        "may_open": role_has(request.membership.role, Cap.WORK_CLAIMS),
    }
    return TemplateResponse(request, "reports/claims.html", context)


def _csv(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


CSV_TABLES = ("ar-aging", "denials-by-payer", "denials-by-root-cause", "collections", "kpis")


@require_GET
@requires(Cap.VIEW_DASHBOARDS)
def table_csv(request: HttpRequest, org_slug: str) -> HttpResponse:
    table = request.GET.get("table", "")
    keys = [k for k, *_ in BUCKETS]
    if table == "ar-aging":
        aging = reports.ar_aging(basis=_basis(request))
        rows = [
            [row.payer, *(_money(row.amounts[k]) for k in keys), _money(row.total), row.count]
            for row in [*aging["payers"], aging["overall"]]
        ]
        return _csv(
            f"ar-aging-by-{aging['basis']}-date",
            ["payer", *keys, "total", "claims"],
            rows,
        )
    if table == "denials-by-payer":
        data = reports.denial_rates_by_payer()
        return _csv(
            table,
            ["payer", "adjudicated", "denied_first_pass", "initial_denial_rate_pct"],
            [[r["payer"], r["adjudicated"], r["denied"], r["rate"]] for r in data],
        )
    if table == "denials-by-root-cause":
        data = reports.denial_rates_by_root_cause()
        return _csv(
            table,
            ["root_cause", "adjudicated", "denied_first_pass", "initial_denial_rate_pct"],
            [[r["root_cause"], r["adjudicated"], r["denied"], r["rate"]] for r in data],
        )
    if table == "collections":
        data = reports.collections(period=_period(request))
        return _csv(
            f"collections-by-{_period(request)}",
            ["period", "paid", "claims"],
            [[r["period"].isoformat(), _money(r["paid"]), r["claims"]] for r in data],
        )
    if table == "kpis":
        summary, rates = reports.ar_summary(), reports.rates()
        return _csv(table, ["kpi", "value"], [[k, v] for k, v in {**summary, **rates}.items()])
    raise Http404("No such table")


@require_GET
@login_required
def ar_overview(request: HttpRequest) -> HttpResponse:
    """Each org the user belongs to as a role that sees dashboards or works claims (a billing
    company's biller), and the total across them. Every org's
    figures are read inside that org's own org_context (row-level security on, Part 2 gated as
    the member's access in that org decides)."""
    rows = []
    for membership in memberships_for_user(user=request.user):
        dashboards = role_has(membership.role, Cap.VIEW_DASHBOARDS)
        if not dashboards and not role_has(membership.role, Cap.WORK_CLAIMS):
            continue  # A/R totals for those who lead or work the org's billing
        companies = billing_companies_of(user_id=request.user.pk, exclude_org_id=membership.org_id)

        def may_see_part2(membership: Any = membership, companies: Any = companies) -> bool:
            return member_may_see_part2(membership=membership, companies=companies)

        with org_context(membership.org, actor_id=request.user.pk, part2_access=may_see_part2):
            summary = reports.ar_summary()
            aging = reports.ar_aging(basis="service")
        rows.append(
            {
                "org": membership.org,
                "summary": summary,
                "aging": aging["overall"],
                "url": reverse("reports:dashboard", kwargs={"org_slug": membership.org.slug})
                if dashboards
                else reverse("claims:queue", kwargs={"org_slug": membership.org.slug})
                + "?queue=ar",
            }
        )
    keys = [k for k, *_ in BUCKETS]
    total = {
        "ar": sum((r["summary"]["ar"] for r in rows), Decimal("0")),
        "ar_count": sum(r["summary"]["ar_count"] for r in rows),
        "ar_over_90": sum((r["summary"]["ar_over_90"] for r in rows), Decimal("0")),
        "amounts": {k: sum((r["aging"].amounts[k] for r in rows), Decimal("0")) for k in keys},
    }
    for row in rows:
        row["cells"] = [row["aging"].amounts[k] for k in keys]
    total["cells"] = [total["amounts"][k] for k in keys]
    if request.GET.get("format") == "csv":
        out = [
            [r["org"].name, *(_money(c) for c in r["cells"]), _money(r["summary"]["ar"])]
            for r in rows
        ]
        out.append(["Total", *(_money(c) for c in total["cells"]), _money(total["ar"])])
        return _csv("ar-by-org", ["org", *keys, "total"], out)
    return TemplateResponse(
        request, "reports/ar_overview.html", {"rows": rows, "total": total, "buckets": BUCKETS}
    )

"""Every org-scoped route, found automatically: a member of org B who asks for org A (or for
org A's objects under org B's URL) gets 404 and changes nothing. New routes are swept without
editing this file; a route taking an object id must say which model it serves."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from rcm.tenancy import org_context
from rcm.tenancy.models import TenantModel
from rcm.tenancy.rls import tenant_tables
from tests import factories

METHODS = ["get", "post", "put", "patch", "delete"]


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any, str]]:
    routes = []
    for p in patterns:
        regex = p.pattern.regex.pattern.lstrip("^").replace(r"\Z", "").rstrip("$")
        if isinstance(p, URLResolver):
            routes += _walk(p.url_patterns, prefix + regex)
        elif isinstance(p, URLPattern):
            routes.append((prefix + regex, p.callback, p.name or ""))
    return routes


def _groups(regex: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each named group, honouring nested parentheses."""
    found = []
    for m in re.finditer(r"\(\?P<(\w+)>", regex):
        depth, i = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(regex[i], 0) if regex[i - 1] != "\\" else 0
            i += 1
        found.append((m.start(), i, m.group(1)))
    return found


def org_routes() -> list[tuple[str, Any, str]]:
    return [
        r
        for r in _walk(get_resolver().url_patterns)
        if "(?P<org_slug>" in r[0] and "(?P<format>" not in r[0]
    ]


def _model_of(callback: Any) -> type | None:
    for owner in (getattr(callback, "cls", None), getattr(callback, "view_class", None)):
        if owner is not None and getattr(owner, "model", None) is not None:
            return owner.model
    return getattr(callback, "sweep_model", None)


def _url(regex: str, values: dict[str, str]) -> str:
    out, last = [], 0
    for start, end, name in _groups(regex):
        out += [regex[last:start], values.get(name, "x")]
        last = end
    out.append(regex[last:])
    return "/" + "".join(out).replace("\\", "")


def _fingerprint(orgs: list[Any]) -> dict[str, str]:
    prints = {}
    for org in orgs:
        with org_context(org), connection.cursor() as cur:
            for table in tenant_tables():
                cur.execute(
                    f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) "
                    f"FROM {table} t"
                )
                prints[f"{org.slug}.{table}"] = cur.fetchone()[0]
    return prints


def _instance_for(model: type, graph: dict[str, Any]) -> Any:
    for obj in graph.values():
        if type(obj) is model:
            return obj
    return None


def test_the_sweep_finds_the_org_routes_and_each_object_route_names_its_model():
    routes = org_routes()
    assert len(routes) >= 5
    unnamed = [
        regex
        for regex, cb, _ in routes
        if any(n != "org_slug" for _, _, n in _groups(regex)) and _model_of(cb) is None
    ]
    assert unnamed == [], "decorate these views with rcm.views.for_model(Model)"


@pytest.mark.django_db(transaction=False)
def test_outsiders_get_404_everywhere_and_change_nothing(committed_db, client):
    org_a = factories.organization(slug="sweep-a")
    org_b = factories.organization(slug="sweep-b")
    graph = factories.org_graph(org_a)
    client.force_login(factories.member(org_b, role="admin"))
    before = _fingerprint([org_a, org_b])
    failures = []
    for regex, callback, name in org_routes():
        model = _model_of(callback)
        obj = _instance_for(model, graph) if model else None
        if model is not None and obj is None:
            failures.append(
                f"{name}: the sweep has no {model.__name__} in org A; add one to "
                "tests.factories.org_graph"
            )
            continue
        ids = (
            {n: str(obj.public_id) for _, _, n in _groups(regex) if n != "org_slug"} if obj else {}
        )
        for method in METHODS:
            url = _url(regex, {**ids, "org_slug": org_a.slug})
            status = getattr(client, method)(url, content_type="application/json").status_code
            if status != 404:
                failures.append(f"{method.upper()} {url} ({name}) as outsider -> {status}")
        if ids:
            url = _url(regex, {**ids, "org_slug": org_b.slug})
            for method in METHODS:
                status = getattr(client, method)(url, content_type="application/json").status_code
                if status not in (404, 405):  # 405: the route has no such method at all
                    failures.append(f"{method.upper()} {url} ({name}) A's object via B -> {status}")
    assert failures == []
    assert _fingerprint([org_a, org_b]) == before


@pytest.mark.django_db
def test_every_tenant_model_appears_in_the_sweep_graph(org_a):
    in_graph = {type(obj) for obj in factories.org_graph(org_a).values()}
    exempt = {
        "rcm.ChangeLog",
        "patients.EpisodeUserObjectPermission",
        "patients.EpisodeGroupObjectPermission",
    }
    missing = [
        m._meta.label
        for m in apps.get_models()
        if issubclass(m, TenantModel) and m not in in_graph and m._meta.label not in exempt
    ]
    assert missing == [], "add these models to tests.factories.org_graph"

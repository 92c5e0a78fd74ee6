"""Bad input never yields a 500: every org route, found automatically, is sent junk by a
member with every capability (an admin), and must answer with a 4xx or a re-rendered form."""

from __future__ import annotations

import pytest

from tests import factories
from tests.rcm.test_outsider_sweep import _groups, _instance_for, _model_of, _url, org_routes

JUNK = [
    {},
    {
        "id": "not-a-uuid",
        "patient": "nope",
        "start_date": "31/02/2026",
        "end_date": "yesterday",
        "units_authorized": "-5",
        "minutes": "-20",
        "npi": "123",
        "code": "<script>",
        "rate": "abc",
        "level": "space",
        "kind": "???",
        "priority": "first",
        "member_id": "",
        "diagnoses": "F32",
        "codes": 7,
        "modifiers": "toolong",
        "telehealth": "[]",
        "expires_on": "2026-13-45",
    },
]


@pytest.mark.django_db
def test_junk_posted_to_every_org_route_is_refused_with_a_4xx_not_a_500(client):
    org = factories.organization(slug="junk-a")
    graph = factories.org_graph(org)
    client.force_login(factories.member(org, role="admin"))
    failures = []
    for regex, callback, name in org_routes():
        model = _model_of(callback)
        obj = _instance_for(model, graph) if model else None
        ids = (
            {n: str(obj.public_id) for _, _, n in _groups(regex) if n != "org_slug"} if obj else {}
        )
        url = _url(regex, {**ids, "org_slug": org.slug})
        for payload in JUNK:
            for method in ("post", "patch", "put"):
                for as_json in (True, False):
                    kwargs = {"content_type": "application/json"} if as_json else {}
                    if not as_json and method != "post":
                        continue
                    response = getattr(client, method)(url, payload, **kwargs)
                    if response.status_code >= 500:
                        failures.append(
                            f"{method.upper()} {url} ({name}) -> {response.status_code}"
                        )
    assert failures == []

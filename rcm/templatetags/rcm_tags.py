from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from rcm.permissions import role_has
from rcm.selectors import memberships_for_user

register = template.Library()

# (label, url name, capability). Apps' pages appear here as they land; missing names are skipped.
NAV = [
    ("Patients", "patients:patient_list", "view_patients"),
    ("Sessions", "patients:session_list", "view_patients"),
    ("Authorizations", "authorizations:auth_list", "view_authorizations"),
    ("Providers", "credentialing:provider_list", "view_providers"),
    ("Payers", "payers:payer_list", "view_providers"),
    ("QSO agreements", "consent:agreement_list", "manage_agreements"),
]


@register.simple_tag(takes_context=True)
def user_memberships(context: dict[str, Any]) -> list[Any]:
    request = context.get("request")
    return memberships_for_user(user=request.user) if request else []


@register.simple_tag(takes_context=True)
def nav_links(context: dict[str, Any]) -> list[dict[str, str]]:
    request = context["request"]
    membership = getattr(request, "membership", None)
    links = []
    for label, name, cap in NAV:
        if membership is None or not role_has(membership.role, cap):
            continue
        try:
            links.append(
                {"label": label, "url": reverse(name, kwargs={"org_slug": request.org.slug})}
            )
        except NoReverseMatch:
            continue
    return links

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from rcm.nav import nav_entries
from rcm.permissions import role_has
from rcm.selectors import memberships_for_user

register = template.Library()

# The side navigation: each app registers its pages from its AppConfig.ready() (rcm.nav), so the
# platform names no page of a higher layer.


@register.simple_tag(takes_context=True)
def user_memberships(context: dict[str, Any]) -> list[Any]:
    request = context.get("request")
    return memberships_for_user(user=request.user) if request else []


@register.simple_tag(takes_context=True)
def nav_links(context: dict[str, Any]) -> list[dict[str, str]]:
    request = context["request"]
    membership = getattr(request, "membership", None)
    links = []
    for label, name, cap in nav_entries():
        if membership is None or not role_has(membership.role, cap):
            continue
        try:
            links.append(
                {"label": label, "url": reverse(name, kwargs={"org_slug": request.org.slug})}
            )
        except NoReverseMatch:
            continue
    return links

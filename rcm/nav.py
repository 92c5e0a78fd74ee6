"""The side navigation, filled by the apps: `nav_link(...)` from an AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    capability: str
    order: int


_LINKS: dict[str, NavLink] = {}


def nav_link(label: str, url_name: str, *, capability: str, order: int) -> None:
    """Show `label` (linking to the org-scoped `url_name`) to roles with `capability`."""
    _LINKS[url_name] = NavLink(label, url_name, capability, order)


def nav_entries() -> list[tuple[str, str, str]]:
    links = sorted(_LINKS.values(), key=lambda link: (link.order, link.label))
    return [(link.label, link.url_name, link.capability) for link in links]

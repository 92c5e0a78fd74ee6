"""One router for every app's org-scoped API; apps register viewsets in their api.py."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

REGISTRY: list[tuple[str, type, str]] = []
PATHS: list = []


def register(prefix: str, viewset: type, basename: str) -> None:
    REGISTRY.append((prefix, viewset, basename))


def register_path(route: str, view: type, name: str) -> None:
    """A single-object endpoint (an APIView, not a viewset) under /api/o/<org>/`route`."""
    from django.urls import path

    PATHS.append(path(route, view.as_view(), name=name))


def _build() -> list:
    from django.utils.module_loading import autodiscover_modules

    from rcm.api.members import MembershipViewSet

    register("memberships", MembershipViewSet, "membership")
    autodiscover_modules("api")  # every installed app's api.py registers its viewsets
    for prefix, viewset, basename in REGISTRY:
        router.register(prefix, viewset, basename=basename)
    return router.urls


def _organization() -> list:
    from django.urls import path

    from rcm.api.organization import OrganizationView

    return [path("organization/", OrganizationView.as_view(), name="api-organization")]


api_patterns = _build() + _organization() + PATHS

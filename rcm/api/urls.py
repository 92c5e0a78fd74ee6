"""One router for every app's org-scoped API; apps register viewsets in their api.py."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

REGISTRY: list[tuple[str, type, str]] = []


def register(prefix: str, viewset: type, basename: str) -> None:
    REGISTRY.append((prefix, viewset, basename))


def _build() -> list:
    from importlib import import_module

    from rcm.api.members import MembershipViewSet

    register("memberships", MembershipViewSet, "membership")
    for app in ("patients", "credentialing", "authorizations", "consent"):
        try:
            import_module(f"{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.api":
                raise
    for prefix, viewset, basename in REGISTRY:
        router.register(prefix, viewset, basename=basename)
    return router.urls


api_patterns = _build()

"""Activates the org named in the URL for members only; everyone else gets 404. Whether the
member sees Part 2 records is decided once the org is active (rcm.tenancy.part2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from .context import current_part2_access, org_context, user_db_context
from .part2 import member_may_see_part2


def _api_user(request: HttpRequest) -> Any:
    from rest_framework.exceptions import AuthenticationFailed

    from rcm.api.auth import HashedTokenAuthentication

    try:
        result = HashedTokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return result[0] if result else None


class OrgMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.org = None
        request.membership = None
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        slug = kwargs.get("org_slug")
        if slug is None:
            return None
        is_api = request.path.startswith("/api/")
        user = request.user if request.user.is_authenticated else None
        if user is None and is_api:
            user = _api_user(request)
        if user is None:
            if is_api:
                return JsonResponse(
                    {"detail": "Authentication credentials were not provided."}, status=401
                )
            return redirect_to_login(request.get_full_path())
        return self._run_in_org(request, view, args, kwargs, user, slug)

    def _run_in_org(
        self,
        request: HttpRequest,
        view: Callable[..., Any],
        args: Any,
        kwargs: dict[str, Any],
        user: Any,
        slug: str,
    ) -> HttpResponse:
        from rcm.models import Membership
        from rcm.selectors import billing_companies_of

        with transaction.atomic():
            with user_db_context(user.pk):
                membership = (
                    Membership.unscoped_all_orgs_admin_only.select_related("org")
                    .filter(user=user, org__slug=slug, is_active=True)
                    .first()
                )
            if membership is None:
                raise Http404("No such organization")
            request.org = membership.org
            request.membership = membership
            companies = billing_companies_of(user_id=user.pk, exclude_org_id=membership.org_id)

            def may_see_part2() -> bool:
                return member_may_see_part2(membership=membership, companies=companies)

            with org_context(membership.org, actor_id=user.pk, part2_access=may_see_part2):
                part2_access = current_part2_access()
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)) and not response.is_rendered:
                    response = response.render()  # render while the org is still active
                failed = response.status_code >= 400
                if failed:
                    transaction.set_rollback(True)  # a failed request leaves nothing half-saved
            if failed:
                # ...except the PHI access log: a page shown with errors still showed the PHI.
                from rcm.audit import phi_access_replay

                with org_context(membership.org, actor_id=user.pk, part2_access=part2_access):
                    phi_access_replay(request)
        return response

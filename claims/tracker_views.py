"""The credentialing tracker page (billing managers and admins: edit_providers). It shows
sums of held claims, never a patient, so it records no PHI read; Part 2 claims are counted
only for members with Part 2 access (the scoped managers withhold them)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from claims.selectors.credentialing import credentialing_tracker
from claims.views import queue_url
from rcm.permissions import Cap
from rcm.views import requires


@requires(Cap.EDIT_PROVIDERS)
def credentialing_tracker_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    tracker = credentialing_tracker(today=timezone.localdate())
    links = {id(row): queue_url(request, "held", row.queue_params()) for row in tracker.pairs}
    rows = [(row, links[id(row)]) for row in tracker.pairs]
    context = {"tracker": tracker, "rows": rows, "today": tracker.today}
    return TemplateResponse(request, "claims/credentialing_tracker.html", context)

"""Security middleware: strict Content-Security-Policy and absolute session lifetime."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SESSION_STARTED = "rcm_login_at"


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class SessionTimeoutMiddleware:
    """Idle timeout comes from SESSION_COOKIE_AGE renewed on each request; this adds the
    absolute limit counted from login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED] = now
            elif now - int(started) > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)

"""Middleware of the bottom layer: a part we depend on that is away for a moment (the private storage read-only
or unreachable, a mail server that refuses, the database restarting) is a clear "try again shortly" page with
status 503, not a server error; every response carries a Content-Security-Policy and a Permissions-Policy."""

import logging

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

DATABASE_AWAY = (OperationalError, InterfaceError)  # not reachable, restarting, a connection lost: not a bug


def database_unavailable(request) -> HttpResponse:
    """The page while the database does not answer: made without it (no layout, menu or settings from it), in
    both languages, as the 500 page is. The request's transaction was rolled back: nothing is half applied."""
    log.error("%s %s: the database is unavailable", request.method, request.path, exc_info=True)
    response = HttpResponse(render_to_string("503_database.html"), status=503)
    response["Retry-After"] = "30"
    return response

log = logging.getLogger(__name__)


class TemporarilyUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_AWAY):
            return database_unavailable(request)
        if not isinstance(exception, OSError):
            return None
        log.error("%s %s: a dependency is unavailable: %r", request.method, request.path, exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "120"
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with two policies: the site's strict one (scripts only from us or with the
    request's nonce, no inline styles, forms only to us and Stripe Checkout) and, under /admin/, the one the
    Wagtail admin needs (its panels and widgets carry inline scripts and styles). Adds a Permissions-Policy
    that turns off what the site never uses."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and request.path_info.startswith("/admin/"):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

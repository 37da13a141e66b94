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

# PostgreSQL's codes for a database that is away for a moment: a connection failure (class 08), shutting down or
# starting up (57P01-57P03), too many connections (53300). A statement timeout, a deadlock or a missing table is
# an error of ours: a 500.
AWAY_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
AWAY_MESSAGES = ("connection", "unable to open database file", "database is locked", "terminating")


def database_away(error: BaseException | None) -> bool:
    """Whether `error` says the database cannot be reached now (rather than that a query of ours failed)."""
    if isinstance(error, InterfaceError):  # the connection was already closed under us
        return True
    if not isinstance(error, OperationalError):
        return False
    sqlstate = getattr(error.__cause__, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(AWAY_SQLSTATES)
    message = str(error).lower()  # a failed connect has no code; SQLite has none
    return any(part in message for part in AWAY_MESSAGES)


def database_unavailable(request) -> HttpResponse:
    """The page while the database does not answer: made without it (no layout, menu or settings from it), in
    both languages, as the 500 page is. Each change the services make is one transaction, rolled back whole."""
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
        if database_away(exception):
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

"""A part we depend on that is away for a moment (the private storage read-only or unreachable, a mail server
that refuses) is a clear "try again shortly" page with status 503, not a server error."""

import logging

from django.shortcuts import render

log = logging.getLogger(__name__)


class TemporarilyUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OSError):
            return None
        log.error("%s %s: a dependency is unavailable: %r", request.method, request.path, exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "120"
        return response

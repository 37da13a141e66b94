"""Views every app's pages lean on."""

import sys

from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, HttpResponseBadRequest
from django.views import defaults

from .middleware import database_away, database_unavailable
from .models import ProviderSettings


def brand_css(request):
    """The provider's brand colour for the site's stylesheet (static/css/site.css reads it). Linked with the colour
    in its address, so a browser or CDN may keep it for long: a new colour is a new address."""
    provider = ProviderSettings.load(request)
    css = f":root {{ --brand: {provider.brand_colour}; --brand-dark: {provider.brand_colour_dark}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def bad_request(request, exception=None):
    """Django's 400 page, except for a request to a host we do not serve: its page would ask for that host again
    (links, the site's settings) and fail. Such a request gets a plain 400 without our layout."""
    if isinstance(exception, DisallowedHost):
        return HttpResponseBadRequest("Bad Request (400): unknown host.", content_type="text/plain; charset=utf-8")
    return defaults.bad_request(request, exception)


def server_error(request):
    """Django's 500 page, except when the database is away: a middleware that needed it (a session saved, the
    signed-in person read) failed outside any view, and that is a 503 too."""
    if database_away(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request)

"""Views every app's pages lean on."""

from django.http import HttpResponse

from .models import ProviderSettings


def brand_css(request):
    """The provider's brand colour for the site's stylesheet (static/css/site.css reads it). Linked with the colour
    in its address, so a browser or CDN may keep it for long: a new colour is a new address."""
    provider = ProviderSettings.load(request)
    css = f":root {{ --brand: {provider.brand_colour}; --brand-dark: {provider.brand_colour_dark}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response

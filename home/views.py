from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language_from_path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .health import health_report


@never_cache
@require_GET
def healthz(request):
    """For the load balancer and monitoring: 200 when every part is ok, else 503 saying which part is not."""
    report = health_report()
    healthy = all(state == "ok" for state in report.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **report}, status=200 if healthy else 503)


def _in_language(path: str, language: str) -> str:
    """The same page in another language: our paths are the same in every language, only the prefix differs
    (none for Dutch, /en/ for English)."""
    current = get_language_from_path(path)
    if current:
        path = path[len(current) + 1:] or "/"
    return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"


@require_POST
def set_language(request):
    """The language button. Django's own view resolves `next` in the default language, where Wagtail's
    catch-all takes /en/… for a Dutch page path and sends the visitor back to English; this one swaps the
    prefix, so nl → en → nl works on every page, and remembers the choice in the language cookie."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()) or not next_url.startswith("/"):
        next_url = "/"
    if not check_for_language(language) or language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(next_url)
    path, _, query = next_url.partition("?")
    response = HttpResponseRedirect(_in_language(path, language) + (f"?{query}" if query else ""))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve as static_serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from certification import views as certification_views
from core import routing
from core import views as core_views
from operations.views import healthz
from places.views import stripe_webhook

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("brand.css", core_views.brand_css, name="brand_css"),
    # Printed on certificates as a QR code: the same address in every language, for good.
    path("verify/<token:code>/", certification_views.verify, name="verify"),
    path("verify/<token:code>.json", certification_views.verify, {"fmt": "json"}, name="verify_json"),
    path("badges/issuer.json", certification_views.badge_issuer, name="badge_issuer"),
    path("badges/badge.svg", certification_views.badge_image, name="badge_image"),
    path("badges/status/<int:number>.json", certification_views.badge_status_list, name="badge_status_list"),
    path(".well-known/jwks.json", certification_views.jwks, name="jwks"),
    path("payments/stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    # One login for everyone: Wagtail's own login and password reset would skip allauth's rate limits and its
    # mandatory email verification, so they are not reachable; they send people to the site's pages.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    re_path(r"^admin/password_reset/", RedirectView.as_view(pattern_name="account_reset_password")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap),
]

if getattr(settings, "SERVE_MEDIA", False):  # the demo, DEBUG or not
    urlpatterns += [re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", static_serve,
                            {"document_root": settings.MEDIA_ROOT})]

# Dutch pages live at /, English at /en/.
urlpatterns += i18n_patterns(
    # /verify/<code>/ above is the Dutch page; its English version is /en/verify/<code>/.
    path("verify/<token:code>/", certification_views.verify, name="verify_localized"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("courses.urls")),
    path("", include("payments.urls")),
    path("", include("places.urls")),
    path("learn/", include("learning.urls")),
    path("", include("certification.urls")),
    path("", include("organisations.urls")),
    path("", include("registers.urls")),
    path("", include("privacy.urls")),
    # Wagtail's own serving, its route kept in the shared cache (core.routing); its other URLs as they are.
    re_path(wagtail_urls.serve_pattern, routing.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler400 = "core.views.bad_request"
handler500 = "core.views.server_error"

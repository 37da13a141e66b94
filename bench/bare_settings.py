"""The yardstick for bench/http_pages.py: Django answering HttpResponse("ok") with no middleware, no apps and no
database, served by the same gunicorn. Every page's req/s is reported as a ratio to this."""

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "bench-bare-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = __name__
MIDDLEWARE: list[str] = []
INSTALLED_APPS: list[str] = []
DATABASES: dict = {}
USE_TZ = True


def ok(request):
    return HttpResponse("ok")


urlpatterns = [path("", ok), path("healthz/", ok)]

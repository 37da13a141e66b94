import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "academy.example.org",
    "DATABASE_URL": "postgres://u:p@db.example.org/academy",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "DEFAULT_FROM_EMAIL": "noreply@example.org",
    "STRIPE_SECRET_KEY": "sk_live_placeholder",
    "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
    "CERTIFICATE_SIGNING_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
}


def load_production_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
                               "print(settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS)"],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "lms.settings.production"},
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )


def test_production_starts_with_its_environment():
    result = load_production_settings(PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["smtp.example.org", "587", "True"]


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_to_start_without_a_setting(missing):
    result = load_production_settings({k: v for k, v in PRODUCTION_ENV.items() if k != missing})
    assert result.returncode != 0
    assert f"You must set the {missing} environment variable" in result.stderr


def test_what_production_imports_is_installed_by_the_projects_own_dependencies():
    """courses.ics imports icalendar for every confirmation mail: it is a dependency, not a test extra."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = {requirement.split(">")[0].split("[")[0].split("=")[0].strip().lower()
              for requirement in project["dependencies"]}
    assert {"icalendar", "django-allauth", "reportlab", "segno", "stripe"} <= needed
    assert "[mfa]" in next(requirement for requirement in project["dependencies"] if "allauth" in requirement)


def test_the_office_needs_two_factor_sign_in_in_production_and_not_in_the_demo():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
                               "print(settings.OFFICE_REQUIRES_TWO_FACTOR)"],
        env={**{k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}, **PRODUCTION_ENV,
             "DJANGO_SETTINGS_MODULE": "lms.settings.production"}, cwd=ROOT, capture_output=True, text=True,
        timeout=60)
    assert result.stdout.strip() == "True", result.stderr
    from django.conf import settings

    assert settings.OFFICE_REQUIRES_TWO_FACTOR is False  # the tests and the demo: optional


def test_stripes_stand_in_signs_webhooks_with_the_sites_own_secret(settings):
    """With STRIPE_WEBHOOK_SECRET set, the demo's stand-in used to sign with its own, so every webhook was refused."""
    from payments.stripe_double import server_from_args

    settings.STRIPE_WEBHOOK_SECRET = "whsec_of_this_site"
    server, _args = server_from_args(["--port", "0"])
    server.httpd.server_close()
    assert server.double.webhook_secret == "whsec_of_this_site"
    assert "--webhook-secret" not in (ROOT / "scripts" / "run-demo").read_text()

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

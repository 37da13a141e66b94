"""The demo's links that are read away from the site (emails, the certificate's QR code) point at the port it runs
on."""

import os
import subprocess
import sys

from django.conf import settings


def demo_link(port: str | None) -> str:
    env = {key: value for key, value in os.environ.items() if key not in ("PORT", "WAGTAILADMIN_BASE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="lms.settings.dev", **({"PORT": port} if port else {}))
    code = "import django; django.setup(); from core.links import absolute_url; print(absolute_url('/verify/x/'))"
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True,
                          text=True, check=True).stdout.strip()


def test_the_demo_links_to_the_port_it_runs_on():
    assert demo_link("8080") == "http://127.0.0.1:8080/verify/x/"
    assert demo_link(None) == "http://127.0.0.1:8000/verify/x/"

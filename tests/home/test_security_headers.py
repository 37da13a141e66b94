"""Every response carries a Content-Security-Policy (the site's strict one, the admin's own) and a
Permissions-Policy; the one inline script of ours runs with the request's nonce. The browser tests run under
the same policies, so a page they drive that broke under them would fail there."""

import re

import pytest

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in response["Content-Security-Policy"].split(";")) if part}


def test_site_pages_allow_only_our_scripts_and_forms_to_us_and_stripe_checkout(client, site):
    response = client.get("/")
    policy = directives(response)
    assert policy["script-src"] == "'self'"  # a page with no inline script of ours gets no nonce either
    assert policy["style-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["form-action"].startswith("'self' ")
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_the_admin_has_its_own_policy_for_wagtails_inline_scripts(client, site):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    policy = directives(client.get("/admin/"))
    assert policy["script-src"] == "'self' 'unsafe-inline'" and "'self'" in policy["form-action"]


def test_the_payment_return_pages_inline_script_carries_the_nonce(client, course, stripe_double):
    from courses import enrolments, seating
    from tests.factories import UserFactory, make_date
    from tests.payments.test_checkout_and_webhooks import start

    held = enrolments.enrolment_hold(course_date=make_date(course), user=UserFactory(), billing=seating.Billing())
    start(held)
    client.force_login(held.user)
    response = client.get(f"/enrolments/{held.pk}/paid/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()


def test_production_settings_send_the_payment_button_to_stripes_checkout(monkeypatch):
    import importlib
    import sys

    for name, value in {"SECRET_KEY": "x" * 60, "DATABASE_URL": "sqlite:///tmp/csp-check.sqlite3",
                        "ALLOWED_HOSTS": "example.org", "EMAIL_URL": "smtp://localhost:25",
                        "DEFAULT_FROM_EMAIL": "noreply@example.org", "STRIPE_SECRET_KEY": "sk_live_x",
                        "STRIPE_WEBHOOK_SECRET": "whsec_x", "CERTIFICATE_SIGNING_KEY": "a" * 44}.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("lms.settings.production", None)
    production = importlib.import_module("lms.settings.production")
    assert production.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] == ["'self'",
                                                                             "https://checkout.stripe.com"]
    assert production.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]["form-action"] == ["'self'",
                                                                                   "https://checkout.stripe.com"]
    from lms.settings import base  # the demo's and the tests' policies are left as they were

    assert base.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] == ["'self'", "http://127.0.0.1:*"]

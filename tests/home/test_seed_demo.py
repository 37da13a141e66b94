import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from courses.models import CoursePage, ModulePage
from home.models import HomePage

pytestmark = pytest.mark.django_db

DEMO_EMAILS = {"admin@example.com", "trainer@example.com", "coach@example.com", "alumni@example.com"}


def snapshot():
    return (
        list(CoursePage.objects.order_by("path").values_list("slug", "latest_revision_id")),
        ModulePage.objects.count(),
        User.objects.count(),
    )


def test_seed_builds_the_demo_and_a_second_run_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")

    assert snapshot() == first
    slugs = [slug for slug, _ in first[0]]
    assert slugs == ["basistraining-2e-spoorcoaching", "secure-base-coach", "groepsprogramma-spoor-2"]
    secure_base = CoursePage.objects.get(slug="secure-base-coach")
    assert [m.title for m in ModulePage.objects.child_of(secure_base).order_by("path")] == [
        "Hechting", "Intimiteit delen", "Afscheid nemen", "Rouw", "Betekenis geven",
    ]
    assert set(User.objects.values_list("email", flat=True)) == DEMO_EMAILS
    assert HomePage.objects.get().get_site().is_default_site


def test_demo_pages_render_and_demo_accounts_log_in(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    client = Client()

    for path in ["/", "/opleidingen/", "/opleidingen/basistraining-2e-spoorcoaching/",
                 "/opleidingen/secure-base-coach/rouw/", "/opleidingen/groepsprogramma-spoor-2/"]:
        assert client.get(path).status_code == 200, path
    response = client.post("/accounts/login/", {"login": "coach@example.com", "password": "demo-wachtwoord"})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    client.logout()
    client.post("/accounts/login/", {"login": "trainer@example.com", "password": "demo-wachtwoord"})
    assert client.get("/admin/").status_code == 200


def test_without_debug_no_demo_accounts_are_created(settings):
    settings.DEBUG = False
    call_command("seed_demo")
    assert not User.objects.exists()
    assert CoursePage.objects.count() == 3

import os
import shutil

import pytest
from django.core.cache import cache

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from that thread are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """The benches first: they are the longest tests (up to a minute each). pytest-django puts tests without a
    database last, so they ended the run on one worker while the other waited; first, the other worker's short
    tests fill in around them."""
    items.sort(key=lambda item: item.get_closest_marker("bench") is None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Wagtail caches the site root paths; a cache from an earlier test points at pages that are gone."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request, worker_id):
    """The test database, and on PostgreSQL, when benches are to run, a copy of it taken before any test has
    used it: the database each bench starts from (tests/bench), without migrating a second one."""
    from django.db import connection, connections

    if connection.vendor != "postgresql" or not any(item.get_closest_marker("bench")
                                                    for item in request.session.items):
        yield
        return
    import psycopg

    from tests.bench import server_url

    with django_db_blocker.unblock():
        migrated = connection.settings_dict["NAME"]
        connections.close_all()  # a database is copied only while nobody is connected to it
    template = f"bench_template_{worker_id}"
    with psycopg.connect(server_url(), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{template}"')
        server.execute(f'CREATE DATABASE "{template}" TEMPLATE "{migrated}"')
    yield
    with psycopg.connect(server_url(), autocommit=True) as server:
        server.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}


@pytest.fixture
def site(db):
    from tests.factories import catalogue_site

    return catalogue_site()


@pytest.fixture
def course(site):
    from tests.factories import make_course, make_module

    course = make_course(site.catalogue)
    make_module(course, title="Hechting", slug="hechting")
    make_module(course, title="Afscheid nemen", slug="afscheid-nemen")
    return course


@pytest.fixture(scope="session")
def _stripe_double_server():
    from payments.stripe_double import StripeDoubleServer

    with StripeDoubleServer() as server:
        yield server


@pytest.fixture(autouse=True)
def stripe_double(_stripe_double_server, settings):
    """The Stripe test double on loopback, with nothing in it, for every test: the app reaches it through the
    official SDK. Webhooks are not delivered unless a test sets `stripe_double.double.webhook_url`."""
    from payments.stripe_double import Double

    server = _stripe_double_server
    fresh = Double(webhook_secret=settings.STRIPE_WEBHOOK_SECRET, public_url=server.url)
    server.double.__dict__.update({name: value for name, value in fresh.__dict__.items() if name != "lock"})
    settings.STRIPE_API_BASE = server.url
    return server


@pytest.fixture(scope="session")
def _pe_online_server():
    from registers.pe_online_double import PeOnlineDoubleServer

    with PeOnlineDoubleServer(user_id="4711", user_key="sleutel-geheim") as server:
        yield server


@pytest.fixture
def pe_online(_pe_online_server, settings):
    """The PE-online double on loopback, empty, with the site's account pointing at it (orgID 9001 for
    Registerplein)."""
    from registers.pe_online_double import Double

    server = _pe_online_server
    fresh = Double(user_id="4711", user_key="sleutel-geheim")
    server.double.__dict__.update({name: value for name, value in fresh.__dict__.items() if name != "lock"})
    settings.PE_ONLINE_URL = server.url
    settings.PE_ONLINE_USER_ID, settings.PE_ONLINE_USER_KEY = "4711", "sleutel-geheim"
    settings.PE_ONLINE_ORG_IDS = {"registerplein": "9001"}
    return server


@pytest.fixture
def classroom(course):
    """For learning and certification: a date that took place yesterday, on a course with a quiz and an
    assignment, with its trainer and one confirmed participant."""
    from datetime import timedelta

    from courses.models import ModulePage
    from tests.factories import (
        UserFactory,
        confirmed_place,
        make_assignment,
        make_date,
        make_quiz,
        make_trainer,
        move_to_yesterday,
    )

    first, second = ModulePage.objects.child_of(course).order_by("path")
    quiz = make_quiz(first)
    assignment = make_assignment(second)
    course_date = make_date(course, starts_in=timedelta(days=3))
    trainer = make_trainer(email="trainer@example.org", full_name="Tineke Trainer")
    course_date.trainers.add(trainer)
    coach = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    place = confirmed_place(course_date, coach)
    day = move_to_yesterday(course_date)
    place.refresh_from_db()
    return type("Classroom", (), {"course": course, "modules": (first, second), "quiz": quiz,
                                  "assignment": assignment, "date": course_date, "trainer": trainer,
                                  "coach": coach, "place": place, "day": day})

"""Redis is a speed-up, not a part the site stands on: while it does not answer, pages render uncached, people
stay signed in and can log in, the login and verification limits keep counting (in the database), /healthz/ says
degraded, and the outage is logged once. When it answers again nothing changed meanwhile comes back stale.

A real Redis on loopback, paused (SIGSTOP: its connections hang, as over a broken network, and its data stays)
and resumed; never a mock."""

import logging
import shutil
import time
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from core.cache import RedisCache
from lms.settings.base import redis_caches
from tests.factories import UserFactory, confirmed_place, make_certificate, make_date

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not shutil.which("redis-server"), reason="needs Debian's redis-server")]
COURSE_URL = "/opleidingen/basistraining/"
RETRY_SECONDS = 0.3


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch):
    monkeypatch.setattr(RedisCache, "RETRY_SECONDS", RETRY_SECONDS)


def a_retry_later():
    time.sleep(RETRY_SECONDS + 0.1)  # each app process asks Redis again after its retry interval


@pytest.fixture
def coach(course):
    person = UserFactory(email="eva@example.org", password="juist-wachtwoord-123")
    confirmed_place(make_date(course), person)
    return person


def signed_in(person) -> Client:
    browser = Client()
    browser.force_login(person)
    return browser


def test_while_redis_is_away_every_page_works_and_health_says_degraded(redis_server, course, coach, caplog):
    from operations.schedule import retry_failed_tasks

    call_command("scheduler", once=True)
    retry_failed_tasks.call()  # the worker's heartbeat
    eva = signed_in(coach)
    assert eva.get("/my/courses/").status_code == 200
    Client().get(COURSE_URL)
    assert Client().get(COURSE_URL)["X-Page-Cache"] == "hit"

    redis_server.pause()
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        anonymous = Client().get(COURSE_URL)
        mine = eva.get("/my/courses/")
        login = Client()
        logged_in = login.post("/accounts/login/", {"login": "eva@example.org", "password": "juist-wachtwoord-123"})
        health = Client().get("/healthz/")
        again = Client().get(COURSE_URL)

    assert anonymous.status_code == 200 and "X-Page-Cache" not in anonymous and course.title in anonymous.text
    assert mine.status_code == 200 and course.title in mine.text and "Uitloggen" in mine.text
    assert logged_in.status_code == 302 and "Uitloggen" in login.get("/my/courses/").text
    assert health.status_code == 200
    assert health.json()["status"] == "degraded" and health.json()["cache"] == "unreachable"
    assert again.status_code == 200
    outage_logs = [record for record in caplog.records if "Redis is unreachable" in record.getMessage()]
    assert len(outage_logs) == 1

    redis_server.resume()
    a_retry_later()
    health = Client().get("/healthz/")
    assert health.json()["status"] == "ok" and health.json()["cache"] == "ok"
    assert any("Redis is back" in record.getMessage() for record in caplog.records)


def test_nothing_changed_while_redis_was_away_is_served_stale_after_it_returns(redis_server, course, coach):
    """Redis restarted with its data from before the outage: the course page stored then, and Eva's session."""
    Client().get(COURSE_URL)
    assert Client().get(COURSE_URL)["X-Page-Cache"] == "hit"
    eva = signed_in(coach)
    assert eva.get("/my/courses/").status_code == 200  # her session is in Redis too (cached_db)

    redis_server.stop()
    course.title = "Basistraining, nieuwe opzet"
    course.save_revision().publish()
    eva.post("/accounts/logout/")
    redis_server.start()
    a_retry_later()

    page = Client().get(COURSE_URL)
    assert page.status_code == 200 and "Basistraining, nieuwe opzet" in page.text
    assert eva.get("/my/courses/").status_code == 302  # logged out is logged out: her old session did not return


def test_login_and_verification_limits_keep_counting_while_redis_is_away(redis_server, course, coach, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    settings.CERTIFICATE_VERIFY_LIMIT_PER_MINUTE = 2
    certificate = make_certificate(course, UserFactory(), date(2026, 11, 20), [])
    redis_server.pause()

    browser = Client()
    for _ in range(3):
        wrong = browser.post("/accounts/login/", {"login": "eva@example.org", "password": "fout"})
        assert wrong.status_code == 200 and "Uitloggen" not in wrong.text
    refused = browser.post("/accounts/login/", {"login": "eva@example.org", "password": "juist-wachtwoord-123"})
    assert refused.status_code == 200 and "Te veel inlogpogingen" in refused.text
    assert browser.get("/my/courses/").status_code == 302  # not signed in

    statuses = [Client().get(f"/verify/{certificate.code}/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_page_waits_for_an_unreachable_redis_once_not_on_every_call(redis_server, course, coach, monkeypatch):
    failures = []
    went_away = RedisCache._went_away
    monkeypatch.setattr(RedisCache, "RETRY_SECONDS", 60)
    monkeypatch.setattr(RedisCache, "_went_away", lambda self, error: failures.append(error) or went_away(self, error))
    eva = signed_in(coach)
    redis_server.pause()

    started = time.monotonic()
    assert Client().get(COURSE_URL).status_code == 200
    assert eva.get("/my/courses/").status_code == 200
    assert len(failures) == 1, "after one timeout the process stops asking Redis for its retry interval"
    assert time.monotonic() - started < 5


def test_a_change_only_a_worker_made_while_redis_was_away_is_not_served_stale_after_the_schedulers_tick(
        redis_server, course, monkeypatch):
    """The web processes never noticed the outage (nobody visited); a task worker published a change meanwhile
    and then had nothing more to ask Redis. The outage it recorded in the database has the scheduler clear Redis."""
    from core import page_cache

    Client().get(COURSE_URL)
    assert Client().get(COURSE_URL)["X-Page-Cache"] == "hit"
    worker_cache = RedisCache(redis_server.url, redis_caches(redis_server.url)["default"])

    redis_server.stop()
    with monkeypatch.context() as worker:
        worker.setattr(page_cache, "cache", worker_cache)  # the change is made in the worker's process
        course.title = "Basistraining, nieuwe opzet"
        course.save_revision().publish()
    redis_server.start()

    stale = Client().get(COURSE_URL)
    assert stale["X-Page-Cache"] == "hit" and "nieuwe opzet" not in stale.text  # what the tick is for
    call_command("scheduler", once=True)
    assert "Basistraining, nieuwe opzet" in Client().get(COURSE_URL).text

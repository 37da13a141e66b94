"""A signed-in request reads its session and the versions of what it shares with everyone (core.page_cache) in
one round trip to Redis; a session Redis lost still comes from the database. A real Redis, never a mock."""

import pytest
import redis
from django.http import HttpResponse
from django.test import Client

from core import page_cache
from core.page_cache import RequestVersions
from core.sessions import SessionStore
from tests.factories import UserFactory, confirmed_place, make_date

pytestmark = pytest.mark.django_db
COURSE_URL = "/opleidingen/basistraining/"


def reads(server) -> dict[str, int]:
    """How many GETs and MGETs Redis has answered so far."""
    stats = redis.Redis(port=server.port).info("commandstats")
    return {command: stats.get(f"cmdstat_{command}", {}).get("calls", 0) for command in ("get", "mget")}


@pytest.fixture
def signed_in(course):
    coach = UserFactory(full_name="Eva de Vries")
    confirmed_place(make_date(course), coach)
    browser = Client()
    browser.force_login(coach)
    return browser


def test_a_signed_in_page_asks_redis_once_for_who_is_asking_and_what_everyone_shares(redis_server, signed_in):
    assert signed_in.get(COURSE_URL).status_code == 200  # the shared parts are kept: in Redis, and near
    before = reads(redis_server)

    page = signed_in.get(COURSE_URL)

    after = reads(redis_server)
    assert page.status_code == 200 and "Uitloggen" in page.text and "Je bent ingeschreven" in page.text
    assert {command: after[command] - before[command] for command in after} == {"get": 0, "mget": 1}


def test_a_session_redis_lost_comes_from_the_database(redis_server, signed_in):
    assert signed_in.get(COURSE_URL).status_code == 200  # the shared parts are kept
    evicted = redis.Redis(port=redis_server.port).delete(
        f":1:{SessionStore.cache_key_prefix}{signed_in.cookies['sessionid'].value}")
    assert evicted == 1
    before = reads(redis_server)

    page = signed_in.get(COURSE_URL)

    assert page.status_code == 200 and "Uitloggen" in page.text and "Je bent ingeschreven" in page.text
    assert reads(redis_server)["get"] == before["get"]  # the miss in the MGET goes to the database at once
    before = reads(redis_server)
    assert signed_in.get(COURSE_URL).status_code == 200
    assert reads(redis_server)["get"] == before["get"]  # kept in Redis again: read with the versions


def test_a_session_changed_and_read_again_in_the_same_request_is_read_as_saved(redis_server, signed_in, rf):
    """A second reader of the session after the first saved a change (and a change elsewhere renewed the shared
    versions) reads what was saved, not what came with the versions at the start of the request."""
    key = signed_in.cookies["sessionid"].value
    seen = []

    def view(request):
        first = SessionStore(key)
        first["step"] = "before"
        first.save()
        page_cache.changed(page_cache.DATES)  # the versions are read again by the next shared part
        second = SessionStore(key)
        page_cache.remembered("a shared part", lambda: "shared")
        first["step"] = "after"
        first.save()
        seen.append(second["step"])
        return HttpResponse()

    RequestVersions(view)(rf.get("/"))

    assert seen == ["after"]

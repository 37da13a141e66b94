"""A signed-in request reads its session and the versions of what it shares with everyone (core.page_cache) in
one round trip to Redis; a session Redis lost still comes from the database. A real Redis, never a mock."""

import pytest
import redis
from django.test import Client

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
    redis.Redis(port=redis_server.port).flushdb()

    page = signed_in.get(COURSE_URL)

    assert page.status_code == 200 and "Uitloggen" in page.text and "Je bent ingeschreven" in page.text
    before = reads(redis_server)
    assert signed_in.get(COURSE_URL).status_code == 200
    after = reads(redis_server)
    assert after["get"] == before["get"]  # kept in Redis again: read with the versions

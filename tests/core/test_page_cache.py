"""Anonymous pages come from the cache and are never stale: each change a page shows renders it afresh for the
next anonymous visitor, and nobody with a session ever gets a stored page (or leaves one behind)."""

from datetime import date, timedelta
from urllib.parse import unquote_to_bytes, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from certification.models import CertificateDesign
from certification.services import certificate_revoke
from core import page_cache
from core.models import ProviderSettings
from courses import enrolments, schedule, seating
from courses.models import CoursePage
from tests.factories import UserFactory, confirmed_place, make_certificate, make_date, make_trainer

COURSE_URL = "/opleidingen/basistraining/"


@pytest.fixture(autouse=True)
def provider_settings(db):
    """Saved before the first page: the first render would otherwise create them, a change like any other."""
    return ProviderSettings.load()


def anonymous_get(path: str, **headers):
    return Client().get(path, **headers)


def cached(path: str):
    """The page as the next anonymous visitor gets it, after making sure it is stored."""
    anonymous_get(path)
    response = anonymous_get(path)
    assert response["X-Page-Cache"] == "hit"
    return response


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def course_date(course):
    return make_date(course, capacity=10)


def test_the_second_anonymous_visitor_gets_the_stored_page_with_validators_and_nothing_personal(course_date):
    first, second = anonymous_get(COURSE_URL), anonymous_get(COURSE_URL)
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content and "nog 10 plaatsen" in text(second)
    assert not first.cookies and not second.cookies
    assert "csrfmiddlewaretoken" not in text(second)
    assert second["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Cookie" in second["Vary"]
    assert second["Content-Security-Policy"] and second["X-Frame-Options"] == "DENY"  # stored with every header
    not_modified = anonymous_get(COURSE_URL, HTTP_IF_NONE_MATCH=second["ETag"])
    assert not_modified.status_code == 304 and not not_modified.content


def test_publishing_a_change_shows_at_once(course):
    assert "Basistraining 2e spoorcoaching" in text(cached(COURSE_URL))
    revision = CoursePage.objects.get(pk=course.pk)
    revision.title = "Basistraining spoor 2, vernieuwd"
    revision.save_revision().publish()
    assert "Basistraining spoor 2, vernieuwd" in text(anonymous_get(COURSE_URL))


def test_a_change_saved_as_draft_changes_nothing(course):
    cached(COURSE_URL)
    draft = CoursePage.objects.get(pk=course.pk)
    draft.title = "Nog niet af"
    draft.save_revision()
    response = anonymous_get(COURSE_URL)
    assert "Nog niet af" not in text(response)


def test_unpublishing_moving_and_deleting_a_page_show_at_once(site, course):
    module_url = COURSE_URL + "hechting/"
    cached(module_url)
    module = course.get_children().get(slug="hechting").specific
    module.unpublish()
    assert anonymous_get(module_url).status_code == 404

    cached(COURSE_URL)
    course.refresh_from_db()
    course.move(site.home, pos="last-child")
    moved = anonymous_get(COURSE_URL)  # Wagtail leaves a redirect behind
    assert moved.status_code == 301 and moved["Location"] == "/basistraining/"
    assert anonymous_get("/basistraining/").status_code == 200

    cached("/basistraining/")
    CoursePage.objects.get(pk=course.pk).delete()
    assert anonymous_get("/basistraining/").status_code == 404


def test_making_a_page_private_shows_at_once(course):
    cached(COURSE_URL)
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    response = anonymous_get(COURSE_URL)
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={COURSE_URL}"


def test_a_change_to_the_provider_settings_shows_on_every_page(course):
    cached(COURSE_URL)
    cached("/")
    provider = ProviderSettings.load()
    provider.name = "Academie De Brug"
    provider.save()
    assert "Academie De Brug" in text(anonymous_get(COURSE_URL))
    assert "Academie De Brug" in text(anonymous_get("/"))


@pytest.mark.parametrize("change", ["hold", "confirmation", "cancellation", "capacity", "new date", "trainer",
                                    "trainer erased"])
def test_a_change_in_a_dates_seats_or_team_shows_on_the_course_page(course_date, change):
    someone = UserFactory()
    if change == "cancellation":
        place = confirmed_place(course_date, someone)
    if change == "trainer erased":
        course_date.trainers.add(someone)
    assert "plaatsen" in text(cached(COURSE_URL))
    if change == "hold":
        enrolments.enrolment_hold(course_date=course_date, user=someone, billing=seating.Billing())
        expected = "nog 9 plaatsen"
    elif change == "confirmation":
        confirmed_place(course_date, someone)
        expected = "nog 9 plaatsen"
    elif change == "cancellation":
        enrolments.enrolment_cancel(enrolment=place, actor=someone)
        expected = "nog 10 plaatsen"
    elif change == "capacity":
        schedule.course_date_set_capacity(course_date=course_date, capacity=4, now=timezone.now())
        expected = "nog 4 plaatsen"
    elif change == "new date":
        make_date(course_date.course, capacity=6, starts_in=timedelta(days=60))
        expected = "nog 6 plaatsen"
    elif change == "trainer":
        course_date.trainers.add(make_trainer(full_name="Marieke de Wit"))
        expected = "Marieke de Wit"
    else:
        assert someone.full_name in text(cached(COURSE_URL))
        someone.delete()
        assert someone.full_name not in text(anonymous_get(COURSE_URL))
        return
    assert expected in text(anonymous_get(COURSE_URL))


def test_a_hold_that_runs_out_frees_its_seat_on_the_page_without_a_worker(course_date):
    enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    assert "nog 9 plaatsen" in text(cached(COURSE_URL))
    with time_machine.travel(timezone.now() + seating.hold_duration() + timedelta(seconds=5)):
        assert "nog 10 plaatsen" in text(anonymous_get(COURSE_URL))


def test_a_date_that_starts_leaves_the_page(course):
    make_date(course, starts_in=timedelta(hours=2))
    assert "plaatsen" in text(cached(COURSE_URL))
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert "plaatsen" not in text(anonymous_get(COURSE_URL))


def test_logged_in_and_anonymous_visitors_never_get_each_others_page(course_date):
    coach = UserFactory(full_name="Eva Jansen")
    client = Client()
    client.force_login(coach)
    confirmed_place(course_date, coach)
    cached(COURSE_URL)  # stored for anonymous visitors

    mine = client.get(COURSE_URL)
    assert "X-Page-Cache" not in mine and "Je bent ingeschreven" in text(mine)
    assert "private" in mine["Cache-Control"]

    anonymous = anonymous_get(COURSE_URL)
    assert anonymous["X-Page-Cache"] == "hit"
    assert "Je bent ingeschreven" not in text(anonymous) and "Uitloggen" not in text(anonymous)


def test_a_visitor_with_a_message_waiting_gets_it_not_the_stored_page(course_date):
    cached(COURSE_URL)
    client = Client()
    client.cookies["messages"] = "anything"
    assert "X-Page-Cache" not in client.get(COURSE_URL)


def test_the_language_switch_is_a_link_to_the_same_page_in_the_other_language(course_date):
    page = text(cached(COURSE_URL))
    assert f'href="/en{COURSE_URL}"' in page
    assert f'href="{COURSE_URL}"' in text(cached("/en" + COURSE_URL))


@pytest.fixture
def certificate(course):
    return make_certificate(course, UserFactory(full_name="Anna de Vries"), date(2026, 6, 1),
                            [("noloc", "Noloc", "6", "NL-118")])


def test_a_revocation_shows_on_the_verification_page_at_once(certificate):
    path = reverse("verify", args=[certificate.code])
    assert "echt en geldig" in text(cached(path))
    certificate_revoke(certificate=certificate, actor=make_trainer(), reason="Fraude")
    assert "ingetrokken" in text(anonymous_get(path))


def test_a_change_to_the_certificate_design_renders_verification_pages_afresh(certificate):
    path = reverse("verify", args=[certificate.code])
    cached(path)
    design = CertificateDesign.load()
    design.heading = "Bewijs van deelname"
    design.save()
    assert anonymous_get(path)["X-Page-Cache"] == "miss"


def test_a_certificate_that_expires_says_so_the_next_day(certificate):
    certificate.valid_until = timezone.localdate() + timedelta(days=1)
    certificate.save()
    path = reverse("verify", args=[certificate.code])
    assert "echt en geldig" in text(cached(path))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert "verlopen" in text(anonymous_get(path))


def test_the_verification_limit_counts_what_reaches_the_database_not_cached_pages(settings, certificate,
                                                                                    time_machine):
    time_machine.move_to(timezone.now().replace(second=1), tick=False)  # the limit counts per clock minute
    settings.CERTIFICATE_VERIFY_LIMIT_PER_MINUTE = 3
    path = reverse("verify", args=[certificate.code])
    statuses = [anonymous_get(path).status_code for _ in range(10)]
    assert statuses == [200] * 10  # the first reached the database, and counts
    guesses = [anonymous_get(reverse("verify", args=[f"onbekend{n}"])).status_code for n in range(3)]
    assert guesses == [404, 404, 429]
    assert anonymous_get(path).status_code == 200  # a known page is still there for everyone


def test_a_weak_or_wildcard_validator_from_a_proxy_also_gets_a_304(course_date):
    etag = cached(COURSE_URL)["ETag"]
    assert anonymous_get(COURSE_URL, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304
    assert anonymous_get(COURSE_URL, HTTP_IF_NONE_MATCH="*").status_code == 304
    assert anonymous_get(COURSE_URL, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_an_evicted_version_renders_afresh_and_is_set_before_the_page(course_date):
    from django.core.cache import cache

    cached(COURSE_URL)
    cache.delete(page_cache._version_key(page_cache.DATES))
    assert anonymous_get(COURSE_URL)["X-Page-Cache"] == "miss"
    assert cache.get(page_cache._version_key(page_cache.DATES))
    assert anonymous_get(COURSE_URL)["X-Page-Cache"] == "hit"


def test_a_page_cache_that_cannot_be_reached_serves_pages_and_never_fails_a_change(course_date, monkeypatch,
                                                                                   caplog):
    """A blip on the way to Redis (the page cache's lookups and version bumps fail): the page is rendered, and a
    hold taken meanwhile is saved, not rolled back with the failed bump."""

    class Unreachable:
        def __getattr__(self, name):
            raise ConnectionError("cache down")

    monkeypatch.setattr(page_cache, "cache", Unreachable())
    response = anonymous_get(COURSE_URL)
    assert response.status_code == 200 and "nog 10 plaatsen" in text(response)
    place = enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    place.refresh_from_db()
    assert place.status == "held"
    assert "Flush the cache once it is back" in caplog.text


def front_get(path: str, method: str = "GET", **headers):
    """The request as production's WSGI application (lms.wsgi) answers it: the front that sends stored anonymous
    pages, then Django's own handler."""
    environ = RequestFactory().generic(method, path, **headers).environ
    environ["PATH_INFO"] = unquote_to_bytes(urlsplit(path).path).decode("iso-8859-1")  # as a WSGI server sends it
    sent = {}

    def start_response(status, response_headers):
        sent.update(status=status, headers=dict(response_headers))

    # As Django's test client does: the test's database connection stays open across the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = page_cache.serve_stored_pages(WSGIHandler())(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return sent["status"], sent["headers"], body


def test_production_sends_a_stored_page_from_in_front_of_django_as_django_would(course_date):
    stored = cached(COURSE_URL)
    status, headers, body = front_get(COURSE_URL)
    assert status == "200 OK" and headers["X-Page-Cache"] == "hit" and body == stored.content
    assert {name: headers[name] for name in ("ETag", "Cache-Control", "Vary", "Content-Security-Policy")} == {
        name: stored[name] for name in ("ETag", "Cache-Control", "Vary", "Content-Security-Policy")}

    status, headers, body = front_get(COURSE_URL, HTTP_IF_NONE_MATCH=stored["ETag"])
    assert status == "304 Not Modified" and not body and "Content-Type" not in headers
    status, headers, body = front_get(COURSE_URL, method="HEAD")
    assert status == "200 OK" and not body and headers["Content-Length"] == str(len(stored.content))


def test_production_renders_afresh_what_changed_and_what_is_not_for_the_stored_page(course_date):
    cached(COURSE_URL)
    schedule.course_date_set_capacity(course_date=course_date, capacity=4, now=timezone.now())
    status, headers, body = front_get(COURSE_URL)
    assert status == "200 OK" and headers["X-Page-Cache"] == "miss" and "nog 4 plaatsen" in body.decode()
    assert front_get(COURSE_URL)[1]["X-Page-Cache"] == "hit"

    assert "X-Page-Cache" not in front_get(COURSE_URL, HTTP_COOKIE="messages=anything")[1]
    assert "X-Page-Cache" not in front_get(COURSE_URL, HTTP_AUTHORIZATION="Basic eDp5")[1]
    coach = UserFactory()
    client = Client()
    client.force_login(coach)
    session = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    status, headers, body = front_get(COURSE_URL, HTTP_COOKIE=session)
    assert "X-Page-Cache" not in headers and "Uitloggen" in body.decode()


def test_without_the_page_cache_production_is_django_alone(settings):
    settings.PAGE_CACHE = False
    handler = WSGIHandler()
    assert page_cache.serve_stored_pages(handler) is handler


def test_production_finds_the_stored_page_of_an_address_with_accents_and_only_that_one(course_date):
    from home.models import HomePage, InfoPage

    HomePage.objects.get().add_child(instance=InfoPage(title="Café Spoor 2", slug="café"))
    stored = cached("/caf%C3%A9/")
    status, headers, body = front_get("/caf%C3%A9/")
    assert headers["X-Page-Cache"] == "hit" and body == stored.content and "Café Spoor 2" in body.decode()
    status, headers, body = front_get("/caf%C3%83%C2%A9/")  # its bytes read as Latin-1: another address
    assert status == "404 Not Found" and "X-Page-Cache" not in headers


def test_with_the_database_as_the_cache_production_asks_it_within_djangos_request_cycle(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "page_cache_test"}}
    handler = WSGIHandler()
    assert page_cache.serve_stored_pages(handler) is handler


def test_when_the_cache_is_away_the_page_cache_asks_it_once_per_request(course_date, settings, monkeypatch):
    """The front's failed lookup goes with the request to Django: its middleware does not wait for Redis again,
    and the page is rendered without the cache (core.cache; tests/core/test_redis_outage.py)."""
    settings.CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}  # closed
    away, asked = caches["default"], []

    def get_many(keys):
        asked.append(keys)
        return type(away).get_many(away, keys)

    monkeypatch.setattr(away, "get_many", get_many)
    status, headers, body = front_get(COURSE_URL)
    assert len([keys for keys in asked if any(":page:" in key for key in keys)]) == 1
    assert status == "200 OK" and "X-Page-Cache" not in headers and "nog 10 plaatsen" in body.decode()

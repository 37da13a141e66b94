"""Logged-in pages take what everyone sees from the shared cache (the route, the provider's settings, the CMS-written
parts, a course's modules and upcoming dates) and ask the database only about the person: a fixed, small number of
queries whatever the amount of content. What they take is never stale: each change shows on the next request."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction, Site

from core.models import ProviderSettings
from courses import enrolments, seating
from courses.models import CoursePage
from home.models import HomePage
from learning.models import ModuleProgress
from tests.factories import (
    UserFactory,
    confirmed_place,
    make_assignment,
    make_course,
    make_date,
    make_module,
    make_quiz,
    move_to_yesterday,
    publish,
    wagtail_root,
)

COURSE_URL = "/opleidingen/basistraining/"
MODULE_URL = COURSE_URL + "hechting/"


@pytest.fixture(autouse=True)
def provider_settings(db):
    return ProviderSettings.load()


@pytest.fixture
def course_date(course):
    return make_date(course, capacity=10)


@pytest.fixture
def coach(course_date):
    coach = UserFactory(full_name="Eva Jansen")
    confirmed_place(course_date, coach)
    return coach


@pytest.fixture
def client(coach):
    client = Client()
    client.force_login(coach)
    return client


@pytest.fixture
def visitor(db):
    """Logged in, without a place: sees the seats open."""
    visitor = Client()
    visitor.force_login(UserFactory())
    return visitor


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def queries(client, path: str) -> int:
    """What rendering the page afresh costs (a signed-in person's page is never kept), once the shared parts are
    in the cache."""
    client.get(path)  # fills what can be shared
    with CaptureQueriesContext(connection) as captured:
        text(client.get(path))
    return len(captured)


MY_COURSES_URL = "/my/courses/"


def test_a_participants_pages_rendered_afresh_cost_at_most_six_queries_whatever_the_content(client, course, coach):
    tasks = make_module(course, title="Toetsen", slug="toetsen")  # progress counts quizzes and assignments
    make_quiz(tasks, title="Eerste toets")
    make_assignment(tasks, title="Eerste opdracht")
    pages = (COURSE_URL, MODULE_URL, MY_COURSES_URL)
    before = {path: queries(client, path) for path in pages}
    assert all(count <= 6 for count in before.values()), before
    for n in range(6):  # more dates, places, modules with quizzes and assignments: the same queries
        other = make_course(course.get_parent().specific, title=f"Verdieping {n}", slug=f"verdieping-{n}")
        earlier = make_date(other, starts_in=timedelta(days=3))
        confirmed_place(earlier, coach)
        move_to_yesterday(earlier)
        make_date(course, starts_in=timedelta(days=40 + n))
        module = make_module(course, title=f"Module {n}", slug=f"module-{n}")
        make_quiz(module, title=f"Toets {n}")
        make_assignment(module, title=f"Opdracht {n}")
    assert {path: queries(client, path) for path in pages} == before


def test_what_a_participant_sees_is_their_own_on_a_shared_page(client, course_date):
    assert "Je bent ingeschreven" in text(client.get(COURSE_URL))
    other = Client()
    other.force_login(UserFactory())
    assert "Je bent ingeschreven" not in text(other.get(COURSE_URL))
    assert "Je bent ingeschreven" in text(client.get(COURSE_URL))


def test_a_place_marked_on_everyones_dates_is_not_shown_to_the_next_person(client, course, course_date):
    """The upcoming dates are one object in each server process; what a page marks on them for one person (their
    place on another date of the course) must not reach the next person's page."""
    make_date(course, starts_in=timedelta(days=60))
    other = Client()
    other.force_login(UserFactory())
    assert "Je hebt al een plaats op" in text(client.get(COURSE_URL))
    page = text(other.get(COURSE_URL))
    assert "Je hebt al een plaats op" not in page and "Je bent ingeschreven" not in page
    assert page.count("Inschrijven</a>") == 2


def test_publishing_a_change_shows_at_once_to_people_logged_in(client, course):
    text(client.get(COURSE_URL))
    text(client.get(MODULE_URL))
    revision = CoursePage.objects.get(pk=course.pk)
    revision.title = "Basistraining spoor 2, vernieuwd"
    revision.summary = "Een nieuwe samenvatting."
    revision.save_revision().publish()
    page = text(client.get(COURSE_URL))  # both inside the page's shared part (the title is also in <title>)
    assert "<h1>Basistraining spoor 2, vernieuwd</h1>" in page
    assert '<p class="lead">Een nieuwe samenvatting.</p>' in page
    module = course.get_children().get(slug="hechting").specific
    module.title = "Hechting en binding"
    module.save_revision().publish()
    assert "Hechting en binding" in text(client.get(COURSE_URL))  # the modules list
    assert "Hechting en binding" in text(client.get(MODULE_URL))


def test_unpublishing_and_moving_pages_show_at_once(client, site, course):
    text(client.get(MODULE_URL))
    module = course.get_children().get(slug="hechting").specific
    module.unpublish()
    assert client.get(MODULE_URL).status_code == 404
    assert "Hechting" not in text(client.get(COURSE_URL)).split('id="modules"')[-1]

    course.refresh_from_db()
    course.move(site.home, pos="last-child")
    assert client.get(COURSE_URL).status_code == 301
    assert text(client.get("/basistraining/"))


def test_a_page_made_private_to_a_group_is_closed_at_once(client, course):
    text(client.get(COURSE_URL))
    restriction = PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.create(name="Alleen intern")
    refused = client.get(COURSE_URL)  # Wagtail sends someone outside the group to log in as someone else
    assert refused.status_code == 302 and refused["Location"].startswith("/accounts/login/")


def test_a_change_to_the_provider_settings_shows_in_the_header_at_once(client, course):
    text(client.get(COURSE_URL))
    provider = ProviderSettings.load()
    provider.name = "Academie De Brug"
    provider.save()
    assert "Academie De Brug" in text(client.get(COURSE_URL))


def test_seats_taken_by_others_show_at_once_and_a_lapsed_hold_frees_its_seat(visitor, coach, course_date):
    assert "nog 9 plaatsen" in text(visitor.get(COURSE_URL))
    enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    assert "nog 8 plaatsen" in text(visitor.get(COURSE_URL))
    with time_machine.travel(timezone.now() + seating.hold_duration() + timedelta(seconds=5)):
        assert "nog 9 plaatsen" in text(visitor.get(COURSE_URL))


def test_a_date_that_starts_leaves_the_logged_in_page_too(visitor, course):
    make_date(course, starts_in=timedelta(hours=2), capacity=7)
    assert "nog 7 plaatsen" in text(visitor.get(COURSE_URL))
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert "nog 7 plaatsen" not in text(visitor.get(COURSE_URL))


def test_reading_a_module_again_writes_nothing_but_moving_on_is_remembered(client, course, coach):
    make_module(course, title="Afscheid", slug="afscheid")
    text(client.get(MODULE_URL))
    seen = ModuleProgress.objects.get(module__slug="hechting")
    text(client.get(MODULE_URL))
    assert ModuleProgress.objects.get(pk=seen.pk).last_seen_at == seen.last_seen_at
    text(client.get(COURSE_URL + "afscheid/"))
    text(client.get(MODULE_URL))
    assert ModuleProgress.objects.get(pk=seen.pk).last_seen_at > seen.last_seen_at
    assert f'class="button" href="{MODULE_URL}"' in text(client.get(COURSE_URL))  # continue where you left off


def test_a_preview_in_the_cms_never_shows_a_shared_part(course):
    """The fragments are the published page's; a preview shows the draft."""
    from django.test import RequestFactory

    from tests.factories import make_trainer

    text(Client().get(COURSE_URL))  # the published parts are stored
    draft = CoursePage.objects.get(pk=course.pk)
    draft.summary = "Concepttekst die nog niet live is."
    request = RequestFactory().get(COURSE_URL)
    request.user = make_trainer()
    request.is_preview = True
    preview = draft.serve_preview(request, "").render().content.decode()
    assert '<p class="lead">Concepttekst die nog niet live is.</p>' in preview  # the shared part, not only <meta>
    assert '<p class="lead">Concepttekst' not in text(Client().get(COURSE_URL))  # and the live page kept its own


def test_links_to_pages_follow_a_change_of_the_site_at_once(client, course):
    """Page links come from where each site starts, read from the near cache: a changed site shows on the next
    request, on the course page and on "Mijn opleidingen" alike."""
    assert f'href="{MODULE_URL}"' in text(client.get(COURSE_URL))
    assert f'href="{MODULE_URL}"' in text(client.get(MY_COURSES_URL))  # "Verder" to the first module
    other = publish(wagtail_root(), HomePage(title="Andere academie", slug="andere-academie", hero_title="Welkom"))
    Site.objects.create(hostname="testserver", port=80, root_page=other)  # the host the test client asks for
    # The course is on the first site now, no longer the one asked: its links name that site's host.
    assert f'href="http://localhost{MODULE_URL}"' in text(client.get(MY_COURSES_URL))


def test_sent_back_to_a_course_page_without_asking_the_shared_cache_where_the_site_starts(course):
    """A refused press of "enrol" (as in a rush: the date is full) sends the person back to the course page; the
    address comes from the near copy of where each site starts, not from a round trip to the shared cache."""
    full = make_date(course, capacity=1)
    confirmed_place(full, UserFactory())
    enrol = f"/dates/{full.pk}/enrol/"
    client = Client()
    client.force_login(UserFactory())
    client.post(enrol, {"billing_type": "self", "accept_terms": "on"})  # the near copy is made

    with mock.patch.object(Site, "get_site_root_paths", wraps=Site.get_site_root_paths) as asked:
        response = client.post(enrol, {"billing_type": "self", "accept_terms": "on"})

    assert response.status_code == 302 and response["Location"] == COURSE_URL
    assert asked.call_count == 0

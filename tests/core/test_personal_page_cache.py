"""A signed-in person's pages are kept for them (core.page_cache), and never stale: anything about them, or about
what every page shows, renders the page afresh; nobody else, and no other browser, ever gets it; a kept page's
forms still work."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import ProviderSettings
from courses import enrolments, seating
from courses.models import ModulePage
from learning import services as learning_services
from tests.factories import UserFactory, confirmed_place, make_course, make_date, make_quiz, make_trainer

COURSE_URL = "/opleidingen/basistraining/"
MY_COURSES = "/my/courses/"


@pytest.fixture(autouse=True)
def provider_settings(db):
    """Saved before the first page: the first render would otherwise create them, a change like any other."""
    return ProviderSettings.load()


def browser(user) -> Client:
    """A signed-in browser that has its CSRF cookie, as a browser has after its first page."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(MY_COURSES)
    return client


def kept(client: Client, path: str):
    """The page as this browser gets it next, after making sure it is kept (a module's first visit writes that
    it is the latest one: that change renders it afresh once more)."""
    for _ in range(3):
        response = client.get(path)
        if response.get("X-Page-Cache") == "hit":
            return response
    raise AssertionError(f"{path} is not kept")


def text(response) -> str:
    return response.content.decode()


def csrf_token(response) -> str:
    html = text(response)
    start = html.index('name="csrfmiddlewaretoken" value="') + len('name="csrfmiddlewaretoken" value="')
    return html[start:html.index('"', start)]


@pytest.fixture
def eva(course):
    eva = UserFactory(full_name="Eva Jansen", email="eva@example.org")
    confirmed_place(make_date(course, capacity=10), eva)
    return eva


def test_a_person_reads_their_page_again_from_the_cache_private_and_its_forms_still_work(eva):
    client = browser(eva)
    first, again = client.get(COURSE_URL), client.get(COURSE_URL)
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    assert "Je bent ingeschreven" in text(again)
    assert "private" in again["Cache-Control"] and "no-cache" in again["Cache-Control"]
    assert "ETag" not in again and "Cookie" in again["Vary"]

    module = ModulePage.objects.get(slug="hechting")
    page = kept(client, module.url)
    done = client.post(reverse("learning:module_done", args=[module.pk]),
                       {"csrfmiddlewaretoken": csrf_token(page)})  # the token in the kept page
    assert done.status_code == 302
    after = client.get(module.url)
    assert after.get("X-Page-Cache") != "hit" and "Je hebt deze module afgevinkt." in text(after)


def test_logging_out_with_a_kept_page_leaves_nothing_behind(eva):
    client = browser(eva)
    page = kept(client, MY_COURSES)
    assert client.post(reverse("account_logout"), {"csrfmiddlewaretoken": csrf_token(page)}).status_code == 302
    assert client.get(MY_COURSES).status_code == 302  # to the login page, not the kept page
    assert "Uitloggen" not in text(client.get(COURSE_URL))


def test_each_person_and_each_of_their_browsers_has_their_own_page(eva, course):
    bas = UserFactory(full_name="Bas Bakker")
    eva_page = kept(browser(eva), MY_COURSES)
    bas_page = browser(bas).get(MY_COURSES)
    assert bas_page["X-Page-Cache"] == "miss"
    assert "Basistraining" in text(eva_page) and "Basistraining" not in text(bas_page)
    assert browser(eva).get(MY_COURSES)["X-Page-Cache"] == "miss"  # another browser: another CSRF token


def test_a_new_place_shows_at_once(eva, site):
    client = browser(eva)
    assert "Secure Base" not in text(kept(client, MY_COURSES))
    confirmed_place(make_date(make_course(site.catalogue, title="Secure Base coach", slug="secure-base")), eva)
    assert "Secure Base" in text(client.get(MY_COURSES))


def test_what_the_office_changes_about_a_place_shows_at_once(eva):
    client = browser(eva)
    kept(client, MY_COURSES)
    place = eva.enrolments.get()
    enrolments.enrolment_cancel(enrolment=place, actor=make_trainer(), note="Op verzoek", by_office=True)
    assert "Geannuleerd" in text(client.get(MY_COURSES))


def test_a_change_about_someone_else_leaves_the_page_kept(eva, course):
    from accounts.models import RegisterMembership

    bas = UserFactory(full_name="Bas Bakker")
    client = browser(eva)
    kept(client, MY_COURSES)
    RegisterMembership.objects.create(user=bas, register="registerplein", number="204417")
    assert client.get(MY_COURSES)["X-Page-Cache"] == "hit"
    RegisterMembership.objects.create(user=eva, register="registerplein", number="204418")
    assert client.get(MY_COURSES)["X-Page-Cache"] == "miss"


def test_becoming_a_trainer_shows_the_cms_in_the_menu_at_once(eva):
    client = browser(eva)
    assert 'href="/admin/"' not in text(kept(client, MY_COURSES))
    eva.groups.add(make_trainer().groups.get())
    assert 'href="/admin/"' in text(client.get(MY_COURSES))


def test_a_password_changed_elsewhere_signs_this_browser_out(eva):
    client = browser(eva)
    kept(client, MY_COURSES)
    eva.set_password("een-nieuw-wachtwoord-2026")
    eva.save()
    assert client.get(MY_COURSES).status_code == 302


def test_a_message_waiting_is_shown_not_the_kept_page(site):
    eva = UserFactory()
    course = make_course(site.catalogue, title="Groepsprogramma", slug="groepsprogramma")  # no dates: interest
    client = browser(eva)
    page = kept(client, course.url)
    client.post(reverse("courses:interest", args=[course.pk]), {"csrfmiddlewaretoken": csrf_token(page)})
    response = client.get(course.url)
    assert "X-Page-Cache" not in response and "Je staat op de interesselijst" in text(response)


def test_a_module_that_opens_later_shows_open_from_its_opening_without_any_change(course):
    eva = UserFactory()
    confirmed_place(make_date(course, starts_in=timedelta(days=2)), eva)
    module = ModulePage.objects.get(slug="afscheid-nemen")
    module.opens_days_from_start = 1
    module.save_revision().publish()
    client = browser(eva)
    assert "Deze module gaat voor jou open op" in text(kept(client, module.url))
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert "Deze module gaat voor jou open op" not in text(client.get(module.url))


def test_a_quiz_is_never_kept_its_clock_runs(course):
    eva = UserFactory()
    confirmed_place(make_date(course), eva)
    quiz = make_quiz(ModulePage.objects.get(slug="hechting"))
    client = browser(eva)
    client.get(quiz.url)
    assert "X-Page-Cache" not in client.get(quiz.url)


def test_what_services_say_after_a_bulk_update_renders_afresh(eva):
    """Updates straight in the database send no signals: the services that make them say what changed, about
    one person or about no one in particular."""
    from core import page_cache

    client = browser(eva)
    kept(client, MY_COURSES)
    page_cache.person_changed(eva.pk)
    assert client.get(MY_COURSES)["X-Page-Cache"] == "miss"
    kept(client, MY_COURSES)
    page_cache.changed(page_cache.PEOPLE)
    assert client.get(MY_COURSES)["X-Page-Cache"] == "miss"


def test_a_group_given_the_cms_shows_it_in_its_members_menu_at_once(eva):
    from django.contrib.auth.models import Group, Permission

    editors = Group.objects.create(name="Redactie-in-opleiding")
    eva.groups.add(editors)
    client = browser(eva)
    assert 'href="/admin/"' not in text(kept(client, MY_COURSES))
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    assert 'href="/admin/"' in text(client.get(MY_COURSES))


def test_a_held_place_is_kept_only_until_its_hold_runs_out(course):
    from courses.models import Enrolment

    eva = UserFactory()
    held = enrolments.enrolment_hold(course_date=make_date(course), user=eva, billing=seating.Billing())
    Enrolment.objects.filter(pk=held.pk).update(hold_expires_at=timezone.now() + timedelta(seconds=20))
    client = browser(eva)
    kept(client, MY_COURSES)
    with time_machine.travel(timezone.now() + timedelta(seconds=10)):
        assert client.get(MY_COURSES)["X-Page-Cache"] == "hit"
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):  # within the minute, past the hold
        assert client.get(MY_COURSES).get("X-Page-Cache") != "hit"


def test_a_quiz_attempt_closed_for_time_renders_the_participants_pages_afresh(classroom):
    """The attempt is closed with an update (no signal): the service says whose pages changed."""
    classroom.quiz.time_limit_minutes = 10
    classroom.quiz.save()
    start = timezone.now()
    attempt = learning_services.attempt_start(enrolment=classroom.place, quiz=classroom.quiz, now=start)
    client = browser(classroom.coach)
    kept(client, MY_COURSES)
    closed = learning_services.attempt_close_if_timed_out(attempt, now=start + timedelta(minutes=11))
    assert closed.status == "timed_out"
    assert client.get(MY_COURSES)["X-Page-Cache"] == "miss"

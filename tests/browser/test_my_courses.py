"""A coach with years of courses behind her finds what comes next first, and the rest on its own pages."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.formats import day
from courses.models import CoursePage, Enrolment
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import assert_accessible
from tests.factories import UserFactory, confirmed_place, make_date

pytestmark = pytest.mark.browser


def test_a_coach_sees_her_next_course_first_and_pages_through_the_earlier_ones(page: Page, live_site, site_url):
    course = CoursePage.objects.get()
    coach = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    upcoming = make_date(course, starts_in=timedelta(days=30))
    confirmed_place(upcoming, coach)
    earlier = [make_date(course, starts_in=timedelta(days=-100 * (n + 1))) for n in range(5)]  # the latest first
    for seat, course_date in enumerate(earlier, start=1):
        Enrolment.objects.create(course_date=course_date, user=coach, status=Enrolment.Status.CONFIRMED, seat=seat,
                                 confirmed_at=course_date.starts_at - timedelta(days=30))

    log_in(page, site_url, "eva@example.org")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the menu folds away, the lists stay readable
    page.goto(site_url + "/my/courses/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn opleidingen")
    lists = page.locator("ul.my-courses")
    expect(lists.nth(0).locator("li")).to_have_count(1)
    expect(lists.nth(0)).to_contain_text(day(upcoming.starts_at))
    expect(lists.nth(1).locator("li")).to_have_count(3)
    expect(lists.nth(1)).to_contain_text(day(earlier[0].starts_at))
    expect(lists.nth(1)).not_to_contain_text(day(earlier[3].starts_at))
    assert_accessible(page, "my courses")

    page.get_by_role("link", name="Alle 5 eerdere opleidingen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eerdere opleidingen")
    expect(page.locator("ul.my-courses li")).to_have_count(5)
    expect(page.locator("ul.my-courses")).to_contain_text(day(earlier[4].starts_at))
    expect(page.locator("ul.my-courses")).to_contain_text("Deelgenomen")
    assert_accessible(page, "earlier courses")
    page.get_by_role("link", name="← Mijn opleidingen").click()
    expect(page).to_have_url(f"{site_url}/my/courses/")


def test_each_places_progress_bar_has_one_width_and_fits_a_phone(page: Page, live_site, site_url):
    """The bar does not follow the length of its row's text (places' bars line up), and stays inside the row on a
    phone."""
    course = CoursePage.objects.get()
    confirmed_place(make_date(course, location_name="Utrecht"), UserFactory(email="eva@example.org"))
    log_in(page, site_url, "eva@example.org")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site_url + "/my/courses/")
    bar = page.locator("ul.my-courses li progress")
    expect(bar).to_have_count(1)
    assert bar.bounding_box()["width"] == 480  # 30rem, whatever the row's text

    page.set_viewport_size({"width": 390, "height": 844})
    row = page.locator("ul.my-courses li").bounding_box()
    on_a_phone = bar.bounding_box()
    assert row["x"] < on_a_phone["x"] and on_a_phone["x"] + on_a_phone["width"] < row["x"] + row["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways

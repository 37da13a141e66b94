from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from core.formats import day
from courses.models import CourseIndexPage, CoursePage, ModulePage
from home.models import HomePage, InfoPage
from learning.models import AssignmentPage, QuizPage
from tests.factories import course_form_data, make_course, make_date, make_module

pytestmark = pytest.mark.django_db


def team_trainer(course):
    from tests.factories import make_trainer

    trainer = make_trainer()
    course.trainers.add(trainer)  # on the course team: only they (and the office) preview and edit it
    course.save()
    return trainer


class TestPageTree(WagtailPageTestCase):
    """The tree trainers build in: home → catalogue → course → module, nothing else."""

    def test_allowed_children(self):
        self.assertAllowedSubpageTypes(HomePage, {CourseIndexPage, InfoPage})
        self.assertAllowedSubpageTypes(InfoPage, set())
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedSubpageTypes(ModulePage, {QuizPage, AssignmentPage})
        self.assertAllowedSubpageTypes(QuizPage, set())

    def test_allowed_parents(self):
        self.assertAllowedParentPageTypes(CourseIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(InfoPage, {HomePage})
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})
        self.assertAllowedParentPageTypes(ModulePage, {CoursePage})
        self.assertAllowedParentPageTypes(QuizPage, {ModulePage})
        self.assertAllowedParentPageTypes(AssignmentPage, {ModulePage})

    def test_a_module_cannot_be_created_under_the_catalogue(self):
        from tests.factories import catalogue_site

        site = catalogue_site()
        self.assertCanNotCreateAt(CourseIndexPage, ModulePage)
        self.assertCanCreateAt(CourseIndexPage, CoursePage)
        self.assertFalse(ModulePage.can_create_at(site.catalogue))

    def test_catalogue_and_module_preview(self):
        from tests.factories import catalogue_site

        site = catalogue_site()
        module = make_module(make_course(site.catalogue))
        self.assertPageIsPreviewable(site.catalogue, post_data={"title": "Opleidingen", "slug": "opleidingen",
                                                                "intro": rich_text("<p>Intro</p>")})
        self.assertPageIsPreviewable(module, post_data=nested_form_data({
            "title": "Module", "slug": "module", "summary": "", "estimated_minutes": "",
            "body": streamfield([("paragraph", rich_text("<p>Tekst</p>"))]),
        }))


def test_preview_shows_unsaved_changes_and_leaves_the_live_page_alone(client, course):
    client.force_login(team_trainer(course))
    preview_url = f"/admin/pages/{course.pk}/edit/preview/"
    data = course_form_data(
        title="Nieuwe titel in voorvertoning",
        accreditations=inline_formset([
            {"register": "noloc", "points": "6", "accreditation_id": "NL-118"},
            {"register": "nobco", "points": "7.5", "accreditation_id": "PE-NIEUW"},
        ]),
    )

    assert client.post(preview_url, data).json()["is_valid"] is True
    preview = client.get(preview_url).content.decode()

    assert "Nieuwe titel in voorvertoning" in preview and "PE-NIEUW" in preview
    live = client.get(course.url).content.decode()
    assert "Nieuwe titel in voorvertoning" not in live and "PE-NIEUW" not in live


def test_preview_refuses_an_eleventh_seat(client, course):
    client.force_login(team_trainer(course))
    response = client.post(f"/admin/pages/{course.pk}/edit/preview/", course_form_data(default_capacity="11"))
    assert response.json()["is_valid"] is False


def test_catalogue_lists_published_courses_only(client, site):
    make_course(site.catalogue, title="Secure Base coach training", slug="secure-base")
    draft = make_course(site.catalogue, title="Nog niet klaar", slug="concept")
    draft.unpublish()

    response = client.get("/opleidingen/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Secure Base coach training" in html
    assert "Nog niet klaar" not in html
    assert client.get("/opleidingen/concept/").status_code == 404


def test_course_page_shows_what_a_coach_needs_to_decide(client, course):
    response = client.get(course.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Basistraining 2e spoorcoaching</h1>" in html
    assert "Voor wie" in html and "Re-integratiecoaches" in html
    assert "Wat je leert" in html and "Wet verbetering poortwachter" in html
    assert "Programma" in html and "09:30" in html
    assert "€\u00a0495,00" in html
    assert "Vrijgesteld van btw (CRKBO-geregistreerd)" in html
    assert "1 dag" in html and "maximaal 10 deelnemers" in html
    assert "Noloc" in html and "6 punten" in html and "NL-118" in html
    assert html.index("Hechting") < html.index("Afscheid nemen")


def test_course_with_vat_shows_price_including_and_excluding_vat(client, site):
    course = make_course(site.catalogue, slug="groep", price_excl_vat=Decimal("2950.00"), vat_treatment="standard")

    html = client.get(course.url).content.decode()

    assert "€\u00a03.569,50" in html  # 2950 + 21%
    assert "€\u00a02.950,00 excl. btw + €\u00a0619,50 btw (21%)" in html


@pytest.mark.parametrize(
    ("price", "treatment", "vat", "total"),
    [
        ("495.00", "exempt", "0.00", "495.00"),
        ("100.00", "standard", "21.00", "121.00"),
        ("0.05", "standard", "0.01", "0.06"),  # 0.0105 rounds half up to a cent
        ("0.00", "standard", "0.00", "0.00"),
    ],
)
def test_vat_is_computed_to_the_cent(price, treatment, vat, total):
    course = CoursePage(price_excl_vat=Decimal(price), vat_treatment=treatment)
    assert course.vat_amount == Decimal(vat)
    assert course.price_incl_vat == Decimal(total)


def test_free_course_says_so(client, site):
    course = make_course(site.catalogue, slug="gratis", price_excl_vat=Decimal("0"))
    assert "Kosteloos" in client.get(course.url).content.decode()


def test_module_page_links_back_to_course_and_to_neighbours(client, course):
    first, second = ModulePage.objects.child_of(course).order_by("path")

    html = client.get(second.url).content.decode()

    assert "<h1>Afscheid nemen</h1>" in html
    assert f'href="{course.url}"' in html
    assert f'rel="prev" href="{first.url}"' in html
    assert 'rel="next"' not in html


def test_english_prefix_shows_the_interface_in_english(client, course):
    dutch_path = course.url

    html = client.get(f"/en{dutch_path}").content.decode()

    assert '<html lang="en">' in html
    assert "What you will learn" in html and "€495.00" in html
    assert f'href="/en{dutch_path}hechting/"' in html


def test_unknown_page_is_a_404_that_helps_and_leaks_nothing(client, site):
    response = client.get("/opleidingen/bestaat-niet/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Pagina niet gevonden" in html and 'href="/opleidingen/"' in html
    assert "Traceback" not in html and "wagtailcore" not in html


def test_catalogue_query_count_does_not_grow_with_courses(client, site):
    make_course(site.catalogue, slug="a")

    def queries_for_catalogue():
        client.get("/opleidingen/")  # the first after a change fills the shared cache again
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/opleidingen/").status_code == 200
        return len(queries)

    queries_for_catalogue()  # warm-up: site root cache and settings row
    with_one = queries_for_catalogue()
    for n in range(8):
        course = make_course(site.catalogue, slug=f"course-{n}", title=f"Course {n}")
        make_module(course, slug="m1")
    assert queries_for_catalogue() == with_one


def test_course_page_query_count_does_not_grow_with_modules(client, course):
    def queries_for_course():
        client.get(course.url)  # the first after a change fills the shared cache again
        with CaptureQueriesContext(connection) as queries:
            assert client.get(course.url).status_code == 200
        return len(queries)

    queries_for_course()  # warm-up: site root cache and settings row
    before = queries_for_course()
    for n in range(6):
        make_module(course, slug=f"extra-{n}", title=f"Extra {n}")
    assert queries_for_course() == before


def test_database_refuses_more_than_ten_seats_per_date(site):
    course = make_course(site.catalogue, slug="cap")
    with pytest.raises(IntegrityError), transaction.atomic():
        CoursePage.objects.filter(pk=course.pk).update(default_capacity=11)


def test_scheduled_publishing_makes_a_course_live_at_its_time(client, site, time_machine):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=False)
    course = CoursePage(title="Later", slug="later", summary="Komt eraan")
    site.catalogue.add_child(instance=course)
    course.unpublish()
    revision = course.save_revision(approved_go_live_at=timezone.now() + timedelta(hours=2))
    assert revision.approved_go_live_at is not None
    assert client.get("/opleidingen/later/").status_code == 404

    time_machine.shift(timedelta(hours=3))
    call_command("publish_scheduled")

    assert client.get("/opleidingen/later/").status_code == 200


def test_the_course_page_lists_the_next_dates_and_the_rest_a_page_at_a_time(client, course):
    for n in range(32):
        make_date(course, capacity=8, starts_in=timedelta(days=20 + n))
    page = client.get(course.url).content.decode()
    assert page.count('class="date-item"') == 5 and "Alle 32 data" in page

    everything = client.get(f"/courses/{course.pk}/dates/")
    assert everything.status_code == 200
    first = everything.content.decode()
    assert first.count('class="date-item"') == 25 and "Pagina 1 van 2" in first and "nog 8 plaatsen" in first
    last = client.get(f"/courses/{course.pk}/dates/?pagina=2").content.decode()
    assert last.count('class="date-item"') == 7 and "Pagina 2 van 2" in last
    assert client.get(f"/courses/{course.pk + 999}/dates/").status_code == 404


def test_with_few_dates_the_course_page_shows_them_all(client, course):
    for n in range(3):
        make_date(course, starts_in=timedelta(days=20 + n))
    page = client.get(course.url).content.decode()
    assert page.count('class="date-item"') == 3 and "Alle " not in page


def test_my_courses_shows_what_comes_next_then_the_latest_earlier_places_and_the_rest_a_page_at_a_time(
        client, course):
    from accounts.models import User
    from courses.models import Enrolment

    coach = User.objects.create_user(email="eva@example.org", password="x", full_name="Eva Jansen")
    earlier = [make_date(course, starts_in=timedelta(days=-400 + 10 * n)) for n in range(30)]
    upcoming = [make_date(course, starts_in=timedelta(days=60 - 20 * n)) for n in range(2)]  # the later one first
    Enrolment.objects.bulk_create([Enrolment(course_date=course_date, user=coach, status=Enrolment.Status.CANCELLED)
                                   for course_date in [*earlier, *upcoming]])
    client.force_login(coach)

    page = client.get("/my/courses/").content.decode()
    next_up, previously = page.split("<h2>Eerder</h2>")
    assert "Komend en lopend" in next_up and next_up.count('class="date-item"') == 2
    assert next_up.index(day(upcoming[1].starts_at)) < next_up.index(day(upcoming[0].starts_at))  # soonest first
    assert previously.count('class="date-item"') == 3
    assert [day(d.starts_at) in previously for d in earlier[-4:]] == [False, True, True, True]
    assert 'href="/my/courses/earlier/">Alle 30 eerdere opleidingen' in previously

    first = client.get("/my/courses/earlier/").content.decode()
    assert first.count('class="date-item"') == 25 and "Pagina 1 van 2" in first
    assert day(earlier[-1].starts_at) in first and day(earlier[0].starts_at) not in first
    assert day(upcoming[1].starts_at) not in first
    second = client.get("/my/courses/earlier/?pagina=2").content.decode()
    assert second.count('class="date-item"') == 5 and day(earlier[0].starts_at) in second


def test_my_courses_pages_through_what_comes_next_and_keeps_the_earlier_few_on_every_page(client, course):
    import re

    from accounts.models import User
    from courses.models import Enrolment

    coach = User.objects.create_user(email="eva@example.org", password="x", full_name="Eva Jansen")
    # Made the latest first, so the places' ids run against their dates; two dates of each list start together.
    upcoming = [make_date(course, starts_in=timedelta(days=10 + min(n, 25))) for n in reversed(range(27))]
    earlier = [make_date(course, starts_in=timedelta(days=-100 + min(n, 2))) for n in reversed(range(4))]
    places = Enrolment.objects.bulk_create([
        Enrolment(course_date=course_date, user=coach, status=Enrolment.Status.CANCELLED)
        for course_date in [*upcoming, *earlier]])
    soonest_first = [place.pk for place in sorted(places[:27], key=lambda p: (p.course_date.starts_at, p.pk))]
    latest_first = [place.pk for place in sorted(places[27:], key=lambda p: (p.course_date.starts_at, p.pk),
                                                 reverse=True)]
    client.force_login(coach)

    def shown(html: str) -> list[int]:
        return [int(pk) for pk in re.findall(r'<strong><a href="/enrolments/(\d+)/">', html)]

    next_up, previously = client.get("/my/courses/").content.decode().split("<h2>Eerder</h2>")
    assert shown(next_up) == soonest_first[:25] and "Pagina 1 van 2" in next_up
    assert shown(previously) == latest_first[:3] and "Alle 4 eerdere opleidingen" in previously
    for address in ("/my/courses/?pagina=2", "/my/courses/?pagina=99"):  # past the end: the last page
        next_up, previously = client.get(address).content.decode().split("<h2>Eerder</h2>")
        assert shown(next_up) == soonest_first[25:] and "Pagina 2 van 2" in next_up
        assert shown(previously) == latest_first[:3] and "Alle 4 eerdere opleidingen" in previously


def test_my_courses_without_upcoming_places_points_to_the_catalogue_and_lists_the_few_earlier_ones(client, course):
    from accounts.models import User
    from courses.models import Enrolment

    coach = User.objects.create_user(email="eva@example.org", password="x", full_name="Eva Jansen")
    Enrolment.objects.create(course_date=make_date(course, starts_in=timedelta(days=-30)), user=coach,
                             status=Enrolment.Status.CANCELLED)
    client.force_login(coach)
    page = client.get("/my/courses/").content.decode()
    assert "Je hebt geen komende opleidingen." in page and 'href="/opleidingen/"' in page
    assert page.count('class="date-item"') == 1 and "eerdere opleiding" not in page

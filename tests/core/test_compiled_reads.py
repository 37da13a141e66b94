"""A compiled read answers what the queryset it was built from answers, for any values, on both databases: the same
rows, the same model instances with their related rows and annotations, the same converted values."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.compiled import CompiledRead, Fixed
from core.paging import PagedRead, page_of
from courses.models import Enrolment
from courses.selectors import current_places_of, earlier_places_of
from tests.factories import UserFactory, confirmed_place, make_course, make_date, move_to_yesterday

pytestmark = pytest.mark.django_db


def as_seen(enrolment: Enrolment) -> tuple:
    """What a page reads of a place: its own fields, its date's, and the annotated course title."""
    own = tuple(getattr(enrolment, field.attname) for field in Enrolment._meta.concrete_fields)
    course_date = enrolment.course_date
    return own, (course_date.pk, course_date.starts_at, course_date.ends_at, course_date.capacity,
                 course_date.location_name), getattr(enrolment, "course_title", None)


@pytest.fixture
def places(site, course):
    """Two people with places on dates in the past, now and the future, on two courses."""
    other_course = make_course(site.catalogue, title="Secure Base", slug="secure-base")
    people = [UserFactory(), UserFactory()]
    for person in people:
        for course_on, starts_in, took_place in ((course, timedelta(days=3), True), (course, timedelta(days=20), False),
                                                 (other_course, timedelta(days=60), False)):
            course_date = make_date(course_on, starts_in=starts_in)
            confirmed_place(course_date, person)
            if took_place:
                move_to_yesterday(course_date)
    return people, course, other_course


def test_model_instances_with_their_related_row_and_annotation_are_those_of_the_queryset(places):
    people, course, _other = places
    read = CompiledRead(lambda user, course_id: Enrolment.objects.filter(user_id=user, course_date__course_id=course_id)
                        .select_related("course_date").annotate(course_title=F("course_date__course__title"))
                        .order_by("-course_date__starts_at"))
    for person in people:  # compiled once, answered for each person
        expected = list(Enrolment.objects.filter(user=person, course_date__course=course).select_related("course_date")
                        .annotate(course_title=F("course_date__course__title")).order_by("-course_date__starts_at"))
        found = read(person.pk, course.pk)
        assert [as_seen(place) for place in found] == [as_seen(place) for place in expected]
        assert len(found) == 2 and found[0].course_title == course.title
        assert found[0].course_date.starts_at.tzinfo is not None  # converted as the ORM converts it
    with CaptureQueriesContext(connection) as queries:
        assert read(people[0].pk, course.pk)[0].course_date.location_name == "Utrecht"
    assert len(queries) == 1  # the date came with the place


def test_a_list_argument_is_compiled_per_length_and_an_empty_one_matches_nothing(places):
    people, _course, _other = places
    read = CompiledRead(lambda ids: Enrolment.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "user_id"))
    ids = list(Enrolment.objects.order_by("pk").values_list("pk", flat=True))
    for chosen in (ids[:1], ids[1:4], ids[::2], ids[:1]):
        assert read(chosen) == list(Enrolment.objects.filter(pk__in=chosen).order_by("pk").values_list("pk", "user_id"))
    with CaptureQueriesContext(connection) as queries:
        assert read([]) == []
    assert len(queries) == 0


def test_a_moment_is_passed_as_the_database_expects_it(places):
    people, _course, _other = places
    now = timezone.now()
    read = CompiledRead(lambda user, moment: current_places_of(user=user, now=moment))
    for moment in (now, now + timedelta(days=30), now - timedelta(days=3)):
        expected = list(current_places_of(user=people[1], now=moment))
        assert [as_seen(place) for place in read(people[1].pk, moment)] == [as_seen(place) for place in expected]
    assert len(read(people[1].pk, now + timedelta(days=30))) == 1  # only the date in 60 days is still to come


def test_paged_reads_page_as_page_of_does(site, places):
    people, _course, _other = places
    for number in range(4):
        course_date = make_date(make_course(site.catalogue, title=f"Module {number}", slug=f"module-{number}"),
                                starts_in=timedelta(days=5))
        confirmed_place(course_date, people[0])
        move_to_yesterday(course_date)
    now = timezone.now()
    earlier = PagedRead(lambda user, moment: earlier_places_of(user=user, now=moment))
    for number in (1, 2, 3, "x", 99):
        expected = page_of(earlier_places_of(user=people[0], now=now), number, 2)
        page = earlier.page(number, 2, people[0].pk, now)
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (
            expected.number, expected.paginator.count, expected.paginator.num_pages)
        assert [place.pk for place in page] == [place.pk for place in expected]
    assert earlier.page(3, 2, people[0].pk, now).paginator.count == 5


def test_columns_the_sql_adds_for_its_ordering_are_not_returned(places):
    people, _course, _other = places
    read = CompiledRead(lambda user: Enrolment.objects.filter(user_id=user).distinct()
                        .order_by("course_date__starts_at").values_list("pk"))
    expected = list(Enrolment.objects.filter(user=people[0]).distinct().order_by("course_date__starts_at")
                    .values_list("pk"))
    assert read(people[0].pk) == expected and all(len(row) == 1 for row in expected)


def test_a_fixed_argument_is_written_into_the_sql_once_per_value(places):
    read = CompiledRead(lambda stop: Enrolment.objects.order_by("pk").values_list("pk")[:stop])
    assert len(read(Fixed(2))) == 2 and len(read(Fixed(4))) == 4


def test_what_it_cannot_pass_is_refused_when_compiled(places):
    with pytest.raises(TypeError):
        CompiledRead(lambda name: Enrolment.objects.filter(billing_name=name))("Jansen")
    by_id = CompiledRead(lambda pk: Enrolment.objects.filter(pk=pk).values_list("pk"))
    assert by_id(1) is not None  # compiled for an id…
    with pytest.raises(TypeError):
        by_id("1")  # …and still refusing anything else
    with pytest.raises(ValueError, match="do not reach"):  # an argument the builder drops would answer wrongly
        CompiledRead(lambda user: Enrolment.objects.all())(5)

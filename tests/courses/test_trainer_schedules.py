"""Trainers schedule and edit the dates of the courses on whose team they are; other courses' dates, calling a
date off and deleting one stay with the office."""

import pytest
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from courses.models import CourseDate
from tests.factories import UserFactory, make_course, make_date, make_trainer

pytestmark = pytest.mark.django_db


def new_date(course, **changes) -> dict:
    return nested_form_data({
        "course": course.pk, "capacity": "", "location_kind": "in_person", "location_name": "Zwolle, De Librije",
        "address": "", "online_url": "", "enrolment_deadline": "",
        "meeting_days": inline_formset([{"starts_at": "2027-04-13 09:30", "ends_at": "2027-04-13 16:30"}]),
        "pe_online_editions": inline_formset([]),
    } | changes)


@pytest.fixture
def trainer(course):
    trainer = make_trainer(full_name="Tom Trainer")
    course.trainers.add(trainer)
    course.save_revision().publish()  # the course team is saved with the page
    return trainer


@pytest.fixture
def other_course(site):
    return make_course(site.catalogue, title="Secure Base coach", slug="secure-base")


def test_a_trainer_schedules_a_date_of_their_own_course(client, trainer, course, other_course):
    client.force_login(trainer)
    form = client.get("/admin/coursedate/new/").content.decode()
    assert course.title in form and other_course.title not in form  # only their own courses to choose

    response = client.post("/admin/coursedate/new/", {**new_date(course), "trainers": [trainer.pk]})

    assert response.status_code == 302, response.content.decode()[:1500]
    scheduled = CourseDate.objects.get()
    assert scheduled.course_id == course.pk and list(scheduled.trainers.all()) == [trainer]
    assert "13-04-2027" in client.get("/admin/coursedate/").content.decode()


def test_a_trainer_cannot_schedule_or_change_another_courses_dates(client, trainer, course, other_course):
    client.force_login(trainer)
    refused = client.post("/admin/coursedate/new/", new_date(other_course))
    assert refused.status_code == 200 and not CourseDate.objects.exists()  # the form says the choice is invalid

    theirs, not_theirs = make_date(course), make_date(other_course)
    theirs.trainers.add(trainer)
    listing = client.get("/admin/coursedate/").content.decode()
    assert f"/admin/coursedate/edit/{theirs.pk}/" in listing
    assert f"/admin/coursedate/edit/{not_theirs.pk}/" not in listing
    assert client.get(f"/admin/coursedate/edit/{theirs.pk}/").status_code == 200
    for view in ("edit", "history", "usage"):
        assert client.get(f"/admin/coursedate/{view}/{not_theirs.pk}/").status_code in (302, 403), view
    assert client.get(f"/admin/coursedate/history/{theirs.pk}/").status_code == 200
    client.post(f"/admin/coursedate/edit/{not_theirs.pk}/", new_date(other_course, location_name="Elders"))
    not_theirs.refresh_from_db()
    assert not_theirs.location_name != "Elders"
    assert client.post(f"/admin/coursedate/delete/{theirs.pk}/").status_code in (302, 403)
    assert CourseDate.objects.filter(pk=theirs.pk).exists()
    detail = client.get(f"/admin/trainer/dates/{theirs.pk}/")
    assert detail.status_code == 200 and "Deze datum annuleren" not in detail.content.decode()  # the office's
    client.force_login(UserFactory(is_superuser=True))
    assert "Deze datum annuleren" in client.get(f"/admin/trainer/dates/{theirs.pk}/").content.decode()


def test_my_dates_offers_to_schedule_a_date(client, trainer):
    client.force_login(trainer)
    assert 'href="/admin/coursedate/new/"' in client.get("/admin/trainer/dates/").content.decode()


def test_a_trainer_who_schedules_a_date_without_ticking_themself_is_on_it(client, trainer, course):
    """Otherwise the date they just planned would leave their own "Mijn data"."""
    colleague = make_trainer(full_name="Cora Collega")
    client.force_login(trainer)
    response = client.post("/admin/coursedate/new/", {**new_date(course), "trainers": [colleague.pk]})
    assert response.status_code == 302
    scheduled = CourseDate.objects.get()
    assert set(scheduled.trainers.all()) == {trainer, colleague}
    assert f"/admin/trainer/dates/{scheduled.pk}/" in client.get("/admin/trainer/dates/").content.decode()

    client.post(f"/admin/coursedate/edit/{scheduled.pk}/", {**new_date(course, location_name="Deventer"),
                                                            "trainers": []})
    assert trainer in CourseDate.objects.get(pk=scheduled.pk).trainers.all()


def test_the_office_may_leave_a_date_without_trainers(client, course):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.post("/admin/coursedate/new/", new_date(course)).status_code == 302
    assert not CourseDate.objects.get().trainers.exists()

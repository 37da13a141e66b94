"""Who changes which course in the CMS, as a matrix of roles × pages × actions: trainers change the courses
whose team they are on (and their modules, quizzes and assignments); price, VAT, cancellation policy and
completion rules are the office's, whose permission changes every course."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from wagtail.test.utils.form_data import inline_formset

from courses.models import CoursePage
from tests.factories import UserFactory, course_form_data, make_course, make_module, make_quiz, make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(course):
    module = course.get_children().first().specific
    quiz = make_quiz(module)
    other = make_course(course.get_parent().specific, slug="ander", title="Andere opleiding")
    other_module = make_module(other, title="Module", slug="module")
    return {"own course": course, "own module": module, "own quiz": quiz, "other course": other,
            "other module": other_module}


@pytest.fixture
def people(course):
    team_trainer = make_trainer(email="team@example.org")
    course.trainers.add(team_trainer)
    course.save()  # a page's many-to-many is saved with the page
    office = make_trainer(email="office@example.org")  # a trainer account with the office's permission
    office.user_permissions.add(Permission.objects.get(codename="manage_courses"))
    return {"team trainer": team_trainer, "other trainer": make_trainer(email="other@example.org"),
            "office": office}


def allowed(client, user, page, action: str) -> bool:
    client.force_login(user)
    url = {"edit": f"/admin/pages/{page.pk}/edit/", "delete": f"/admin/pages/{page.pk}/delete/",
           "unpublish": f"/admin/pages/{page.pk}/unpublish/", "move": f"/admin/pages/{page.pk}/move/",
           "copy": f"/admin/pages/{page.pk}/copy/"}[action]
    return client.get(url).status_code == 200


MINE = {"own course", "own module", "own quiz"}


@pytest.mark.parametrize("action", ["edit", "unpublish", "move", "copy"])
def test_trainers_change_only_their_own_courses_and_what_is_in_them(client, pages, people, action):
    for role, user in people.items():
        for name, page in pages.items():
            expected = role == "office" or (role == "team trainer" and name in MINE)
            assert allowed(client, user, page, action) == expected, (role, name, action)


def test_a_trainer_cannot_save_or_publish_another_trainers_course(client, pages, people):
    other = pages["other course"]
    client.force_login(people["team trainer"])
    data = {**course_form_data(title="Overgenomen", slug="ander",
                               accreditations=inline_formset([], initial=0)), "action-publish": "1"}
    client.post(f"/admin/pages/{other.pk}/edit/", data)
    other.refresh_from_db()
    assert other.title == "Andere opleiding" and not other.has_unpublished_changes


def test_price_vat_cancellation_and_completion_are_the_offices(client, course, people):
    client.force_login(people["team trainer"])
    form = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    for field in ("price_excl_vat", "vat_treatment", "free_cancellation_days", "completion_attendance_percent",
                  "completion_excused_days", 'name="trainers"'):
        assert field not in form
    accreditations = [{"id": a.pk, "register": a.register, "points": str(a.points),
                       "accreditation_id": a.accreditation_id} for a in course.accreditations.all()]
    before = CoursePage.objects.get(pk=course.pk)
    forged = {"price_excl_vat": "1.00", "vat_treatment": "standard", "free_cancellation_days": "0",
              "late_cancellation_refund_percent": "0", "completion_attendance_percent": "0",
              "certificate_validity_years": "50", "completion_excused_days": "5"}
    data = course_form_data(title="Basistraining", accreditations=inline_formset(accreditations,
                                                                                 initial=len(accreditations)))
    response = client.post(f"/admin/pages/{course.pk}/edit/", {**data, **forged, "action-publish": "1"})
    assert response.status_code == 302
    course = CoursePage.objects.get(pk=course.pk)
    assert course.title == "Basistraining"  # the trainer's own edit went through...
    for field in forged:  # ...none of the office's terms did, even posted by hand
        assert getattr(course, field) == getattr(before, field), field
    assert course.price_excl_vat == before.price_excl_vat != Decimal("1.00")

    client.force_login(people["office"])
    assert "price_excl_vat" in client.get(f"/admin/pages/{course.pk}/edit/").content.decode()


def test_a_trainer_who_creates_a_course_may_go_on_editing_it(client, site, people):
    trainer = people["other trainer"]
    client.force_login(trainer)
    data = course_form_data(title="Nieuwe cursus", slug="nieuwe-cursus", accreditations=inline_formset([], initial=0))
    response = client.post(f"/admin/pages/add/courses/coursepage/{site.catalogue.pk}/", data)
    assert response.status_code == 302
    created = CoursePage.objects.get(slug="nieuwe-cursus")
    assert created.owner == trainer and allowed(client, trainer, created, "edit")
    assert not allowed(client, UserFactory(is_staff=False), created, "edit")

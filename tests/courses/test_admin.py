"""Trainers write courses in the Wagtail admin; only administrators touch site settings and users."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset

from courses.models import CoursePage
from tests.factories import UserFactory, course_form_data, make_trainer

pytestmark = pytest.mark.django_db


def edit_form_data(course, **overrides):
    """What the admin's edit form posts for this course: existing accreditations keep their ids."""
    accreditations = [
        {"id": a.pk, "register": a.register, "points": str(a.points), "accreditation_id": a.accreditation_id}
        for a in course.accreditations.all()
    ]
    return course_form_data(accreditations=inline_formset(accreditations, initial=len(accreditations)), **overrides)


@pytest.fixture
def trainer_client(client, course):
    trainer = make_trainer()
    course.trainers.add(trainer)  # on the course team (test_course_team: trainers change only their own courses)
    course.save()
    client.force_login(trainer)
    return client


def test_admin_speaks_dutch(trainer_client):
    html = trainer_client.get("/admin/").content.decode()
    assert 'lang="nl"' in html
    assert "Pagina's" in html


def test_trainer_saves_a_draft_without_changing_the_live_course(trainer_client, course):
    response = trainer_client.post(f"/admin/pages/{course.pk}/edit/", edit_form_data(course, title="Conceptversie"))

    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Basistraining 2e spoorcoaching"
    assert course.has_unpublished_changes
    assert course.get_latest_revision_as_object().title == "Conceptversie"
    visitor_sees = Client().get(course.url).content.decode()
    assert "<h1>Basistraining 2e spoorcoaching</h1>" in visitor_sees and "Conceptversie" not in visitor_sees


def test_trainer_publishes_a_course_and_a_revision_is_kept(trainer_client, course):
    revisions_before = course.revisions.count()

    response = trainer_client.post(
        f"/admin/pages/{course.pk}/edit/",
        {**edit_form_data(course, title="Basistraining (vernieuwd)"), "action-publish": "1"},
    )

    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Basistraining (vernieuwd)" and course.live and not course.has_unpublished_changes
    assert course.revisions.count() == revisions_before + 1
    assert "<h1>Basistraining (vernieuwd)</h1>" in Client().get(course.url).content.decode()


def test_trainer_adds_a_module_to_a_course(trainer_client, course):
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    data = nested_form_data({
        "title": "Rouw", "slug": "rouw", "summary": "Verlies erkennen", "estimated_minutes": "60",
        "body": streamfield([("paragraph", rich_text("<p>Over rouw</p>"))]), "action-publish": "1",
    })
    response = trainer_client.post(f"/admin/pages/add/courses/modulepage/{course.pk}/", data)

    assert response.status_code == 302
    module = Page.objects.get(slug="rouw")
    assert module.get_parent().pk == course.pk and module.live


def test_form_errors_are_shown_and_nothing_is_saved(trainer_client, course):
    response = trainer_client.post(
        f"/admin/pages/{course.pk}/edit/",
        {**edit_form_data(course, price_excl_vat="-5", default_capacity="25"), "action-publish": "1"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "De pagina kon niet worden opgeslagen vanwege validatiefouten." in html
    course.refresh_from_db()
    assert course.revisions.count() == 1 and course.default_capacity == 10


@pytest.mark.parametrize("url", ["/admin/settings/core/providersettings/", "/admin/users/", "/admin/groups/"])
def test_trainer_cannot_change_site_settings_or_users(trainer_client, url):
    response = trainer_client.get(url, follow=True)
    assert response.redirect_chain[-1] == ("/admin/", 302)
    assert "Sorry, je hebt geen toegang tot dit gedeelte." in [str(m).strip() for m in response.context["messages"]]


def test_administrator_changes_provider_settings(client, site):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/settings/core/providersettings/", follow=True)
    assert response.status_code == 200
    assert "CRKBO" in response.content.decode()


def test_coach_without_admin_access_is_told_so_on_the_login_page(client, site):
    client.force_login(UserFactory())

    response = client.get("/admin/", follow=True)

    assert response.status_code == 200
    assert [url for url, _ in response.redirect_chain] == ["/accounts/login/?next=/admin/"]
    assert "Je hebt geen toegang" in response.content.decode()


def test_trainer_cannot_touch_pages_outside_the_catalogue(trainer_client, site):
    response = trainer_client.get(f"/admin/pages/{site.home.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert CoursePage.objects.count() == 1


def test_a_second_accreditation_for_the_same_register_is_refused_with_a_message(trainer_client, course):
    existing = course.accreditations.get()
    accreditations = inline_formset(
        [
            {"id": existing.pk, "register": "noloc", "points": "6", "accreditation_id": "NL-118"},
            {"register": "noloc", "points": "3", "accreditation_id": "DUBBEL"},
        ],
        initial=1,
    )

    response = trainer_client.post(
        f"/admin/pages/{course.pk}/edit/",
        {**course_form_data(accreditations=accreditations), "action-publish": "1"},
    )

    assert response.status_code == 200
    assert course.accreditations.count() == 1


def test_a_new_date_takes_the_courses_capacity_unless_given(client, course):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    from courses.models import CourseDate

    CoursePage.objects.filter(pk=course.pk).update(default_capacity=8)
    client.force_login(UserFactory(is_superuser=True))
    data = nested_form_data({
        "course": course.pk, "status": "scheduled", "capacity": "", "location_kind": "in_person",
        "location_name": "Utrecht", "address": "", "online_url": "", "enrolment_deadline": "",
        "meeting_days": inline_formset([{"starts_at": "2027-03-02 09:30", "ends_at": "2027-03-02 16:30"}]),
        "pe_online_editions": inline_formset([{"register": "registerplein", "edition_id": "88123"}]),
    })
    response = client.post("/admin/coursedate/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    course_date = CourseDate.objects.get()
    assert course_date.capacity == 8 and course_date.meeting_days.count() == 1
    assert list(course_date.pe_online_editions.values_list("register", "edition_id")) == [("registerplein", "88123")]
    from django.utils import timezone

    assert timezone.localtime(course_date.starts_at).isoformat().startswith("2027-03-02T09:30:00+01:00")


def test_a_date_form_refuses_a_deadline_after_the_first_day_and_a_capacity_below_seats_taken(client, course):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    from courses import enrolments, seating
    from tests.factories import make_date

    course_date = make_date(course, capacity=3)
    for _ in range(2):
        enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    day = course_date.meeting_days.get()
    client.force_login(UserFactory(is_superuser=True))
    data = nested_form_data({
        "course": course.pk, "status": "scheduled", "capacity": "1", "location_kind": "in_person",
        "location_name": "Utrecht", "address": "", "online_url": "",
        "enrolment_deadline": (day.starts_at + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        "meeting_days": inline_formset([{"id": day.pk, "starts_at": day.starts_at.strftime("%Y-%m-%d %H:%M"),
                                         "ends_at": day.ends_at.strftime("%Y-%m-%d %H:%M")}], initial=1),
        "pe_online_editions": inline_formset([]),
    })

    form = client.post(f"/admin/coursedate/edit/{course_date.pk}/", data).context["form"]

    assert "2 plaatsen bezet" in str(form.errors["capacity"])
    assert "vóór de eerste dag" in str(form.errors["enrolment_deadline"])
    course_date.refresh_from_db()
    assert course_date.capacity == 3


def test_the_office_filters_places_by_course_and_start_without_a_list_of_every_date(client, site, course):
    from django.urls import reverse

    from tests.factories import confirmed_place, make_course, make_date

    office = UserFactory(is_superuser=True, is_staff=True)
    other_course = make_course(site.catalogue, slug="secure-base", title="Secure Base coach")
    soon, later = make_date(course, starts_in=timedelta(days=10)), make_date(course, starts_in=timedelta(days=90))
    elsewhere = make_date(other_course, starts_in=timedelta(days=10))
    for course_date, name in ((soon, "Anna Aalbers"), (later, "Bas Bakker"), (elsewhere, "Cor Claassen")):
        confirmed_place(course_date, UserFactory(full_name=name))
    client.force_login(office)
    listing = reverse("enrolment:index")

    page = client.get(listing).content.decode()
    assert all(name in page for name in ("Anna Aalbers", "Bas Bakker", "Cor Claassen"))
    assert f'value="{soon.pk}"' not in page  # no option per date

    by_course = client.get(listing, {"course": course.pk}).content.decode()
    assert "Anna Aalbers" in by_course and "Bas Bakker" in by_course and "Cor Claassen" not in by_course
    first_month = (timezone.localdate() + timedelta(days=30)).isoformat()
    soon_only = client.get(listing, {"course": course.pk, "starts_to": first_month}).content.decode()
    assert "Anna Aalbers" in soon_only and "Bas Bakker" not in soon_only


def test_a_dates_trainer_is_chosen_among_trainers_only(client, course):
    from django.urls import reverse

    from tests.factories import make_date

    office = UserFactory(is_superuser=True, is_staff=True)
    trainer = make_trainer(full_name="Tom Trainer")
    UserFactory(full_name="Carla Coach")  # a participant, not a trainer
    course_date = make_date(course)
    client.force_login(office)

    page = client.get(reverse("coursedate:edit", args=[course_date.pk])).content.decode()

    assert "Tom Trainer" in page and "Carla Coach" not in page
    assert f'type="checkbox" name="trainers" value="{trainer.pk}"' in page

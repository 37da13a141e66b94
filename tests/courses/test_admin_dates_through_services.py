"""Every admin edit of a date goes through the services: the status is not editable (calling a date off
happens on its page, with mails and money; the scheduler completes past dates), a new capacity is set
under the lock with offers to the waitlist, and the course stays put once people have places."""

from datetime import timedelta

from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from courses import enrolments, schedule, seating, waitlists
from courses.models import CourseDate, Enrolment
from tests.factories import UserFactory, make_course, make_date


def date_form(course_page, course_date, **changes) -> dict:
    day = course_date.meeting_days.get()
    return nested_form_data({
        "course": course_page.pk, "capacity": str(course_date.capacity), "location_kind": "in_person",
        "location_name": course_date.location_name, "address": "", "online_url": "", "enrolment_deadline": "",
        "meeting_days": inline_formset([{"id": day.pk, "starts_at": day.starts_at.strftime("%Y-%m-%d %H:%M"),
                                         "ends_at": day.ends_at.strftime("%Y-%m-%d %H:%M")}], initial=1),
        "pe_online_editions": inline_formset([]),
    } | changes)


def test_raising_the_capacity_in_the_admin_offers_the_new_seat_to_the_first_in_line(client, course, mailoutbox):
    course_date = make_date(course, capacity=1)
    enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    waiting = waitlists.waitlist_join(course_date=course_date, user=UserFactory(email="wacht@example.org"))
    client.force_login(UserFactory(is_superuser=True))

    response = client.post(f"/admin/coursedate/edit/{course_date.pk}/", date_form(course, course_date, capacity="2"))

    assert response.status_code == 302
    assert CourseDate.objects.get(pk=course_date.pk).capacity == 2
    assert Enrolment.objects.get(pk=waiting.pk).status == Enrolment.Status.OFFERED


def test_the_admin_cannot_call_a_date_off_or_move_it_to_another_course(client, course, site):
    other_course = make_course(site.catalogue, title="Secure Base", slug="secure-base")
    course_date = make_date(course)
    enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    client.force_login(UserFactory(is_superuser=True))

    response = client.post(f"/admin/coursedate/edit/{course_date.pk}/",
                           date_form(course, course_date, status="cancelled", course=other_course.pk,
                                     location_name="Zwolle"))

    assert response.status_code == 302
    course_date.refresh_from_db()
    assert (course_date.status, course_date.course_id, course_date.location_name) == (
        CourseDate.Status.SCHEDULED, course.pk, "Zwolle")
    assert course_date.enrolments.get().status == Enrolment.Status.HELD


def test_the_scheduler_completes_dates_whose_last_day_has_ended(course):
    past = make_date(course, starts_in=timedelta(days=-3))
    coming = make_date(course)

    assert schedule.course_dates_complete() == 1
    assert schedule.course_dates_complete() == 0  # once

    past.refresh_from_db(), coming.refresh_from_db()
    assert (past.status, coming.status) == (CourseDate.Status.COMPLETED, CourseDate.Status.SCHEDULED)
    later = timezone.now() + timedelta(days=400)
    assert schedule.course_dates_complete(now=later) == 1

"""Places whose date has started, that were completed, or whose money went back: what can still change, and how
the enrolment page reads for them. Also: a second place on the same course, and attendance for days to come."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.audit import history
from courses import attendance, enrolments, schedule, seating, waitlists
from courses.models import Enrolment
from payments import refunds
from places import changes
from tests.factories import UserFactory, confirmed_place, make_date, make_trainer, move_to_yesterday
from tests.payments.test_refunds import paid  # noqa: F401 (a fixture: a place paid through the Stripe double)

pytestmark = pytest.mark.django_db
Status = Enrolment.Status


@pytest.fixture
def yesterday(course):
    """A confirmed place on a date that took place yesterday, and another date of the course with seats."""
    course_date = make_date(course, starts_in=timedelta(days=3))
    place = confirmed_place(course_date, UserFactory(full_name="Eva de Vries"))
    move_to_yesterday(course_date)
    place.refresh_from_db()
    return place, make_date(course, starts_in=timedelta(days=40))


def test_a_started_date_can_no_longer_be_cancelled_or_moved_by_the_participant(yesterday):
    place, later = yesterday

    with pytest.raises(seating.EnrolmentError, match="begonnen|started"):
        enrolments.enrolment_cancel(enrolment=place, actor=place.user)
    with pytest.raises(seating.EnrolmentError, match="begonnen|started"):
        changes.place_move(enrolment=place, to_date=later, actor=place.user)

    place.refresh_from_db()
    assert place.status == Status.CONFIRMED and place.transferred_to is None
    assert not later.enrolments.exists()


def test_the_office_moves_a_started_place_only_with_a_reason_that_is_logged(yesterday):
    place, later = yesterday
    office = make_trainer(email="office@example.org")

    with pytest.raises(seating.EnrolmentError, match="reden|reason"):
        changes.place_move(enrolment=place, to_date=later, actor=office, by_office=True)
    moved = changes.place_move(enrolment=place, to_date=later, actor=office, by_office=True,
                                    reason="ziek op de dag zelf")

    assert moved.course_date == later and moved.status == Status.CONFIRMED
    assert history(moved).filter(user=office, data__note__icontains="ziek op de dag zelf").exists()
    assert history(place).filter(user=office, data__note__icontains="ziek op de dag zelf").exists()


def test_a_completed_place_never_moves_and_only_the_office_can_still_cancel_it(yesterday):
    place, later = yesterday
    Enrolment.objects.filter(pk=place.pk).update(completed_at=timezone.now())

    for by_office in (False, True):
        with pytest.raises(seating.EnrolmentError, match="afgerond|completed"):
            changes.place_move(enrolment=place, to_date=later, actor=None, by_office=by_office, reason="x")
    with pytest.raises(seating.EnrolmentError, match="afgerond|completed"):
        enrolments.enrolment_cancel(enrolment=place, actor=place.user)
    assert Enrolment.objects.get(pk=place.pk).status == Status.CONFIRMED and not later.enrolments.exists()

    enrolments.enrolment_cancel(enrolment=place, actor=None, by_office=True)  # e.g. a place booked by mistake
    assert Enrolment.objects.get(pk=place.pk).completed_at is None


def test_the_page_of_a_past_place_reads_as_history_without_cancel_or_move(yesterday, client):
    place, later = yesterday
    client.force_login(place.user)

    page = client.get(reverse("places:enrolment", args=[place.pk])).content.decode()
    assert "Deelgenomen" in page and "Je hebt aan deze datum deelgenomen." in page
    assert "We zien je graag" not in page
    assert reverse("places:transfer", args=[place.pk]) not in page
    assert reverse("places:cancel", args=[place.pk]) not in page
    # The forms themselves refuse as well, saying why.
    response = client.post(reverse("places:transfer", args=[place.pk]), {"date": later.pk}, follow=True)
    assert "niet meer naar een andere datum" in response.content.decode()
    client.post(reverse("places:cancel", args=[place.pk]))
    assert Enrolment.objects.get(pk=place.pk).status == Status.CONFIRMED

    Enrolment.objects.filter(pk=place.pk).update(completed_at=timezone.now())
    page = client.get(reverse("places:enrolment", args=[place.pk])).content.decode()
    assert "Je hebt deze opleiding afgerond op" in page and "onderdelen af" not in page


def test_a_place_refunded_in_full_by_the_office_cannot_move_to_another_date(paid, course, client):  # noqa: F811
    enrolment = paid.enrolment
    other = make_date(course, capacity=3, starts_in=timedelta(days=60))
    schedule.course_date_cancel(course_date=enrolment.course_date, actor=None)
    refunds.refund_request(payment=paid, reason="office refunds in the admin")  # not claimed by the person
    enrolment.refresh_from_db()
    assert enrolment.refunded_at is None and changes.money_returned(enrolment)

    with pytest.raises(seating.EnrolmentError, match="terugbetaald|refunded"):
        changes.place_move(enrolment=enrolment, to_date=other, actor=enrolment.user)
    client.force_login(enrolment.user)
    page = client.get(reverse("places:enrolment", args=[enrolment.pk])).content.decode()
    assert "Ik wil mijn geld terug" not in page and reverse("places:transfer", args=[enrolment.pk]) not in page
    client.post(reverse("places:transfer", args=[enrolment.pk]), {"date": other.pk})
    assert not other.enrolments.exists() and paid.refunds.count() == 1


def test_a_confirmed_place_on_a_confirmed_place_refunded_in_full_cannot_move_either(paid, course):  # noqa: F811
    other = make_date(course, capacity=3, starts_in=timedelta(days=60))
    refunds.refund_request(payment=paid, reason="goodwill")
    with pytest.raises(seating.EnrolmentError, match="terugbetaald|refunded"):
        changes.place_move(enrolment=paid.enrolment, to_date=other, actor=None)


def test_the_enrol_form_does_not_open_for_a_date_you_hold_a_place_on_or_a_second_date_of_the_course(course,
                                                                                                      client):
    first, second = make_date(course, starts_in=timedelta(days=20)), make_date(course, starts_in=timedelta(days=50))
    place = confirmed_place(first, UserFactory())
    client.force_login(place.user)

    for course_date in (first, second):
        response = client.get(reverse("places:enrol", args=[course_date.pk]), follow=True)
        assert response.redirect_chain[-1][0] == reverse("places:enrolment", args=[place.pk])
        assert "Je hebt al een plaats" in response.content.decode()
    # The course page says so next to the other date, instead of an "Inschrijven" button.
    page = client.get(course.url).content.decode()
    assert reverse("places:enrol", args=[second.pk]) not in page
    assert "Je hebt al een plaats op" in page


def test_a_second_date_of_a_course_you_are_confirmed_for_refuses_a_hold_and_the_waitlist(course):
    first, second = make_date(course, starts_in=timedelta(days=20)), make_date(course, capacity=1,
                                                                               starts_in=timedelta(days=50))
    place = confirmed_place(first, UserFactory())
    with pytest.raises(seating.EnrolmentError, match="al een plaats|already have a place"):
        enrolments.enrolment_hold(course_date=second, user=place.user, billing=seating.Billing())
    confirmed_place(second, UserFactory())  # now full
    with pytest.raises(seating.EnrolmentError, match="al een plaats|already have a place"):
        waitlists.waitlist_join(course_date=second, user=place.user)
    assert not second.enrolments.filter(user=place.user).exists()


def test_a_completed_course_of_last_year_does_not_stop_enrolling_again(yesterday, course):
    place, later = yesterday
    assert enrolments.enrolment_hold(course_date=later, user=place.user, billing=seating.Billing()).status == "held"


def test_attendance_is_refused_for_days_to_come_and_allowed_today_and_before(course):
    trainer = make_trainer()
    course_date = make_date(course, starts_in=timedelta(days=3))
    place = confirmed_place(course_date, UserFactory())
    day = course_date.meeting_days.get()

    with pytest.raises(seating.EnrolmentError, match="vanaf die dag|from that day"):
        attendance.attendance_record(course_date=course_date, present={(place.pk, day.pk): True}, actor=trainer)
    assert not place.attendance.exists()

    # the first moment of the day itself (in the Netherlands), before it starts
    on_the_day = timezone.localtime(day.starts_at).replace(hour=0, minute=0, second=0, microsecond=0)
    assert attendance.attendance_record(course_date=course_date, present={(place.pk, day.pk): True}, actor=trainer,
                                      now=on_the_day) == 1
    assert place.attendance.get().present


def test_the_trainer_page_offers_no_checkbox_for_a_day_to_come_and_refuses_a_forged_one(course, client):
    trainer = make_trainer()
    course_date = make_date(course, starts_in=timedelta(days=3))
    course_date.trainers.add(trainer)
    place = confirmed_place(course_date, UserFactory())
    day = course_date.meeting_days.get()
    client.force_login(trainer)
    url = reverse("courses_trainer:date", args=[course_date.pk])
    save = reverse("learning_trainer:attendance", args=[course_date.pk])

    assert f'name="present-{place.pk}-{day.pk}"' not in client.get(url).content.decode()
    response = client.post(save, {f"present-{place.pk}-{day.pk}": "on"}, follow=True)
    assert "vanaf die dag" in response.content.decode()
    assert not place.attendance.exists()
    response = client.post(save, {}, follow=True)  # saving the rest leaves the day to come alone
    assert "Aanwezigheid opgeslagen" in response.content.decode()


def test_the_office_moves_a_started_place_from_the_dates_page_with_a_reason_after_confirming(yesterday, client):
    place, later = yesterday
    url = f"/admin/trainer/dates/{place.course_date_id}/places/{place.pk}/move/"
    trainer = make_trainer(email="trainer@example.org")
    place.course_date.trainers.add(trainer)
    client.force_login(trainer)
    assert client.post(url, {"to_date": later.pk, "reason": "ziek", "confirmed": "1"})["Location"] == "/admin/"
    assert not later.enrolments.exists()  # trainers do not move places

    client.force_login(UserFactory(email="office@example.org", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/trainer/dates/{place.course_date_id}/").content.decode()
    assert "Een plaats naar een andere datum verplaatsen" in page and f'value="{later.pk}"' in page
    refused = client.post(url, {"to_date": later.pk, "reason": ""}, follow=True).content.decode()
    assert "Geef een reden" in refused and not later.enrolments.exists()
    asked = client.post(url, {"to_date": later.pk, "reason": "ziek op de dag zelf"}).content.decode()
    assert "Ja, verplaats de plaats" in asked and not later.enrolments.exists()
    done = client.post(url, {"to_date": later.pk, "reason": "ziek op de dag zelf", "confirmed": "1"}, follow=True)
    assert "is verplaatst naar" in done.content.decode()
    moved = later.enrolments.get()
    assert moved.user == place.user and history(moved).filter(data__note__icontains="ziek op de dag zelf").exists()

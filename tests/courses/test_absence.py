"""Absence told in advance: a participant reports a meeting day they will miss, with a reason, until it begins; the
trainer sees it as excused on the date's page. An excused day is still an absence (never attended); a course may
allow some for completion. Two absences in a row alert the trainer and the office, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import ProviderSettings
from courses import attendance
from courses.models import AbsenceNotice, Attendance, Enrolment, MeetingDay
from learning.selectors import requirements
from tests.factories import UserFactory, confirmed_place, make_date, make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def weekly(course):
    """A date of four weekly meeting days starting in a week, its trainer and a participant."""
    course_date = make_date(course, starts_in=timedelta(days=7))
    start = course_date.starts_at
    course_date.meeting_days = [MeetingDay(starts_at=start + timedelta(days=7 * n),
                                           ends_at=start + timedelta(days=7 * n, hours=3)) for n in range(4)]
    course_date.save()
    trainer = make_trainer(email="tineke@example.org", full_name="Tineke Trainer")
    course_date.trainers.add(trainer)
    coach = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    place = confirmed_place(course_date, coach)
    days = list(course_date.meeting_days.order_by("starts_at"))
    return type("Weekly", (), {"date": course_date, "trainer": trainer, "coach": coach, "place": place, "days": days})


def test_the_participant_reports_an_absence_and_the_trainer_sees_it_excused(weekly, client):
    client.force_login(weekly.coach)
    page = client.get(reverse("places:enrolment", args=[weekly.place.pk])).content.decode()
    assert "Kun je een dag niet?" in page
    url = reverse("places:absence", args=[weekly.place.pk])
    refused = client.post(url, {"day": weekly.days[1].pk, "reason": ""}, follow=True).content.decode()
    assert "Geef een reden" in refused and not AbsenceNotice.objects.exists()
    client.post(url, {"day": weekly.days[1].pk, "reason": "Bruiloft van mijn zus"})
    assert AbsenceNotice.objects.get().reason == "Bruiloft van mijn zus"
    assert "je hebt je afgemeld" in client.get(reverse("places:enrolment", args=[weekly.place.pk])).content.decode()

    client.force_login(weekly.trainer)
    date_page = client.get(reverse("courses_trainer:date", args=[weekly.date.pk])).content.decode()
    assert "afgemeld" in date_page and "Bruiloft van mijn zus" in date_page

    client.force_login(weekly.coach)
    client.post(url, {"day": weekly.days[1].pk, "withdraw": "1"})
    assert not AbsenceNotice.objects.exists()
    other = confirmed_place(make_date(weekly.date.course, starts_in=timedelta(days=60)), UserFactory())
    assert client.post(reverse("places:absence", args=[other.pk]), {"day": weekly.days[1].pk,
                                                                     "reason": "x"}).status_code == 404


def test_a_day_that_has_begun_cannot_be_reported_and_an_excused_day_is_never_attended(weekly, course):
    with pytest.raises(attendance.EnrolmentError, match="begonnen"):
        attendance.absence_report(place=weekly.place, day_id=weekly.days[0].pk, reason="Ziek",
                                  actor=weekly.coach, now=weekly.days[0].starts_at + timedelta(minutes=5))
    attendance.absence_report(place=weekly.place, day_id=weekly.days[0].pk, reason="Ziek", actor=weekly.coach)
    assert not Attendance.objects.filter(present=True).exists()  # excused is not present
    course.completion_attendance_percent, course.completion_requires_evaluation = 100, False
    course.save()
    assert requirements(Enrolment.objects.get(pk=weekly.place.pk))[0].needed == 4  # every day, unless allowed
    course.completion_excused_days = 1
    course.save()
    rule = requirements(Enrolment.objects.get(pk=weekly.place.pk))[0]
    assert rule.needed == 3 and rule.done == 0
    # On the day the trainer marks her absent and another participant present: still one excused day.
    other = confirmed_place(weekly.date, UserFactory())
    Attendance.objects.create(enrolment=weekly.place, meeting_day=weekly.days[0], present=False,
                              recorded_at=weekly.days[0].starts_at)
    Attendance.objects.create(enrolment=other, meeting_day=weekly.days[0], present=True,
                              recorded_at=weekly.days[0].starts_at)
    assert requirements(Enrolment.objects.get(pk=weekly.place.pk))[0].needed == 3


def test_two_absences_in_a_row_alert_the_trainer_and_the_office_once(weekly, django_capture_on_commit_callbacks):
    ProviderSettings.objects.update_or_create(pk=ProviderSettings.load().pk, defaults={"email": "kantoor@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        attendance.absence_report(place=weekly.place, day_id=weekly.days[1].pk, reason="Ziek", actor=weekly.coach)
    assert not [m for m in mail.outbox if "achter elkaar" in m.subject]  # one day is not a pattern
    with django_capture_on_commit_callbacks(execute=True):
        attendance.absence_report(place=weekly.place, day_id=weekly.days[2].pk, reason="Nog ziek",
                                  actor=weekly.coach)
    alerts = [m for m in mail.outbox if "achter elkaar" in m.subject]
    assert sorted(address for m in alerts for address in m.to) == ["kantoor@example.org", "tineke@example.org"]
    assert "Eva de Vries" in alerts[0].subject and "Ziek" not in alerts[0].body  # no reasons by mail
    with django_capture_on_commit_callbacks(execute=True):  # the same pair again: told already
        attendance.absence_report(place=weekly.place, day_id=weekly.days[2].pk, reason="Nog steeds ziek",
                                  actor=weekly.coach)
    assert len([m for m in mail.outbox if "achter elkaar" in m.subject]) == 2


def test_a_date_under_way_still_offers_its_days_ahead(weekly, client):
    """The group programme meets weekly: after the first day the place reads as taken part, and the days still
    to come can be reported all the same."""
    MeetingDay.objects.filter(pk=weekly.days[0].pk).update(starts_at=timezone.now() - timedelta(days=1, hours=3),
                                                           ends_at=timezone.now() - timedelta(days=1))
    client.force_login(weekly.coach)
    page = client.get(reverse("places:enrolment", args=[weekly.place.pk])).content.decode()
    assert "Kun je een dag niet?" in page and page.count('name="reason"') == 3  # the three days ahead

"""Self check-in on a meeting day: the trainer opens it and shows a QR code that changes every half minute (and its
six digits); a participant scans it (read here by zbar, an independent reader, from the screen's image), logs in if
needed, and is marked present, with completion following. Refused with a clear message: an expired code or another
day's, a day that is not today or not open, a person without a seat; a second check-in is harmless."""

import shutil
import subprocess
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Attendance, Enrolment, MeetingDay
from learning import checkin
from tests.factories import UserFactory, confirmed_place, make_date, make_trainer

pytestmark = pytest.mark.django_db


def today_at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour, minute)))


@pytest.fixture
def meeting(course):
    """A one-day date today (all day, so the tests do not depend on the hour), its trainer and a participant."""
    course.completion_attendance_percent, course.completion_requires_evaluation = 100, False
    course.save()
    course_date = make_date(course, starts_in=timedelta(days=3))
    trainer = make_trainer(email="tineke@example.org")
    course_date.trainers.add(trainer)
    coach = UserFactory(email="eva@example.org", full_name="Eva de Vries")
    place = confirmed_place(course_date, coach)
    course_date.meeting_days = [MeetingDay(starts_at=today_at(0, 5), ends_at=today_at(23, 55))]
    course_date.save()
    day = course_date.meeting_days.get()
    return type("Meeting", (), {"date": course_date, "day": day, "trainer": trainer, "coach": coach, "place": place})


def test_the_participant_checks_in_with_the_url_the_screens_qr_code_holds(meeting, client, tmp_path):
    client.force_login(meeting.trainer)
    screen = reverse("learning_trainer:checkin", args=[meeting.day.pk])
    assert "Aanmelden openen" in client.get(screen).content.decode()
    client.post(screen, {"action": "open"})
    page = client.get(screen).content.decode()
    window = checkin.window_of(timezone.now())
    shown = [checkin.code_for(meeting.day.pk, w) for w in (window, window - 1)]  # a new one may have just begun
    assert any(f"{code[:3]} {code[3:]}" in page for code in shown) and "0</span> van 1 aanwezig" in page
    (tmp_path / "qr.png").write_bytes(client.get(reverse("learning_trainer:checkin_qr", args=[meeting.day.pk]))
                                      .content)
    decoded = subprocess.run([shutil.which("zbarimg"), "--quiet", "--raw", str(tmp_path / "qr.png")],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert decoded.startswith("http") and f"/checkin/{meeting.day.pk}/" in decoded

    client.logout()
    scan = client.get(urlsplit(decoded).path)  # the phone's camera opens the address: not logged in yet
    assert scan["Location"] == reverse("learning:checkin")
    assert reverse("account_login") in client.get(scan["Location"])["Location"]
    client.force_login(meeting.coach)  # logging in keeps the scan
    assert "Ik ben er" in client.get(reverse("learning:checkin")).content.decode()
    done = client.post(reverse("learning:checkin")).content.decode()
    assert "Je bent aangemeld" in done
    attendance = Attendance.objects.get(enrolment=meeting.place, meeting_day=meeting.day)
    assert attendance.present and attendance.recorded_by == meeting.coach
    assert Enrolment.objects.get(pk=meeting.place.pk).completed_at is not None  # completion follows

    client.force_login(meeting.trainer)
    state = client.get(reverse("learning_trainer:checkin_state", args=[meeting.day.pk])).json()
    assert state["present"] == ["Eva de Vries"] and state["seated"] == 1 and state["open"]


def test_a_code_typed_as_digits_checks_in_too(meeting, client):
    checkin.checkin_open(day=meeting.day, actor=meeting.trainer, now=timezone.now())
    client.force_login(meeting.coach)
    wrong = client.post(reverse("learning:checkin"), {"code": "000000" if checkin.code_now(
        meeting.day, timezone.now()).code != "000000" else "111111"})
    assert wrong.status_code == 400 and "niet (meer) geldig" in wrong.content.decode()
    code = checkin.code_now(meeting.day, timezone.now()).code
    assert "Je bent aangemeld" in client.post(reverse("learning:checkin"), {"code": f"{code[:3]} {code[3:]}"}
                                              ).content.decode()
    again = client.post(reverse("learning:checkin"), {"code": checkin.code_now(meeting.day, timezone.now()).code})
    assert "Je was al aangemeld" in again.content.decode()  # harmless
    assert Attendance.objects.filter(enrolment=meeting.place, present=True).count() == 1


def test_what_is_refused_and_why(meeting):
    now = timezone.now()
    day, coach = meeting.day, meeting.coach

    def refused(**changes) -> str:
        arguments = {"day": day, "code": checkin.code_now(day, now).code, "user": coach, "scanned_at": now,
                     "now": now, **changes}
        with pytest.raises(checkin.CheckinError) as refusal:
            checkin.check_in(**arguments)
        return str(refusal.value)

    assert "niet open" in refused()  # the trainer has not opened it
    checkin.checkin_open(day=day, actor=meeting.trainer, now=now)
    day.refresh_from_db()
    old = checkin.code_for(day.pk, checkin.window_of(now) - 3)  # a screenshot of a code shown 1.5 minutes ago
    assert "verlopen" in refused(code=old)
    other_day = make_date(meeting.date.course).meeting_days.get()
    assert "verlopen" in refused(code=checkin.code_for(other_day.pk, checkin.window_of(now)))  # another day's
    assert "geen plaats" in refused(user=UserFactory())
    assert "te lang geleden" in refused(scanned_at=now - timedelta(minutes=16))
    # A scan before logging in counts at the moment of the scan, for a quarter of an hour.
    earlier = now - timedelta(minutes=10)
    assert not checkin.check_in(day=day, code=checkin.code_now(day, earlier).code, user=coach, scanned_at=earlier,
                                now=now).already
    assert checkin.check_in(day=day, code=checkin.code_now(day, now).code, user=coach, scanned_at=now,
                            now=now).already
    with pytest.raises(checkin.CheckinError, match="op de dag zelf"):
        checkin.checkin_open(day=other_day, actor=meeting.trainer, now=now)  # a day that is not today


def test_only_the_dates_trainer_opens_its_screen(meeting, client):
    client.force_login(make_trainer(email="someone@example.org"))
    assert client.get(reverse("learning_trainer:checkin", args=[meeting.day.pk])).status_code == 404
    assert client.get(reverse("learning_trainer:checkin_qr", args=[meeting.day.pk])).status_code == 404
    client.force_login(meeting.trainer)
    date_page = client.get(reverse("courses_trainer:date", args=[meeting.date.pk])).content.decode()
    assert reverse("learning_trainer:checkin", args=[meeting.day.pk]) in date_page


def test_a_date_page_opened_before_people_checked_in_does_not_mark_them_absent_when_saved(meeting, client):
    client.force_login(meeting.trainer)
    page = client.get(reverse("courses_trainer:date", args=[meeting.date.pk])).content.decode()
    shown = f'name="shown-{meeting.place.pk}-{meeting.day.pk}" value=""'
    assert shown in page  # drawn unmarked
    checkin.checkin_open(day=meeting.day, actor=meeting.trainer, now=timezone.now())
    meeting.day.refresh_from_db()
    now = timezone.now()
    checkin.check_in(day=meeting.day, code=checkin.code_now(meeting.day, now).code, user=meeting.coach,
                     scanned_at=now, now=now)
    # The trainer saves the page as it was drawn (her box empty): her check-in stays.
    client.post(reverse("learning_trainer:attendance", args=[meeting.date.pk]),
                {f"shown-{meeting.place.pk}-{meeting.day.pk}": ""})
    assert Attendance.objects.get(enrolment=meeting.place, meeting_day=meeting.day).present
    # Unticking a box that was drawn ticked is a change the trainer made: it counts.
    client.post(reverse("learning_trainer:attendance", args=[meeting.date.pk]),
                {f"shown-{meeting.place.pk}-{meeting.day.pk}": "1"})
    assert not Attendance.objects.get(enrolment=meeting.place, meeting_day=meeting.day).present

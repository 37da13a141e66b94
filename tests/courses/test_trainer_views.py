import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest

from accounts.models import RegisterMembership
from courses import attendance, enrolments, schedule, seating, waitlists
from courses.models import Attendance, InterestEntry
from tests.factories import UserFactory, mails_to_read, make_date, make_trainer, move_to_yesterday

pytestmark = pytest.mark.django_db


@pytest.fixture
def taught_date(course):
    trainer = make_trainer(email="trainer@example.org")
    course_date = make_date(course, capacity=2)
    course_date.trainers.add(trainer)
    anna = UserFactory(full_name="Anna Aalbers", organisation="=HYPERLINK(\"http://evil\")")
    RegisterMembership.objects.create(user=anna, register="noloc", number="NL-1")
    for person in (anna, UserFactory(full_name="Bas Bakker")):
        enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
            course_date=course_date, user=person, billing=seating.Billing()))
    waitlists.waitlist_join(course_date=course_date, user=UserFactory(full_name="Cor Cornelis"))
    return trainer, course_date


def test_trainer_sees_the_participants_of_their_own_date(client, taught_date):
    trainer, course_date = taught_date
    client.force_login(trainer)

    html = client.get(f"/admin/trainer/dates/{course_date.pk}/").content.decode()

    assert "Anna Aalbers" in html and "Bas Bakker" in html and "Cor Cornelis" in html
    assert "Noloc NL-1" in html
    attendance, waitlist = html.split("<h2>Wachtlijst</h2>")
    assert "Cor Cornelis" in waitlist and "Cor Cornelis" not in attendance  # not among those to tick present
    assert 'href="/admin/trainer/dates/">← Mijn data</a>' in attendance
    assert f"<title>{course_date} - Wagtail</title>" in html  # the browser tab says which date
    assert "Mijn data" in client.get("/admin/").content.decode()


def test_another_trainer_gets_a_404_and_the_office_sees_all(client, taught_date):
    _, course_date = taught_date
    client.force_login(make_trainer())
    assert client.get(f"/admin/trainer/dates/{course_date.pk}/").status_code == 404
    assert client.get(f"/admin/trainer/dates/{course_date.pk}/export.csv").status_code == 404
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(f"/admin/trainer/dates/{course_date.pk}/").status_code == 200


def test_trainer_registers_attendance_per_meeting_day(client, taught_date):
    trainer, course_date = taught_date
    client.force_login(trainer)
    day = move_to_yesterday(course_date)  # attendance is registered from the day itself on (test_past_places)
    anna, bas = course_date.enrolments.filter(status="confirmed").order_by("user__full_name")

    client.post(f"/admin/trainer/dates/{course_date.pk}/attendance/", {f"present-{anna.pk}-{day.pk}": "on"})
    assert dict(Attendance.objects.values_list("enrolment__user__full_name", "present")) == {
        "Anna Aalbers": True, "Bas Bakker": False}

    client.post(f"/admin/trainer/dates/{course_date.pk}/attendance/", {f"present-{bas.pk}-{day.pk}": "on"})  # corrected
    assert dict(Attendance.objects.values_list("enrolment__user__full_name", "present")) == {
        "Anna Aalbers": False, "Bas Bakker": True}
    assert Attendance.objects.get(enrolment=bas).recorded_by == trainer


def test_attendance_for_someone_not_confirmed_on_the_date_is_refused(taught_date):
    trainer, course_date = taught_date
    waiting = course_date.enrolments.get(status="waitlisted")
    with pytest.raises(seating.EnrolmentError):
        attendance.attendance_record(course_date=course_date, present={(waiting.pk, 1): True}, actor=trainer)
    assert not Attendance.objects.exists()


def test_exports_as_csv_and_xlsx_without_running_formulas(client, taught_date):
    trainer, course_date = taught_date
    client.force_login(trainer)

    response = client.get(f"/admin/trainer/dates/{course_date.pk}/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert response["Content-Disposition"].startswith('attachment; filename="deelnemers-')
    assert rows[0][:3] == ["Naam", "E-mail", "Organisatie"]
    anna = next(row for row in rows if row[0] == "Anna Aalbers")
    assert anna[2].startswith("'=") and "NL-1" in anna

    response = client.get(f"/admin/trainer/dates/{course_date.pk}/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["Anna Aalbers", "Bas Bakker", "Cor Cornelis"]
    assert client.get(f"/admin/trainer/dates/{course_date.pk}/export.pdf").status_code == 404


def test_only_the_office_cancels_a_date(client, taught_date):
    trainer, course_date = taught_date
    client.force_login(trainer)
    assert client.post(f"/admin/trainer/dates/{course_date.pk}/cancel/")["Location"] == "/admin/"  # "geen toegang"
    course_date.refresh_from_db()
    assert course_date.status == "scheduled"

    client.force_login(UserFactory(is_superuser=True))
    # First a confirmation saying what will happen; nothing has changed yet.
    asked = client.post(f"/admin/trainer/dates/{course_date.pk}/cancel/", {"reason": "te weinig deelnemers"})
    page = asked.content.decode()
    assert "2 bevestigde deelnemers verliezen hun plaats, en 1 andere (een vastgehouden plaats, de wachtlijst)" in page
    assert "Ja, annuleer deze datum" in page and "Reden, bewaard in de geschiedenis: te weinig deelnemers" in page
    assert 'name="reason" value="te weinig deelnemers"' in page
    course_date.refresh_from_db()
    assert course_date.status == "scheduled"
    response = client.post(f"/admin/trainer/dates/{course_date.pk}/cancel/", {"reason": "te weinig deelnemers",
                                                                               "confirmed": "1"}, follow=True)
    course_date.refresh_from_db()
    assert course_date.status == "cancelled"
    assert "3 mensen zijn op de hoogte gebracht" in response.content.decode()


def test_trainer_moves_someone_up_the_waitlist(client, taught_date):
    trainer, course_date = taught_date
    second = waitlists.waitlist_join(course_date=course_date, user=UserFactory(full_name="Dirk Dekker"))
    client.force_login(trainer)

    html = client.get(f"/admin/trainer/dates/{course_date.pk}/").content.decode()
    assert "Als eerste" in html
    client.post(f"/admin/trainer/dates/{course_date.pk}/waitlist/{second.pk}/", {"position": "1"})

    second.refresh_from_db()
    assert second.waitlist_position == 1
    first = course_date.enrolments.get(user__full_name="Cor Cornelis")
    assert "Omlaag" in client.get(f"/admin/trainer/dates/{course_date.pk}/").content.decode()
    client.post(f"/admin/trainer/dates/{course_date.pk}/waitlist/{second.pk}/", {"position": "2"})  # down again
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.waitlist_position, second.waitlist_position) == (1, 2)
    client.force_login(make_trainer())
    assert client.post(f"/admin/trainer/dates/{course_date.pk}/waitlist/{second.pk}/",
                       {"position": "2"}).status_code == 404



def test_my_dates_show_seats_taken_waiting_and_dates_that_took_place(client, taught_date):
    trainer, course_date = taught_date
    past = make_date(course_date.course, capacity=4)
    past.trainers.add(trainer)
    move_to_yesterday(past)
    client.force_login(trainer)

    upcoming = client.get("/admin/trainer/dates/").content.decode()
    assert "2 van 2 · 1 wacht" in upcoming  # Anna and Bas seated, Cor waiting
    assert "0 van 4" not in upcoming

    took_place = client.get("/admin/trainer/dates/?voorbij=1").content.decode()
    assert "0 van 4" in took_place and "Voorbij" in took_place
    assert "2 van 2" not in took_place


def test_my_dates_come_a_page_at_a_time_soonest_first(client, taught_date):
    trainer, course_date = taught_date
    for n in range(30):
        later = make_date(course_date.course, capacity=3, starts_in=timedelta(days=60 + n))
        later.trainers.add(trainer)
    client.force_login(trainer)

    first = client.get("/admin/trainer/dates/").content.decode()
    assert "Pagina 1 van 2" in first and "2 van 2 · 1 wacht" in first  # the soonest date, on page one
    assert len(re.findall(r'href="/admin/trainer/dates/\d+/"', first)) == 25
    second = client.get("/admin/trainer/dates/?pagina=2").content.decode()
    assert "Pagina 2 van 2" in second and "2 van 2 · 1 wacht" not in second
    assert len(re.findall(r'href="/admin/trainer/dates/\d+/"', second)) == 6  # 31 dates in all


def test_a_called_off_date_keeps_its_places_on_its_page_with_what_became_of_each(client, taught_date, settings,
                                                                                  django_capture_on_commit_callbacks):
    from django.core import mail

    trainer, course_date = taught_date
    course = course_date.course
    later = make_date(course, starts_in=timedelta(days=90))
    with django_capture_on_commit_callbacks(execute=True):
        schedule.course_date_cancel(course_date=course_date, actor=None, reason="trainer ziek")
    anna = course_date.enrolments.get(user__full_name="Anna Aalbers")
    bas = course_date.enrolments.get(user__full_name="Bas Bakker")
    enrolments.enrolment_transfer(enrolment=anna, to_date=later, actor=anna.user)
    enrolments.date_cancelled_refund_claim(enrolment=bas, actor=bas.user)

    client.force_login(trainer)
    page = client.get(f"/admin/trainer/dates/{course_date.pk}/").content.decode()
    assert "Deze datum is afgezegd op" in page and "Nog geen deelnemers" not in page
    assert "Plaatsen die met de datum zijn afgezegd" in page
    assert f"Verplaatst naar {later}" in page and "Geld terug (terugbetaald of gecrediteerd)" in page
    assert "Had geen bevestigde plaats" in page  # Cor waited on the waitlist

    [to_anna] = mails_to_read(mail.outbox, anna.user.email)
    assert "hebben nu een vrije plaats" in to_anna.body and "heeft op dit moment een vrije plaats" not in to_anna.body


def test_the_mail_about_a_called_off_date_never_promises_a_move_when_no_date_has_a_seat(
        taught_date, django_capture_on_commit_callbacks):
    from django.core import mail

    _trainer, course_date = taught_date
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        schedule.course_date_cancel(course_date=course_date, actor=None, reason="trainer ziek")
    anna = course_date.enrolments.get(user__full_name="Anna Aalbers")
    [to_anna] = mails_to_read(mail.outbox, anna.user.email)
    assert "Geen andere datum van de opleiding heeft op dit moment een vrije plaats." in to_anna.body
    assert "verzetten" not in to_anna.body.lower()  # no move is promised
    assert "€\u00a0495,00 terugvragen" in to_anna.body  # her money, said plainly
    assert InterestEntry.objects.filter(user=anna.user, course=course_date.course).exists()

"""Submitting a date's attendance to PE-online's webservice (the double on loopback): the answer per person,
corrections and resubmission without reporting anyone twice, and PE-online failing in every way it can."""

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime

import pytest
from defusedxml import ElementTree as ET
from django.utils import timezone

from accounts.models import RegisterMembership
from registers import services
from registers.models import AttendanceSubmission, ReportedAttendance
from registers.pe_online import AttendanceLine, attendance_xml
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client):
    user = UserFactory(is_superuser=True, is_staff=True, full_name="Olga Office")
    client.force_login(user)
    return user


def _submit(client, attended, capture):
    with capture(execute=True):
        return client.post(f"/admin/trainer/dates/{attended.date.pk}/registers/registerplein/submit/", follow=True)


def _registered(pe_online):
    with urllib.request.urlopen(pe_online.url.split("/pe-services")[0] + "/_double/attendance") as response:
        return json.loads(response.read())


def test_the_office_submits_and_sees_what_pe_online_accepted_and_rejected(
        client, office, attended, pe_online, django_capture_on_commit_callbacks):
    RegisterMembership.objects.filter(user=attended.people["Cor Cornelis"]).delete()
    bas = attended.people["Bas Bakker"]
    RegisterMembership.objects.create(user=bas, register="registerplein", number="555555")
    pe_online.double.unknown_persons = {"555555"}

    html = _submit(client, attended, django_capture_on_commit_callbacks).content.decode()

    assert "2 deelnemers worden ingediend bij PE-online" in html
    submission = AttendanceSubmission.objects.get()
    assert submission.status == "answered" and (submission.accepted_rows, submission.rejected_rows) == (1, 1)
    assert dict(submission.rows.values_list("number", "status")) == {"204417": "accepted", "555555": "rejected"}
    rejected = submission.rows.get(status="rejected")
    assert rejected.error_number == 110 and "Person not found" in rejected.error_message
    ended_on = timezone.localdate(attended.date.ends_at).isoformat()
    assert _registered(pe_online) == [["9001", "31337", "204417", ended_on]]
    sent = ET.fromstring(pe_online.double.requests[0])  # what went over the wire carried the key
    assert sent.findtext("Settings/userKey") == "sleutel-geheim" and "sleutel-geheim" not in submission.request_xml
    page = client.get(f"/admin/trainer/dates/{attended.date.pk}/registers/").content.decode()
    assert "Geaccepteerd" in page and "Afgewezen: fout 110, Person not found" in page


def test_a_corrected_number_is_resubmitted_and_nobody_twice(
        client, office, attended, pe_online, django_capture_on_commit_callbacks):
    RegisterMembership.objects.filter(user=attended.people["Cor Cornelis"]).delete()
    RegisterMembership.objects.create(user=attended.people["Bas Bakker"], register="registerplein", number="555555")
    pe_online.double.unknown_persons = {"555555"}
    _submit(client, attended, django_capture_on_commit_callbacks)
    rejected = ReportedAttendance.objects.get(status="rejected")

    response = client.post(f"/admin/trainer/dates/{attended.date.pk}/reported/{rejected.pk}/number/",
                           {"number": "AB-1"}, follow=True)
    assert "bestaat uit 3 tot 10 cijfers" in response.content.decode()  # Registerplein numbers are digits
    assert RegisterMembership.objects.get(user=attended.people["Bas Bakker"]).number == "555555"

    client.post(f"/admin/trainer/dates/{attended.date.pk}/reported/{rejected.pk}/number/", {"number": "204418"})
    assert RegisterMembership.objects.get(user=attended.people["Bas Bakker"]).number == "204418"
    _submit(client, attended, django_capture_on_commit_callbacks)

    second = AttendanceSubmission.objects.order_by("pk").last()
    assert list(second.rows.values_list("number", "status")) == [("204418", "accepted")]  # Anna not again
    assert [row[2] for row in _registered(pe_online)] == ["204417", "204418"]
    html = _submit(client, attended, django_capture_on_commit_callbacks).content.decode()
    assert "Er is niemand meer in te dienen" in html
    assert AttendanceSubmission.objects.count() == 2


def test_without_settings_the_office_is_told_what_is_missing_and_nothing_is_kept(
        client, office, attended, settings, django_capture_on_commit_callbacks):
    settings.PE_ONLINE_URL = ""

    html = _submit(client, attended, django_capture_on_commit_callbacks).content.decode()

    assert "Indienen bij PE-online is niet ingesteld voor Registerplein" in html
    assert AttendanceSubmission.objects.count() == 0


def test_a_trainer_cannot_submit(client, attended, pe_online, django_capture_on_commit_callbacks):
    client.force_login(attended.trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/trainer/dates/{attended.date.pk}/registers/registerplein/submit/")
    assert response.status_code in (302, 403) and "registers" not in response.get("Location", "")
    assert AttendanceSubmission.objects.count() == 0


def test_a_date_still_to_come_cannot_be_submitted(office, attended, pe_online):
    from datetime import timedelta

    with pytest.raises(services.RegisterError, match="zodra de datum voorbij is"):
        services.attendance_submit(course_date=attended.date, register="registerplein", actor=office,
                                   now=attended.date.ends_at - timedelta(hours=1))


def test_pe_online_out_of_reach_keeps_the_submission_waiting_until_it_answers(
        client, office, attended, pe_online, django_capture_on_commit_callbacks):
    pe_online.double.fail_next, pe_online.double.fail_status = 1, 503

    _submit(client, attended, django_capture_on_commit_callbacks)

    submission = AttendanceSubmission.objects.get()
    assert submission.status == "queued" and submission.attempts == 1
    assert "HTTP 503" in submission.problem
    assert set(submission.rows.values_list("status", flat=True)) == {"pending"}
    page = client.get(f"/admin/trainer/dates/{attended.date.pk}/registers/").content.decode()
    assert "Wacht op PE-online" in page and "Nu opnieuw proberen" in page
    # a second submission is refused while this one waits: nobody goes twice
    assert "wacht nog op het antwoord" in _submit(client, attended, django_capture_on_commit_callbacks).content.decode()

    client.post(f"/admin/trainer/dates/{attended.date.pk}/submissions/{submission.pk}/retry/")

    submission.refresh_from_db()
    assert submission.status == "answered" and submission.accepted_rows == 1 and submission.attempts == 2
    assert [row[2] for row in _registered(pe_online)] == ["204417"]


def test_an_unreadable_answer_ends_the_submission_and_its_rows_can_go_again(
        client, office, attended, pe_online, django_capture_on_commit_callbacks):
    pe_online.double.garbage_next = 1

    _submit(client, attended, django_capture_on_commit_callbacks)

    submission = AttendanceSubmission.objects.get()
    assert submission.status == "unreadable" and "instead of a <Summary>" in submission.problem
    row = submission.rows.get()
    assert row.status == "rejected" and "niet te lezen" in row.error_message
    _submit(client, attended, django_capture_on_commit_callbacks)
    assert AttendanceSubmission.objects.order_by("pk").last().rows.get().status == "accepted"


def _post_to_double(pe_online, document: str) -> tuple[int, str]:
    body = urllib.parse.urlencode({"sXML": document}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(pe_online.url, data=body)) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_double_refuses_malformed_documents_like_pe_online(pe_online):
    assert _post_to_double(pe_online, "<Entry><Settings>")[0] == 400
    assert _post_to_double(pe_online, "<Entry><Attendance/></Entry>")[0] == 400
    good = attendance_xml([AttendanceLine("31337", "204417", datetime(2026, 11, 20, 17, tzinfo=UTC))],
                          user_id="4711", user_key="fout", org_id="1")
    status, answer = _post_to_double(pe_online, good.decode())
    assert status == 200 and "errorNR&gt;10&lt;" in answer  # a wrong key rejects every row, inside <string>
    naive = good.decode().replace("+00:00", "")
    assert _post_to_double(pe_online, naive)[0] == 400  # endDate needs an offset


def test_attendance_pe_online_registered_before_counts_as_accepted(
        client, office, attended, pe_online, django_capture_on_commit_callbacks):
    """An answer lost on the way back (a timeout) and the document sent again: PE-online says error 120."""
    pe_online.double.registered.append(("9001", "31337", "204417", timezone.localdate(attended.date.ends_at)))

    _submit(client, attended, django_capture_on_commit_callbacks)

    row = ReportedAttendance.objects.get()
    assert row.status == "accepted" and "already registered" in row.error_message


def test_a_general_error_does_not_undo_an_explicit_acceptance(attended, office):
    from registers.pe_online import Answer, Rejection
    from registers.services import answer_apply

    submission = AttendanceSubmission.objects.create(course_date=attended.date, register="registerplein")
    accepted = ReportedAttendance.objects.create(submission=submission, enrolment=attended.places["Anna Aalbers"],
                                                 register="registerplein", number="204417")
    other = ReportedAttendance.objects.create(submission=submission, enrolment=attended.places["Cor Cornelis"],
                                              register="registerplein", number="204999")

    answer_apply(submission=submission, body="", answer=Answer(
        accepted={"204417"}, rejected=[Rejection(person="", number=5, message="edition closed")], total=2))

    accepted.refresh_from_db()
    other.refresh_from_db()
    assert accepted.status == "accepted" and other.status == "rejected" and other.error_message == "edition closed"

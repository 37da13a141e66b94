"""The date's attendance for PE-online registers: who earns the points, as a paste list and an XML file, who has
no number, the reminder, the command; trainers of the date and the office only."""

import io

import pytest
from defusedxml import ElementTree as ET
from django.core import mail
from django.core.management import call_command

from courses.models import PeOnlineEdition
from tests.factories import UserFactory, make_trainer

pytestmark = pytest.mark.django_db


def _url(attended, rest=""):
    return f"/admin/trainer/dates/{attended.date.pk}/registers/{rest}"


def test_the_trainer_sees_who_earns_the_points_and_whose_number_is_missing(client, attended):
    client.force_login(attended.trainer)
    date_page = client.get(f"/admin/trainer/dates/{attended.date.pk}/").content.decode()
    assert f'href="{_url(attended)}">Aanwezigheid PE-online</a>' in date_page

    html = client.get(_url(attended)).content.decode()

    registerplein = html[html.index('id="register-registerplein"'):]
    assert "12 PE-punten" in registerplein and "PE-online cursus-id 31337" in registerplein
    assert '<textarea id="paste-registerplein" readonly rows="2" cols="24">204417</textarea>' in registerplein
    assert "Cor Cornelis" not in registerplein  # came one of the two days the course asks
    missing = registerplein[registerplein.index("Nummer ontbreekt"):]
    assert "Bas Bakker" in missing and "Anna Aalbers" not in missing
    assert "Indienen bij PE-online" not in html  # submitting is the office's


def test_the_paste_list_and_the_xml_file(client, attended, settings):
    settings.PE_ONLINE_USER_ID, settings.PE_ONLINE_USER_KEY = "4711", "geheim"
    settings.PE_ONLINE_URL, settings.PE_ONLINE_ORG_IDS = "https://pe-online.example/", {"registerplein": "9001"}
    PeOnlineEdition.objects.create(course_date=attended.date, register="registerplein", edition_id="777")
    client.force_login(attended.trainer)

    listed = client.get(_url(attended, "registerplein.txt"))
    assert listed["Content-Type"] == "text/plain; charset=utf-8"
    assert listed.content == b"204417\n"

    response = client.get(_url(attended, "registerplein.xml"))
    assert "attachment" in response["Content-Disposition"]
    entry = ET.fromstring(response.content)
    assert entry.tag == "Entry"
    options = {child.tag: child.text or "" for child in entry.find("Settings")}
    assert options["userID"] == "4711" and options["orgID"] == "9001" and options["userRole"] == "EDU"
    assert options["userKey"] == ""  # the key never leaves the server in a file
    rows = entry.findall("Attendance")
    assert [(row.findtext("PECourseID"), row.findtext("externalPersonID"), row.findtext("PEEditionID"))
            for row in rows] == [("31337", "204417", "777")]
    end = rows[0].findtext("endDate")
    assert end[-6:] in ("+01:00", "+02:00")  # an xs:dateTime in Amsterdam's offset
    assert b"geheim" not in response.content


def test_without_a_pe_online_course_id_there_is_a_list_but_no_xml(client, attended):
    attended.course.accreditations.filter(register="registerplein").update(pe_online_course_id="")
    client.force_login(attended.trainer)

    html = client.get(_url(attended)).content.decode()

    assert "heeft nog geen PE-online cursus-id" in html
    assert client.get(_url(attended, "registerplein.txt")).status_code == 200
    assert client.get(_url(attended, "registerplein.xml")).status_code == 404


def test_other_trainers_and_unknown_registers_get_a_404(client, attended):
    client.force_login(make_trainer(email="ander@example.org"))
    assert client.get(_url(attended)).status_code == 404
    assert client.get(_url(attended, "registerplein.txt")).status_code == 404
    client.force_login(attended.trainer)
    assert client.get(_url(attended, "nobco.txt")).status_code == 404  # NOBCO does not use PE-online
    assert client.get(_url(attended, "bestaatniet.txt")).status_code == 404
    assert client.get(_url(attended, "sra.txt")).status_code == 404  # the course has no SRA accreditation
    client.force_login(UserFactory())
    assert client.get(_url(attended)).status_code in (302, 403)


def test_one_click_asks_everyone_without_a_number_to_add_it(client, attended, django_capture_on_commit_callbacks):
    client.force_login(attended.trainer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(attended, "registerplein/ask/"), follow=True)

    assert "1 deelnemers zijn gevraagd hun nummer toe te voegen" in response.content.decode()
    assert [message.to for message in mail.outbox] == [["bas@example.org"]]
    message = mail.outbox[0]
    assert "Registerplein" in message.subject
    assert "http://testserver/accounts/profile/" in message.body and "Bas Bakker" in message.body


def test_the_command_prints_the_list_or_the_xml(attended):
    out, err = io.StringIO(), io.StringIO()
    call_command("pe_online_export", "--date", str(attended.date.pk), "--register", "registerplein",
                 stdout=out, stderr=err)
    assert out.getvalue() == "204417\n"
    assert "nummer ontbreekt: Bas Bakker <bas@example.org>" in err.getvalue()

    out = io.StringIO()
    call_command("pe_online_export", "--date", str(attended.date.pk), "--register", "registerplein",
                 "--format", "xml", stdout=out, stderr=io.StringIO())
    assert ET.fromstring(out.getvalue().encode()).find("Attendance/externalPersonID").text == "204417"


def test_the_command_says_what_is_wrong(attended):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No date with id 999999"):
        call_command("pe_online_export", "--date", "999999", "--register", "registerplein")
    attended.course.accreditations.filter(register="registerplein").delete()
    with pytest.raises(CommandError, match="PE-online"):
        call_command("pe_online_export", "--date", str(attended.date.pk), "--register", "registerplein")

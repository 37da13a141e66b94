"""The office's desk: today's work on the admin's home page with a count and a link each; the figures as SVG charts
with their numbers as tables; the evaluations per course, anonymous, with no score for fewer than five answers, and
their export. A trainer sees what is theirs."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from learning.services import evaluation_submit
from places import bookings as places_bookings
from tests.factories import UserFactory, confirmed_place, make_date, make_organisation, make_trainer, move_to_yesterday

pytestmark = pytest.mark.django_db

ANSWERS = {"content_rating": 4, "trainer_rating": 5, "organisation_rating": 3, "usefulness_rating": 4,
           "learned": "De <b>driegesprekken</b>", "improve": "Meer oefenen"}


def evaluated_date(course, trainer, count: int):
    course_date = make_date(course, starts_in=timedelta(days=3))
    course_date.trainers.add(trainer)
    places = [confirmed_place(course_date, UserFactory(full_name=f"Deelnemer {n}")) for n in range(count)]
    move_to_yesterday(course_date)
    for place in places:
        place.refresh_from_db()
        evaluation_submit(enrolment=place, answers=ANSWERS)
    return course_date


def test_the_home_page_lists_todays_work_with_counts_and_links(course, client):
    office = UserFactory(is_superuser=True)
    contact = UserFactory()
    organisation = make_organisation(contact)
    booking = places_bookings.booking_on_invoice(course_date=make_date(course), organisation=organisation,
                                                 booked_by=contact, seats=2)
    booking.invoices.update(due_at=timezone.now() - timedelta(days=2))  # overdue
    client.force_login(office)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Vandaag te doen" in page
    assert "Te late facturen" in page and "€\u00a0990,00 open" in page
    assert reverse("invoice:index") + "?state=overdue" in page
    assert "Bezette plaatsen per komende datum" in page and "<svg" in page

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("wagtailadmin_home"))
    for _ in range(4):
        places_bookings.booking_on_invoice(course_date=make_date(course), organisation=organisation,
                                           booked_by=contact, seats=1)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("wagtailadmin_home"))
    assert len(many) == len(few)


def test_a_trainer_sees_their_own_work_and_no_money(course, client):
    trainer = make_trainer(email="tineke@example.org")
    make_date(course).trainers.add(trainer)
    client.force_login(trainer)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Opdrachten om te beoordelen" in page
    assert "Te late facturen" not in page and "Omzet" not in page
    reports = client.get(reverse("office_reports:reports")).content.decode()
    assert "Omzet per maand" not in reports and "Bezette plaatsen" in reports


def test_charts_are_svg_with_their_numbers_as_a_table_and_escape_what_they_show(course, client):
    course.title = 'Spoor 2 <script>alert("x")</script>'
    course.save()
    trainer = make_trainer(email="tineke@example.org", full_name="Tineke Trainer")
    evaluated_date(course, trainer, 5)
    make_date(course, capacity=10)
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(reverse("office_reports:reports")).content.decode()
    assert "<script>alert" not in page
    charts = [svg for svg in page.split("<svg")[1:] if 'role="img"' in svg.split(">")[0]]  # not the icons
    assert len(charts) == 4
    for svg in charts:
        chart = etree.fromstring(("<svg" + svg.split("</svg>")[0] + "</svg>").encode(),  # a second parser
                                 etree.XMLParser(resolve_entities=False, no_network=True))
        assert chart.get("aria-label") and chart.findall("{http://www.w3.org/2000/svg}rect")
    assert "Evaluatiescore per opleiding, trainer en kwartaal" in page
    assert "Tineke Trainer" in page and "<td class=\"w-text-right\">4,0</td>" in page  # (4+5+3+4)/4, in the table


def test_evaluations_per_course_hide_scores_and_comments_below_five_answers(course, client):
    trainer = make_trainer(email="tineke@example.org")
    evaluated_date(course, trainer, 4)
    client.force_login(trainer)
    page = client.get(reverse("office_reports:evaluations")).content.decode()
    assert "Nog geen evaluaties" in page  # four answers on one date: nothing to show
    assert "driegesprekken" not in page and "Deelnemer" not in page
    exported = client.get(reverse("office_reports:evaluations_export", args=["csv"])).content.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(exported), delimiter=";"))) == 1  # the header only: too few answers

    evaluated_date(course, trainer, 5)  # a second date of the same course
    page = client.get(reverse("office_reports:evaluations")).content.decode()
    # Only the date with five answers counts: with both together, the small date's scores could be worked back.
    assert "5 antwoorden op 1 datum/data" in page and "&lt;b&gt;driegesprekken&lt;/b&gt;" in page
    assert "Deelnemer" not in page  # never a name
    rows = list(csv.reader(io.StringIO(client.get(reverse("office_reports:evaluations_export", args=["csv"]))
                                       .content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 5  # the trainer's export: the date with five answers
    assert rows[0][:3] == ["Opleiding", "Datum", "Inhoud van de opleiding"]  # not when each answer was sent
    assert rows[1][2:6] == ["4", "5", "3", "4"]

    client.force_login(UserFactory(is_superuser=True))
    rows = list(csv.reader(io.StringIO(client.get(reverse("office_reports:evaluations_export", args=["csv"]))
                                       .content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 9  # the office keeps every answer (anonymous) for the registers' two years

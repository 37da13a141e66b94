"""Reminders a person may switch off: each carries the one-click List-Unsubscribe of RFC 8058 (what a mail
client's button presses) and a link that asks first; once off, no reminder goes, while confirmations still do."""

from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.reminders import unsubscribe_url
from certification.notifications import send_expiry_reminder
from courses.notifications import send_enrolment_confirmation, send_reminder
from tests.factories import UserFactory, confirmed_place, make_certificate, make_date

pytestmark = pytest.mark.django_db


def reminders_to(person) -> list:
    return [message for message in mail.outbox if message.to == [person.email] and "List-Unsubscribe" in
            message.extra_headers]


def test_a_mail_clients_one_click_switches_reminders_off_and_confirmations_still_come(course):
    coach = UserFactory()
    place = confirmed_place(make_date(course), coach)
    send_reminder.call(enrolment_id=place.pk)

    [reminder] = reminders_to(coach)
    address = unsubscribe_url(coach)
    assert reminder.extra_headers["List-Unsubscribe"] == f"<{address}>"
    assert reminder.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert address in reminder.body and address in reminder.alternatives[0][0]

    # The mail client's POST: no session, no CSRF token, the form body RFC 8058 prescribes.
    response = Client(enforce_csrf_checks=True).post(address, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    coach.refresh_from_db()
    assert coach.receives_reminders is False

    mail.outbox.clear()
    send_reminder.call(enrolment_id=place.pk)
    send_enrolment_confirmation.call(enrolment_id=place.pk)
    assert reminders_to(coach) == []
    assert [m for m in mail.outbox if m.to == [coach.email]]  # the confirmation is not a reminder


def test_the_link_in_the_mail_asks_before_it_switches_anything_off(client):
    coach = UserFactory(email="eva@example.org")
    address = unsubscribe_url(coach)

    page = client.get(address)  # what a link scanner does too
    assert page.status_code == 200 and "Stoppen met herinneringen aan eva@example.org" in page.content.decode()
    coach.refresh_from_db()
    assert coach.receives_reminders is True

    done = client.post(address)
    assert "Je krijgt geen herinneringen meer per mail." in done.content.decode()
    coach.refresh_from_db()
    assert coach.receives_reminders is False

    # Back on from the profile.
    client.force_login(coach)
    client.post(reverse("accounts:profile"), {"full_name": "Eva", "phone": "", "organisation": "", "language": "nl",
                              "receives_reminders": "on"})
    coach.refresh_from_db()
    assert coach.receives_reminders is True


def test_an_altered_address_switches_nothing_off(client):
    coach, other = UserFactory(), UserFactory()
    address = unsubscribe_url(coach)
    token = address.rstrip("/").rsplit("/", 1)[1]
    forged = address.replace(token, f"{other.pk}:{token.partition(':')[2]}")  # another's id, this signature
    for response in (client.get(forged), client.post(forged, {"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 404 and "niet (meer) geldig" in response.content.decode()
    assert not [user for user in (coach, other) if not type(user).objects.get(pk=user.pk).receives_reminders]


def test_an_expiry_reminder_goes_only_while_reminders_are_on(course):
    coach = UserFactory()
    certificate = make_certificate(course, coach, date.today(), [])
    send_expiry_reminder.call(certificate_id=certificate.pk)
    assert len(reminders_to(coach)) == 1

    mail.outbox.clear()
    coach.receives_reminders = False
    coach.save()
    send_expiry_reminder.call(certificate_id=certificate.pk)
    assert [m for m in mail.outbox if m.to == [coach.email]] == []

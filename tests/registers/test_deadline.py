"""Registers want attendance within two months: the office sees what is still to be submitted, and is reminded
once, PE_ONLINE_REMINDER_DAYS after the date."""

from datetime import timedelta

import pytest
from django.core import mail

from core.models import ProviderSettings
from registers import services
from registers.models import AttendanceSubmission
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_office_sees_dates_not_yet_submitted(client, attended):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    html = client.get("/admin/trainer/registers/due/").content.decode()

    assert f'href="/admin/trainer/dates/{attended.date.pk}/registers/"' in html
    assert "Registerplein" in html and "Noloc" in html  # the course is accredited by both
    rejected = AttendanceSubmission.objects.create(course_date=attended.date, register="registerplein",
                                                   status="answered", accepted_rows=0, rejected_rows=1)
    assert "Registerplein" in client.get("/admin/trainer/registers/due/").content.decode()  # nobody taken yet
    rejected.delete()
    AttendanceSubmission.objects.create(course_date=attended.date, register="registerplein", status="answered",
                                        accepted_rows=1, rejected_rows=0)
    html = client.get("/admin/trainer/registers/due/").content.decode()
    assert "Registerplein" not in html and "Noloc" in html
    assert "PE-online indienen" in client.get("/admin/").content.decode()  # the office's menu item


def test_trainers_do_not_reach_the_office_list(client, attended):
    client.force_login(attended.trainer)
    assert client.get("/admin/trainer/registers/due/").status_code in (302, 403)
    assert "PE-online indienen" not in client.get("/admin/").content.decode()


def test_the_office_is_reminded_once_fourteen_days_after_the_date(attended, django_capture_on_commit_callbacks):
    ProviderSettings.objects.update_or_create(pk=ProviderSettings.load().pk, defaults={"email": "office@example.org"})
    ends = attended.date.ends_at

    with django_capture_on_commit_callbacks(execute=True):
        assert services.deadline_reminders_send(now=ends + timedelta(days=13)) == 0
        assert services.deadline_reminders_send(now=ends + timedelta(days=14, minutes=1)) == 2  # Noloc, Registerplein
        assert services.deadline_reminders_send(now=ends + timedelta(days=15)) == 0

    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == ["Aanwezigheid nog niet ingediend bij Noloc: Basistraining 2e spoorcoaching",
                        "Aanwezigheid nog niet ingediend bij Registerplein: Basistraining 2e spoorcoaching"]
    assert all(message.to == ["office@example.org"] for message in mail.outbox)
    assert f"/admin/trainer/dates/{attended.date.pk}/registers/" in mail.outbox[0].body

"""One audit trail (Wagtail's log, core.audit): every change of state that matters is recorded with actor,
dotted action, object and time, and the office reads it on the record's page in the admin."""

from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.log_actions import LogContext, log
from wagtail.models import ModelLogEntry

from certification import services as certificates
from core.audit import history, record
from courses import enrolments, schedule, seating
from payments import refunds
from payments.models import Payment
from places import changes
from tests.factories import UserFactory, make_date


def test_the_office_reads_a_places_history_on_its_admin_page(client, course):
    office = UserFactory(is_superuser=True, full_name="Olga Kantoor")
    place = enrolments.enrolment_hold(course_date=make_date(course), user=UserFactory(), billing=seating.Billing())
    enrolments.enrolment_confirm(enrolment=place, actor=office)
    changes.place_cancel(enrolment=place, actor=office, note="op verzoek van de werkgever", by_office=True)

    assert list(history(place).values_list("action", flat=True)) == [
        "enrolment.held", "enrolment.confirmed", "enrolment.cancelled"]
    client.force_login(office)
    html = client.get(f"/admin/enrolment/inspect/{place.pk}/").content.decode()

    assert "Geschiedenis" in html and "Plaats gereserveerd" not in html  # the messages, not the labels
    assert "Plaats bevestigd" in html and "Plaats geannuleerd: op verzoek van de werkgever" in html
    assert "Olga Kantoor" in html


def test_money_and_certificates_leave_a_trace_the_office_can_read(client, course, stripe_double):
    office = UserFactory(is_superuser=True)
    place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=make_date(course), user=UserFactory(), billing=seating.Billing()))
    payment = Payment.objects.create(enrolment=place, amount=Decimal("495.00"), status=Payment.Status.PAID,
                                     payment_intent_id="pi_audit", checkout_session_id="cs_audit",
                                     expires_at=timezone.now(), paid_at=timezone.now())
    refund = refunds.refund_request(payment=payment, amount=Decimal("95.00"), reason="goodwill", actor=office)
    certificate = certificates.certificate_issue(enrolment=place, actor=office, reason="aanwezig geweest")
    certificates.certificate_revoke(certificate=certificate, actor=office, reason="fraude")

    assert [entry.action for entry in history(refund)] == ["refund.requested"]
    assert [entry.action for entry in history(certificate)] == ["certificate.issued", "certificate.revoked"]
    assert ModelLogEntry.objects.filter(user=office, action="certificate.revoked", data__reason="fraude").exists()
    client.force_login(office)
    assert "Terugbetaling besloten: € 95,00: goodwill" in client.get(
        f"/admin/refund/inspect/{refund.pk}/").content.decode().replace("\xa0", " ")
    assert "Certificaat ingetrokken: fraude" in client.get(
        f"/admin/certificates/inspect/{certificate.pk}/").content.decode()


def test_the_scheduler_completing_a_date_is_on_the_dates_history(client, course):
    from datetime import timedelta

    past = make_date(course, starts_in=timedelta(days=-3))
    schedule.course_dates_complete()

    [entry] = history(past)
    assert (entry.action, entry.user) == ("course_date.completed", None)
    client.force_login(UserFactory(is_superuser=True))
    assert "Datum afgerond" in client.get(f"/admin/coursedate/history/{past.pk}/").content.decode()


def test_an_entry_says_what_wagtails_own_log_would_in_one_insert(course, django_assert_num_queries):
    coach = UserFactory(full_name="Carla Coach")
    place = enrolments.enrolment_hold(course_date=make_date(course), user=coach, billing=seating.Billing())
    at = timezone.now()

    with django_assert_num_queries(1):  # the INSERT; no lookups of the content type or the person first
        record(place, "enrolment.confirmed", actor=coach, at=at, note="betaald", reason="")
    log(place, "enrolment.confirmed", user=coach, timestamp=at, data={"note": "betaald"})  # Wagtail's way

    ours, wagtails = ModelLogEntry.objects.filter(action="enrolment.confirmed").order_by("pk")
    fields = ["content_type_id", "object_id", "label", "action", "timestamp", "data", "user_id", "uuid", "revision_id",
              "content_changed", "deleted"]
    assert [getattr(ours, name) for name in fields] == [getattr(wagtails, name) for name in fields]
    assert "Carla Coach" in ours.label


def test_an_action_nobody_registered_is_refused_and_leaves_no_entry(course):
    place = enrolments.enrolment_hold(course_date=make_date(course), user=UserFactory(), billing=seating.Billing())
    before = ModelLogEntry.objects.count()

    with pytest.raises(ValueError, match="not registered"):
        record(place, "enrolment.teleported")

    assert ModelLogEntry.objects.count() == before


def test_an_entry_made_in_an_admin_action_carries_its_person_and_its_uuid(course):
    office = UserFactory(is_superuser=True)
    place = enrolments.enrolment_hold(course_date=make_date(course), user=UserFactory(), billing=seating.Billing())

    with LogContext(user=office) as context:
        record(place, "enrolment.confirmed")
        log(place, "enrolment.confirmed")  # Wagtail's way, in the same context

    ours, wagtails = ModelLogEntry.objects.filter(action="enrolment.confirmed").order_by("pk")
    assert (ours.user, ours.uuid) == (wagtails.user, wagtails.uuid) == (office, context.uuid)

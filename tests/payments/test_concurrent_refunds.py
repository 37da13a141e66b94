"""Ten full refunds pressed at once in the admin (real threads, each with its own connection): the money goes
back once, and every other request re-shows the form with the reason, never a server error."""

import threading

import pytest
from django.db import connections
from django.test import Client

from courses import services as enrolments
from payments.models import Payment, Refund
from tests.factories import UserFactory, catalogue_site, make_course, make_date

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_parallel_full_refunds_give_the_money_back_once_and_no_server_error(stripe_double):
    course_date = make_date(make_course(catalogue_site().catalogue, slug="refund-race"))
    place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=course_date, user=UserFactory(), billing=enrolments.Billing()))
    paid = Payment.objects.create(enrolment=place, amount=place.price_incl_vat, status=Payment.Status.PAID,
                                  checkout_session_id="cs_race", payment_intent_id="pi_race",
                                  expires_at=place.created_at, paid_at=place.created_at)
    stripe_double.double.payments["pi_race"] = {"amount": 49500, "refunded": 0, "currency": "eur", "charge": "ch_race"}
    office = UserFactory(email="office@example.org", is_staff=True, is_superuser=True)
    barrier = threading.Barrier(10)
    statuses, lock = [], threading.Lock()

    def refund():
        try:
            client = Client(raise_request_exception=False)
            client.force_login(office)
            barrier.wait()
            response = client.post("/admin/refund/new/", {"payment": paid.pk, "amount": str(paid.amount),
                                                           "reason": "Datum vervalt", "confirmed": "1"})
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=refund) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(statuses) == 10 and all(status < 500 for status in statuses), statuses
    assert statuses.count(302) == 1  # one refund made; the rest see "at most € 0,00" on the form
    assert Refund.objects.filter(payment=paid).count() == 1

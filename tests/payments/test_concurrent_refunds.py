"""Ten full refunds pressed at once in the admin (real threads, each with its own connection): the money goes
back once, and every other request re-shows the form with the reason, never a server error."""

import pytest
from django.test import Client

from courses import enrolments, seating
from payments.models import Payment, Refund
from tests.factories import UserFactory, catalogue_site, make_course, make_date
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_parallel_full_refunds_give_the_money_back_once_and_no_server_error(stripe_double):
    course_date = make_date(make_course(catalogue_site().catalogue, slug="refund-race"))
    place = enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=course_date, user=UserFactory(), billing=seating.Billing()))
    paid = Payment.objects.create(enrolment=place, amount=place.price_incl_vat, status=Payment.Status.PAID,
                                  checkout_session_id="cs_race", payment_intent_id="pi_race",
                                  expires_at=place.created_at, paid_at=place.created_at)
    stripe_double.double.payments["pi_race"] = {"amount": 49500, "refunded": 0, "currency": "eur", "charge": "ch_race"}
    office = UserFactory(email="office@example.org", is_staff=True, is_superuser=True)

    def refund():
        client = Client(raise_request_exception=False)
        client.force_login(office)
        return client.post("/admin/refund/new/", {"payment": paid.pk, "amount": "495,00",
                                                  "reason": "Datum vervalt", "confirmed": "1"}).status_code

    statuses = at_once(10, refund)

    assert len(statuses) == 10 and all(status < 500 for status in statuses), statuses
    assert statuses.count(302) == 1  # one refund made; the rest see "at most € 0,00" on the form
    assert Refund.objects.filter(payment=paid).count() == 1

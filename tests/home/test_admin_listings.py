"""Every record listing in the admin issues as many queries for many rows as for one: the columns' related
records are loaded with the rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.services import certificate_issue
from courses import enrolments
from payments import refunds
from tests.factories import UserFactory, make_date, make_trainer
from tests.payments.test_invoices import pay

pytestmark = pytest.mark.django_db

LISTINGS = ["/admin/payment/", "/admin/refund/", "/admin/invoice/", "/admin/stripeevent/", "/admin/certificates/",
            "/admin/coursedate/", "/admin/enrolment/", "/admin/interestentry/"]


def test_the_office_listings_issue_as_many_queries_for_many_rows_as_for_one(
        course, stripe_double, client, django_capture_on_commit_callbacks, django_assert_num_queries):
    trainer = make_trainer()

    def one_of_each():
        payment = pay(make_date(course), stripe_double, client, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            refunds.refund_request(payment=payment, amount=Decimal("10.00"), reason="goodwill")
        certificate_issue(enrolment=payment.enrolment, actor=trainer, reason="by hand")
        enrolments.interest_join(course=course, user=UserFactory())

    one_of_each()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.get("/admin/")  # the first admin visit creates the user's admin profile
    counts = {}
    for listing in LISTINGS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(listing).status_code == 200, listing
        counts[listing] = len(queries.captured_queries)
    for _ in range(3):
        one_of_each()
    for listing in LISTINGS:
        with django_assert_num_queries(counts[listing]):
            client.get(listing)

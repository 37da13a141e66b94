"""Money at a glance: the invoice list says where each invoice stands and what is still open, and filters by it,
in a fixed number of queries; its exports are buttons."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from payments import transfers
from payments.models import Invoice
from payments.selectors import InvoiceState, with_states
from places import bookings as places_bookings
from tests.factories import UserFactory, make_date, make_organisation

pytestmark = pytest.mark.django_db


def booked_invoice(course, contact, organisation, seats=1) -> Invoice:
    booking = places_bookings.booking_on_invoice(course_date=make_date(course), organisation=organisation,
                                                 booked_by=contact, seats=seats)
    return Invoice.objects.get(booking=booking, kind=Invoice.Kind.INVOICE)


def test_each_invoice_says_where_it_stands_and_the_list_filters_by_it(course, client):
    contact = UserFactory()
    organisation = make_organisation(contact)
    office = UserFactory(is_superuser=True)
    open_, partly, paid, overdue, credited = (booked_invoice(course, contact, organisation) for _ in range(5))
    yesterday = timezone.localdate() - timedelta(days=1)
    transfers.bank_transfer_record(invoice=partly, amount=Decimal("100.00"), received_on=yesterday, actor=office)
    transfers.bank_transfer_record(invoice=paid, amount=paid.total, received_on=yesterday, actor=office)
    Invoice.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(days=3))
    transfers.invoice_credit(invoice=credited, amount=credited.total, reason="Geannuleerd", actor=office)

    states = dict(with_states(Invoice.objects.all()).values_list("number", "state"))
    assert [states[invoice.number] for invoice in (open_, partly, paid, overdue, credited)] == [
        InvoiceState.OPEN, InvoiceState.PARTLY_PAID, InvoiceState.PAID, InvoiceState.OVERDUE, InvoiceState.CREDITED]
    assert InvoiceState.CREDIT in states.values()  # the credit invoice itself

    client.force_login(office)
    page = client.get(reverse("invoice:index")).content.decode()
    for label in ("Open", "Deels betaald", "Betaald", "Te laat", "Gecrediteerd"):
        assert label in page, label
    assert "€\u00a0395,00" in page  # what the partly paid invoice still asks
    assert "?export=xlsx" in page and "?export=csv" in page  # exports as buttons, not in a menu
    overdue_only = client.get(reverse("invoice:index") + "?state=overdue").content.decode()
    assert overdue.number in overdue_only and open_.number not in overdue_only
    # The totals of what the filters show: five invoices of 495 less one credit of 495; 495 + 395 + 495 still open.
    assert "6 facturen getoond" in page and "€\u00a01.980,00 gefactureerd, €\u00a01.385,00 nog open" in page
    assert "1 factuur getoond" in overdue_only and "€\u00a0495,00 nog open" in overdue_only

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("invoice:index"))
    for _ in range(5):
        booked_invoice(course, contact, organisation)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("invoice:index"))
    assert len(many) == len(few)

"""A contact person pays all the seats of a booking at once, in one Stripe Checkout (the test double on loopback,
reached through the official SDK); the webhook confirms every seat, or none and the money goes back."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.audit import history
from courses import bookings, waitlists
from courses.models import Booking, Enrolment, InvoicePayment, Voucher
from payments import checkout as payments_checkout
from payments import transfers
from payments.models import Invoice, Payment, Refund
from payments.selectors import payment_states
from payments.stripe_double import sign
from places import bookings as places_bookings
from places import checkout as places_checkout
from places import reconcile
from tests.factories import UserFactory, confirmed_place, make_date, make_organisation

pytestmark = pytest.mark.django_db
Status = Enrolment.Status
WEBHOOK = "/payments/stripe/webhook/"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs an action with the tasks it queues for after the commit (emails, invoices), as the worker would."""
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)
    return run


def book_on_the_form(client, organisation, course_date, **fields):
    return client.post(reverse("organisations:book", args=[organisation.pk]), {
        "course_date": course_date.pk, "seats": 2, "reference": "", "voucher_code": "", "payment_method": "online",
        "accept_terms": "on", **fields})


def hold(course_date, organisation, contact, seats=3, **options) -> Booking:
    return bookings.booking_create(course_date=course_date, organisation=organisation, booked_by=contact,
                                   seats=seats, online=True, **options)


def start(booking) -> Payment:
    return places_checkout.booking_checkout_start(booking=booking, success_url="http://testserver/paid/",
                                           cancel_url="http://testserver/back/")


def deliver_all(client, stripe_double, committed, event_type=None):
    """Delivers the events the double emitted (signed as Stripe signs them), with their tasks run."""
    for event in stripe_double.double.events:
        if event_type in (None, event["type"]):
            body = json.dumps(event).encode()
            response = committed(client.post, WEBHOOK, data=body, content_type="application/json",
                                 headers={"Stripe-Signature": sign(body, "whsec_double")})
            assert response.status_code == 200
    stripe_double.double.events.clear()


def pay(client, stripe_double, committed, payment, outcome="paid"):
    stripe_double.double.pay(payment.checkout_session_id, outcome)
    deliver_all(client, stripe_double, committed)
    payment.refresh_from_db()
    return payment


def test_one_checkout_asks_for_every_seat_and_keeps_them_held_as_long_as_the_page(course, organisation, contact,
                                                                                   stripe_double):
    booking = hold(make_date(course), organisation, contact, seats=3)
    assert [place.status for place in booking.places.all()] == [Status.HELD] * 3

    payment = start(booking)

    session = stripe_double.double.sessions[payment.checkout_session_id]
    [item] = session["_line_items"]
    assert int(item["quantity"]) == 3 and int(item["price_data"]["unit_amount"]) == 49500
    assert session["amount_total"] == 3 * 49500 and session["currency"] == "eur"
    assert session["customer_email"] == "werkgever@example.com"
    assert session["metadata"]["booking"] == str(booking.pk)
    assert payment.booking == booking and payment.enrolment is None and payment.amount == Decimal("1485.00")
    assert {place.hold_expires_at for place in booking.places.all()} == {payment.expires_at}
    assert start(booking) == payment  # pressing pay again reuses the open page


def test_the_paid_session_confirms_every_seat_once_and_invoices_the_organisation_as_paid(
        course, organisation, contact, stripe_double, client, committed):
    booking = hold(make_date(course), organisation, contact, seats=3, reference="PO-9")
    payment = start(booking)

    stripe_double.double.pay(payment.checkout_session_id, "paid")
    [completed] = stripe_double.double.events
    deliver_all(client, stripe_double, committed)
    body = json.dumps(completed).encode()
    again = client.post(WEBHOOK, data=body, content_type="application/json",
                        headers={"Stripe-Signature": sign(body, "whsec_double")})

    assert again.json()["duplicate"] is True
    places = list(booking.places.order_by("seat"))
    assert [(place.status, place.user_id) for place in places] == [(Status.CONFIRMED, None)] * 3
    assert history(booking).filter(action="booking.paid").count() == 1
    invoice = Invoice.objects.get(payment__booking=booking, kind=Invoice.Kind.INVOICE)
    assert (invoice.quantity, invoice.total, invoice.due_at) == (3, Decimal("1485.00"), None)
    assert invoice.customer["company"] == "Re-integratiebureau De Brug" and invoice.customer["reference"] == "PO-9"
    invoice_mails = [message for message in mail.outbox if invoice.number in message.subject]
    assert {message.to[0] for message in invoice_mails} == {"facturen@debrug.example", "werkgever@example.com"}
    assert "online betaald" in invoice_mails[0].body and "overmaken" not in invoice_mails[0].body
    assert {state.label for state in payment_states(places, now=timezone.now()).values()} == {"Betaald €\xa0495,00"}
    # an online booking is paid: it never shows on the office's list of overdue invoices
    assert transfers.overdue_invoices(timezone.now() + timedelta(days=60)) == []


def test_a_page_that_expires_unpaid_lets_every_seat_go_to_the_waitlist_and_gives_the_codes_uses_back(
        course, organisation, contact, stripe_double, client, committed):
    course_date = make_date(course, capacity=3)
    code = Voucher.objects.create(code="GROEP", value=Decimal("10"), max_uses=3)
    booking = hold(course_date, organisation, contact, seats=3, code="GROEP")
    code.refresh_from_db()
    assert code.uses == 3
    waiting = UserFactory()
    waitlists.waitlist_join(course_date=course_date, user=waiting)  # joined while the seats are held
    payment = start(booking)

    committed(stripe_double.double.session_expire, payment.checkout_session_id)
    deliver_all(client, stripe_double, committed)

    assert set(booking.places.values_list("status", flat=True)) == {Status.EXPIRED}
    code.refresh_from_db()
    assert code.uses == 0
    assert course_date.enrolments.get(user=waiting).status == Status.OFFERED


def test_paid_after_the_hold_ran_out_reseats_every_seat_when_there_is_room(course, organisation, contact,
                                                                        stripe_double, client, committed):
    course_date = make_date(course, capacity=5)
    booking = hold(course_date, organisation, contact, seats=3)
    payment = start(booking)
    Enrolment.objects.filter(booking=booking).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    confirmed_place(course_date, UserFactory())  # lets the lapsed holds expire; 4 seats are still free

    pay(client, stripe_double, committed, payment)

    assert list(booking.places.values_list("status", flat=True)) == [Status.CONFIRMED] * 3
    assert Invoice.objects.filter(payment=payment, kind=Invoice.Kind.INVOICE).exists()


def test_paid_after_the_hold_ran_out_on_a_full_date_confirms_nothing_and_refunds_it_all(
        course, organisation, contact, stripe_double, client, committed):
    course_date = make_date(course, capacity=3)
    booking = hold(course_date, organisation, contact, seats=3)
    payment = start(booking)
    Enrolment.objects.filter(booking=booking).update(hold_expires_at=timezone.now() - timedelta(minutes=1))
    confirmed_place(course_date, UserFactory())  # two seats left: not enough for all three

    payment = pay(client, stripe_double, committed, payment)

    assert Status.CONFIRMED not in set(booking.places.values_list("status", flat=True))
    [refund] = Refund.objects.filter(payment=payment)
    assert refund.amount == Decimal("1485.00") and refund.status == Refund.Status.SUCCEEDED
    assert not Invoice.objects.filter(payment=payment, kind=Invoice.Kind.INVOICE).exists()
    assert list(reconcile.uninvoiced_payments()) == []  # the reconciliation does not invoice it either
    [told] = [message for message in mail.outbox if message.to == ["werkgever@example.com"]]
    assert "wordt terugbetaald" in told.subject and "3 plaatsen" in told.body
    client.force_login(contact)
    page = client.get(reverse("organisations:booking", args=[booking.pk])).content.decode()
    assert "de betaling wordt volledig terugbetaald" in page and "Opnieuw boeken" in page


def test_a_second_payment_for_a_paid_booking_goes_back_whole(course, organisation, contact, stripe_double, client,
                                                             committed):
    booking = hold(make_date(course), organisation, contact, seats=2)
    pay(client, stripe_double, committed, start(booking))
    # A second payment page for the same seats (say, a session whose save failed after Stripe made it), paid:
    # the webhook records it from its metadata and sends the money back.
    session = payments_checkout.session_create(
        key=f"booking-{booking.pk}", metadata={"booking": str(booking.pk)}, payer=contact, name="Basistraining",
        unit_amount=booking.price_incl_vat, quantity=2, held_until=timezone.now(), success_url="http://testserver/",
        cancel_url="http://testserver/", now=timezone.now())
    stripe_double.double.pay(session.id, "paid")
    deliver_all(client, stripe_double, committed)

    second = Payment.objects.get(checkout_session_id=session.id)
    assert second.booking == booking and second.note.startswith("refunded: paid twice")
    assert Refund.objects.get(payment=second).amount == Decimal("990.00")
    assert booking.places.filter(status=Status.CONFIRMED).count() == 2
    assert Invoice.objects.filter(payment__booking=booking, kind=Invoice.Kind.INVOICE).count() == 1


def test_cancelling_a_seat_of_a_booking_paid_online_refunds_the_policys_share_on_the_payment(
        course, organisation, contact, stripe_double, client, committed):
    booking = hold(make_date(course, starts_in=timedelta(days=60)), organisation, contact, seats=3)
    payment = pay(client, stripe_double, committed, start(booking))
    place = booking.places.order_by("seat").first()

    credited = committed(places_bookings.seat_cancel, place=place, actor=contact)

    assert credited == Decimal("495.00")
    [refund] = Refund.objects.filter(payment=payment)
    assert refund.amount == Decimal("495.00") and refund.status == Refund.Status.SUCCEEDED
    credit = Invoice.objects.get(refund=refund)
    assert credit.kind == Invoice.Kind.CREDIT and credit.total == Decimal("-495.00")
    assert booking.places.filter(status=Status.CONFIRMED).count() == 2


def test_a_code_that_takes_the_whole_price_off_confirms_the_seats_without_stripe(course, organisation, contact,
                                                                               client, stripe_double):
    Voucher.objects.create(code="GRATIS", value=Decimal("100"), max_uses=5)
    course_date = make_date(course)
    client.force_login(contact)

    response = book_on_the_form(client, organisation, course_date, voucher_code="GRATIS")

    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("organisations:booking",
                                                                           args=[booking.pk])
    assert list(booking.places.values_list("status", flat=True)) == [Status.CONFIRMED] * 2
    assert not Payment.objects.exists() and not stripe_double.double.sessions
    page = client.get(response["Location"]).content.decode()
    assert "Bevestigd; niets te betalen." in page and page.count("Uitnodiging sturen") == 2


def test_the_contact_person_books_online_pays_and_comes_back_to_name_the_seats(course, organisation, contact,
                                                                             client, stripe_double):
    course_date = make_date(course)
    client.force_login(contact)

    response = book_on_the_form(client, organisation, course_date, seats=3, reference="PO-1")

    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == payment.checkout_url
    page = client.get(reverse("organisations:booking", args=[payment.booking_id])).content.decode()
    assert "Betaal 3 × €\xa0495,00" in page and "Plaats 1" not in page  # no naming before it is paid

    back = stripe_double.double.pay(payment.checkout_session_id, "paid")  # no webhook: the return page asks
    assert back.endswith(reverse("organisations:booking_return", args=[payment.booking_id]))
    page = client.get(back, follow=True).content.decode()

    assert "Betaald, dank je wel" in page and "online betaald op" in page
    assert page.count("Uitnodiging sturen") == 3
    assert set(payment.booking.places.values_list("status", flat=True)) == {Status.CONFIRMED}


def test_a_course_paid_online_only_refuses_invoice_on_the_form_and_books_nothing(course, organisation, contact,
                                                                                client):
    course.invoice_payment = InvoicePayment.NOBODY
    course.save()
    course_date = make_date(course)
    client.force_login(contact)

    response = book_on_the_form(client, organisation, course_date, payment_method="invoice")

    assert response.status_code == 200
    assert "Deze opleiding kan alleen online worden betaald." in response.content.decode()
    assert not Booking.objects.exists()


def test_another_organisations_contact_person_cannot_pay_or_see_the_booking(course, organisation, contact, client):
    booking = hold(make_date(course), organisation, contact, seats=2)
    outsider = UserFactory()
    make_organisation(outsider, name="Ander bureau")
    client.force_login(outsider)

    assert client.get(reverse("organisations:booking", args=[booking.pk])).status_code == 404
    assert client.post(reverse("organisations:booking_pay", args=[booking.pk])).status_code == 404
    assert client.get(reverse("organisations:booking_return", args=[booking.pk])).status_code == 404
    assert not Payment.objects.exists()


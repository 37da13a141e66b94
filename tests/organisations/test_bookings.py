"""An organisation books several seats on a date, names the people, and pays on invoice; the office records the
bank transfer."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Membership
from courses import bookings, enrolments, schedule, seating, waitlists
from courses.models import Enrolment, InvoicePayment
from organisations.services import naming_reminders_send
from payments import selectors, transfers
from payments.invoices import booking_credit_issue
from payments.models import Invoice
from payments.selectors import payment_states
from places import bookings as places_bookings
from places.changes import cancelled_dates_refund
from tests.factories import UserFactory, confirmed_place, is_invitation, make_date, make_organisation

Status = Enrolment.Status


@pytest.fixture(autouse=True)
def _mails_go_out(django_capture_on_commit_callbacks):
    """The emails are tasks queued for after the commit: `committed(action)` runs them, as the worker would."""
    global committed

    def committed(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)


committed = None


def book(course_date, organisation, contact, seats=3, **options):
    return committed(places_bookings.booking_on_invoice, course_date=course_date, organisation=organisation,
                     booked_by=contact, seats=seats, **options)


def test_booking_three_seats_confirms_three_unnamed_places_and_issues_one_invoice_to_the_accounts_department(
        course, organisation, contact):
    course_date = make_date(course, capacity=10)

    booking = book(course_date, organisation, contact, seats=3, reference="PO-77")

    places = list(booking.places.order_by("seat"))
    assert [(place.status, place.user_id, place.seat) for place in places] == [
        (Status.CONFIRMED, None, 1), (Status.CONFIRMED, None, 2), (Status.CONFIRMED, None, 3)]
    invoice = Invoice.objects.get(booking=booking)
    assert (invoice.quantity, invoice.total) == (3, course.price_incl_vat * 3)
    assert invoice.customer["company"] == "Re-integratiebureau De Brug"
    assert invoice.customer["reference"] == "PO-77"
    assert invoice.due_at == invoice.issued_at + timedelta(days=14)
    sent = {message.to[0] for message in mail.outbox if invoice.number in message.subject}
    assert sent == {"facturen@debrug.example", "werkgever@example.com"}
    assert {state.label for state in payment_states(places, now=timezone.now()).values()} == {"Factuur open"}


def test_booking_four_when_three_are_free_books_nothing_and_says_three_are_free(course, organisation, contact):
    course_date = make_date(course, capacity=3)
    invoices_before = Invoice.objects.count()

    with pytest.raises(seating.DateFull, match="Er zijn nog maar 3 plaatsen vrij"):
        book(course_date, organisation, contact, seats=4)

    assert course_date.enrolments.count() == 0
    assert Invoice.objects.count() == invoices_before


@pytest.mark.parametrize("seats", [0, 11])
def test_a_booking_for_0_or_11_seats_is_refused(course, organisation, contact, seats):
    course_date = make_date(course)
    with pytest.raises(seating.EnrolmentError, match="tussen 1 en 10"):
        book(course_date, organisation, contact, seats=seats)
    assert course_date.enrolments.count() == 0


def test_individuals_and_bookings_share_one_count(course, organisation, contact):
    course_date = make_date(course, capacity=4)
    confirmed_place(course_date, UserFactory())
    book(course_date, organisation, contact, seats=3)

    with pytest.raises(seating.DateFull):
        enrolments.enrolment_hold(course_date=course_date, user=UserFactory(), billing=seating.Billing())
    assert course_date.enrolments.filter(status__in=Enrolment.SEATED).count() == 4


def test_the_payment_term_never_ends_after_the_date_starts(course, organisation, contact):
    course_date = make_date(course, starts_in=timedelta(days=5))
    booking = book(course_date, organisation, contact, seats=1)
    assert Invoice.objects.get(booking=booking).due_at == course_date.starts_at


def test_a_course_paid_online_only_takes_no_booking_on_invoice(course, organisation, contact):
    course.invoice_payment = InvoicePayment.NOBODY
    course.save()
    course_date = make_date(course)
    with pytest.raises(places_bookings.BookingError, match="alleen online"):
        book(course_date, organisation, contact, seats=2)
    assert course_date.enrolments.count() == 0


def test_a_named_person_accepts_and_the_seat_becomes_their_place(course, organisation, contact):
    booking = book(make_date(course), organisation, contact, seats=2)
    seat = booking.places.order_by("seat").first()
    invitation = committed(places_bookings.seat_name, place=seat, email="Piet@Example.com", name="Piet Jansen",
                           actor=contact)
    invite_mail = next(message for message in mail.outbox if message.to == ["piet@example.com"])
    assert invitation.token in invite_mail.body
    piet = UserFactory(email="piet@example.com")

    place = committed(bookings.seat_accept, invitation=invitation, user=piet, shares_progress=True)

    assert (place.pk, place.user, place.status) == (seat.pk, piet, Status.CONFIRMED)
    membership = Membership.objects.get(organisation=organisation, user=piet)
    assert (membership.role, membership.shares_progress_since is not None) == (Membership.Role.MEMBER, True)
    [in_calendar] = [message for message in mail.outbox if message.to == ["piet@example.com"]
                     and is_invitation(message)]
    assert in_calendar.subject.startswith("Uitnodiging: ")
    again = bookings.seat_accept(invitation=invitation, user=piet)  # the link clicked twice
    assert again.pk == place.pk


def test_an_invitation_cannot_be_used_by_another_account_nor_twice_by_different_people(course, organisation, contact):
    booking = book(make_date(course), organisation, contact, seats=1)
    invitation = places_bookings.seat_name(place=booking.places.get(), email="piet@example.com", actor=contact)

    with pytest.raises(seating.EnrolmentError, match="voor piet@example.com"):
        bookings.seat_accept(invitation=invitation, user=UserFactory(email="klaas@example.com"))
    bookings.seat_accept(invitation=invitation, user=UserFactory(email="piet@example.com"))
    with pytest.raises(seating.EnrolmentError, match="al geaccepteerd"):
        bookings.seat_accept(invitation=invitation, user=UserFactory(email="klaas2@example.com"))


def test_naming_a_seat_again_withdraws_the_first_invitation(course, organisation, contact):
    booking = book(make_date(course), organisation, contact, seats=1)
    seat = booking.places.get()
    first = places_bookings.seat_name(place=seat, email="piet@example.com", actor=contact)
    places_bookings.seat_name(place=seat, email="anna@example.com", actor=contact)

    with pytest.raises(seating.EnrolmentError, match="niet meer geldig"):
        bookings.seat_accept(invitation=first, user=UserFactory(email="piet@example.com"))


def test_a_swap_ends_the_old_place_and_gives_the_seat_to_the_new_person(course, organisation, contact):
    booking = book(make_date(course), organisation, contact, seats=1)
    invitation = places_bookings.seat_name(place=booking.places.get(), email="piet@example.com", actor=contact)
    old = bookings.seat_accept(invitation=invitation, user=UserFactory(email="piet@example.com"))

    swap = places_bookings.seat_name(place=old, email="anna@example.com", actor=contact)
    anna = bookings.seat_accept(invitation=swap, user=UserFactory(email="anna@example.com"))

    old.refresh_from_db()
    assert (old.status, old.seat) == (Status.CANCELLED, None)
    assert (anna.status, anna.seat, anna.booking_id) == (Status.CONFIRMED, 1, booking.pk)
    assert booking.places.filter(status__in=Enrolment.SEATED).count() == 1


def test_a_seat_cannot_be_named_once_the_date_has_started(course, organisation, contact):
    course_date = make_date(course, starts_in=timedelta(days=2))
    booking = book(course_date, organisation, contact, seats=1)
    later = course_date.starts_at + timedelta(minutes=1)
    with pytest.raises(seating.EnrolmentError, match="begonnen"):
        bookings.seat_invite(place=booking.places.get(), email="piet@example.com", actor=contact, now=later)


def test_the_participant_of_a_booked_seat_cannot_cancel_it_themself(course, organisation, contact):
    booking = book(make_date(course), organisation, contact, seats=1)
    invitation = places_bookings.seat_name(place=booking.places.get(), email="piet@example.com", actor=contact)
    piet = UserFactory(email="piet@example.com")
    place = bookings.seat_accept(invitation=invitation, user=piet)

    with pytest.raises(seating.EnrolmentError, match="contactpersoon"):
        enrolments.enrolment_cancel(enrolment=place, actor=piet)
    assert not seating.participant_may_change(place, timezone.now())


def test_bank_transfers_pay_the_invoice_in_parts_and_never_more_than_is_open(course, organisation, contact):
    booking = book(make_date(course), organisation, contact, seats=2)
    invoice = Invoice.objects.get(booking=booking)
    office = UserFactory(is_staff=True)
    half = invoice.total / 2

    transfers.bank_transfer_record(invoice=invoice, amount=half, received_on=date.today(), actor=office)
    places = list(booking.places.all())
    assert {state.label for state in payment_states(places, now=timezone.now()).values()} == {
        "Deels betaald per bank"}
    with pytest.raises(transfers.InvoiceError, match="meer dan"):
        transfers.bank_transfer_record(invoice=invoice, amount=half + Decimal("0.01"),
                                       received_on=date.today(), actor=office)
    with pytest.raises(transfers.InvoiceError, match="meer dan € 0"):
        transfers.bank_transfer_record(invoice=invoice, amount=Decimal("-5"), received_on=date.today(),
                                       actor=office)
    transfers.bank_transfer_record(invoice=invoice, amount=half, received_on=date.today(), actor=office)

    assert selectors.balance(invoice).is_paid
    assert {state.label for state in payment_states(places, now=timezone.now()).values()} == {"Betaald per bank"}
    assert invoice.bank_transfers.count() == 2


def test_the_contact_person_sees_a_participants_progress_only_while_they_share_it(client, course, organisation,
                                                                                    contact):
    booking = book(make_date(course), organisation, contact, seats=2)
    first, second = booking.places.order_by("seat")
    piet, anna = UserFactory(email="piet@example.com"), UserFactory(email="anna@example.com")
    bookings.seat_accept(invitation=places_bookings.seat_name(place=first, email=piet.email, actor=contact), user=piet,
                         shares_progress=True)
    bookings.seat_accept(invitation=places_bookings.seat_name(place=second, email=anna.email, actor=contact), user=anna)
    client.force_login(contact)

    page = client.get(f"/my/organisation/bookings/{booking.pk}/").content.decode()
    assert page.count("Aanwezig 0 van 1 dagen") == 1
    assert page.count("Deelt geen voortgang met je organisatie.") == 1

    client.force_login(piet)
    membership = Membership.objects.get(user=piet, organisation=organisation)
    response = client.post(f"/accounts/profile/organisations/{membership.pk}/sharing/", {"shares": "no"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.shares_progress_since is None

    client.force_login(contact)
    page = client.get(f"/my/organisation/bookings/{booking.pk}/").content.decode()
    assert "Aanwezig" not in page
    assert page.count("Deelt geen voortgang met je organisatie.") == 2


def test_nobody_changes_another_persons_sharing(client, course, organisation, contact):
    booking = book(make_date(course), organisation, contact, seats=1)
    piet = UserFactory(email="piet@example.com")
    invitation = places_bookings.seat_name(place=booking.places.get(), email=piet.email, actor=contact)
    bookings.seat_accept(invitation=invitation, user=piet, shares_progress=True)
    membership = Membership.objects.get(user=piet)
    client.force_login(contact)

    response = client.post(f"/accounts/profile/organisations/{membership.pk}/sharing/", {"shares": "no"})

    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.shares_progress_since is not None


def test_cancelling_a_seat_credits_what_the_policy_gives_back_and_frees_it_for_the_waitlist(course, organisation,
                                                                                           contact):
    course_date = make_date(course, capacity=2, starts_in=timedelta(days=30))
    booking = book(course_date, organisation, contact, seats=2)
    waiting = UserFactory()
    waitlists.waitlist_join(course_date=course_date, user=waiting)
    invitation = places_bookings.seat_name(place=booking.places.order_by("seat").first(), email="piet@example.com",
                                    actor=contact)
    piet_place = bookings.seat_accept(invitation=invitation, user=UserFactory(email="piet@example.com"))
    mail.outbox.clear()

    credited = committed(places_bookings.seat_cancel, place=piet_place, actor=contact)

    assert credited == course.price_incl_vat  # 30 days before: free cancellation, everything back
    invoice = Invoice.objects.get(booking=booking, kind=Invoice.Kind.INVOICE)
    credit = Invoice.objects.get(credits=invoice)
    assert (credit.kind, credit.total) == (Invoice.Kind.CREDIT, -course.price_incl_vat)
    assert selectors.balance(invoice).open == course.price_incl_vat  # one seat left to pay
    assert course_date.enrolments.get(user=waiting).status == Status.OFFERED
    assert any(message.to == ["piet@example.com"] and "geannuleerd" in message.subject for message in mail.outbox)
    assert {message.to[0] for message in mail.outbox if credit.number in message.subject} == {
        "facturen@debrug.example", "werkgever@example.com"}


def test_late_cancellation_credits_the_policys_share_and_a_paid_invoice_leaves_money_to_pay_back(
        course, organisation, contact):
    course_date = make_date(course, starts_in=timedelta(days=5))  # within the 14 days: 50 % back
    booking = book(course_date, organisation, contact, seats=1)
    invoice = Invoice.objects.get(booking=booking)
    transfers.bank_transfer_record(invoice=invoice, amount=invoice.total, received_on=date.today(),
                                       actor=contact)

    credited = places_bookings.seat_cancel(place=booking.places.get(), actor=contact)

    assert credited == course.price_incl_vat / 2
    standing = selectors.balance(invoice)
    assert (standing.is_paid, standing.to_pay_back) == (True, credited)
    with pytest.raises(transfers.InvoiceError, match="terugbetaald"):
        transfers.bank_transfer_record(invoice=invoice, amount=-(credited + 1), received_on=date.today(),
                                       actor=contact)
    transfers.bank_transfer_record(invoice=invoice, amount=-credited, received_on=date.today(), actor=contact)
    assert selectors.balance(invoice).to_pay_back == 0


def test_the_office_frees_an_overdue_bookings_seats_or_keeps_them(course, organisation, contact):
    course_date = make_date(course, starts_in=timedelta(days=30))
    freed_booking = book(course_date, organisation, contact, seats=2)
    kept_booking = book(course_date, make_organisation(UserFactory(), name="Ander bureau"), contact, seats=1)
    later = timezone.now() + timedelta(days=15)  # past the 14-day term
    assert [invoice.booking for invoice in transfers.overdue_invoices(later)] == [freed_booking, kept_booking]

    places_bookings.booking_keep_unpaid(booking=kept_booking, actor=None, now=later)
    freed = places_bookings.booking_release_unpaid(booking=freed_booking, actor=None, now=later)

    assert freed == 2
    assert not freed_booking.places.filter(status__in=Enrolment.SEATED).exists()
    assert selectors.balance(Invoice.objects.get(booking=freed_booking, kind=Invoice.Kind.INVOICE)).open == 0
    assert kept_booking.places.filter(status__in=Enrolment.SEATED).count() == 1
    assert transfers.overdue_invoices(later) == []


def test_payment_reminders_go_once_before_and_once_after_the_due_date(course, organisation, contact):
    booking = book(make_date(course, starts_in=timedelta(days=40)), organisation, contact, seats=1)
    invoice = Invoice.objects.get(booking=booking)
    mail.outbox.clear()

    assert committed(transfers.payment_reminders_send, now=invoice.due_at - timedelta(days=5)) == 0
    assert committed(transfers.payment_reminders_send, now=invoice.due_at - timedelta(days=2)) == 1
    assert committed(transfers.payment_reminders_send, now=invoice.due_at - timedelta(days=1)) == 0
    assert committed(transfers.payment_reminders_send, now=invoice.due_at + timedelta(days=1)) == 1
    assert committed(transfers.payment_reminders_send, now=invoice.due_at + timedelta(days=2)) == 0
    subjects = [message.subject for message in mail.outbox if message.to == ["facturen@debrug.example"]]
    assert subjects == [f"Herinnering: factuur {invoice.number}", f"Factuur {invoice.number} is te laat"]


def test_the_contact_person_is_reminded_once_of_seats_nobody_was_named_for(course, organisation, contact):
    course_date = make_date(course, starts_in=timedelta(days=20))
    booking = book(course_date, organisation, contact, seats=2)
    mail.outbox.clear()
    soon = course_date.starts_at - timedelta(days=4)

    assert committed(naming_reminders_send, now=course_date.starts_at - timedelta(days=10)) == 0
    assert committed(naming_reminders_send, now=soon) == 1
    assert committed(naming_reminders_send, now=soon + timedelta(hours=1)) == 0
    reminder = next(message for message in mail.outbox if message.to == ["werkgever@example.com"])
    assert "2 plaatsen" in reminder.body and f"/my/organisation/bookings/{booking.pk}/" in reminder.body


def test_a_person_registers_their_organisation_and_becomes_its_contact_person(client, db):
    coach = UserFactory(email="wendy@example.com")
    client.force_login(coach)

    refused = client.post("/my/organisation/start/", {"name": "Bureau Wendy", "kvk_number": "123",
                                                      "street": "", "invoice_email": "fout"})
    assert refused.status_code == 200 and "Een KvK-nummer heeft 8 cijfers." in refused.content.decode()
    response = client.post("/my/organisation/start/", {
        "name": "Bureau Wendy", "kvk_number": "12345678", "vat_id": "", "street": "Straat 1", "postcode": "1234ab",
        "city": "Stad", "country": "NL", "invoice_email": "boekhouding@wendy.example", "default_reference": ""})

    membership = Membership.objects.get(user=coach)
    assert (membership.organisation.name, membership.role) == ("Bureau Wendy", Membership.Role.CONTACT)
    assert membership.organisation.postcode == "1234 AB"  # written as PostNL does
    assert response["Location"] == f"/my/organisation/{membership.organisation.pk}/book/"


def test_a_contact_person_invites_a_colleague_who_joins_once_with_the_invited_address(client, organisation,
                                                                                       contact):
    client.force_login(contact)
    committed(client.post, f"/my/organisation/{organisation.pk}/invite/",
              {"email": "Collega@Example.com", "role": "contact"})
    invite_mail = next(message for message in mail.outbox if message.to == ["collega@example.com"])
    path = re.search(r"/organisation-invitations/\S+/", invite_mail.body).group(0)
    colleague, stranger = UserFactory(email="collega@example.com"), UserFactory(email="ander@example.com")

    client.force_login(stranger)
    assert "Deze uitnodiging is voor collega@example.com" in client.post(path, follow=True).content.decode()
    assert not Membership.objects.filter(user=stranger).exists()
    client.force_login(colleague)
    assert client.post(path)["Location"] == "/my/organisation/"
    assert Membership.objects.get(user=colleague).role == Membership.Role.CONTACT
    again = client.post(f"/my/organisation/{organisation.pk}/invite/", {"email": "collega@example.com",
                                                                        "role": "member"}, follow=True)
    assert "collega@example.com hoort al bij Re-integratiebureau De Brug." in again.content.decode()


def test_a_called_off_date_credits_its_booked_seats_on_the_invoice(course, organisation, contact, settings):
    course_date = make_date(course, starts_in=timedelta(days=30))
    booking = book(course_date, organisation, contact, seats=2)
    invoice = Invoice.objects.get(booking=booking)
    schedule.course_date_cancel(course_date=course_date, actor=None)
    later = timezone.now() + timedelta(days=settings.DATE_CANCELLED_CHOICE_DAYS + 1)

    assert committed(cancelled_dates_refund, now=later) == 2
    assert selectors.balance(invoice).total == 0  # both seats credited in full
    assert Invoice.objects.filter(credits=invoice).count() == 2
    assert committed(cancelled_dates_refund, now=later) == 0


def test_a_called_off_date_credits_only_the_seats_it_ended_never_more_than_the_invoice(course, organisation,
                                                                                        contact, settings):
    course_date = make_date(course, starts_in=timedelta(days=30))
    booking = book(course_date, organisation, contact, seats=3)
    invoice = Invoice.objects.get(booking=booking)
    first, second, third = booking.places.order_by("seat")
    places_bookings.seat_cancel(place=first, actor=contact)  # credited in full already
    swap = places_bookings.seat_name(place=second, email="piet@example.com", actor=contact)
    piet = bookings.seat_accept(invitation=swap, user=UserFactory(email="piet@example.com"))
    places_bookings.seat_name(place=piet, email="anna@example.com", actor=contact)  # Piet's place ends, Anna's begins
    schedule.course_date_cancel(course_date=course_date, actor=None)

    later = timezone.now() + timedelta(days=settings.DATE_CANCELLED_CHOICE_DAYS + 1)
    assert committed(cancelled_dates_refund, now=later) == 2  # the two seats the calling-off ended
    assert selectors.balance(invoice).total == 0
    assert sum(credit.total for credit in Invoice.objects.filter(credits=invoice)) == -invoice.total


def test_a_booking_invoice_is_never_credited_beyond_its_total(course, organisation, contact):
    booking = book(make_date(course), organisation, contact, seats=1)
    invoice = Invoice.objects.get(booking=booking)
    assert booking_credit_issue(invoice=invoice, amount=invoice.total + 100, reason="test").total == -invoice.total
    assert booking_credit_issue(invoice=invoice, amount=Decimal("1.00"), reason="test") is None


def test_one_person_is_never_named_on_two_seats_of_a_date(course, organisation, contact, client):
    """The second invitation could never be accepted ("you already have a place"): it is refused when naming."""
    course_date = make_date(course)
    booking = book(course_date, organisation, contact, seats=3)
    first, second, third = booking.places.order_by("seat")
    places_bookings.seat_name(place=first, email="piet@example.com", actor=contact)
    with pytest.raises(seating.EnrolmentError, match="piet@example.com is al uitgenodigd voor een andere plaats"):
        places_bookings.seat_name(place=second, email="Piet@Example.com", actor=contact)

    piet = UserFactory(email="piet@example.com")
    bookings.seat_accept(invitation=first.invitations.get(), user=piet)
    with pytest.raises(seating.EnrolmentError, match="piet@example.com heeft al een plaats op deze datum"):
        places_bookings.seat_name(place=second, email="piet@example.com", actor=contact)

    elsewhere = UserFactory(email="anna@example.com")
    confirmed_place(make_date(course, starts_in=timedelta(days=60)), elsewhere)
    with pytest.raises(seating.EnrolmentError, match="anna@example.com heeft al een plaats voor deze opleiding"):
        places_bookings.seat_name(place=third, email="anna@example.com", actor=contact)

    client.force_login(contact)
    response = client.post(f"/my/organisation/seats/{second.pk}/name/",
                           {f"{second.pk}-email": "piet@example.com", f"{second.pk}-name": ""}, follow=True)
    assert "heeft al een plaats op deze datum" in response.content.decode()
    assert not second.invitations.exists()


def test_a_full_date_does_not_promise_a_waitlist_to_an_organisation(course, organisation, contact):
    course_date = make_date(course, capacity=2)
    book(course_date, organisation, contact, seats=2)
    with pytest.raises(seating.DateFull) as full:
        book(course_date, organisation, contact, seats=1)
    assert str(full.value) == "Er is op deze datum geen plaats meer vrij. Kies een andere datum."

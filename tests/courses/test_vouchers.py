"""Voucher codes: the price shown, the held seat, the Checkout amount, the invoice (a discount line, VAT after
the discount) and refunds all agree; a code's uses never pass its maximum; a bad code changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses import enrolments, seating, waitlists
from courses.models import Enrolment, VatTreatment, Voucher
from courses.vouchers import quote
from payments.invoices import invoice_issue
from payments.models import Invoice, Payment
from places import bookings as places_bookings
from tests.factories import UserFactory, make_course, make_date, make_organisation

pytestmark = pytest.mark.django_db


def hold(course_date, code, user=None):
    return enrolments.enrolment_hold(course_date=course_date, user=user or UserFactory(), billing=seating.Billing(),
                                   code=code)


def test_a_percentage_code_lowers_the_held_price_and_the_invoice_shows_the_discount(course):
    Voucher.objects.create(code="vroegboek", value=Decimal("10"))
    place = hold(make_date(course), "VroegBoek")

    assert (place.price_incl_vat, place.discount_incl_vat) == (course.price_incl_vat * Decimal("0.9"),
                                                               course.price_incl_vat * Decimal("0.1"))
    assert Voucher.objects.get().uses == 1
    place = enrolments.enrolment_confirm(enrolment=place)
    payment = Payment.objects.create(enrolment=place, amount=place.price_incl_vat, status=Payment.Status.PAID,
                                     paid_at=timezone.now(), checkout_session_id="cs_1", expires_at=timezone.now())
    invoice = invoice_issue(payment=payment)
    assert (invoice.total, invoice.discount, invoice.voucher_code) == (place.price_incl_vat,
                                                                       place.discount_incl_vat, "VROEGBOEK")


def test_vat_is_computed_after_the_discount(site):
    course = make_course(site.catalogue, slug="btw", price_excl_vat=Decimal("100.00"),
                         vat_treatment=VatTreatment.STANDARD)
    Voucher.objects.create(code="VIJFTIG", kind=Voucher.Kind.AMOUNT, value=Decimal("50.00"))
    place = enrolments.enrolment_confirm(enrolment=hold(make_date(course), "vijftig"))
    payment = Payment.objects.create(enrolment=place, amount=place.price_incl_vat, status=Payment.Status.PAID,
                                     paid_at=timezone.now(), checkout_session_id="cs_2", expires_at=timezone.now())

    invoice = invoice_issue(payment=payment)

    assert invoice.total == Decimal("121.00") - Decimal("50.00")
    assert (invoice.amount_excl_vat, invoice.vat_amount) == (Decimal("58.68"), Decimal("12.32"))


@pytest.mark.parametrize("voucher, message", [
    ({"active": False}, "niet geldig"),
    ({"valid_until": timezone.now() - timedelta(days=1)}, "verlopen"),
    ({"valid_from": timezone.now() + timedelta(days=1)}, "geldig vanaf"),
    ({"max_uses": 1, "uses": 1}, "opgebruikt"),
    ({"early_bird_days": 60}, "vroegboek"),
])
def test_a_code_that_does_not_apply_is_refused_with_the_reason_and_nothing_is_taken(course, voucher, message):
    Voucher.objects.create(code="CODE", value=Decimal("10"), **voucher)
    course_date = make_date(course, starts_in=timedelta(days=30))

    with pytest.raises(seating.CodeRefused, match=f"(?i){message}"):
        hold(course_date, "code")

    assert not course_date.enrolments.exists()
    assert Voucher.objects.get().uses == voucher.get("uses", 0)


def test_an_unknown_code_and_a_code_for_another_course_are_refused(course, site):
    other = make_course(site.catalogue, slug="ander")
    Voucher.objects.create(code="ANDER", value=Decimal("10")).courses.add(other)
    course_date = make_date(course)
    with pytest.raises(seating.CodeRefused, match="niet geldig"):
        hold(course_date, "BESTAATNIET")
    with pytest.raises(seating.CodeRefused, match="niet geldig voor deze opleiding"):
        hold(course_date, "ander")
    assert not course_date.enrolments.exists()


def test_a_hold_that_runs_out_gives_the_use_back(course):
    voucher = Voucher.objects.create(code="EEN", value=Decimal("10"), max_uses=1)
    course_date = make_date(course)
    place = hold(course_date, "een")
    later = place.hold_expires_at + timedelta(seconds=1)

    waitlists.waitlists_process(now=later)

    place.refresh_from_db()
    voucher.refresh_from_db()
    assert (place.status, voucher.uses) == (Enrolment.Status.EXPIRED, 0)
    hold(course_date, "een")  # free for the next person
    assert Voucher.objects.get().uses == 1


def test_a_full_discount_confirms_without_payment(client, course):
    Voucher.objects.create(code="GRATIS", value=Decimal("100"))
    course_date = make_date(course)
    coach = UserFactory()
    client.force_login(coach)

    response = client.post(f"/dates/{course_date.pk}/enrol/", {"billing_type": "self", "voucher_code": "gratis",
                                                                "accept_terms": "on"})

    place = Enrolment.objects.get(user=coach)
    assert response.status_code == 302 and response["Location"] == f"/enrolments/{place.pk}/"
    assert (place.status, place.price_incl_vat) == (Enrolment.Status.CONFIRMED, Decimal("0.00"))
    assert not Payment.objects.exists()


def test_the_enrol_form_shows_a_refused_code_at_the_field_and_keeps_what_was_typed(client, course):
    course_date = make_date(course)
    client.force_login(UserFactory())

    response = client.post(f"/dates/{course_date.pk}/enrol/", {"billing_type": "self", "voucher_code": "FOUT",
                                                                "accept_terms": "on"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "De code FOUT is niet geldig." in page and 'value="FOUT"' in page
    assert not Enrolment.objects.exists()


def test_codes_work_for_organisation_bookings_per_seat(course):
    Voucher.objects.create(code="GROEP", kind=Voucher.Kind.AMOUNT, value=Decimal("45.00"), max_uses=3)
    contact = UserFactory()
    booking = places_bookings.booking_on_invoice(course_date=make_date(course),
                                                  organisation=make_organisation(contact), booked_by=contact,
                                                  seats=3, code="groep")
    invoice = Invoice.objects.get(booking=booking)
    assert booking.price_incl_vat == course.price_incl_vat - Decimal("45.00")
    assert (invoice.total, invoice.discount) == (booking.price_incl_vat * 3, Decimal("135.00"))
    assert Voucher.objects.get().uses == 3
    with pytest.raises(seating.CodeRefused, match="opgebruikt"):
        places_bookings.booking_on_invoice(course_date=make_date(course), organisation=booking.organisation,
                                            booked_by=contact, seats=1, code="groep")


def test_a_booking_needs_as_many_uses_as_seats(course):
    Voucher.objects.create(code="TWEE", value=Decimal("10"), max_uses=2)
    contact = UserFactory()
    course_date = make_date(course)
    with pytest.raises(seating.CodeRefused, match="opgebruikt"):
        places_bookings.booking_on_invoice(course_date=course_date, organisation=make_organisation(contact),
                                            booked_by=contact, seats=3, code="twee")
    assert not course_date.enrolments.exists()
    assert Voucher.objects.get().uses == 0


def test_the_quote_matches_what_is_held(course):
    Voucher.objects.create(code="Q", kind=Voucher.Kind.AMOUNT, value=Decimal("10000"))  # more than the price
    course_date = make_date(course)
    offer = quote(course_date=course_date, code="q", now=timezone.now())
    assert (offer.price, offer.discount) == (Decimal("0.00"), course.price_incl_vat)


def test_a_hold_cancelled_before_paying_gives_the_use_back(course):
    voucher = Voucher.objects.create(code="EEN", value=Decimal("10"), max_uses=1)
    place = hold(make_date(course), "een")

    enrolments.enrolment_cancel(enrolment=place, actor=place.user)

    voucher.refresh_from_db()
    assert voucher.uses == 0


def test_the_office_cannot_set_the_maximum_below_the_uses_and_a_save_never_overwrites_them(course):
    voucher = Voucher.objects.create(code="DRIE", value=Decimal("10"), max_uses=3)
    stale = Voucher.objects.get(pk=voucher.pk)
    hold(make_date(course), "drie")
    hold(make_date(course), "drie")

    stale.value = Decimal("15")
    stale.save()  # the admin saving a form read before the two holds
    voucher.refresh_from_db()
    assert (voucher.value, voucher.uses) == (Decimal("15.00"), 2)
    voucher.max_uses = 1
    with pytest.raises(ValidationError, match="al 2 keer gebruikt"):
        voucher.full_clean()

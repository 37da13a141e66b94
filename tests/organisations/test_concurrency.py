"""Organisations booking 3 seats and individuals enrolling, all at once on one 10-seat date: the seats come from
one count under one lock, so exactly 10 are taken and every booking got all of its seats or none."""

import itertools
from collections import Counter

import pytest

from courses import enrolments, seating
from courses.models import Enrolment
from payments.models import Invoice
from places import bookings as places_bookings
from tests.factories import UserFactory, catalogue_site, make_course, make_date, make_organisation
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_group_bookings_and_individuals_racing_for_ten_seats_take_exactly_ten_all_or_none():
    course_date = make_date(make_course(catalogue_site().catalogue, slug="race"), capacity=10)
    contacts = [UserFactory() for _ in range(8)]
    organisations = [make_organisation(contact, name=f"Bureau {n}") for n, contact in enumerate(contacts)]
    people = [UserFactory() for _ in range(8)]
    turns = itertools.count()
    attempts = [("group", organisation, contact) for organisation, contact in zip(organisations, contacts, strict=True)]
    attempts += [("single", None, person) for person in people]

    def attempt():
        kind, organisation, user = attempts[next(turns)]
        try:
            if kind == "group":
                places_bookings.booking_on_invoice(course_date=course_date, organisation=organisation,
                                                    booked_by=user, seats=3)
            else:
                enrolments.enrolment_hold(course_date=course_date, user=user, billing=seating.Billing())
        except seating.DateFull:
            return kind, "full"
        return kind, "seated"

    outcomes = Counter(at_once(len(attempts), attempt))

    seated = course_date.enrolments.filter(status__in=Enrolment.SEATED)
    assert seated.count() == 10
    assert sorted(seated.values_list("seat", flat=True)) == list(range(1, 11))
    groups, singles = outcomes[("group", "seated")], outcomes[("single", "seated")]
    assert 3 * groups + singles == 10
    assert sum(outcomes.values()) == len(attempts)
    for booking in course_date.bookings.all():  # all of its seats, and its one invoice
        assert booking.places.filter(status__in=Enrolment.SEATED).count() == 3
    assert Invoice.objects.filter(booking__course_date=course_date).count() == groups

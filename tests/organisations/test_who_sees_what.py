"""Who reaches which page of an organisation, as a matrix of roles × pages: only its contact persons see its
bookings, people and invoices; its members, another organisation's contact person and outsiders get a 404 that
says nothing, and a visitor is sent to log in."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from payments.models import Invoice
from places import bookings as places_bookings
from tests.factories import UserFactory, make_date, make_organisation

pytestmark = pytest.mark.django_db

SEES = {"contact": True, "member": False, "other contact": False, "outsider": False}


@pytest.fixture
def world(course):
    contact = UserFactory(email="contact@example.org")
    organisation = make_organisation(contact)
    member = UserFactory(email="member@example.org")
    Membership.objects.create(organisation=organisation, user=member, role=Membership.Role.MEMBER)
    other_contact = UserFactory(email="other@example.org")
    make_organisation(other_contact, name="Ander bureau")
    booking = places_bookings.booking_on_invoice(course_date=make_date(course), organisation=organisation,
                                                  booked_by=contact, seats=2)
    invoice = Invoice.objects.get(booking=booking)
    seat = booking.places.first()
    pages = {
        "book": ("get", reverse("organisations:book", args=[organisation.pk])),
        "booking": ("get", reverse("organisations:booking", args=[booking.pk])),
        "name a seat": ("post", reverse("organisations:seat_name", args=[seat.pk])),
        "invoice PDF": ("get", reverse("payments:invoice", args=[invoice.number])),
    }
    people = {"contact": contact, "member": member, "other contact": other_contact, "outsider": UserFactory()}
    return pages, people, seat


@pytest.mark.parametrize("role", SEES)
@pytest.mark.parametrize("page", ["book", "booking", "name a seat", "invoice PDF"])
def test_only_the_organisations_contact_persons_reach_its_pages(client, world, role, page):
    pages, people, seat = world
    method, url = pages[page]
    client.force_login(people[role])

    response = getattr(client, method)(url, {f"{seat.pk}-email": "iemand@example.org"} if method == "post" else {})

    if SEES[role]:
        assert response.status_code in (200, 302)
        if page == "name a seat":
            assert seat.invitations.get().email == "iemand@example.org"
    else:
        assert response.status_code == 404
        assert b"De Brug" not in response.content
        assert not seat.invitations.exists()


@pytest.mark.parametrize("role, menu, shows", [
    ("contact", True, "Re-integratiebureau De Brug"), ("other contact", True, "Ander bureau"),
    ("member", False, None), ("outsider", False, None),
])
def test_my_organisation_shows_a_contact_person_their_own_organisation_only(client, world, role, menu, shows):
    _pages, people, _seat = world
    client.force_login(people[role])

    assert ("Mijn organisatie" in client.get(reverse("courses:my_courses")).content.decode()) is menu
    overview = client.get(reverse("organisations:overview"))
    assert overview.status_code == (200 if menu else 404)
    if shows:
        text = overview.content.decode()
        assert shows in text
        assert ("Re-integratiebureau De Brug" in text) is (shows == "Re-integratiebureau De Brug")


def test_a_visitor_is_sent_to_log_in(client, world):
    pages, _people, _seat = world
    for method, url in pages.values():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

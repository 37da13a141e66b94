"""A course a trainer creates has no price until the office sets one (or marks it free on purpose): until then
its dates say that enrolment opens soon, and the services refuse every way to take a place."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from wagtail.test.utils.form_data import inline_formset

from courses import bookings, enrolments, seating, waitlists
from courses.models import CoursePage
from places import bookings as places_bookings
from tests.factories import UserFactory, course_form_data, make_date, make_organisation, make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainers_course(client, site):
    """A course a trainer created and published, as they do in the CMS: they never see the price fields."""
    trainer = make_trainer(email="trainer@example.org")
    client.force_login(trainer)
    data = course_form_data(title="Nieuwe module", slug="nieuw", accreditations=inline_formset([], initial=0))
    data.pop("price_excl_vat")
    response = client.post(f"/admin/pages/add/courses/coursepage/{site.catalogue.pk}/",
                           {**data, "action-publish": "1"})
    assert response.status_code == 302
    course = CoursePage.objects.get(slug="nieuw")
    assert course.live
    return type("Made", (), {"course": course, "trainer": trainer, "date": make_date(course)})


def test_a_trainers_new_course_is_not_free_and_nobody_can_enrol(client, trainers_course):
    course, course_date = trainers_course.course, trainers_course.date
    assert course.price_excl_vat is None and not course.free_of_charge and not course.price_set

    page = client.get(course.url).content.decode()
    assert "Inschrijving opent binnenkort" in page and "Kosteloos" not in page
    assert f"/dates/{course_date.pk}/enrol/" not in page

    coach = UserFactory()
    refused = "De inschrijving voor deze opleiding opent binnenkort."
    with pytest.raises(seating.EnrolmentError, match=refused):
        enrolments.enrolment_hold(course_date=course_date, user=coach, billing=seating.Billing())
    contact = UserFactory()
    organisation = make_organisation(contact)
    with pytest.raises(seating.EnrolmentError, match=refused):
        bookings.booking_create(course_date=course_date, organisation=organisation, booked_by=contact, seats=2,
                                online=True)
    with pytest.raises(seating.EnrolmentError, match=refused):
        places_bookings.booking_on_invoice(course_date=course_date, organisation=organisation, booked_by=contact,
                                            seats=1)
    client.force_login(coach)
    response = client.get(f"/dates/{course_date.pk}/enrol/", follow=True)
    assert response.redirect_chain and refused in response.content.decode()
    assert not course_date.enrolments.exists()


def test_the_trainer_sees_that_the_office_sets_the_price(client, trainers_course):
    client.force_login(trainers_course.trainer)
    form = client.get(f"/admin/pages/{trainers_course.course.pk}/edit/").content.decode()
    assert 'name="price_excl_vat"' not in form and 'name="free_of_charge"' not in form
    assert "Het kantoor moet de prijs nog vaststellen." in form

    CoursePage.objects.filter(pk=trainers_course.course.pk).update(price_excl_vat=Decimal("650.00"))
    form = client.get(f"/admin/pages/{trainers_course.course.pk}/edit/").content.decode()
    assert "€\u00a0650,00 excl. btw (vastgesteld door het kantoor)." in form


def test_the_office_sees_which_courses_wait_and_sets_a_price_or_free_on_purpose(client, trainers_course, course):
    office = make_trainer(email="office@example.org")
    office.user_permissions.add(Permission.objects.get(codename="manage_courses"))
    client.force_login(office)
    waiting = client.get("/admin/courses/without-price/").content.decode()
    assert "<td>Nieuwe module</td>" in waiting and course.title not in waiting  # the basistraining has its price

    new = trainers_course.course
    data = {**course_form_data(title="Nieuwe module", slug="nieuw", accreditations=inline_formset([], initial=0)),
            "invoice_payment": "organisations", "action-publish": "1"}
    typed_zero = client.post(f"/admin/pages/{new.pk}/edit/", {**data, "price_excl_vat": "0"})
    assert typed_zero.status_code == 200 and "vink „kosteloos” aan" in typed_zero.content.decode().lower()
    assert CoursePage.objects.get(pk=new.pk).price_excl_vat is None

    saved = client.post(f"/admin/pages/{new.pk}/edit/", {**data, "price_excl_vat": "", "free_of_charge": "on"})
    assert saved.status_code == 302, saved.context["form"].errors if saved.context else saved
    new = CoursePage.objects.get(pk=new.pk)
    assert new.free_of_charge and new.price_excl_vat == 0 and new.price_set
    assert "<td>Nieuwe module</td>" not in client.get("/admin/courses/without-price/").content.decode()
    assert "Kosteloos" in client.get(new.url).content.decode()


def test_a_price_of_zero_without_the_tick_means_no_price_yet(site, course):
    """An old revision (from before the office decided prices) published later cannot make a course free."""
    course.price_excl_vat = Decimal("0.00")
    course.free_of_charge = False
    course.save()
    course.refresh_from_db()
    assert course.price_excl_vat is None and not course.price_set


def test_an_offer_on_an_unpriced_course_cannot_be_accepted(site, course):
    full = make_date(course, capacity=1, starts_in=timedelta(days=20))
    enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(course_date=full, user=UserFactory(),
                                                                 billing=seating.Billing()))
    waiting = waitlists.waitlist_join(course_date=full, user=UserFactory())
    [place] = full.enrolments.filter(status="confirmed")
    CoursePage.objects.filter(pk=course.pk).update(price_excl_vat=None)
    from places.changes import place_cancel

    place_cancel(enrolment=place, actor=place.user)
    waiting.refresh_from_db()
    assert waiting.is_offered
    with pytest.raises(seating.EnrolmentError, match="opent binnenkort"):
        waitlists.offer_accept(enrolment=waiting, billing=seating.Billing())

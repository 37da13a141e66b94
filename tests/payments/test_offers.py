"""A freed seat offered from the waitlist says what it costs, in the mail and on the page, and takes a voucher."""

from decimal import Decimal

import pytest
from django.core import mail

from courses import enrolments, waitlists
from courses.models import Enrolment, Voucher
from payments.models import Payment
from tests.factories import UserFactory, confirmed_place, make_date

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(course, django_capture_on_commit_callbacks):
    course_date = make_date(course, capacity=1)
    first = confirmed_place(course_date, UserFactory())
    waiting = waitlists.waitlist_join(course_date=course_date, user=UserFactory(email="wacht@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        enrolments.enrolment_cancel(enrolment=first, actor=first.user)
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.OFFERED
    return waiting


def test_the_offer_says_the_price_and_takes_a_voucher(client, offered, stripe_double):
    [offer_mail] = [message for message in mail.outbox if message.to == ["wacht@example.org"]]
    assert ("Investering: €\u00a0495,00 (btw-vrij) (een kortingscode vul je in als je de plaats aanneemt)"
            in offer_mail.body)
    assert "kortingscode" in offer_mail.body

    Voucher.objects.create(code="WACHT10", kind=Voucher.Kind.PERCENT, value=Decimal("10"))
    client.force_login(offered.user)
    page = client.get(f"/enrolments/{offered.pk}/offer/").content.decode()
    assert "€\u00a0495,00" in page and 'name="voucher_code"' in page

    wrong = client.post(f"/enrolments/{offered.pk}/offer/", {"billing_type": "self", "accept_terms": "on",
                                                              "voucher_code": "BESTAATNIET", "accept": ""})
    assert wrong.status_code == 200 and "BESTAATNIET is niet geldig" in wrong.content.decode()

    client.post(f"/enrolments/{offered.pk}/offer/", {"billing_type": "self", "accept_terms": "on",
                                                     "voucher_code": "wacht10", "accept": ""})
    offered.refresh_from_db()
    assert offered.status == Enrolment.Status.HELD
    assert (offered.price_incl_vat, offered.discount_incl_vat) == (Decimal("445.50"), Decimal("49.50"))
    assert Payment.objects.get(enrolment=offered).amount == Decimal("445.50")

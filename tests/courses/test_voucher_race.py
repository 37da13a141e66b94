"""20 people redeem a 5-use code at the same moment: exactly 5 get it, the others are told it is used up."""

import itertools
from collections import Counter
from decimal import Decimal

import pytest

from courses import enrolments, seating
from courses.models import Voucher
from tests.factories import UserFactory, catalogue_site, make_course, make_date
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_people_redeeming_a_five_use_code_at_once_use_it_exactly_five_times():
    course = make_course(catalogue_site().catalogue, slug="race")
    dates = [make_date(course, capacity=10) for _ in range(2)]  # seats for everyone: only the code is scarce
    Voucher.objects.create(code="VIJF", value=Decimal("10"), max_uses=5)
    people = [UserFactory() for _ in range(20)]
    turns = itertools.count()

    def attempt():
        turn = next(turns)
        try:
            enrolments.enrolment_hold(course_date=dates[turn % 2], user=people[turn], billing=seating.Billing(),
                                    code="vijf")
        except seating.CodeRefused:
            return "used up"
        return "held"

    outcomes = Counter(at_once(20, attempt))

    assert outcomes == Counter({"held": 5, "used up": 15})
    assert Voucher.objects.get().uses == 5
    assert sum(course_date.enrolments.filter(voucher__code="VIJF").count() for course_date in dates) == 5

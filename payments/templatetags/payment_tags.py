"""What the payments app adds to the courses app's pages: `{% load payment_tags %}`."""

from django import template
from django.utils import timezone

from courses.models import Enrolment

from ..models import Invoice
from ..selectors import PaymentState
from ..selectors import payment_states as states_of
from ..services import place_movable

register = template.Library()


@register.simple_tag
def place_money(enrolment: Enrolment) -> dict:
    """For a place's page: whether it can move to another date (its money did not go back), whether its
    called-off date leaves the choice between another date and the money, and its invoices."""
    may_move = place_movable(enrolment, timezone.now())
    return {
        "movable": may_move and enrolment.is_confirmed,
        "date_cancelled_choice": may_move and enrolment.status == Enrolment.Status.CANCELLED,
        "invoices": Invoice.objects.filter(payment__enrolment=enrolment).order_by("year", "sequence"),
    }


@register.simple_tag
def payment_states(places) -> dict[int, PaymentState]:
    """For a date's participant list: each place's payment state, by place id, in a fixed number of queries."""
    return states_of(places, now=timezone.now())


@register.filter
def payment_of(states: dict[int, PaymentState], place: Enrolment) -> str:
    return states[place.pk].label

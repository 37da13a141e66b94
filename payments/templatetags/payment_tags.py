"""What the payments app adds to the courses app's pages: `{% load payment_tags %}`."""

from django import template
from django.utils import timezone

from courses.models import Enrolment

from ..models import Invoice
from ..selectors import PaymentState, balance_of, own_invoices_by_place
from ..selectors import payment_states as states_of
from ..ubl import e_invoice_possible

register = template.Library()


@register.simple_tag
def payment_states(places) -> dict[int, PaymentState]:
    """For a date's participant list: each place's payment state, by place id, in a fixed number of queries."""
    return states_of(places, now=timezone.now())


@register.filter
def payment_of(states: dict[int, PaymentState], place: Enrolment) -> str:
    return states[place.pk].label


@register.filter
def still_open(invoice: Invoice):
    """What is still to be paid on an invoice from with_balances paid by bank transfer; None for others."""
    if invoice.kind != Invoice.Kind.INVOICE or not invoice.due_at:
        return None
    left = balance_of(invoice).open
    return left if left > 0 else None


@register.simple_tag
def invoices_of(places) -> dict[int, list[Invoice]]:
    """For a list of a person's places: the invoices of each (by place id), in one query."""
    return own_invoices_by_place([place.pk for place in places])


@register.filter
def of_place(invoices: dict[int, list[Invoice]], place) -> list[Invoice]:
    return invoices.get(place.pk, [])


@register.filter
def has_e_invoice(invoice: Invoice) -> bool:
    """Whether the invoice downloads as an e-invoice too (a business customer's; rendered on its first download
    when its mail task has not done so yet)."""
    return bool(invoice.ubl) or e_invoice_possible(invoice)

"""`{% load organisation_tags %}`: what the site's pages show about organisations."""

from django import template
from django.utils.translation import gettext as _

from core.formats import day, euro
from payments.selectors import balance_of

from ..selectors import is_contact_person

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_person(context) -> bool:
    """Whether the visitor books for an organisation (the menu then shows "My organisation")."""
    return is_contact_person(context["request"].user)


@register.simple_tag
def booking_summary(booking, now) -> dict:
    """For a booking from selectors.bookings_of: seats, how many were accepted, and how its invoice stands."""
    seats = booking.seats_now
    named = sum(1 for place in seats if place.user_id)
    invited = sum(1 for place in seats if not place.user_id and place.open_invitations)
    invoice = booking.invoice_list[0] if booking.invoice_list else None
    state = ""
    if invoice:
        balance = balance_of(invoice)
        open_and_due = {"amount": euro(balance.open), "due": day(invoice.due_at)}
        state = (_("paid") if balance.is_paid
                 else _("%(amount)s open, overdue since %(due)s") % open_and_due if balance.is_overdue(now)
                 else _("%(amount)s open, due %(due)s") % open_and_due)
    return {"seats": len(seats), "named": named, "to_name": len(seats) - named - invited, "invoice": invoice,
            "invoice_state": state}

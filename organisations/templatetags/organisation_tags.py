"""`{% load organisation_tags %}`: what the site's pages show about organisations."""

from django import template
from django.utils.translation import gettext as _

from core.formats import day, day_time, euro
from courses.models import Enrolment
from payments.models import Payment
from payments.selectors import balance_of

from ..selectors import is_contact_person

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_person(context) -> bool:
    """Whether the visitor books for an organisation (the menu then shows "My organisation")."""
    return is_contact_person(context["request"].user)


@register.simple_tag
def booking_summary(booking, now) -> dict:
    """For a booking from selectors.bookings_of: seats, how many were accepted, and how its money stands (its
    invoice, or its online payment and, while that is open, until when the seats are held)."""
    seats = booking.seats_now
    named = sum(1 for place in seats if place.user_id or place.erased_at)  # an erased person's seat was theirs
    invited = sum(1 for place in seats if not place.user_id and place.open_invitations)
    held = [place.hold_expires_at for place in seats if place.status == Enrolment.Status.HELD]
    held_until = min(held) if held and min(held) > now else None
    summary = {"seats": len(seats), "named": named, "to_name": len(seats) - named - invited, "invoice": None,
               "invoice_state": "", "held_until": held_until}
    if booking.pays_online:
        paid = [payment for payment in booking.payment_list if payment.status == Payment.Status.PAID]
        bought = next((payment for payment in reversed(paid) if not payment.went_back_whole), None)  # the first
        confirmed = any(place.status == Enrolment.Status.CONFIRMED for place in seats)
        summary["invoice"] = bought.invoice_list[0] if bought and bought.invoice_list else None
        summary["invoice_state"] = (
            _("paid online on %(day)s") % {"day": day(bought.paid_at)} if bought
            else _("confirmed; nothing to pay") if confirmed
            else _("payment open: the seats are held until %(time)s") % {"time": day_time(held_until)} if held_until
            else _("paid, but the seats could not be confirmed: the payment is refunded in full") if paid
            else _("not paid in time: the seats were released"))
        summary["paid"] = bought is not None
        return summary
    invoice = booking.invoice_list[0] if booking.invoice_list else None
    if invoice:
        balance = balance_of(invoice)
        open_and_due = {"amount": euro(balance.open), "due": day(invoice.due_at)}
        summary["invoice"] = invoice
        summary["invoice_state"] = (
            _("paid") if balance.is_paid
            else _("%(amount)s open, overdue since %(due)s") % open_and_due if balance.is_overdue(now)
            else _("%(amount)s open, due %(due)s") % open_and_due)
    return summary

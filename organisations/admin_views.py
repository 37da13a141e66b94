"""The office's list of overdue invoices of bookings, with its two decisions: free the seats or keep them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.confirm import admin_confirmation, confirmed
from core.formats import euro
from courses.models import Booking
from payments import bookings as invoice_bookings

PERMISSION = "payments.add_banktransfer"  # the office, who records what arrives on the account


def _office_only(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def overdue(request):
    _office_only(request)
    return TemplateResponse(request, "organisations/admin/overdue.html", {
        "page_title": _("Overdue invoices"), "header_icon": "warning",
        "invoices": invoice_bookings.overdue_invoices(timezone.now()),
    })


@require_POST
def release(request, pk: int):
    _office_only(request)
    booking = get_object_or_404(Booking.objects.select_related("organisation", "course_date__course"), pk=pk)
    if not confirmed(request):
        standing = invoice_bookings.balance(invoice_bookings.booking_invoice(booking))
        return admin_confirmation(
            request, title=_("Free the seats of %(organisation)s?") % {"organisation": booking.customer_name},
            consequences=[
                _("Every seat of this booking on %(date)s is freed; the waitlist is offered them first.")
                % {"date": booking.course_date},
                _("Participants named on them are told by email."),
                _("A credit invoice of %(amount)s (what is open) is sent to the organisation.")
                % {"amount": euro(standing.open)},
            ],
            confirm_label=_("Yes, free the seats"), back_url=reverse("organisations_admin:overdue"))
    try:
        freed = invoice_bookings.booking_release_unpaid(booking=booking, actor=request.user)
    except invoice_bookings.BookingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(seats)d seats of %(organisation)s freed.")
                         % {"seats": freed, "organisation": booking.customer_name})
    return redirect("organisations_admin:overdue")


@require_POST
def keep(request, pk: int):
    _office_only(request)
    booking = get_object_or_404(Booking.objects.select_related("organisation"), pk=pk)
    invoice_bookings.booking_keep_unpaid(booking=booking, actor=request.user)
    messages.success(request, _("The seats of %(organisation)s stay booked; the invoice leaves this list.")
                     % {"organisation": booking.customer_name})
    return redirect("organisations_admin:overdue")

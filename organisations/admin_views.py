"""The office's lists for organisations: overdue invoices of bookings (free the seats or keep them), and
organisations waiting for approval before they book on invoice (approve, or refuse and free their seats)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Membership, Organisation
from core.confirm import admin_confirmation, confirmed
from core.formats import euro
from core.forms import clean_text
from courses.models import Booking, Enrolment
from payments import transfers
from payments.selectors import balance
from places import bookings

from . import services

PERMISSION = "payments.add_banktransfer"  # the office, who records what arrives on the account


def _office_only(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def overdue(request):
    _office_only(request)
    return TemplateResponse(request, "organisations/admin/overdue.html", {
        "page_title": _("Overdue invoices"), "header_icon": "warning",
        "invoices": transfers.overdue_invoices(timezone.now()),
    })


@require_POST
def release(request, pk: int):
    _office_only(request)
    booking = get_object_or_404(Booking.objects.select_related("organisation", "course_date__course"), pk=pk)
    if not confirmed(request):
        standing = balance(transfers.booking_invoice(booking))
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
        freed = bookings.booking_release_unpaid(booking=booking, actor=request.user)
    except bookings.BookingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(seats)d seats of %(organisation)s freed.")
                         % {"seats": freed, "organisation": booking.customer_name})
    return redirect("organisations_admin:overdue")


@require_POST
def keep(request, pk: int):
    _office_only(request)
    booking = get_object_or_404(Booking.objects.select_related("organisation"), pk=pk)
    bookings.booking_keep_unpaid(booking=booking, actor=request.user)
    messages.success(request, _("The seats of %(organisation)s stay booked; the invoice leaves this list.")
                     % {"organisation": booking.customer_name})
    return redirect("organisations_admin:overdue")


def approvals(request):
    """The organisations waiting for the office's approval, oldest first."""
    _office_only(request)
    waiting = list(Organisation.objects.filter(approval=Organisation.Approval.PENDING).order_by("created_at")
                   .prefetch_related(Prefetch("memberships", to_attr="contacts", queryset=Membership.objects.filter(
                       role=Membership.Role.CONTACT).select_related("user")))
                   .annotate(seats_held=Count("bookings__places", filter=Q(
                       bookings__places__status__in=Enrolment.SEATED))))
    return TemplateResponse(request, "organisations/admin/approvals.html", {
        "page_title": _("Organisations waiting for approval"), "header_icon": "group", "organisations": waiting})


def approval(request, pk: int):
    _office_only(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    return TemplateResponse(request, "organisations/admin/approval.html", {
        "page_title": organisation.name, "header_icon": "group", "organisation": organisation,
        "contacts": organisation.memberships.filter(role=Membership.Role.CONTACT).select_related("user")})


@require_POST
def approve(request, pk: int):
    _office_only(request)
    organisation = services.organisation_approve(organisation=get_object_or_404(Organisation, pk=pk),
                                                 actor=request.user)
    messages.success(request, _("%(organisation)s may now book on invoice; its contact persons are told.")
                     % {"organisation": organisation.name})
    return redirect("organisations_admin:approvals")


@require_POST
def refuse(request, pk: int):
    """Refusing frees the organisation's seats and refunds what it paid online: first a step that says so."""
    _office_only(request)
    organisation = get_object_or_404(Organisation, pk=pk)
    back = reverse("organisations_admin:approval", args=[organisation.pk])
    try:
        reason = clean_text(request.POST.get("reason"), max_length=250, required=True)
    except ValidationError:
        messages.error(request, _("Give the reason the contact persons read."))
        return redirect(back)
    if not confirmed(request):
        preview = services.organisation_refusal_preview(organisation)
        return admin_confirmation(
            request, title=_("Refuse %(organisation)s?") % {"organisation": organisation.name},
            consequences=[
                _("%(held)s held and %(paid)s confirmed seats of its bookings are freed; the waitlist is offered "
                  "them first, and people named on them are told.") % {"held": preview.held, "paid": preview.paid}
                if preview.held or preview.paid else _("It holds no seats: none are freed."),
                _("%(amount)s it paid online is refunded in full to the account or card it was paid with.")
                % {"amount": euro(preview.refund)} if preview.refund else _("It paid nothing online: nothing is "
                                                                            "refunded."),
                _("Its contact persons are told, with the reason: %(reason)s") % {"reason": reason},
                _("It can no longer book seats."),
            ],
            confirm_label=_("Yes, refuse and free its seats") if preview.held or preview.paid
            else _("Yes, refuse"), back_url=back)
    try:
        services.organisation_refuse(organisation=organisation, reason=reason, actor=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, _("%(organisation)s was refused; its seats are free.")
                     % {"organisation": organisation.name})
    return redirect("organisations_admin:approvals")

"""Seats booked together by an organisation's contact person, and the invitations that give each seat a name.

A booked seat is an Enrolment like any other, so one count under one lock seats individuals and
organisations alike; a seat nobody has accepted yet has no participant (user is empty).
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.money import MoneyField

from .dates import CourseDate

NAME_SEATS_DAYS_BEFORE = 3  # unnamed seats must have a name this many days before the date starts


class Booking(models.Model):
    """Seats on one date booked in one step for an organisation, paid together: on invoice (confirmed at once,
    paid by bank transfer) or online (held until one Stripe Checkout for all of them is paid)."""

    class PaymentMethod(models.TextChoices):
        INVOICE = "invoice", _("On invoice")
        ONLINE = "online", _("Online (iDEAL, card)")

    wagtail_reference_index_ignore = True

    course_date = models.ForeignKey(CourseDate, verbose_name=_("date"), on_delete=models.PROTECT,
                                    related_name="bookings")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="bookings", null=True, blank=True,
                                     help_text=_("Empty for a person who booked their own place on invoice."))
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("booked by"), on_delete=models.PROTECT,
                                  null=True,  # None: the contact person was erased
                                  related_name="bookings_made")
    seats = models.PositiveSmallIntegerField(_("seats booked"))
    reference = models.CharField(_("reference / PO number"), max_length=60, blank=True)
    payment_method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices,
                                      default=PaymentMethod.INVOICE, editable=False)
    price_incl_vat = MoneyField(_("price per seat incl. VAT"), max_digits=8,
                                help_text=_("After any voucher."))
    voucher = models.ForeignKey("courses.Voucher", verbose_name=_("voucher"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="bookings")
    discount_incl_vat = MoneyField(_("discount per seat incl. VAT"), max_digits=8,
                                   default=0, editable=False)
    kept_unpaid_at = models.DateTimeField(
        _("kept while unpaid"), null=True, blank=True, editable=False,
        help_text=_("When the office decided to keep the seats although the invoice is overdue."),
    )
    names_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(seats__gte=1), name="booking_has_seats")]

    def __str__(self):
        return f"{self.customer_name} · {self.seats} × {self.course_date}"

    @property
    def customer_name(self) -> str:
        return self.organisation.name if self.organisation_id else str(self.booked_by)

    @property
    def pays_online(self) -> bool:
        return self.payment_method == self.PaymentMethod.ONLINE

    @property
    def name_by(self):
        """Until when unnamed seats can be given a name."""
        return self.course_date.starts_at - timedelta(days=NAME_SEATS_DAYS_BEFORE)


class SeatInvitation(models.Model):
    """An email asking a named person to take a booked seat; the seat becomes theirs when they accept."""

    wagtail_reference_index_ignore = True

    enrolment = models.ForeignKey("courses.Enrolment", verbose_name=_("seat"), on_delete=models.CASCADE,
                                  related_name="invitations")
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=150, blank=True)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("invited"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("seat invitation")
        verbose_name_plural = _("seat invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment"], condition=Q(accepted_at__isnull=True,
                                                                      withdrawn_at__isnull=True),
                                    name="one_open_invitation_per_seat"),
        ]

    def __str__(self):
        return f"{self.name or self.email} · {self.enrolment.course_date}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None

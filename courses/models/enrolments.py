"""What happens to people on a date: seat holds, confirmed places, waitlist entries, and their history.

The seat invariant lives in the database: a place that takes a seat carries a seat number from 1 to
MAX_SEATS_PER_DATE, unique per date, so no race or bug can seat an eleventh person. The capacity of a
particular date (which may be lower) is enforced by the services under a lock on the date row.
"""

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.addresses import COUNTRIES, NETHERLANDS, address_lines
from core.money import MoneyField
from core.vat import vat_id_validate

from .bookings import Booking
from .dates import CourseDate
from .pages import MAX_SEATS_PER_DATE, CoursePage


class BillingType(models.TextChoices):
    SELF = "self", _("I pay myself")
    BUSINESS = "business", _("My own business pays (self-employed)")
    EMPLOYER = "employer", _("My employer pays")


class EnrolmentStatus(models.TextChoices):
    HELD = "held", _("Seat held")
    OFFERED = "offered", _("Seat offered from the waitlist")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    DECLINED = "declined", _("Offer declined")


SEATED = (EnrolmentStatus.HELD, EnrolmentStatus.OFFERED, EnrolmentStatus.CONFIRMED)  # these take a seat
TIMED = (EnrolmentStatus.HELD, EnrolmentStatus.OFFERED)  # these end at hold_expires_at unless confirmed
ACTIVE = (*SEATED, EnrolmentStatus.WAITLISTED)  # at most one of these per person and date


# A booked seat nobody has taken yet: no participant, and not a place whose participant was erased.
UNNAMED = Q(user__isnull=True, erased_at__isnull=True)


BILLING_ADDRESS_FIELDS = ["billing_street", "billing_postcode", "billing_city", "billing_country"]


class Enrolment(models.Model):
    Status = EnrolmentStatus
    SEATED, TIMED, ACTIVE, UNNAMED = SEATED, TIMED, ACTIVE, UNNAMED
    wagtail_reference_index_ignore = True  # facts about people, not content: no CMS usage tracking

    course_date = models.ForeignKey(
        CourseDate, verbose_name=_("date"), on_delete=models.PROTECT, related_name="enrolments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="enrolments",
        null=True, blank=True, help_text=_("Empty for an organisation's seat that nobody has accepted yet."),
    )
    booking = models.ForeignKey(
        Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="places", null=True, blank=True,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    seat = models.PositiveSmallIntegerField(_("seat"), null=True, blank=True)
    hold_expires_at = models.DateTimeField(_("held until"), null=True, blank=True)
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)

    billing_type = models.CharField(_("who pays"), max_length=10, choices=BillingType.choices, default=BillingType.SELF)
    company_name = models.CharField(_("company"), max_length=150, blank=True)
    billing_street = models.CharField(_("street and number"), max_length=150, blank=True)
    billing_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    billing_city = models.CharField(_("city"), max_length=100, blank=True)
    billing_country = models.CharField(_("country"), max_length=2, choices=COUNTRIES, default=NETHERLANDS)
    company_contact = models.CharField(_("contact person"), max_length=150, blank=True)
    company_email = models.EmailField(_("invoice email"), blank=True,
                                      help_text=_("Where the employer wants its invoices; they go there too."))
    company_reference = models.CharField(_("reference / PO number"), max_length=60, blank=True)
    company_vat_id = models.CharField(_("VAT id"), max_length=20, blank=True, validators=[vat_id_validate])
    company_kvk = models.CharField(_("KvK number"), max_length=8, blank=True)
    terms_accepted_at = models.DateTimeField(_("terms accepted"), null=True, blank=True)
    price_incl_vat = MoneyField(
        _("price incl. VAT"), max_digits=8, null=True, blank=True,
        help_text=_("The course's price when the seat was taken, less any voucher; later price changes do not "
                    "touch it."),
    )
    voucher = models.ForeignKey("courses.Voucher", verbose_name=_("voucher"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="places")
    discount_incl_vat = MoneyField(_("discount incl. VAT"), max_digits=8,
                                   default=0, editable=False)

    transferred_to = models.OneToOneField(
        "self", verbose_name=_("transferred to"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="transferred_from",
    )
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True, editable=False)
    refunded_at = models.DateTimeField(
        _("refunded"), null=True, blank=True, editable=False,
        help_text=_("When the money for this place was given back; a refunded place cannot be transferred."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    completed_at = models.DateTimeField(
        _("completed"), null=True, blank=True, editable=False,
        help_text=_("When the participant met every completion rule of the course; cleared if that stops "
                    "being true (e.g. attendance corrected)."),
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    evaluated_at = models.DateTimeField(
        _("evaluated"), null=True, blank=True, editable=False,
        help_text=_("When the participant handed in the course evaluation (which is detached from the place after "
                    "the retention period, so it is remembered here)."),
    )
    erased_at = models.DateTimeField(
        _("erased"), null=True, blank=True, editable=False,
        help_text=_("The person had their account erased (AVG): the place stays, anonymous, for the date's records, "
                    "its invoices and its evaluation."),
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["course_date", "waitlist_position", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["course_date", "user"], condition=Q(status__in=ACTIVE), name="one_active_place_per_person",
            ),
            models.UniqueConstraint(
                fields=["course_date", "seat"], condition=Q(seat__isnull=False), name="one_person_per_seat",
            ),
            models.CheckConstraint(
                condition=Q(seat__isnull=True) | Q(seat__gte=1, seat__lte=MAX_SEATS_PER_DATE),
                name="seat_number_within_maximum",
            ),
            models.CheckConstraint(
                condition=(Q(status__in=SEATED) & Q(seat__isnull=False))
                | (~Q(status__in=SEATED) & Q(seat__isnull=True)),
                name="seated_places_and_only_they_have_a_seat",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=TIMED) | Q(hold_expires_at__isnull=False),
                name="holds_and_offers_expire",
            ),
            models.CheckConstraint(
                condition=~Q(status=EnrolmentStatus.WAITLISTED) | Q(waitlist_position__isnull=False),
                name="waitlisted_places_have_a_position",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(status=EnrolmentStatus.CONFIRMED),
                name="only_confirmed_places_are_completed",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(booking__isnull=False) | Q(erased_at__isnull=False),
                name="only_booked_seats_wait_for_a_name",
            ),
        ]
        indexes = [models.Index(fields=["status", "hold_expires_at"], name="enrolment_expiry_idx")]

    def __str__(self):
        return f"{self.participant_label} · {self.course_date} · {self.get_status_display()}"

    @property
    @admin.display(description=_("participant"))
    def participant_label(self) -> str:
        if self.erased_at:
            return str(_("Erased at the person's request"))
        return str(self.user) if self.user_id else str(_("Seat still to be named"))

    @property
    @admin.display(description=_("invoice address"))
    def billing_address(self) -> str:
        """The invoice address (of the employer or business that pays, or the person's own), one line per part."""
        return "\n".join(address_lines(self.billing_street, self.billing_postcode, self.billing_city,
                                        self.billing_country))

    @property
    def organisation_name(self) -> str:
        """The organisation that booked the place, else the one the participant names in their profile."""
        if self.booking_id and self.booking.organisation_id:
            return self.booking.organisation.name
        return self.user.organisation if self.user_id else ""

    @property
    def is_unnamed(self) -> bool:
        return self.user_id is None and self.erased_at is None

    @property
    def is_confirmed(self) -> bool:
        return self.status == EnrolmentStatus.CONFIRMED

    @property
    def is_held(self) -> bool:
        return self.status == EnrolmentStatus.HELD

    @property
    def is_offered(self) -> bool:
        return self.status == EnrolmentStatus.OFFERED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == EnrolmentStatus.WAITLISTED

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    @property
    def is_under_way(self) -> bool:
        """A confirmed place whose date has started and not yet ended (a programme of weeks, today's day)."""
        return self.is_history and self.course_date.ends_at is not None and timezone.now() < self.course_date.ends_at

    @property
    def is_history(self) -> bool:
        """A confirmed place whose date has started: it reads as taken part, no longer as a booking."""
        return self.is_confirmed and self.course_date.has_started()


class InterestEntry(models.Model):
    """Someone who wants to hear when a course gets a (new) date."""

    wagtail_reference_index_ignore = True

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="interest_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interest_entries")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interest list entry")
        verbose_name_plural = _("interest list")
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="one_interest_entry_per_course")]

    def __str__(self):
        return f"{self.user} · {self.course}"


class Attendance(models.Model):
    """Whether a participant was there on a meeting day, as the trainer registered it."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    meeting_day = models.ForeignKey("courses.MeetingDay", on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["enrolment", "meeting_day"], name="one_attendance_per_day")]

    def __str__(self):
        return f"{self.enrolment.user} · {self.meeting_day_id} · {'present' if self.present else 'absent'}"


class AbsenceNotice(models.Model):
    """A participant said in advance that they will miss a meeting day, and why. The day stays an absence (never
    counted as attended); the trainer sees it as excused, and a course may allow a number of excused days."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="absence_notices")
    meeting_day = models.ForeignKey("courses.MeetingDay", on_delete=models.CASCADE, related_name="absence_notices")
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(_("reported"))

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("absence notice")
        verbose_name_plural = _("absence notices")
        constraints = [models.UniqueConstraint(fields=["enrolment", "meeting_day"], name="one_notice_per_day")]

    def __str__(self):
        return f"{self.enrolment.user} · {self.meeting_day_id} · excused"

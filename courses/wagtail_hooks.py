"""Dates and enrolments in the Wagtail admin. Writes that move seats go through courses.services;
the admin may edit an enrolment's invoice details but never create or delete places by hand."""

import logging

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.db.models import Q
from django.urls import include, path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.views.generic import CreateView, EditView, HistoryView, UsageView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminPageChooser
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from core import audit
from core.admin_views import HistoryForReaders, InspectWithHistory, PermissionMenuItem, listing_with
from core.converters import parse_id
from core.forms import IdChoiceField, IdsChoiceField

from . import admin_views, coaching_views, schedule, seating, trainer_views
from .models import BILLING_ADDRESS_FIELDS, CourseDate, CoursePage, Enrolment, InterestEntry, Voucher
from .permissions import MANAGE_COURSES, CourseDatePolicy, courses_of_team

logger = logging.getLogger(__name__)


class CoursePageChooser(AdminPageChooser):
    """Wagtail's page chooser, which shows a form sent back with something else than a page id as empty instead of
    failing on it."""

    def get_instance(self, value):
        if isinstance(value, str | int) and parse_id(value) is None:
            return None
        return super().get_instance(value)


def choice_among(field, field_class, widget_class, queryset):
    """The form's field as a plain choice among `queryset`, with its label and help."""
    return field_class(queryset=queryset, widget=widget_class, required=field.required, label=field.label,
                       help_text=field.help_text)


class CourseDateForm(WagtailAdminModelForm):
    """Validates here; what changes people's places goes through the services. The status is not a field:
    a date is called off from its page (course_date_cancel: places end, everyone is told, money is due) and
    completed by the scheduler. A new capacity is set under the date's lock with offers to the waitlist
    (course_date_set_capacity), and the course cannot change once people have places."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only trainers (the group the course team is chosen from), by name, and whoever is on the date already.
        on_the_date = Q(dates_as_trainer=self.instance.pk) if self.instance.pk else Q(pk__in=[])
        self.fields["trainers"] = choice_among(
            self.fields["trainers"], IdsChoiceField, forms.CheckboxSelectMultiple,
            self.fields["trainers"].queryset.filter(Q(groups__name="Trainers") | on_the_date).distinct()
            .order_by("full_name", "email"))
        user = getattr(self, "for_user", None)
        if user is not None and not user.has_perm("courses.add_coursedate"):  # a trainer: their own courses
            self.fields["course"] = choice_among(  # a short list, not the page chooser
                self.fields["course"], IdChoiceField, forms.Select,
                CoursePage.objects.filter(courses_of_team(user, prefix="")).distinct().order_by("title"))
        else:
            self.fields["course"] = choice_among(self.fields["course"], IdChoiceField,
                                                 CoursePageChooser(target_models=[CoursePage]),
                                                 self.fields["course"].queryset)
        self.fields["capacity"].required = False
        self.fields["capacity"].help_text = _("Empty: the course's number of participants per date.")
        if not self.instance.pk:
            self.initial["capacity"] = None
        elif self.instance.enrolments.exists():
            self.fields["course"].disabled = True
            self.fields["course"].help_text = _("People have places on this date: it stays with its course.")

    def clean_trainers(self):
        """A trainer who schedules or edits a date is on it: unticked, the date would leave their own list."""
        trainers = self.cleaned_data["trainers"]
        user = getattr(self, "for_user", None)
        if user is not None and not user.has_perm("courses.add_coursedate") and user not in trainers:
            trainers = trainers.model.objects.filter(pk__in=[*trainers.values_list("pk", flat=True), user.pk])
        return trainers

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        course = self.cleaned_data.get("course")
        if capacity is None:
            capacity = course.default_capacity if course else self.instance.capacity
        try:
            schedule.capacity_check(course_date=self.instance, capacity=capacity, now=timezone.now())
        except seating.EnrolmentError as error:
            raise ValidationError(str(error)) from error
        return capacity

    def clean(self):
        cleaned = super().clean()
        days = [form.cleaned_data for form in self.formsets["meeting_days"].forms
                if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE")]
        starts = [day["starts_at"] for day in days if day.get("starts_at")]
        deadline = cleaned.get("enrolment_deadline")
        if starts and deadline and deadline > min(starts):
            self.add_error("enrolment_deadline", _("The enrolment deadline must be before the first day."))
        return cleaned

    # What a calendar event shows: a change to any of these moves the participants' events along (courses.ics).
    IN_THE_CALENDAR = {"location_kind", "location_name", "address", "online_url"}

    def save(self, commit=True):
        rescheduled = self.instance.pk and commit and (
            self.IN_THE_CALENDAR & set(self.changed_data) or self._days_changed())
        dropped = [form.instance.pk for form in self.formsets["meeting_days"].deleted_forms if form.instance.pk]
        course_date = self._save_with_capacity(commit)
        if rescheduled:
            schedule.course_date_rescheduled(course_date=course_date, dropped_day_ids=dropped,
                                             actor=getattr(self, "for_user", None))
        return course_date

    def _days_changed(self) -> bool:
        """A day added, dropped or moved (its order in the form is not a change: calendars sort by time)."""
        days = self.formsets["meeting_days"]
        return any(form in days.deleted_forms or (not form.instance.pk and form.has_changed())
                   or {"starts_at", "ends_at"} & set(form.changed_data) for form in days.forms)

    def _save_with_capacity(self, commit):
        if not self.instance.pk or "capacity" not in self.changed_data:
            return super().save(commit)
        capacity = self.instance.capacity
        self.instance.capacity = CourseDate.objects.values_list("capacity", flat=True).get(pk=self.instance.pk)
        course_date = super().save(commit)
        try:
            schedule.course_date_set_capacity(course_date=course_date, capacity=capacity,
                                              actor=getattr(self, "for_user", None))
        except seating.EnrolmentError:  # seats were taken since the form checked: the capacity stays
            logger.warning("Capacity of %s not changed to %s: seats were taken meanwhile", course_date.pk, capacity)
        course_date.refresh_from_db(fields=["capacity"])
        return course_date


register_permission_policy(CourseDate, CourseDatePolicy(CourseDate))


class DateListing(listing_with("course")):
    """The office sees every date; a trainer those of the courses on whose team they are."""

    def get_base_queryset(self):
        allowed = self.permission_policy.instances_user_has_any_permission_for(self.request.user, ["change", "view"])
        return super().get_base_queryset().filter(pk__in=allowed.values("pk"))


class RefusesForgedFormsets:
    """A date form whose meeting days' counts or ids are not numbers was not sent by our page: Wagtail's child
    formsets raise on it (KeyError, ValueError) instead of refusing it. Answer 400, as Django does to other
    suspicious requests."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except (KeyError, ValueError) as error:
            raise SuspiciousOperation(f"Unreadable date form: {error!r}") from error


class DateCreate(RefusesForgedFormsets, CreateView):
    pass


class OneOfTheirDates:
    """A view of one date: the office's for every date, a trainer's only for their own courses' dates."""

    def get_object(self, *args, **kwargs):
        course_date = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_permission_for_instance(self.request.user, "change", course_date):
            raise PermissionDenied
        return course_date


class DateEdit(OneOfTheirDates, RefusesForgedFormsets, EditView):
    pass


class DateHistory(OneOfTheirDates, HistoryView):
    pass


class DateUsage(OneOfTheirDates, UsageView):
    pass


class CourseDateViewSet(ModelViewSet):
    model = CourseDate
    icon = "date"
    menu_label = _("Dates")
    list_display = ["__str__", "status", "capacity", "starts_at"]
    list_filter = ["status", "course"]
    list_export = ["course", "status", "starts_at", "ends_at", "capacity", "location_kind", "location_name",
                   "address", "enrolment_deadline", "cancelled_at"]
    export_filename = "dates"
    ordering = ["-starts_at"]
    copy_view_enabled = False
    panels = [
        FieldPanel("course"),
        FieldRowPanel([FieldPanel("status", read_only=True), FieldPanel("capacity")]),
        InlinePanel("meeting_days", heading=_("Meeting days"), label=_("Meeting day"), min_num=1),
        MultiFieldPanel(
            [FieldPanel("location_kind"), FieldPanel("location_name"), FieldPanel("address"), FieldPanel("online_url")],
            heading=_("Location"),
        ),
        FieldPanel("trainers"),
        FieldPanel("enrolment_deadline"),
        InlinePanel("pe_online_editions", heading=_("PE-online editions"), label=_("Edition"),
                    help_text=_("Only for registers that accredit per edition: the id PE-online gave this date.")),
    ]
    index_view_class = DateListing
    add_view_class = DateCreate
    edit_view_class = DateEdit
    history_view_class = DateHistory
    usage_view_class = DateUsage

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=CourseDateForm).bind_to_model(self.model)


class NoAddNoDeletePolicy(ModelPermissionPolicy):
    """Places come from people enrolling (through the services), and their history is never deleted."""

    def user_has_permission(self, user, action):
        return action not in ("add", "delete") and super().user_has_permission(user, action)


register_permission_policy(Enrolment, NoAddNoDeletePolicy(Enrolment))


class EnrolmentFilterSet(WagtailFilterSet):
    """Filters that stay short however many dates there are: the course and when its date starts, not a list of
    every date."""

    course = django_filters.ModelChoiceFilter(
        label=_("Course"), field_name="course_date__course",
        queryset=CoursePage.objects.order_by("title").only("id", "title", "path", "depth"))
    starts = django_filters.DateFromToRangeFilter(
        label=_("Date starts"), field_name="course_date__starts_at", widget=DateRangePickerWidget)

    class Meta:
        model = Enrolment
        fields = ["status", "course", "starts", "voucher"]


class EnrolmentInspectView(InspectWithHistory):
    related = [("payments", _("payments")), ("certificates", _("certificates"))]


class EnrolmentViewSet(ModelViewSet):
    model = Enrolment
    icon = "user"
    menu_label = _("Enrolments")
    list_display = ["participant_label", "course_date", "status", "voucher", "hold_expires_at", "waitlist_position"]
    filterset_class = EnrolmentFilterSet
    search_fields = ["user__email", "user__full_name", "company_name"]
    list_export = ["participant_label", "user.email", "course_date", "status", "billing_type", "company_name",
                   "company_reference", "company_vat_id", "price_incl_vat", "voucher", "discount_incl_vat",
                   "waitlist_position", "created_at", "confirmed_at"]
    export_headings = {"user.email": _("Email")}
    export_filename = "places"
    inspect_view_enabled = True
    inspect_view_class = EnrolmentInspectView
    history_view_class = HistoryForReaders
    copy_view_enabled = False
    form_fields = ["company_name", *BILLING_ADDRESS_FIELDS, "company_contact", "company_email", "company_reference",
                   "company_vat_id", "company_kvk"]
    index_view_class = listing_with("user", "course_date__course", "voucher", ordering="-pk")  # the newest first


class InterestEntryViewSet(ModelViewSet):
    model = InterestEntry
    icon = "mail"
    menu_label = _("Interest list")
    list_display = ["user", "course", "created_at"]
    list_filter = ["course"]
    list_export = ["user", "user.email", "course", "created_at"]
    export_headings = {"user.email": _("Email")}
    export_filename = "interest-list"
    copy_view_enabled = False
    form_fields = ["course", "user"]
    index_view_class = listing_with("user", "course")


class VoucherViewSet(ModelViewSet):
    model = Voucher
    icon = "tag"
    menu_label = _("Vouchers")
    list_display = ["code", "discount_label", "usage", "valid_until", "early_bird_label", "state"]
    list_filter = ["kind", "active"]
    search_fields = ["code"]
    list_export = ["code", "kind", "value", "uses", "max_uses", "valid_from", "valid_until", "early_bird_days",
                   "active", "created_at"]
    export_filename = "vouchers"
    copy_view_enabled = False
    form_fields = ["code", "kind", "value", "courses", "valid_from", "valid_until", "early_bird_days", "max_uses",
                   "active"]
    index_view_class = listing_with()



class EnrolmentGroup(ViewSetGroup):
    menu_label = _("Enrolment")
    menu_icon = "group"
    menu_order = 150
    items = [CourseDateViewSet, EnrolmentViewSet, InterestEntryViewSet, VoucherViewSet]


@hooks.register("register_admin_viewset")
def register_enrolment_admin():
    return EnrolmentGroup()


trainer_urls = [
    path("dates/", trainer_views.dates, name="dates"),
    path("dates/<id:pk>/", trainer_views.date_detail, name="date"),
    path("dates/<id:pk>/cancel/", trainer_views.date_cancel, name="cancel"),
    path("dates/<id:pk>/coaching/", coaching_views.coaching, name="coaching"),
    path("dates/<id:pk>/coaching/times/<id:slot_pk>/withdraw/", coaching_views.coaching_withdraw,
         name="coaching_withdraw"),
    path("dates/<id:pk>/coaching/sessions/<id:session_pk>/note/", coaching_views.coaching_note, name="coaching_note"),
    path("dates/<id:pk>/waitlist/<id:enrolment_pk>/", trainer_views.waitlist_move, name="waitlist_move"),
]


class TrainerDatesMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return user.has_perm("courses.view_enrolment") or user.dates_as_trainer.exists()


@hooks.register("register_admin_urls")
def register_trainer_urls():
    return [path("trainer/", include((trainer_urls, "courses_trainer"), namespace="courses_trainer")),
            path("courses/without-price/", admin_views.courses_without_price, name="courses_without_price")]


@hooks.register("register_admin_menu_item")
def register_courses_without_price_menu_item():
    return PermissionMenuItem(_("Courses without a price"), reverse_lazy("courses_without_price"),
                              icon_name="warning", order=145, permission=MANAGE_COURSES)


@hooks.register("register_admin_menu_item")
def register_trainer_menu_item():
    return TrainerDatesMenuItem(_("My dates"), reverse_lazy("courses_trainer:dates"), icon_name="date", order=140)


PLACE_ACTIONS = {
    "enrolment.held": (_("Hold a seat"), _("Seat held")),
    "enrolment.offered": (_("Offer a seat"), _("Seat offered from the waitlist")),
    "enrolment.confirmed": (_("Confirm a place"), _("Place confirmed")),
    "enrolment.waitlisted": (_("Join the waitlist"), _("Joined the waitlist")),
    "enrolment.cancelled": (_("Cancel a place"), _("Place cancelled")),
    "enrolment.expired": (_("Let a hold expire"), _("Hold or offer expired")),
    "enrolment.declined": (_("Decline an offer"), _("Offer declined")),
    "enrolment.hold_extended": (_("Extend a hold"), _("Hold extended")),
    "enrolment.refund_claimed": (_("Choose a refund"), _("Refund chosen instead of another date")),
    "enrolment.waitlist_moved": (_("Move on the waitlist"), _("Moved on the waitlist")),
    "enrolment.noted": (_("Note"), _("Note")),
    "enrolment.seat_invited": (_("Invite to a booked seat"), _("Invited to the seat")),
    "enrolment.seat_accepted": (_("Accept a booked seat"), _("Booked seat accepted")),
    "booking.created": (_("Book seats"), _("Seats booked")),
    "booking.hold_extended": (_("Extend a booking's hold"), _("Booked seats held for the payment page")),
    "booking.paid": (_("Pay for booked seats"), _("Booked seats paid online and confirmed")),
    "attendance.recorded": (_("Record attendance"), _("Attendance recorded")),
    "attendance.absence_reported": (_("Report an absence"), _("Absence reported in advance")),
    "attendance.absence_withdrawn": (_("Withdraw an absence"), _("Absence withdrawn")),
    "attendance.absent_twice": (_("Two absences in a row"),
                                _("Two meeting days in a row missed: trainer and office told")),
    "course_date.cancelled": (_("Call a date off"), _("Date called off")),
    "course_date.completed": (_("Complete a date"), _("Date completed")),
    "course_date.capacity_changed": (_("Change the seats"), _("Number of seats changed")),
    "course_date.rescheduled": (_("Change the days or place"), _("Days or place changed; participants told")),
    "checkin.opened": (_("Open self check-in"), _("Self check-in opened")),
    "checkin.closed": (_("Close self check-in"), _("Self check-in closed")),
    "coaching.booked": (_("Book a coaching session"), _("Coaching session booked")),
    "coaching.moved": (_("Move a coaching session"), _("Coaching session moved")),
    "coaching.cancelled": (_("Cancel a coaching session"), _("Coaching session cancelled")),
    "coaching.took_place": (_("Record a coaching session"), _("Coaching session took place")),
    "coaching.not_held": (_("Record a coaching session"), _("Coaching session did not take place")),
    "coaching.note_kept": (_("Keep a note about a coaching session"), _("Trainer kept a note about the session")),
    "coaching.note_deleted": (_("Delete a note about a coaching session"), _("Trainer deleted their note")),
    "coaching.slot_published": (_("Offer a coaching time"), _("Coaching time offered")),
    "coaching.slot_withdrawn": (_("Withdraw a coaching time"), _("Coaching time withdrawn")),
}


@hooks.register("register_log_actions")
def register_place_actions(actions):
    audit.register_actions(actions, PLACE_ACTIONS)

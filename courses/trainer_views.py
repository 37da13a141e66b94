"""The trainer's own dates in the Wagtail admin: participants, attendance, waitlist, exports.

A trainer reaches only dates they teach (404 for any other); the office, with permission to view
enrolments, reaches every date.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.registers import Register
from core.confirm import admin_confirmation, confirmed
from core.converters import parse_id
from core.formats import euro
from core.forms import ValidationError, clean_text, first_message

from . import attendance, schedule, seating, selectors, waitlists
from .models import CourseDate, Enrolment
from .permissions import CourseDatePolicy


def dates(request):
    """The trainer's dates still to come (soonest first) or those that took place (latest first), a page at a
    time."""
    now = timezone.now()
    past = request.GET.get("voorbij") == "1"
    dates = selectors.dates_for_trainer(user=request.user)
    dates = (dates.filter(ends_at__lt=now).order_by("-starts_at", "-pk") if past
             else dates.exclude(ends_at__lt=now).order_by("starts_at", "pk"))
    dates = dates.annotate(course_title=F("course__title"))  # the listing needs a title, not a whole page
    page = Paginator(dates, selectors.DATES_PER_PAGE).get_page(request.GET.get("pagina"))
    page.object_list = selectors.counted(page.object_list, now)
    return TemplateResponse(request, "courses/trainer/dates.html", {
        "page_title": _("My dates"), "header_icon": "date", "now": now, "past": past, "dates": page,
        "may_schedule": CourseDatePolicy(CourseDate).user_has_permission(request.user, "add"),
    })


def date_detail(request, pk: int):
    course_date = selectors.trainer_date(user=request.user, pk=pk)
    days = list(course_date.meeting_days.order_by("starts_at"))
    people = list(selectors.participants(course_date=course_date))
    for person in people:
        marked = {record.meeting_day_id: record.present for record in person.attendance.all()}
        excused = {notice.meeting_day_id: notice.reason for notice in person.absence_notices.all()}
        person.days = [(day, marked.get(day.pk), excused.get(day.pk)) for day in days]
        person.registers = {Register(m.register).label: m.number for m in person.user.register_memberships.all()}
    for day in days:
        day.attendance_open = attendance.attendance_open(day.starts_at, timezone.now())
    sessions = selectors.sessions_per_place(course_date) if course_date.course.coaching_sessions else {}
    for person in people:
        person.sessions = sessions.get(person.pk, (0, 0))
    return TemplateResponse(request, "courses/trainer/date.html", {
        "page_title": str(course_date), "header_icon": "date", "course_date": course_date, "days": days,
        "participants": [person for person in people if not person.is_waitlisted],
        "waitlist": [person for person in people if person.is_waitlisted], "registers": Register,
        "unnamed": list(selectors.unnamed_seats(course_date=course_date)),
        "can_cancel": request.user.has_perm("courses.change_coursedate")
        and course_date.status == CourseDate.Status.SCHEDULED,
        "move_to": _dates_to_move_to(request, course_date),
        "called_off": selectors.called_off_places(course_date=course_date),
    })


def _dates_to_move_to(request, course_date: CourseDate) -> list[CourseDate]:
    """For the office: the course's other dates with a free seat, where a participant can be moved to."""
    if not request.user.has_perm("courses.change_coursedate"):
        return []
    return [other for other in selectors.course_dates_upcoming(course=course_date.course, now=timezone.now())
            if other.pk != course_date.pk and selectors.seats_open(other) > 0]


@require_POST
def date_cancel(request, pk: int):
    """The office calls a date off (trainers cannot): everyone is told and offered another date."""
    if not request.user.has_perm("courses.change_coursedate"):
        raise PermissionDenied
    course_date = selectors.trainer_date(user=request.user, pk=pk)
    try:
        reason = clean_text(request.POST.get("reason", ""), max_length=200)
        if not confirmed(request) and course_date.status == CourseDate.Status.SCHEDULED:
            return _date_cancel_confirmation(request, course_date)
        cancellations = schedule.course_date_cancel(course_date=course_date, actor=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, first_message(error))
    except seating.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The date has been cancelled; %(count)s people have been notified.")
                         % {"count": len(cancellations)})
    return redirect("courses_trainer:date", pk=course_date.pk)


def _date_cancel_confirmation(request, course_date: CourseDate):
    """What calling the date off does to people and to money, before it happens."""
    people = list(selectors.participants(course_date=course_date))
    seated = list(course_date.enrolments.filter(status=Enrolment.Status.CONFIRMED).select_related("booking"))
    own = [place for place in seated if not (place.booking_id and place.booking.organisation_id)]
    booked = [place for place in seated if place.booking_id and place.booking.organisation_id]
    paid_by_people = sum((place.price_incl_vat or 0 for place in own), Decimal("0.00"))
    paid_by_organisations = sum((place.price_incl_vat or 0 for place in booked), Decimal("0.00"))
    confirmed_people = [person for person in people if person.status == person.Status.CONFIRMED]
    others = len(people) - len(confirmed_people)
    consequences = [
        ngettext("%(count)s confirmed participant loses their place", "%(count)s confirmed participants lose their "
                 "place", len(confirmed_people)) % {"count": len(confirmed_people)}
        + (ngettext(", and %(others)s other (a held seat, the waitlist)", ", and %(others)s others (held seats, the "
                    "waitlist)", others) % {"others": others} if others else "")
        + _(": each is emailed, with the course's other dates that have a seat (or that none has), and joins its "
            "interest list."),
    ]
    if paid_by_people:
        consequences.append(_(
            "%(amount)s for %(count)s places goes back in full to those who paid: when they ask for it, or by itself "
            "after %(days)s days, unless they move to another date.") % {
            "amount": euro(paid_by_people), "count": len(own), "days": settings.DATE_CANCELLED_CHOICE_DAYS})
    if paid_by_organisations:
        consequences.append(_(
            "%(amount)s for %(count)s seats booked by organisations is credited on their invoices or refunded on "
            "their payments, unless the seats move to another date.") % {
            "amount": euro(paid_by_organisations), "count": len(booked)})
    consequences.append(_("Nobody can enrol on the date any more."))
    if request.POST.get("reason", "").strip():
        consequences.append(_("Reason, kept in the history: %(reason)s") % {"reason": request.POST["reason"].strip()})
    return admin_confirmation(
        request, title=_("Cancel %(date)s?") % {"date": course_date}, consequences=consequences,
        confirm_label=_("Yes, cancel this date"), back_url=reverse("courses_trainer:date", args=[course_date.pk]))


@require_POST
def waitlist_move(request, pk: int, enrolment_pk: int):
    course_date = selectors.trainer_date(user=request.user, pk=pk)
    enrolment = get_object_or_404(course_date.enrolments, pk=enrolment_pk)
    try:
        waitlists.waitlist_move(enrolment=enrolment, to_position=parse_id(request.POST.get("position")) or 1,
                               actor=request.user)
    except (seating.EnrolmentError, ValueError) as error:
        messages.error(request, str(error))
    return redirect("courses_trainer:date", pk=course_date.pk)

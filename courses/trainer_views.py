"""The trainer's own dates in the Wagtail admin: participants, attendance, waitlist, exports.

A trainer reaches only dates they teach (404 for any other); the office, with permission to view
enrolments, reaches every date.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.registers import Register
from core.confirm import admin_confirmation, confirmed
from core.converters import parse_id
from core.forms import ValidationError, clean_text, first_message
from core.spreadsheets import spreadsheet_response
from payments import services as payments
from payments.selectors import payment_states

from . import selectors, services
from .models import CourseDate, Enrolment


def date_for(request, pk: int) -> CourseDate:
    """One of the trainer's own dates (every date for the office); 404 for any other."""
    return get_object_or_404(selectors.dates_for_trainer(user=request.user), pk=pk)


def dates(request):
    return TemplateResponse(request, "courses/trainer/dates.html", {
        "page_title": _("My dates"), "header_icon": "date",
        "dates": selectors.dates_for_trainer(user=request.user).prefetch_related("trainers"),
    })


def date_detail(request, pk: int):
    course_date = date_for(request, pk)
    days = list(course_date.meeting_days.order_by("starts_at"))
    days_by_pk = {day.pk: day for day in days}
    people = list(selectors.participants(course_date=course_date))
    if request.method == "POST":
        confirmed = [p for p in people if p.status == p.Status.CONFIRMED]
        now = timezone.now()
        # Days still to come have no checkboxes; one ticked anyway is refused by the service, with its message.
        present = {(p.pk, day.pk): f"present-{p.pk}-{day.pk}" in request.POST for p in confirmed for day in days}
        present = {pair: ticked for pair, ticked in present.items()
                   if ticked or services.attendance_open(days_by_pk[pair[1]].starts_at, now)}
        try:
            services.attendance_record(course_date=course_date, present=present, actor=request.user)
        except services.EnrolmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Attendance saved."))
        return redirect("courses_trainer:date", pk=course_date.pk)
    payments = payment_states(people, now=timezone.now())
    for person in people:
        person.payment = payments[person.pk]
        marked = {record.meeting_day_id: record.present for record in person.attendance.all()}
        person.days = [(day, marked.get(day.pk)) for day in days]
        person.registers = {Register(m.register).label: m.number for m in person.user.register_memberships.all()}
    for day in days:
        day.attendance_open = services.attendance_open(day.starts_at, timezone.now())
    return TemplateResponse(request, "courses/trainer/date.html", {
        "page_title": str(course_date), "header_icon": "date", "course_date": course_date, "days": days,
        "participants": people, "registers": Register,
        "can_cancel": request.user.has_perm("courses.change_coursedate")
        and course_date.status == CourseDate.Status.SCHEDULED,
        "move_to": _dates_to_move_to(request, course_date),
    })


def _dates_to_move_to(request, course_date: CourseDate) -> list[CourseDate]:
    """For the office: the course's other dates with a free seat, where a participant can be moved to."""
    if not request.user.has_perm("courses.change_coursedate"):
        return []
    return [other for other in selectors.course_dates_upcoming(course=course_date.course, now=timezone.now())
            if other.pk != course_date.pk and selectors.seats_open(other) > 0]


@require_POST
def place_move(request, pk: int, enrolment_pk: int):
    """The office moves a participant's place to another date of the course, with a reason, also after the
    date started (a participant ill on the day); a completed place never moves. Asks for confirmation first."""
    if not request.user.has_perm("courses.change_coursedate"):
        raise PermissionDenied
    course_date = date_for(request, pk)
    enrolment = get_object_or_404(course_date.enrolments.select_related("user"), pk=enrolment_pk,
                                  status=Enrolment.Status.CONFIRMED)
    back = redirect("courses_trainer:date", pk=course_date.pk)
    to_date = CourseDate.objects.filter(pk=parse_id(request.POST.get("to_date")), course_id=course_date.course_id,
                                        ).select_related("course").first()
    try:
        reason = clean_text(request.POST.get("reason", ""), max_length=200, required=True)
    except ValidationError as error:
        messages.error(request, _("Give a reason for moving the place: %(problem)s") % {
            "problem": first_message(error)})
        return back
    if to_date is None:
        messages.error(request, _("Choose the date to move the place to."))
        return back
    if not confirmed(request):
        return admin_confirmation(
            request, title=_("Move %(name)s to %(date)s?") % {"name": enrolment.user.get_full_name(),
                                                            "date": to_date},
            consequences=[
                _("%(name)s gets a confirmed seat on %(date)s and leaves %(old)s; the seat left goes to the next "
                  "in line.") % {"name": enrolment.user.get_full_name(), "date": to_date, "old": course_date},
                _("What was paid moves along with the place; nothing is charged or refunded."),
                _("Reason, kept in the place's history: %(reason)s") % {"reason": reason},
            ],
            confirm_label=_("Yes, move the place"), back_url=reverse("courses_trainer:date", args=[course_date.pk]))
    try:
        payments.place_transfer(enrolment=enrolment, to_date=to_date, actor=request.user, by_office=True,
                                reason=reason)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s has been moved to %(date)s.") % {
            "name": enrolment.user.get_full_name(), "date": to_date})
    return back


EXPORT_HEADER = [
    "name", "email", "organisation", "phone", "status", "waitlist position", "payment", "paid", "refunded",
    *[f"{register.label} number" for register in Register], "company", "reference", "VAT id",
]


def _export_rows(course_date: CourseDate):
    people = list(selectors.participants(course_date=course_date))
    payments = payment_states(people, now=timezone.now())
    for person in people:
        payment = payments[person.pk]
        numbers = {m.register: m.number for m in person.user.register_memberships.all()}
        yield [
            person.user.get_full_name(), person.user.email, person.user.organisation, person.user.phone,
            person.get_status_display(), person.waitlist_position or "", payment.label, payment.paid, payment.refunded,
            *[numbers.get(register.value, "") for register in Register],
            person.company_name, person.company_reference, person.company_vat_id,
        ]


def date_export(request, pk: int, fmt: str):
    course_date = date_for(request, pk)
    filename = f"deelnemers-{slugify(course_date.course.title)}-{course_date.starts_at:%Y%m%d}"
    return spreadsheet_response(fmt, filename=filename, sheet="Deelnemers", header=EXPORT_HEADER,
                                rows=_export_rows(course_date))


@require_POST
def date_cancel(request, pk: int):
    """The office calls a date off (trainers cannot): everyone is told and offered another date."""
    if not request.user.has_perm("courses.change_coursedate"):
        raise PermissionDenied
    course_date = date_for(request, pk)
    try:
        reason = clean_text(request.POST.get("reason", ""), max_length=200)
        if not confirmed(request) and course_date.status == CourseDate.Status.SCHEDULED:
            return _date_cancel_confirmation(request, course_date)
        cancellations = services.course_date_cancel(course_date=course_date, actor=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, first_message(error))
    except services.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The date has been cancelled; %(count)s people have been notified.")
                         % {"count": len(cancellations)})
    return redirect("courses_trainer:date", pk=course_date.pk)


def _date_cancel_confirmation(request, course_date: CourseDate):
    people = list(selectors.participants(course_date=course_date))
    confirmed_places = [person for person in people if person.status == person.Status.CONFIRMED]
    return admin_confirmation(
        request, title=_("Cancel %(date)s?") % {"date": course_date},
        consequences=[
            _("%(count)s confirmed participants and %(waiting)s others (held seats, waitlist) lose their place "
              "and are emailed, with the course's other dates.") % {
                "count": len(confirmed_places), "waiting": len(people) - len(confirmed_places)},
            _("Paid places are refunded in full, unless the participant moves to another date within "
              "%(days)s days.") % {"days": settings.DATE_CANCELLED_CHOICE_DAYS},
            _("The date can no longer be booked."),
        ],
        confirm_label=_("Yes, cancel this date"), back_url=reverse("courses_trainer:date", args=[course_date.pk]))


@require_POST
def waitlist_move(request, pk: int, enrolment_pk: int):
    course_date = date_for(request, pk)
    enrolment = get_object_or_404(course_date.enrolments, pk=enrolment_pk)
    try:
        services.waitlist_move(enrolment=enrolment, to_position=int(request.POST.get("position", "1") or 1),
                               actor=request.user)
    except (services.EnrolmentError, ValueError) as error:
        messages.error(request, str(error))
    return redirect("courses_trainer:date", pk=course_date.pk)

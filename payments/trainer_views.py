"""The payments app's part of a date's page for trainers and the office: moving a place (with what was paid)
and the participant list with payments as a spreadsheet."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
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
from courses import seating
from courses import selectors as course_selectors
from courses.models import CourseDate, Enrolment
from courses.selectors import trainer_date

from . import services
from .selectors import payment_states


@require_POST
def place_move(request, pk: int, enrolment_pk: int):
    """The office moves a participant's place to another date of the course, with a reason, also after the
    date started (a participant ill on the day); a completed place never moves. Asks for confirmation first."""
    if not request.user.has_perm("courses.change_coursedate"):
        raise PermissionDenied
    course_date = trainer_date(user=request.user, pk=pk)
    enrolment = get_object_or_404(course_date.enrolments.select_related("user"), pk=enrolment_pk,
                                  status=Enrolment.Status.CONFIRMED, user__isnull=False)
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
        services.place_transfer(enrolment=enrolment, to_date=to_date, actor=request.user, by_office=True,
                                reason=reason)
    except seating.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s has been moved to %(date)s.") % {
            "name": enrolment.user.get_full_name(), "date": to_date})
    return back


def export_header() -> list[str]:
    return [_("Name"), _("Email"), _("Organisation"), _("Phone"), _("Status"), _("Waitlist position"), _("Payment"),
            _("Paid"), _("Refunded"),
            *[_("%(register)s number") % {"register": register.label} for register in Register],
            _("Company"), _("Reference or PO number"), _("VAT id")]


def _export_rows(course_date: CourseDate):
    people = list(course_selectors.participants(course_date=course_date))
    payments = payment_states(people, now=timezone.now())
    for person in people:
        payment = payments[person.pk]
        numbers = {m.register: m.number for m in person.user.register_memberships.all()}
        yield [
            person.user.get_full_name(), person.user.email, person.organisation_name, person.user.phone,
            person.get_status_display(), person.waitlist_position, payment.label, payment.paid, payment.refunded,
            *[numbers.get(register.value, "") for register in Register],
            person.company_name, person.company_reference, person.company_vat_id,
        ]


def date_export(request, pk: int, fmt: str):
    course_date = trainer_date(user=request.user, pk=pk)
    filename = f"deelnemers-{slugify(course_date.course.title)}-{course_date.starts_at:%Y%m%d}"
    return spreadsheet_response(fmt, filename=filename, sheet="Deelnemers", header=export_header(),
                                rows=_export_rows(course_date))



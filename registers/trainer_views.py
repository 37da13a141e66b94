"""Attendance for the registers, in the Wagtail admin: per date and PE-online register, who earns the points
(as a paste list and an XML file), who has no number yet (with a reminder), and for the office the submission
to PE-online with its answer. Trainers reach only their own dates (404 otherwise)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.registers import PE_ONLINE_REGISTERS
from accounts.services import register_number_correct
from core.forms import ValidationError, first_message
from courses.selectors import trainer_date

from . import pe_online, selectors, services
from .models import AttendanceSubmission, ReportedAttendance

OFFICE = "courses.change_coursedate"


def _office(request) -> None:
    if not request.user.has_perm(OFFICE):
        raise PermissionDenied


def _entry(course_date, register: str) -> selectors.RegisterAttendance:
    if register not in PE_ONLINE_REGISTERS:
        raise Http404
    try:
        return services.register_entry(course_date, register)
    except services.RegisterError:
        raise Http404 from None


def date_registers(request, pk: int):
    course_date = trainer_date(user=request.user, pk=pk)
    entries = selectors.register_attendance(course_date)
    for entry in entries:
        entry.account = pe_online.account_for(entry.register)
    deadline = selectors.submission_deadline(course_date)
    return TemplateResponse(request, "registers/trainer/date.html", {
        "page_title": _("PE-online: %(date)s") % {"date": course_date}, "header_icon": "tasks",
        "course_date": course_date, "entries": entries, "is_office": request.user.has_perm(OFFICE),
        "deadline": deadline, "deadline_passed": deadline is not None and deadline < timezone.now(),
    })


def attendance_file(request, pk: int, register: str, fmt: str):
    """The paste list (one register number per line, as PE-online's bulk entry takes them) or the XML file,
    without the webservice's user key."""
    course_date = trainer_date(user=request.user, pk=pk)
    entry = _entry(course_date, register)
    filename = f"pe-online-{register}-{slugify(course_date.course.title)}-{course_date.starts_at:%Y%m%d}"
    if fmt == "txt":
        response = HttpResponse("".join(f"{number}\n" for number in entry.numbers),
                                content_type="text/plain; charset=utf-8")
    elif fmt == "xml" and entry.course_id:
        response = HttpResponse(entry.xml(account=pe_online.account_for(register)),
                                content_type="application/xml; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_POST
def numbers_ask(request, pk: int, register: str):
    course_date = trainer_date(user=request.user, pk=pk)
    _entry(course_date, register)
    asked = services.number_reminders_send(course_date=course_date, register=register, actor=request.user)
    messages.success(request, _("%(count)s participants have been asked to add their number.") % {"count": asked})
    return redirect("registers_trainer:date", pk=course_date.pk)


@require_POST
def submit(request, pk: int, register: str):
    _office(request)
    course_date = trainer_date(user=request.user, pk=pk)
    _entry(course_date, register)
    try:
        submission = services.attendance_submit(course_date=course_date, register=register, actor=request.user)
    except services.RegisterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(count)s participants are being submitted to PE-online; the answer appears "
                                    "below.") % {"count": submission.rows.count()})
    return redirect("registers_trainer:date", pk=course_date.pk)


@require_POST
def retry(request, pk: int, submission_pk: int):
    _office(request)
    course_date = trainer_date(user=request.user, pk=pk)
    submission = get_object_or_404(AttendanceSubmission, pk=submission_pk, course_date=course_date)
    try:
        services.submission_retry(submission=submission)
    except services.RegisterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The submission is being sent again."))
    return redirect("registers_trainer:date", pk=course_date.pk)


@require_POST
def number_correct(request, pk: int, row_pk: int):
    """The office corrects the number of a row PE-online rejected; the next submission sends it."""
    _office(request)
    course_date = trainer_date(user=request.user, pk=pk)
    row = get_object_or_404(ReportedAttendance.objects.select_related("enrolment__user"), pk=row_pk,
                            submission__course_date=course_date, enrolment__user__isnull=False)
    try:
        number = register_number_correct(user=row.enrolment.user, register=row.register,
                                         number=request.POST.get("number", ""), actor=request.user)
    except ValidationError as error:
        messages.error(request, first_message(error))
    else:
        messages.success(request, _("The number of %(name)s is now %(number)s; submit again to send it.")
                         % {"name": row.enrolment.user.get_full_name(), "number": number})
    return redirect("registers_trainer:date", pk=course_date.pk)


def due(request):
    """For the office: dates that took place whose attendance has not been submitted to a PE-online register."""
    _office(request)
    return TemplateResponse(request, "registers/trainer/due.html", {
        "page_title": _("PE-online: not yet submitted"), "header_icon": "tasks",
        "due": selectors.submissions_due(),
    })

"""The office moves a participant's place from a date's page in the admin (with what was paid, and a reason)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.confirm import admin_confirmation, admin_page, confirmed
from core.converters import parse_id
from core.forms import ValidationError, clean_text, first_message
from courses import seating
from courses.models import CourseDate, Enrolment
from courses.selectors import trainer_date

from . import changes


@require_POST
def place_move(request, pk: int, enrolment_pk: int):
    """The office moves a participant's place to another date of the course, with a reason, also after the
    date started (a participant ill on the day); a completed place never moves. Asks for confirmation first."""
    if not request.user.has_perm("courses.change_coursedate"):
        raise PermissionDenied
    course_date = trainer_date(user=request.user, pk=pk)
    enrolment = get_object_or_404(course_date.enrolments.select_related("user"), pk=enrolment_pk,
                                  status=Enrolment.Status.CONFIRMED, user__isnull=False)
    date_page = reverse("courses_trainer:date", args=[course_date.pk])
    back = redirect(admin_page(request.POST.get("next")) or date_page)  # the person's page, when it came from there
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
            confirm_label=_("Yes, move the place"), back_url=back.url)
    try:
        changes.place_move(enrolment=enrolment, to_date=to_date, actor=request.user, by_office=True,
                                reason=reason)
    except seating.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s has been moved to %(date)s.") % {
            "name": enrolment.user.get_full_name(), "date": to_date})
    return back

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.confirm import admin_confirmation, confirmed
from core.formats import euro
from core.forms import clean_text, first_message
from core.spreadsheets import spreadsheet_response
from courses.enrolments import cancellation_refund
from courses.models import Enrolment
from courses.seating import EnrolmentError
from places import changes

from . import actions, people, reports

OFFICE = people.SEES_EVERYONE
EVALUATION_YEARS = 2  # NOBCO asks providers to keep evaluations two years


def _office_only(request):
    if not request.user.has_perm(OFFICE):
        raise PermissionDenied


def people_search(request):
    query = request.GET.get("q", "").strip()
    return TemplateResponse(request, "office/people.html", {
        "page_title": _("People"), "header_icon": "user", "query": query,
        "found": people.people_found(query, viewer=request.user) if query else None,
        "limit": people.FOUND_AT_MOST, "with_money": request.user.has_perm(people.SEES_MONEY),
    })


def person(request, pk: int):
    someone = get_object_or_404(people.people_visible_to(request.user), pk=pk)
    now = timezone.now()
    file = people.person_file(someone, viewer=request.user, now=now)
    movable = {}
    if request.user.has_perm("courses.change_coursedate"):
        courses = {place.course_date.course_id for place in file.places if place.is_confirmed}
        movable = people.next_dates_of(courses, now=now)
    for place in file.places:
        place.move_to = [d for d in movable.get(place.course_date.course_id, []) if d.pk != place.course_date_id]
    return TemplateResponse(request, "office/person.html", {
        "page_title": someone.get_full_name() or someone.email, "header_icon": "user", "file": file,
        "office": request.user.has_perm(OFFICE), "now": now,
        "may_move": request.user.has_perm("courses.change_coursedate"),
        "may_erase": request.user.has_perm(OFFICE) and request.user.has_perm("accounts.delete_user"),
    })


def _back(someone):
    return redirect("office:person", pk=someone.pk)


@require_POST
def place_cancel(request, pk: int, place_pk: int):
    """The office ends a person's place, with a reason; what the course's policy gives back today goes back to what
    they paid with. Asks first, saying how much."""
    _office_only(request)
    place = get_object_or_404(Enrolment.objects.select_related("user", "course_date__course"), pk=place_pk,
                              user_id=pk, status__in=Enrolment.ACTIVE)
    try:
        reason = clean_text(request.POST.get("reason", ""), max_length=200, required=True)
    except ValidationError as error:
        messages.error(request, _("Give a reason for cancelling the place: %(problem)s") % {
            "problem": first_message(error)})
        return _back(place.user)
    name, course_date = place.user.get_full_name(), place.course_date
    if not confirmed(request):
        refund = cancellation_refund(enrolment=place, now=timezone.now())
        return admin_confirmation(
            request, title=_("Cancel the place of %(name)s on %(date)s?") % {"name": name, "date": course_date},
            consequences=[
                _("The place ends; the seat goes to the next in line and %(name)s gets an email.") % {"name": name},
                _("%(amount)s goes back to %(name)s, the way it was paid (the course's cancellation policy today).")
                % {"amount": euro(refund), "name": name} if refund else
                _("Nothing is refunded: the course's cancellation policy gives nothing back today."),
                _("Reason, kept in the place's history: %(reason)s") % {"reason": reason},
            ],
            confirm_label=_("Yes, cancel the place"), back_url=reverse("office:person", args=[pk]))
    try:
        cancellation = changes.place_cancel(enrolment=place, actor=request.user, note=reason, by_office=True)
    except EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The place of %(name)s on %(date)s has been cancelled.") % {
            "name": name, "date": course_date})
        if cancellation.refund:
            messages.info(request, _("%(amount)s is on its way back.") % {"amount": euro(cancellation.refund)})
    return _back(place.user)


@require_POST
def confirmation_resend(request, pk: int, place_pk: int):
    _office_only(request)
    place = get_object_or_404(Enrolment.objects.select_related("user"), pk=place_pk, user_id=pk)
    try:
        actions.confirmation_resend(place=place, actor=request.user)
    except actions.ActionError:
        messages.error(request, _("Only a confirmed place has a confirmation to send."))
    else:
        messages.success(request, _("The confirmation goes to %(email)s again.") % {"email": place.user.email})
    return _back(place.user)


@require_POST
def invoice_resend(request, pk: int, invoice_pk: int):
    if not request.user.has_perm(people.SEES_MONEY):
        raise PermissionDenied
    someone = get_object_or_404(people.people_visible_to(request.user), pk=pk)
    invoice = people.invoices_of(someone).filter(pk=invoice_pk).first()
    if invoice is None:
        raise Http404
    actions.invoice_resend(invoice=invoice, actor=request.user)
    messages.success(request, _("Invoice %(number)s is sent again to %(email)s.") % {
        "number": invoice.number, "email": invoice.customer.get("email", someone.email)})
    return _back(someone)


@require_POST
def data_copy(request, pk: int):
    _office_only(request)
    someone = get_object_or_404(people.people_visible_to(request.user), pk=pk)
    try:
        actions.data_copy_prepare(person=someone, actor=request.user)
    except actions.ActionError:
        messages.error(request, _("A copy is being prepared already; %(email)s gets an email when it is ready.")
                       % {"email": someone.email})
    else:
        messages.success(request, _("A copy of the data is being prepared; %(email)s gets an email with the link.")
                         % {"email": someone.email})
    return _back(someone)


def _reader_only(request):
    """The office, and trainers (their own dates)."""
    if not people.may_find_people(request):
        raise PermissionDenied


def reports_page(request):
    _reader_only(request)
    return TemplateResponse(request, "office/reports.html", {
        "page_title": _("Academy in figures"), "header_icon": "doc-full",
        "charts": reports.charts(request.user, timezone.now()),
    })


def evaluations(request):
    _reader_only(request)
    since = timezone.now() - timedelta(days=365 * EVALUATION_YEARS)
    return TemplateResponse(request, "office/evaluations.html", {
        "page_title": _("Evaluations per course"), "header_icon": "comment",
        "courses": reports.course_evaluations(request.user, since=since), "years": EVALUATION_YEARS,
        "min_answers": reports.MIN_ANSWERS,
    })


def evaluations_export(request, fmt: str):
    _reader_only(request)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    header, rows = reports.evaluation_rows(request.user, since=timezone.now() - timedelta(days=365 * EVALUATION_YEARS))
    return spreadsheet_response(fmt, filename=f"evaluaties-{timezone.localdate():%Y%m%d}", sheet="Evaluaties",
                                header=header, rows=rows)

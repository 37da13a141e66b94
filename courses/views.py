"""Thin views over the enrolment services: each turns a service's EnrolmentError into a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payments.models import Invoice
from payments.views import redirect_to_checkout

from . import selectors, services
from .forms import EnrolForm
from .models import CourseDate, CoursePage, Enrolment
from .templatetags.course_tags import euro


def _bookable_date(pk: int) -> CourseDate:
    course_date = get_object_or_404(CourseDate.objects.select_related("course"), pk=pk)
    if not course_date.course.live:
        raise Http404
    return course_date


def _to_payment(request, enrolment: Enrolment):
    """A held seat is paid for on Stripe's page; a free course confirms at once."""
    if enrolment.course_date.course.is_free:
        services.enrolment_confirm(enrolment=enrolment, actor=request.user)
        return redirect("courses:enrolment", pk=enrolment.pk)
    return redirect_to_checkout(request, enrolment)


@login_required
def enrol(request, pk: int):
    course_date = _bookable_date(pk)
    form = EnrolForm(request.POST or None, initial={"company_name": request.user.organisation})
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.enrolment_hold(course_date=course_date, user=request.user, billing=form.billing())
        except services.DateFull as error:
            messages.error(request, str(error))
            return redirect(course_date.course.url)
        except services.EnrolmentError as error:
            messages.error(request, str(error))
        else:
            return _to_payment(request, enrolment)
    seats_left = course_date.capacity - selectors.seats_taken(course_date=course_date, now=timezone.now())
    return render(request, "courses/enrol.html", {"course_date": course_date, "course": course_date.course,
                                                  "form": form, "seats_left": seats_left})


@login_required
@require_POST
def waitlist(request, pk: int):
    course_date = _bookable_date(pk)
    try:
        enrolment = services.waitlist_join(course_date=course_date, user=request.user)
    except services.EnrolmentError as error:
        messages.error(request, str(error))
        return redirect(course_date.course.url)
    return redirect("courses:enrolment", pk=enrolment.pk)


@login_required
def enrolment_detail(request, pk: int):
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    position = (selectors.waitlist_position(enrolment=enrolment)
                if enrolment.status == Enrolment.Status.WAITLISTED else None)
    return render(request, "courses/enrolment.html", {
        "enrolment": enrolment, "course_date": enrolment.course_date, "course": enrolment.course_date.course,
        "position": position, "refund_now": services.cancellation_refund(enrolment=enrolment, now=timezone.now()),
        "date_cancelled_choice": services.transferable_after_date_cancelled(enrolment, enrolment.course_date),
        "invoices": Invoice.objects.filter(payment__enrolment=enrolment).order_by("year", "sequence"),
    })


@login_required
def offer(request, pk: int):
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    form = EnrolForm(request.POST or None, initial={"company_name": request.user.organisation})
    if request.method == "POST":
        try:
            if "decline" in request.POST:
                services.offer_decline(enrolment=enrolment)
                messages.success(request, _("You declined the seat. It goes to the next person in line."))
                return redirect("courses:my_courses")
            if form.is_valid():
                enrolment = services.offer_accept(enrolment=enrolment, billing=form.billing())
                return _to_payment(request, enrolment)
        except services.EnrolmentError as error:
            messages.error(request, str(error))
            return redirect("courses:enrolment", pk=enrolment.pk)
    return render(request, "courses/offer.html", {"enrolment": enrolment, "course_date": enrolment.course_date,
                                                  "course": enrolment.course_date.course, "form": form})


@login_required
@require_POST
def cancel(request, pk: int):
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    try:
        cancellation = services.enrolment_cancel(enrolment=enrolment, actor=request.user,
                                                 note="cancelled by the participant")
    except services.EnrolmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your enrolment has been cancelled."))
        if cancellation.refund:
            messages.info(request, _("You will get %(amount)s back.") % {"amount": euro(cancellation.refund)})
    return redirect("courses:my_courses")


@login_required
def my_courses(request):
    return render(request, "courses/my_courses.html",
                  {"enrolments": selectors.enrolments_of(user=request.user), "now": timezone.now()})


@login_required
@require_POST
def interest(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if request.POST.get("action") == "leave":
        services.interest_leave(course=course, user=request.user)
        messages.success(request, _("You have left the interest list."))
    else:
        services.interest_join(course=course, user=request.user)
        messages.success(request, _("You are on the interest list. We will email you when a date is scheduled."))
    return redirect(course.url)


@login_required
def transfer(request, pk: int):
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    course = enrolment.course_date.course
    transferable = enrolment.status == Enrolment.Status.CONFIRMED or services.transferable_after_date_cancelled(
        enrolment, enrolment.course_date)
    if not transferable or enrolment.transferred_to_id:
        return redirect(course.url)
    if request.method == "POST":
        to_date = get_object_or_404(CourseDate, pk=request.POST.get("date", 0) or 0, course=course)
        try:
            moved = services.enrolment_transfer(enrolment=enrolment, to_date=to_date, actor=request.user)
        except services.EnrolmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your place has been moved."))
            return redirect("courses:enrolment", pk=moved.pk)
    dates = [d for d in selectors.course_dates_upcoming(course=course, now=timezone.now())
             if d.pk != enrolment.course_date_id and not d.waitlist_count and d.seats_taken < d.capacity]
    return render(request, "courses/transfer.html", {"enrolment": enrolment, "course": course, "dates": dates})

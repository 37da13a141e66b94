"""Thin views over the enrolment services: each turns a service's EnrolmentError into a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.formats import euro
from payments import services as payments
from payments.models import Invoice
from payments.views import redirect_to_checkout

from . import selectors, services
from .forms import EnrolForm
from .models import CourseDate, CoursePage, Enrolment


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


def _place_already(request, course_date: CourseDate):
    """Where to send someone who already has a place on this date or on another date of the course, with the
    reason, before they fill in a form that would be refused."""
    own = selectors.places_of(user=request.user, course_dates=[course_date]).get(course_date.pk)
    if own is not None:
        messages.info(request, _("You already have a place on this date or are on its waitlist."))
        return redirect("courses:enrolment", pk=own.pk)
    other = selectors.confirmed_place_on_course(user=request.user, course_id=course_date.course_id,
                                                now=timezone.now(), except_date_id=course_date.pk)
    if other is not None:
        messages.info(request, services.already_on_course(other))
        return redirect("courses:enrolment", pk=other.pk)
    return None


@login_required
def enrol(request, pk: int):
    course_date = _bookable_date(pk)
    if request.method != "POST" and (elsewhere := _place_already(request, course_date)):
        return elsewhere
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
    seats_left = selectors.seats_open_on(course_date, timezone.now())
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
    now = timezone.now()
    movable = _movable(enrolment, now)
    return render(request, "courses/enrolment.html", {
        "enrolment": enrolment, "course_date": enrolment.course_date, "course": enrolment.course_date.course,
        "position": position, "refund_now": services.cancellation_refund(enrolment=enrolment, now=now),
        "may_cancel": enrolment.status in Enrolment.ACTIVE and services.participant_may_change(enrolment, now),
        "movable": movable and enrolment.status == Enrolment.Status.CONFIRMED,
        "date_cancelled_choice": movable and enrolment.status == Enrolment.Status.CANCELLED,
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
def cancel(request, pk: int):
    """GET asks for confirmation, saying what the policy gives back today; POST cancels."""
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    if request.method != "POST":
        if enrolment.status not in Enrolment.ACTIVE or not services.participant_may_change(enrolment, timezone.now()):
            messages.error(request, _("This enrolment can no longer be cancelled."))
            return redirect("courses:enrolment", pk=enrolment.pk)
        return render(request, "courses/cancel_confirm.html", {
            "enrolment": enrolment, "course_date": enrolment.course_date, "course": enrolment.course_date.course,
            "refund": services.cancellation_refund(enrolment=enrolment, now=timezone.now()), "today": timezone.now(),
        })
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


def _movable(enrolment: Enrolment, now) -> bool:
    """What the enrolment page offers as "move to another date": the services decide again on submit."""
    if enrolment.transferred_to_id or not services.participant_may_change(enrolment, now):
        return False
    if enrolment.status == Enrolment.Status.CONFIRMED:
        return not payments.money_returned(enrolment)
    return (services.transferable_after_date_cancelled(enrolment, enrolment.course_date)
            and not payments.money_returned(enrolment))


@login_required
def transfer(request, pk: int):
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    course = enrolment.course_date.course
    if not _movable(enrolment, timezone.now()):
        messages.error(request, _("This place can no longer be moved to another date."))
        return redirect("courses:enrolment", pk=enrolment.pk)
    if request.method == "POST":
        chosen = request.POST.get("date", "")
        to_date = CourseDate.objects.filter(pk=int(chosen), course=course).first() if chosen.isdigit() else None
        if to_date is None:
            messages.error(request, _("Choose one of the dates below."))
        else:
            try:
                moved = payments.place_transfer(enrolment=enrolment, to_date=to_date, actor=request.user)
            except services.EnrolmentError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Your place has been moved."))
                return redirect("courses:enrolment", pk=moved.pk)
    dates = [d for d in selectors.course_dates_upcoming(course=course, now=timezone.now())
             if d.pk != enrolment.course_date_id and selectors.seats_open(d) > 0]
    return render(request, "courses/transfer.html", {"enrolment": enrolment, "course": course, "dates": dates})

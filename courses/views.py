"""Thin views over the enrolment services: each turns a service's EnrolmentError into a message. Enrolling,
accepting an offer, cancelling and moving a place involve money: those views are the payments app's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import page_cache

from . import enrolments, ics, seating, selectors, waitlists
from .models import CourseDate, CoursePage, Enrolment


def bookable_date(pk: int) -> CourseDate:
    """A date of a live course; 404 otherwise."""
    course_date = get_object_or_404(CourseDate.objects.select_related("course"), pk=pk)
    if not course_date.course.live:
        raise Http404
    return course_date


@login_required
@require_POST
def waitlist(request, pk: int):
    course_date = bookable_date(pk)
    try:
        enrolment = waitlists.waitlist_join(course_date=course_date, user=request.user)
    except seating.EnrolmentError as error:
        messages.error(request, str(error))
        return redirect(course_date.course.url)
    return redirect("courses:enrolment", pk=enrolment.pk)


@page_cache.cacheable(page_cache.SITE, page_cache.DATES)
def course_dates(request, course_id: int):
    """Every upcoming date of a course, a page at a time (the course page shows the next few)."""
    course = get_object_or_404(CoursePage.objects.live().public(), pk=course_id)
    now = timezone.now()
    page = Paginator(selectors.course_dates_scheduled(course=course, now=now).prefetch_related(selectors.TRAINER_NAMES),
                     selectors.DATES_PER_PAGE).get_page(request.GET.get("pagina"))
    dates = selectors.with_places_of(request.user, course=course, now=now,
                                     dates=selectors.with_seats_left(selectors.counted(page, now)))
    page_cache.valid_until(request, selectors.dates_change_by_themselves(dates))
    return render(request, "courses/course_dates.html", {"course": course, "page": course, "dates": dates,
                                                         "dates_page": page})


@login_required
def enrolment_detail(request, pk: int):
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    position = (selectors.waitlist_position(enrolment=enrolment)
                if enrolment.status == Enrolment.Status.WAITLISTED else None)
    now = timezone.now()
    return render(request, "courses/enrolment.html", {
        "enrolment": enrolment, "course_date": enrolment.course_date, "course": enrolment.course_date.course,
        "position": position, "refund_now": enrolments.cancellation_refund(enrolment=enrolment, now=now),
        "may_cancel": enrolment.status in Enrolment.ACTIVE and seating.participant_may_change(enrolment, now),
    })


@login_required
def enrolment_calendar(request, pk: int):
    """'Add to calendar': the events of a confirmed place, with the UIDs its invitation carries (so a calendar
    that has both keeps one)."""
    enrolment = selectors.own_enrolment(user=request.user, pk=pk)
    if enrolment.status != Enrolment.Status.CONFIRMED:
        raise Http404
    response = HttpResponse(ics.place_calendar(enrolment, method=ics.PUBLISH),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="opleiding.ics"'
    return response


@page_cache.cacheable(*page_cache.TOPICS, personal=True)
@login_required
def my_courses(request):
    """What comes next (the person's places on dates not yet over, the soonest first, a page at a time), then the
    latest few earlier places and a link to the rest."""
    now = timezone.now()
    current = Paginator(selectors.current_places_of(user=request.user, now=now), selectors.DATES_PER_PAGE).get_page(
        request.GET.get("pagina"))
    earlier = selectors.earlier_places_of(user=request.user, now=now)
    recent = list(earlier[:selectors.RECENT_EARLIER_PLACES + 1])  # one more than shown: are there more?
    earlier_count = earlier.count() if len(recent) > selectors.RECENT_EARLIER_PLACES else len(recent)
    recent = recent[:selectors.RECENT_EARLIER_PLACES]
    return render(request, "courses/my_courses.html", {
        "current": current, "recent": recent, "earlier_count": earlier_count, "shown": [*current, *recent]})


@page_cache.cacheable(*page_cache.TOPICS, personal=True)
@login_required
def my_earlier_courses(request):
    """The person's places on dates that are over, the latest first, a page at a time."""
    page = Paginator(selectors.earlier_places_of(user=request.user, now=timezone.now()),
                     selectors.DATES_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "courses/my_earlier_courses.html", {"enrolments": page})


@login_required
@require_POST
def interest(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if request.POST.get("action") == "leave":
        enrolments.interest_leave(course=course, user=request.user)
        messages.success(request, _("You have left the interest list."))
    else:
        enrolments.interest_join(course=course, user=request.user)
        messages.success(request, _("You are on the interest list. We will email you when a date is scheduled."))
    return redirect(course.url)



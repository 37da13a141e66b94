"""The course's pages that list its dates, a person's "Mijn opleidingen", and its interest list. What people do
with a place (enrol, pay, cancel, move) is the places app's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import page_cache, routing
from core.compiled import CompiledRead
from core.paging import page_of

from . import calendar_feeds, enrolments, seating, selectors
from .models import CalendarFeed, CourseDate, CoursePage


def bookable_date(pk: int) -> CourseDate:
    """A date of a live course; 404 otherwise."""
    found = _date_with_course(pk)
    if not found or not found[0].course.live:
        raise Http404
    return found[0]


# Every press of "enrol" reads it, in a rush as much as on a quiet day.
_date_with_course = CompiledRead(lambda pk: seating.dates_with_course().filter(pk=pk))



@page_cache.cacheable(page_cache.SITE, page_cache.DATES)
def course_dates(request, course_id: int):
    """Every upcoming date of a course, a page at a time (the course page shows the next few)."""
    course = get_object_or_404(CoursePage.objects.live().public(), pk=course_id)
    now = timezone.now()
    page = page_of(selectors.course_dates_scheduled(course=course, now=now).prefetch_related(selectors.TRAINER_NAMES),
                   request.GET.get("pagina"), selectors.DATES_PER_PAGE)
    dates = selectors.with_places_of(selectors.places_on_course(request, course), now=now,
                                     dates=selectors.with_seats_left(selectors.counted(page, now)))
    page_cache.valid_until(request, selectors.dates_change_by_themselves(dates))
    return render(request, "courses/course_dates.html", {"course": course, "page": course, "dates": dates,
                                                         "dates_page": page})




@login_required
def my_courses(request):
    """What comes next (the person's places on dates not yet over, the soonest first, a page at a time), then the
    latest few earlier places and a link to the rest."""
    routing.site_known(request)  # the pages to go on with link to the CMS's pages
    places = selectors.my_places(user_id=request.user.pk, number=request.GET.get("pagina"), now=timezone.now())
    return render(request, "courses/my_courses.html", {
        "current": places.current, "recent": places.recent, "earlier_count": places.earlier_count,
        "shown": [*places.current, *places.recent]})


@login_required
def my_earlier_courses(request):
    """The person's places on dates that are over, the latest first, a page at a time."""
    routing.site_known(request)
    page = selectors.earlier_places_pages.page(request.GET.get("pagina"), selectors.DATES_PER_PAGE, request.user.pk,
                                               timezone.now())
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
    return redirect(routing.page_url(request, course))




@login_required
def calendar_subscription(request):
    """"Agenda-abonnement": the person's secret calendar address, to start, replace or stop."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            calendar_feeds.feed_start(request.user)
            messages.success(request, _("Your calendar address is ready: add it to your calendar app."))
        elif action == "renew":
            calendar_feeds.feed_renew(request.user)
            messages.success(request, _("You have a new calendar address; the old one no longer works. Add the new "
                                        "one to your calendar app."))
        elif action == "stop":
            calendar_feeds.feed_stop(request.user)
            messages.success(request, _("Your calendar address no longer works."))
        return redirect("courses:calendar_subscription")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    address = request.build_absolute_uri(reverse("courses:calendar_feed", args=[feed.token])) if feed else ""
    return render(request, "courses/calendar_subscription.html", {
        "feed": feed, "address": address, "webcal": address.replace("https://", "webcal://", 1)
        .replace("http://", "webcal://", 1)})


def calendar_feed(request, token: str):
    """The feed a calendar app reads (no login: the address is the key); 404 for an unknown address."""
    content = calendar_feeds.feed_calendar(token)
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="agenda.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response

"""The participant-specific parts of course pages: `{% load course_pages %}`."""

from urllib.parse import parse_qs, urlsplit

from django import template
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from core import page_cache
from core.converters import parse_id
from core.formats import day

from .. import selectors
from ..models import CourseDate, CoursePage

register = template.Library()


@register.inclusion_tag("courses/includes/course_dates.html", takes_context=True)
def course_dates(context, course: CoursePage) -> dict:
    """The course's upcoming dates with the visitor's places and seats open, or its interest list."""
    request = context["request"]
    upcoming = selectors.course_dates_for(request, course=course, now=timezone.now())
    # The list changes by itself when a date starts or a hold on it runs out (and frees a seat).
    page_cache.valid_until(request, selectors.dates_change_by_themselves(upcoming.shown))
    return {**context.flatten(), "page": course, "dates": upcoming.shown, "upcoming": upcoming,
            "on_interest_list": selectors.on_interest_list(course=course, user=request.user)}


WAITLIST_PARAMETER = "wachtlijst"  # on a course page's address after login: the date whose waitlist they wanted


@register.simple_tag(takes_context=True)
def login_reason(context) -> str:
    """Why a visitor is asked to log in, when they came from a date's Enrol or Waitlist button: said on the
    login and signup pages."""
    target = urlsplit(context["request"].GET.get("next", ""))
    wanted_waitlist = parse_qs(target.query).get(WAITLIST_PARAMETER, [""])[0]
    try:
        match = resolve(target.path)
    except Resolver404:
        return ""
    if match.view_name == "places:enrol":
        pk, reason = match.kwargs["pk"], _("Log in or create an account to enrol for %(course)s on %(day)s.")
    elif parse_id(wanted_waitlist):
        pk, reason = parse_id(wanted_waitlist), _("Log in or create an account to join the waitlist for %(course)s "
                                             "on %(day)s.")
    else:
        return ""
    course_date = CourseDate.objects.select_related("course").filter(pk=pk, course__live=True).first()
    if course_date is None or course_date.starts_at is None:
        return ""
    return reason % {"course": course_date.course.title, "day": day(course_date.starts_at)}


@register.simple_tag(takes_context=True)
def next_dates_of(context, courses) -> dict[int, CourseDate]:
    """For course cards: each course's next date with its seats left (by course id). The page changes by itself
    when one of them starts or a hold on it runs out."""
    found = selectors.next_dates(courses=list(courses), now=timezone.now())
    page_cache.valid_until(context["request"], selectors.dates_change_by_themselves(list(found.values())))
    return found


@register.filter
def of_course(dates: dict[int, CourseDate], course: CoursePage) -> CourseDate | None:
    return dates.get(course.pk)

"""The participant-specific parts of course pages: `{% load course_pages %}`."""

from django import template
from django.utils import timezone

from core import page_cache

from .. import selectors
from ..models import CoursePage

register = template.Library()


@register.inclusion_tag("courses/includes/course_dates.html", takes_context=True)
def course_dates(context, course: CoursePage) -> dict:
    """The course's upcoming dates with the visitor's places and seats open, or its interest list."""
    request = context["request"]
    upcoming = selectors.course_dates_for(course=course, user=request.user, now=timezone.now())
    # The list changes by itself when a date starts or a hold on it runs out (and frees a seat).
    page_cache.valid_until(request, selectors.dates_change_by_themselves(upcoming.shown))
    return {**context.flatten(), "page": course, "dates": upcoming.shown, "upcoming": upcoming,
            "on_interest_list": selectors.on_interest_list(course=course, user=request.user)}

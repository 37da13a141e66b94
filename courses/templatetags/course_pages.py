"""The participant-specific parts of course pages: `{% load course_pages %}`."""

from django import template
from django.utils import timezone

from .. import selectors
from ..models import CoursePage

register = template.Library()


@register.inclusion_tag("courses/includes/course_dates.html", takes_context=True)
def course_dates(context, course: CoursePage) -> dict:
    """The course's upcoming dates with the visitor's places and seats open, or its interest list."""
    user = context["request"].user
    return {**context.flatten(), "page": course,
            "dates": selectors.course_dates_for(course=course, user=user, now=timezone.now()),
            "on_interest_list": selectors.on_interest_list(course=course, user=user)}

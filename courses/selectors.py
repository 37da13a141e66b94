"""Reads of the catalogue that more than one page needs, each a fixed number of queries."""

from django.db.models import Prefetch, QuerySet
from wagtail.models import Page

from .models import CourseAccreditation, CoursePage, ModulePage


def courses_published(*, parent: Page | None = None) -> QuerySet[CoursePage]:
    courses = CoursePage.objects.live().public().select_related("image")
    if parent is not None:
        courses = courses.child_of(parent)
    return courses.prefetch_related(
        Prefetch("accreditations", queryset=CourseAccreditation.objects.order_by("sort_order"))
    ).order_by("path")


def course_modules_published(*, course: CoursePage) -> QuerySet[ModulePage]:
    return ModulePage.objects.child_of(course).live().public().order_by("path")


"""The office's list of courses whose price it still has to set: nobody can enrol on them until it does."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .models import CoursePage
from .permissions import MANAGE_COURSES


def courses_without_price(request):
    if not request.user.has_perm(MANAGE_COURSES):
        raise PermissionDenied
    waiting = (CoursePage.objects.filter(price_excl_vat__isnull=True, free_of_charge=False)
               .select_related("owner").order_by("-latest_revision_created_at"))
    return TemplateResponse(request, "courses/admin/courses_without_price.html", {
        "page_title": _("Courses waiting for a price"), "header_icon": "warning", "courses": waiting})

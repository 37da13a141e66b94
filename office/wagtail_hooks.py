from django.urls import include, path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.search import SearchArea
from wagtail.admin.ui.components import Component

from core import audit

from . import admin_views, dashboard, people, reports

admin_urls = [
    path("", admin_views.people_search, name="people"),
    path("<id:pk>/", admin_views.person, name="person"),
    path("<id:pk>/places/<id:place_pk>/cancel/", admin_views.place_cancel, name="place_cancel"),
    path("<id:pk>/places/<id:place_pk>/confirmation/", admin_views.confirmation_resend, name="confirmation_resend"),
    path("<id:pk>/invoices/<id:invoice_pk>/send/", admin_views.invoice_resend, name="invoice_resend"),
    path("<id:pk>/data-copy/", admin_views.data_copy, name="data_copy"),
]


report_urls = [
    path("", admin_views.reports_page, name="reports"),
    path("evaluations/", admin_views.evaluations, name="evaluations"),
    path("evaluations.<str:fmt>", admin_views.evaluations_export, name="evaluations_export"),
]


@hooks.register("register_admin_urls")
def register_office_urls():
    return [path("people/", include((admin_urls, "office"), namespace="office")),
            path("academy-reports/", include((report_urls, "office_reports"), namespace="office_reports"))]


class PeopleMenuItem(MenuItem):
    """The office sees everyone; a trainer the people on their dates."""

    def is_shown(self, request):
        return people.may_find_people(request)


@hooks.register("register_admin_menu_item")
def register_people_menu_item():
    return PeopleMenuItem(_("People"), reverse_lazy("office:people"), icon_name="user", order=150)


@hooks.register("register_reports_menu_item")
def register_academy_reports_menu_item():
    return PeopleMenuItem(_("Academy in figures"), reverse_lazy("office_reports:reports"), icon_name="doc-full",
                          order=10)


@hooks.register("register_reports_menu_item")
def register_evaluations_menu_item():
    return PeopleMenuItem(_("Evaluations per course"), reverse_lazy("office_reports:evaluations"),
                          icon_name="comment", order=11)


@hooks.register("construct_homepage_panels")
def add_todays_work(request, panels):
    if people.may_find_people(request):
        panels.insert(0, TodaysWorkPanel())


class TodaysWorkPanel(Component):
    name = "todays_work"
    template_name = "office/todays_work.html"
    order = 1

    def get_context_data(self, parent_context):
        request, now = parent_context["request"], timezone.now()
        return {"work": dashboard.todays_work(request.user, now),
                "seats": reports.seats_chart(request.user, now), "request": request}


class PeopleSearchArea(SearchArea):
    def is_shown(self, request):
        return people.may_find_people(request)


@hooks.register("register_admin_search_area")
def register_people_search_area():
    return PeopleSearchArea(_("People"), reverse("office:people"), icon_name="user", order=50)


@hooks.register("register_log_actions")
def register_office_actions(actions):
    audit.register_actions(actions, {
        "enrolment.confirmation_resent": (_("Send the confirmation again"), _("Confirmation sent again")),
        "invoice.resent": (_("Send the invoice again"), _("Invoice sent again")),
        "person.data_copy_prepared": (_("Prepare a copy of the data"), _("Copy of the data prepared for the person")),
    })

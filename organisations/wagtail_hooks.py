"""Organisations, their people and their bookings in the Wagtail admin, for the office."""

from django.urls import include, path, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from accounts.models import Membership, Organisation
from core import audit
from core.admin_views import HistoryForReaders, InspectWithHistory, PermissionMenuItem, listing_with
from core.permissions import ReadOnlyPolicy
from courses.models import Booking, SeatInvitation

from . import admin_views

for model in (Booking, SeatInvitation):
    register_permission_policy(model, ReadOnlyPolicy(model))  # they change through the services only


class OrganisationCreate(CreateView):
    """An organisation the office enters itself is approved: the office knows whom it invoices."""

    def save_instance(self):
        self.form.instance.approval = Organisation.Approval.APPROVED
        self.form.instance.decided_at, self.form.instance.decided_by = timezone.now(), self.request.user
        return super().save_instance()


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    list_display = ["name", "kvk_number", "invoice_email", "approval", "created_at"]
    list_filter = ["approval"]
    search_fields = ["name", "kvk_number", "invoice_email"]
    add_view_class = OrganisationCreate
    list_export = ["name", "kvk_number", "vat_id", "oin", "street", "postcode", "city", "country", "invoice_email",
                   "default_reference", "approval"]
    export_filename = "organisations"
    inspect_view_enabled = True
    copy_view_enabled = False
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("kvk_number"), FieldPanel("vat_id"), FieldPanel("oin")]),
        FieldPanel("street"),
        FieldRowPanel([FieldPanel("postcode"), FieldPanel("city"), FieldPanel("country")]),
        FieldRowPanel([FieldPanel("invoice_email"), FieldPanel("default_reference")]),
    ]
    index_view_class = listing_with()



class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "user"
    menu_label = _("Contact persons and members")
    list_display = ["user", "organisation", "role", "shares_progress_since"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_export = ["organisation", "user", "role", "shares_progress_since", "created_at"]
    export_filename = "memberships"
    copy_view_enabled = False
    panels = [FieldPanel("organisation"), FieldPanel("user"), FieldPanel("role")]
    index_view_class = listing_with("user", "organisation")


class BookingInspectView(InspectWithHistory):
    related = [("places", _("places")), ("invoices", _("invoices")), ("payments", _("payments"))]


class BookingViewSet(ModelViewSet):
    model = Booking
    icon = "tasks"
    menu_label = _("Bookings")
    list_display = ["organisation", "course_date", "seats", "payment_method", "reference", "booked_by", "created_at"]
    list_filter = ["organisation", "payment_method", "created_at"]
    search_fields = ["organisation__name", "reference", "booked_by__email"]
    list_export = ["organisation", "course_date", "seats", "payment_method", "reference", "price_incl_vat",
                   "booked_by", "created_at"]
    export_filename = "bookings"
    inspect_view_enabled = True
    inspect_view_class = BookingInspectView
    history_view_class = HistoryForReaders
    copy_view_enabled = False
    form_fields = []
    index_view_class = listing_with("organisation", "course_date__course", "booked_by")


class OrganisationsGroup(ViewSetGroup):
    menu_label = _("Organisations")
    menu_icon = "group"
    menu_order = 150
    items = [OrganisationViewSet, MembershipViewSet, BookingViewSet]


@hooks.register("register_admin_viewset")
def register_organisations_admin():
    return OrganisationsGroup()


admin_urls = [
    path("overdue/", admin_views.overdue, name="overdue"),
    path("bookings/<id:pk>/release/", admin_views.release, name="release"),
    path("bookings/<id:pk>/keep/", admin_views.keep, name="keep"),
    path("approvals/", admin_views.approvals, name="approvals"),
    path("approvals/<id:pk>/", admin_views.approval, name="approval"),
    path("approvals/<id:pk>/approve/", admin_views.approve, name="approve"),
    path("approvals/<id:pk>/refuse/", admin_views.refuse, name="refuse"),
]


@hooks.register("register_admin_urls")
def register_organisations_urls():
    return [path("organisations/", include((admin_urls, "organisations_admin"), namespace="organisations_admin"))]


@hooks.register("register_admin_menu_item")
def register_approvals_menu_item():
    return PermissionMenuItem(_("Organisations to approve"), reverse_lazy("organisations_admin:approvals"),
                              icon_name="group", order=164, permission=admin_views.PERMISSION)


@hooks.register("register_admin_menu_item")
def register_overdue_menu_item():
    return PermissionMenuItem(_("Overdue invoices"), reverse_lazy("organisations_admin:overdue"), icon_name="warning",
                              order=165, permission=admin_views.PERMISSION)


BOOKING_ACTIONS = {
    "organisation.approved": (_("Approve an organisation"), _("Organisation approved: may book on invoice")),
    "organisation.refused": (_("Refuse an organisation"), _("Organisation refused: its seats freed")),
    "booking.released": (_("Free unpaid seats"), _("Seats freed: invoice not paid")),
    "booking.kept_unpaid": (_("Keep unpaid seats"), _("Seats kept although the invoice is overdue")),
}


@hooks.register("register_log_actions")
def register_booking_actions(actions):
    audit.register_actions(actions, BOOKING_ACTIONS)

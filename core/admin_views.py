"""Pieces shared by the apps' admin viewsets."""

from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.history import HistoryView

from .audit import history


def listing_with(*related: str, ordering: str | None = None) -> type[IndexView]:
    """A listing (and its CSV/XLSX export) that loads the rows' relations in the same query: what the columns
    show of them would otherwise cost a query per row. `ordering`: the listing's default order, where the model's
    own would sort every row before the first page can be cut (the newest first, by an indexed column)."""

    class Listing(IndexView):
        default_ordering = ordering

        def get_base_queryset(self):
            return super().get_base_queryset().select_related(*related)

    return Listing


class InspectWithHistory(InspectView):
    """A record's fields with its history below them: the audit trail of core.audit, oldest first."""

    template_name = "core/admin/inspect.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "history": history(self.object).select_related("user")}


class HistoryForReaders(HistoryView):
    """Wagtail's history page of a record, also for those who may only look at it (records the services
    write are read-only in the admin)."""

    any_permission_required = ["view", "add", "change", "delete"]


class PermissionMenuItem(MenuItem):
    """A menu item shown only to those with `permission` (the office's lists)."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)

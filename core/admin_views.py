"""Pieces shared by the apps' admin viewsets."""

from wagtail.admin.views.generic import IndexView


def listing_with(*related: str) -> type[IndexView]:
    """A listing (and its CSV/XLSX export) that loads the rows' relations in the same query: what the columns
    show of them would otherwise cost a query per row."""

    class Listing(IndexView):
        def get_base_queryset(self):
            return super().get_base_queryset().select_related(*related)

    return Listing

"""A page of a list and how many pages there are, in one query: the total rides along on every row (a window
count, computed before the limit), where Django's Paginator asks for it separately."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from .converters import parse_id

TOTAL = "rows_in_all"


def page_of(queryset: QuerySet, number, per_page: int) -> Page:
    """Page `number` (as typed in the address; anything else is the first page) of `queryset`; past the end, the
    last page, as Paginator.get_page does."""
    number = min(parse_id(number) or 1, 10**6)  # beyond: the last page, and no offset past what SQL counts
    start = (number - 1) * per_page
    rows = list(queryset.annotate(**{TOTAL: Window(Count("pk"))})[start:start + per_page])
    paginator = Paginator(queryset, per_page)
    if not rows and number > 1:  # past the end (a page that emptied, an address typed by hand)
        return paginator.get_page(number)
    paginator.count = getattr(rows[0], TOTAL) if rows else 0  # a cached_property: set, it is not asked again
    return Page(rows, number, paginator)

"""A page of a list and how many pages there are, in one query: the total rides along on every row (a window
count, computed before the limit), where Django's Paginator asks for it separately. A read that finds the total
its own way makes the page with `page_with_count`."""

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from .compiled import CompiledRead, Fixed
from .converters import parse_id

TOTAL = "rows_in_all"


def page_of(queryset: QuerySet, number, per_page: int) -> Page:
    """Page `number` (as typed in the address; anything else is the first page) of `queryset`; past the end, the
    last page, as Paginator.get_page does."""
    number = page_number(number)
    start = (number - 1) * per_page
    return _page(list(_counted(queryset)[start:start + per_page]), number, Paginator(queryset, per_page))


class PagedRead:
    """`page_of` for a list on a page every signed-in person opens: its SQL compiled once per page (core.compiled).
    `build(*args)` makes the queryset from ids and datetimes."""

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._read = CompiledRead(lambda start, stop, *args: _counted(build(*args))[start:stop])

    def page(self, number, per_page: int, *args) -> Page:
        number = page_number(number)
        start = (number - 1) * per_page
        rows = self._read(Fixed(start), Fixed(start + per_page), *args)
        if not rows and number > 1:
            return page_of(self.build(*args), number, per_page)
        return _page(rows, number, Paginator(rows, per_page))


def page_number(number) -> int:
    """The page asked for in the address: a number from 1 (anything else is the first page)."""
    return min(parse_id(number) or 1, 10**6)  # beyond: the last page, and no offset past what SQL counts


def page_with_count(rows: list, number: int, per_page: int, count: int) -> Page:
    """Page `number` holding `rows`, of `count` in all (read together with the rows); not past the end."""
    paginator = Paginator(rows, per_page)
    paginator.count = count  # a cached_property: set, it is not asked again
    return Page(rows, number, paginator)


def _counted(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(**{TOTAL: Window(Count("pk"))})


def _page(rows: list, number: int, paginator: Paginator) -> Page:
    if not rows and number > 1:  # past the end (a page that emptied, an address typed by hand)
        return paginator.get_page(number)
    paginator.count = getattr(rows[0], TOTAL) if rows else 0  # a cached_property: set, it is not asked again
    return Page(rows, number, paginator)

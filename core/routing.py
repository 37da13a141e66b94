"""Wagtail's page serving, with the route looked up once per site version instead of on every request.

Finding a page walks the tree one query per path segment and then asks for the view restrictions of the page
and its ancestors: more work than the rest of a logged-in page. What it finds is the same for everyone until a
page, a restriction or the site changes (the SITE topic of `core.page_cache`), so it is kept in the shared cache
and handed to Wagtail the way Wagtail keeps it on the request itself. An unknown path is never kept (a stream of
made-up addresses must not fill the cache).
"""

import copy
import hashlib

from django.http import Http404
from django.utils.translation import get_language
from wagtail import views as wagtail_views
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from . import page_cache


def site_known(request) -> None:
    """The site the request is for, from the shared cache, where Wagtail looks for it (`Site.find_for_request`):
    a Django view that links to CMS pages (`{% pageurl %}`) then asks no query for it."""
    address = f"{request._get_raw_host()}|{request.get_port()}"
    request._wagtail_site = page_cache.remembered(
        "site:" + hashlib.sha256(address.encode()).hexdigest(), lambda: Site.find_for_request(request), shared=True)
    _site_root_paths_known(request)


def page_url(request, page) -> str:
    """A CMS page's address for a Django view's redirect or link. Wagtail's `page.url` reads where the sites'
    pages start from the shared cache (a round trip to Redis) on every call; this reads the near copy."""
    if not hasattr(request, "_wagtail_site"):
        site_known(request)
    elif not hasattr(request, "_wagtail_cached_site_root_paths"):
        _site_root_paths_known(request)
    return page.get_url(request)


def _site_root_paths_known(request) -> None:
    """Where each site's pages start, which every `{% pageurl %}` asks: Wagtail reads them from the cache (a round
    trip to Redis) once per request; the near copy in `page_cache.remembered` is read without one."""
    request._wagtail_cached_site_root_paths = page_cache.remembered("site-root-paths", Site.get_site_root_paths,
                                                                      shared=True)


def serve(request, path):
    def route():
        site = Site.find_for_request(request)
        found = Page.route_for_request(request, path)
        if found is None:
            raise Http404
        return site, found, list(found[0].get_view_restrictions())

    address = f"{request._get_raw_host()}|{request.get_port()}|{get_language()}|{path}"
    site, found, restrictions = page_cache.remembered(
        "route:" + hashlib.sha256(address.encode()).hexdigest(), route, shared=True)
    # The route is shared by every request in this process: the page served is a shallow copy, so what is set on it
    # here is this request's own. What it refers to (its parent, once asked for; its StreamField values) is still
    # everyone's: the same for every request and language until the site changes, and never to be marked.
    page = copy.copy(found[0])
    request._wagtail_site = site
    request._wagtail_route_for_request = RouteResult(page, found[1], found[2])
    _site_root_paths_known(request)
    # Wagtail's check_view_restrictions hook asks the page; this copy of it answers with the restrictions found
    # together with the route.
    page.get_view_restrictions = lambda: restrictions
    return wagtail_views.serve(request, path)

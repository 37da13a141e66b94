from wagtail import hooks

from . import page_cache


@hooks.register("before_serve_page")
def anonymous_pages_from_the_cache(page, request, serve_args, serve_kwargs):
    """A CMS page is the same for every anonymous visitor; its type says what else it shows (a course page:
    its dates and seats)."""
    page_cache.mark_cacheable(request, *getattr(page, "page_cache_topics", (page_cache.SITE,)))

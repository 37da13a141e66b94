"""Anonymous pages from the shared cache, never stale.

A visitor without a session (no login, no pending message) gets a page that a view marked as the same for every
such visitor (`cacheable`) from the cache, as it was sent the first time: headers and all, before any other
middleware runs. Each stored page names the topics it shows (`SITE`: CMS pages and provider settings; `DATES`:
dates, their times and seats; `CERTIFICATES`) and the version of each topic when it was rendered. A change to a
topic gives it a new version (`changed`), at once and again when the transaction commits, so the next request
renders afresh; a page that changes by itself at a known moment (a seat hold running out, a date starting, a
certificate expiring) is kept only until then (`valid_until`).

One lookup per request: the page and the topics' versions in a single `get_many` (one round trip to Redis). In
production an anonymous visitor's stored page is sent from in front of Django (`serve_stored_pages`, in the WSGI
application): a hit costs that lookup and nothing else; a miss goes on to Django, whose middleware stores it.

A signed-in person's page is never stored: it is rendered afresh every time, and fast by itself. It uses the same
versions for what it shares with everyone (`remembered`: a page's route, the provider's settings, a course's
modules; `{% shared_fragment %}`: the CMS-written part of a page), so a page for one person costs only the few
queries about that person. A request asks the shared cache for the topics' versions once; each server process
also keeps what it read last (`_near`, a small LRU: pickled, so each request unpickles a copy of its own, or the
value itself where its callers change nothing in it), so what is still current costs no round trip at all.
Nothing there is state another server needs: every value is checked against the shared versions, and one that is
not in memory is read from the shared cache or computed.
"""

import contextvars
import hashlib
import json
import logging
import pickle
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from http import HTTPStatus

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.handlers.wsgi import get_path_info, get_script_name
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified, parse_cookie
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

SITE, DATES, CERTIFICATES = "site", "dates", "certificates"
TOPICS = (SITE, DATES, CERTIFICATES)
LONGEST = 24 * 60 * 60  # seconds: a page nobody changed is rendered afresh once a day all the same
CACHE_CONTROL = "public, max-age=0, must-revalidate"  # a CDN or browser may keep it, but asks (ETag) each time
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage: a message waiting to be shown
log = logging.getLogger(__name__)


def _version_key(topic: str) -> str:
    return f"page-cache:{settings.RELEASE}:version:{topic}"


def _ensure_versions(versions: dict[str, str | None]) -> dict[str, str | None]:
    """A topic never changed (or its version was evicted) gets one now, before the page is rendered; a version
    another request set first wins (read back)."""
    missing = [topic for topic, version in versions.items() if version is None]
    if not missing:
        return versions
    for topic in missing:
        cache.add(_version_key(topic), uuid.uuid4().hex, timeout=None)
    found = cache.get_many([_version_key(topic) for topic in missing])
    return {**versions, **{topic: found.get(_version_key(topic)) for topic in missing}}


def changed(*topics: str) -> None:
    """What these topics show has changed: pages showing them are rendered afresh. Now (so no one gets the old
    page from here on) and once more after the commit (a page rendered in between, from data not yet committed,
    would otherwise be kept)."""

    def bump():
        known = _request_versions.get()
        if known:
            known.clear()  # this request reads the new versions too
        try:
            cache.set_many({_version_key(topic): uuid.uuid4().hex for topic in topics}, timeout=None)
        except Exception:  # never fail the change itself; pages stored before may be stale: flush the cache
            log.exception("The page cache is unreachable: %s changed, but stored pages were not renewed. Flush "
                          "the cache once it is back.", ", ".join(topics))

    bump()
    transaction.on_commit(bump)


NEAR_ENTRIES = 500  # values kept in each process's memory (fragments, routes, settings: a few KB each pickled;
# a shared value is kept as its live objects, larger once a page has rendered its StreamFields)
_near: OrderedDict = OrderedDict()  # key -> (versions, until, value, pickled?), most recently used last
_MISSING = object()
_near_lock = threading.Lock()
# The topics' versions as this request read them (None outside a request: read every time).
_request_versions: contextvars.ContextVar[dict | None] = contextvars.ContextVar("page_cache_versions", default=None)
# What this request will read from the shared cache anyway (its session), fetched with the versions: the value,
# _MISSING until then, or _TAKEN once read (a key is read along once per request: a second reader, after a change
# the first one saved, reads it afresh).
_read_along: contextvars.ContextVar[dict | None] = contextvars.ContextVar("page_cache_read_along", default=None)
_TAKEN = object()


def _current_versions(topics: tuple[str, ...]) -> dict[str, str | None]:
    """The topics' versions: read once per request (every topic in one round trip), then from the request."""
    known = _request_versions.get()
    if known is None:
        found = cache.get_many([_version_key(topic) for topic in topics])
        return {topic: found.get(_version_key(topic)) for topic in topics}
    if not known:
        _read_versions_into(known)
    return {topic: known.get(topic) for topic in topics}


def _read_versions_into(known: dict) -> None:
    """Reads every topic's version into this request's `known`, and what the request will read along with them
    (`read_along`) in the same round trip."""
    along = _read_along.get() or {}
    pending = [key for key, value in along.items() if value is _MISSING]
    found = cache.get_many([*pending, *(_version_key(topic) for topic in TOPICS)])
    along.update({key: found.get(key) for key in pending})
    known.update(_ensure_versions({topic: found.get(_version_key(topic)) for topic in TOPICS}))


def read_along(key: str) -> None:
    """This request will read `key` from the shared cache (a signed-in request, its session): it comes in the
    same round trip as the topics' versions, whichever of the two the request asks for first."""
    along = _read_along.get()
    if along is not None and settings.PAGE_CACHE:
        along.setdefault(key, _MISSING)


def read_with_versions(key: str):
    """What the shared cache holds under `key` (None if nothing), named before with `read_along`: read with the
    topics' versions, or taken from that read if it was made already."""
    along, known = _read_along.get(), _request_versions.get()
    if not along or along.get(key, _TAKEN) is _TAKEN:
        return cache.get(key)
    if along[key] is _MISSING and known:  # the versions were read before the key was named
        along[key] = _TAKEN
        return cache.get(key)
    if along[key] is _MISSING:
        _read_versions_into(known)
    value, along[key] = along[key], _TAKEN
    return value


def _near_get(key: str, versions: dict, now: datetime):
    """The value this process kept, if it is still current: the object itself when it is shared, else a copy of
    its own (unpickled)."""
    with _near_lock:
        entry = _near.get(key)
        if entry is None or entry[0] != versions or (entry[1] is not None and now >= entry[1]):
            return _MISSING
        _near.move_to_end(key)
    kept, pickled = entry[2], entry[3]
    return pickle.loads(kept) if pickled else kept  # noqa: S301 (written by this process, below)


def _near_put(key: str, versions: dict, until: datetime | None, value, shared: bool) -> None:
    pickled = not (shared or isinstance(value, str))  # a str cannot change: no copy needed
    kept = pickle.dumps(value, pickle.HIGHEST_PROTOCOL) if pickled else value
    with _near_lock:
        _near[key] = (versions, until, kept, pickled)
        _near.move_to_end(key)
        while len(_near) > NEAR_ENTRIES:
            _near.popitem(last=False)


class RequestVersions:
    """Middleware (just inside PageCacheMiddleware): the topics' versions are read once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token, along_token = _request_versions.set({}), _read_along.set({})
        try:
            return self.get_response(request)
        finally:
            _request_versions.reset(token)
            _read_along.reset(along_token)


def remembered(name: str, compute, *, topics: tuple[str, ...] = (SITE,), timeout: int = LONGEST, expires=None,
               shared: bool = False):
    """What `compute()` returns, kept in the shared cache until one of the topics it reads changes: for anything
    every visitor shares (a page's route, the provider's settings, a course's modules). One round trip on a hit.
    The value must pickle. With PAGE_CACHE off (`make run`, so an edited template shows at once) it is computed
    every time; so it is when the cache is away. `expires(value)` may name the moment the value changes by itself
    (a date starting): it is computed afresh from then on.

    Each request gets a copy of its own (unpickled from the process's near copy), which it may change. With
    `shared`, the caller promises to change nothing in the value (copying what it marks, as `serve` copies the
    page it serves): every request in the process then gets the same object, and saves unpickling one; on a page
    with a route, its dates and its modules that is a tenth of the render."""
    if not settings.PAGE_CACHE:
        return compute()
    key = f"page-cache:{settings.RELEASE}:memo:{name}"
    now = timezone.now()
    try:
        versions = _current_versions(topics)
        near = _near_get(key, versions, now)
        if near is not _MISSING:
            return near
        stored = cache.get(key)
        if stored is not None and stored[0] == versions and (stored[1] is None or now < stored[1]):
            _near_put(key, versions, stored[1], stored[2], shared)
            return stored[2]
        versions = _ensure_versions(versions)  # before computing: what is kept never predates its versions
    except Exception:
        log.exception("The page cache is unreachable; computing %s", name)
        return compute()
    value = compute()
    until = expires(value) if expires else None
    if all(versions.values()):
        try:
            cache.set(key, (versions, until, value), timeout=timeout)
        except Exception:
            log.exception("The page cache is unreachable; %s not kept", name)
        else:
            _near_put(key, versions, until, value, shared)
    return value


@dataclass
class Policy:
    """What a view says about its page for anonymous visitors: the topics it shows, and the moment it changes by
    itself, if any."""

    topics: tuple[str, ...]
    until: datetime | None = None


def cacheable(*topics: str):
    """Marks a view's anonymous page as the same for everyone, showing these topics."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            mark_cacheable(request, *topics)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def mark_cacheable(request, *topics: str) -> None:
    """The same, for a view that is not ours (Wagtail's page serving)."""
    request.page_cache = Policy(topics)


def valid_until(request, moment: datetime | None) -> None:
    """The page being rendered changes by itself at `moment` (nothing in the database changes then)."""
    policy = getattr(request, "page_cache", None)
    if policy is not None and moment is not None and (policy.until is None or moment < policy.until):
        policy.until = moment


@dataclass
class _Entry:
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    versions: dict[str, str]
    etag: str
    until: datetime | None = None  # checked on every hit: the cache's own expiry runs on the cache server's clock

    def fresh(self, versions: dict[str, str | None]) -> bool:
        return (all(versions.get(topic) == version for topic, version in self.versions.items())
                and (self.until is None or timezone.now() < self.until))

    def reply(self, meta) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers and body for a request (its META, or WSGI environ): the page, or 304 Not Modified when
        the visitor's copy is this one."""
        asked = [tag.removeprefix("W/") for tag in parse_etags(meta.get("HTTP_IF_NONE_MATCH", ""))]
        # Compared weakly, as a proxy that compresses marks it W/.
        if "*" in asked or self.etag in asked:
            unsent = ("Content-Length", "Content-Type")
            return 304, [(name, value) for name, value in self.headers if name not in unsent], b""
        return self.status, self.headers, self.content

    def response(self, request) -> HttpResponse:
        status, headers, content = self.reply(request.META)
        response = HttpResponseNotModified() if status == 304 else HttpResponse(content, status=status)
        # The stored headers passed Django's checks when the page was first sent: set as they are.
        response.headers._store.update((name.lower(), (name, value)) for name, value in headers)
        return response


def _may_hit(meta, cookies) -> bool:
    """A plain read with nothing waiting to be shown once (a message) and no other credentials."""
    return (meta.get("REQUEST_METHOD") in ("GET", "HEAD") and MESSAGES_COOKIE not in cookies
            and "HTTP_AUTHORIZATION" not in meta
            and not meta.get("PATH_INFO", "").startswith(("/admin/", settings.STATIC_URL)))


def _entry_key(meta) -> str:
    """The page's address as the visitor asked for it, from a request's META (the front in
    `serve_stored_pages` reads the script name and path from the WSGI environ as Django's request does, so both
    find the same page). The Host header is taken as sent: a page is stored only after the whole stack accepted
    its host (ALLOWED_HOSTS), so a host it refuses never finds one. The scheme is the server's and the proxy's
    (SECURE_PROXY_SSL_HEADER) as they said it."""
    proxy_header = settings.SECURE_PROXY_SSL_HEADER[0] if settings.SECURE_PROXY_SSL_HEADER else ""
    address = json.dumps([meta.get("wsgi.url_scheme", ""), meta.get(proxy_header, ""),
                          meta.get("HTTP_HOST", ""), meta.get("SCRIPT_NAME", ""), meta.get("PATH_INFO", ""),
                          meta.get("QUERY_STRING", "")])
    return f"page-cache:{settings.RELEASE}:page:" + hashlib.sha256(address.encode()).hexdigest()


def _lookup(key: str) -> tuple["_Entry | None", dict[str, str | None]]:
    """The stored page under `key` if it is still fresh, and the topics' current versions: one round trip."""
    version_keys = {topic: _version_key(topic) for topic in TOPICS}
    found = cache.get_many([key, *version_keys.values()])
    entry, versions = found.get(key), {topic: found.get(name) for topic, name in version_keys.items()}
    return (entry if entry is not None and entry.fresh(versions) else None), versions


def _storable(request, response, policy: Policy | None) -> bool:
    """Only what a view marked, and only when nothing in it is different next time: no cookie set (a new CSRF
    token or session), no script nonce, nothing the view said not to keep."""
    return (policy is not None and request.method == "GET" and response.status_code == 200
            and not response.streaming and not response.cookies
            and "nonce-" not in response.get("Content-Security-Policy", "")
            and not {"private", "no-store", "no-cache"} & {
                part.strip().split("=")[0] for part in response.get("Cache-Control", "").lower().split(",")})


class PageCacheMiddleware:
    """The outermost middleware: a hit skips everything else (its stored headers came through it all). A visitor
    with a session (signed in, a signup under way, a message to show) is never served from it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (not settings.PAGE_CACHE or settings.SESSION_COOKIE_NAME in request.COOKIES
                or not _may_hit(request.META, request.COOKIES)):
            return self._personal(request, self.get_response(request))
        try:
            key = _entry_key(request.META)
            entry, versions = _looked_up(request, key)
            if entry is not None:
                response = entry.response(request)
                response["X-Page-Cache"] = "hit"
                return response
            versions = _ensure_versions(versions)  # before rendering: what is stored never predates its versions
        except Exception:  # the cache is away: the page is rendered, and not stored
            log.exception("The page cache is unreachable; serving %s uncached", request.path)
            return self.get_response(request)
        response = self.get_response(request)
        policy = getattr(request, "page_cache", None)
        if _storable(request, response, policy):
            try:
                self._store(key, response, policy, versions)
            except Exception:
                log.exception("The page cache is unreachable; %s not stored", request.path)
        return response

    @staticmethod
    def _personal(request, response):
        """A page for someone with a session is theirs alone: no shared cache may keep it."""
        if settings.SESSION_COOKIE_NAME in request.COOKIES and "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_cache=True)
        return response

    @staticmethod
    def _store(key: str, response, policy: Policy, versions: dict[str, str | None]) -> None:
        if any(versions[topic] is None for topic in policy.topics):
            return
        timeout = LONGEST
        if policy.until is not None:
            timeout = min(timeout, int((policy.until - timezone.now()).total_seconds()))
            if timeout <= 0:
                return
        response["ETag"] = etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["Cache-Control"] = CACHE_CONTROL
        patch_vary_headers(response, ("Cookie",))
        entry = _Entry(status=response.status_code, headers=list(response.items()), content=response.content,
                       versions={topic: versions[topic] for topic in policy.topics}, etag=etag, until=policy.until)
        cache.set(key, entry, timeout=timeout)
        response["X-Page-Cache"] = "miss"


LOOKED_UP = "page_cache.looked_up"  # in the WSGI environ: the front's key and versions (None: the cache is away)


def _looked_up(request, key: str) -> tuple["_Entry | None", dict[str, str | None]]:
    """The front found nothing fresh under this key: its versions, without asking the cache again. Otherwise a
    lookup now."""
    looked = request.META.get(LOOKED_UP)
    if looked is None or looked[0] != key:
        return _lookup(key)
    if looked[1] is None:
        raise ConnectionError("the page cache was unreachable for this request")
    return None, looked[1]


def serve_stored_pages(application):
    """The WSGI application in front of Django's (lms.wsgi): an anonymous visitor's stored page is sent from
    here, without Django building a request and a response or running its signals and middleware for it (they
    all ran when the page was stored). Anything else, and a miss, goes on to Django, with what the front found
    (`LOOKED_UP`). With the database as the cache a lookup is a query, which belongs in Django's request cycle
    (its connection handling): then there is no front."""
    if not getattr(settings, "PAGE_CACHE", False) or isinstance(caches["default"], DatabaseCache):
        return application

    def front(environ, start_response):
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if settings.SESSION_COOKIE_NAME in cookies or not _may_hit(environ, cookies):
            return application(environ, start_response)
        key = _entry_key({**environ, "SCRIPT_NAME": get_script_name(environ),  # as Django's request reads them
                          "PATH_INFO": get_path_info(environ) or "/"})
        try:
            entry, versions = _lookup(key)
        except Exception:  # the middleware says so in the log
            entry, versions = None, None
        if entry is None:
            environ[LOOKED_UP] = (key, versions)
            return application(environ, start_response)
        status, headers, content = entry.reply(environ)
        start_response(f"{status} {HTTPStatus(status).phrase}", [*headers, ("X-Page-Cache", "hit")])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [content]

    return front

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

Logged-in pages use the same versions for what they share with everyone (`remembered`: a page's route, the
provider's settings, a course's modules; `{% shared_fragment %}`: the CMS-written part of a page), so a page
for one person costs only the queries about that person.

A page a view marks as `personal` (a course page, a module, "Mijn opleidingen") is also kept for the signed-in
person who asked for it, under their session (and CSRF cookie: the page's forms carry its token): reading it
again within a minute, with nothing about them changed, costs two cache lookups (their session, then the page
and its versions). Besides the shared topics it names two more: `person:<id>`, which any saved or deleted row
that is about that person changes (core.apps connects the signals; bulk updates call `person_changed`), and
`PEOPLE`, which a change that names no one changes. What changes by itself (a module opening, a hold running
out) is right again within that minute at most, or at once where the view says when (`valid_until`).
"""

import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import wraps
from http import HTTPStatus
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
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
PEOPLE = "people"  # what signed-in people see about themselves, changed in a way that names no one in particular
LONGEST = 24 * 60 * 60  # seconds: a page nobody changed is rendered afresh once a day all the same
PERSONAL_LONGEST = 60  # seconds: a person's page; what changes by itself is at most this late
CACHE_CONTROL = "public, max-age=0, must-revalidate"  # a CDN or browser may keep it, but asks (ETag) each time
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage: a message waiting to be shown
log = logging.getLogger(__name__)


def _version_key(topic: str) -> str:
    return f"page-cache:{settings.RELEASE}:version:{topic}"


def _version_timeout(topic: str) -> int | None:
    """A person's version lapses (one per person adds up; a lapsed one is made anew, and their pages render once
    more); the few shared topics' versions are kept."""
    return LONGEST if topic.startswith("person:") else None


def _ensure_versions(versions: dict[str, str | None]) -> dict[str, str | None]:
    """A topic never changed (or its version was evicted) gets one now, before the page is rendered; a version
    another request set first wins (read back)."""
    missing = [topic for topic, version in versions.items() if version is None]
    if not missing:
        return versions
    for topic in missing:
        cache.add(_version_key(topic), uuid.uuid4().hex, timeout=_version_timeout(topic))
    found = cache.get_many([_version_key(topic) for topic in missing])
    return {**versions, **{topic: found.get(_version_key(topic)) for topic in missing}}


def changed(*topics: str) -> None:
    """What these topics show has changed: pages showing them are rendered afresh. Now (so no one gets the old
    page from here on) and once more after the commit (a page rendered in between, from data not yet committed,
    would otherwise be kept)."""

    def bump():
        try:
            for timeout in {_version_timeout(topic) for topic in topics}:
                cache.set_many({_version_key(topic): uuid.uuid4().hex for topic in topics
                                if _version_timeout(topic) == timeout}, timeout=timeout)
        except Exception:  # never fail the change itself; pages stored before may be stale: flush the cache
            log.exception("The page cache is unreachable: %s changed, but stored pages were not renewed. Flush "
                          "the cache once it is back.", ", ".join(topics))

    bump()
    transaction.on_commit(bump)


def person_topic(user_id) -> str:
    return f"person:{user_id}"


def person_changed(*user_ids) -> None:
    """What these people see about themselves has changed: their pages are rendered afresh."""
    if user_ids:
        changed(*{person_topic(user_id) for user_id in user_ids})


def remembered(name: str, compute, *, topics: tuple[str, ...] = (SITE,), timeout: int = LONGEST, expires=None):
    """What `compute()` returns, kept in the shared cache until one of the topics it reads changes: for anything
    every visitor shares (a page's route, the provider's settings, a course's modules). One round trip on a hit.
    The value must pickle. With PAGE_CACHE off (`make run`, so an edited template shows at once) it is computed
    every time; so it is when the cache is away. `expires(value)` may name the moment the value changes by itself
    (a date starting): it is computed afresh from then on."""
    if not settings.PAGE_CACHE:
        return compute()
    key = f"page-cache:{settings.RELEASE}:memo:{name}"
    version_keys = {topic: _version_key(topic) for topic in topics}
    try:
        found = cache.get_many([key, *version_keys.values()])
        versions = {topic: found.get(version_key) for topic, version_key in version_keys.items()}
        stored = found.get(key)
        if stored is not None and stored[0] == versions and (stored[1] is None or timezone.now() < stored[1]):
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
    return value


@dataclass
class Policy:
    """What a view says about its page for anonymous visitors: the topics it shows, and the moment it changes by
    itself, if any."""

    topics: tuple[str, ...]
    until: datetime | None = None
    personal: bool = False  # a signed-in person's page may be kept for them too


def cacheable(*topics: str, personal: bool = False):
    """Marks a view's anonymous page as the same for everyone, showing these topics; `personal`: a signed-in
    person's page is theirs to keep as well (it shows nothing but these topics and what is about them)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            mark_cacheable(request, *topics, personal=personal)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def mark_cacheable(request, *topics: str, personal: bool = False) -> None:
    """The same, for a view that is not ours (Wagtail's page serving)."""
    request.page_cache = Policy(topics, personal=personal)


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
    versions: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    until: datetime | None = None  # checked on every hit: the cache's own expiry runs on the cache server's clock

    def fresh(self, versions: dict[str, str | None]) -> bool:
        return (all(versions.get(topic) == version for topic, version in self.versions.items())
                and (self.until is None or timezone.now() < self.until))

    def reply(self, meta) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers and body for a request (its META, or WSGI environ): the page, or 304 Not Modified when
        the visitor's copy is this one."""
        asked = [tag.removeprefix("W/") for tag in parse_etags(meta.get("HTTP_IF_NONE_MATCH", ""))]
        # Compared weakly, as a proxy that compresses marks it W/; a person's page has no validator.
        if self.etag and ("*" in asked or self.etag in asked):
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


@dataclass
class _Visitor:
    """Whose page this is: everyone's (no session), or one signed-in person's in one browser."""

    user_id: str | None = None
    browser: str = ""  # the session and CSRF cookies: a stored page's forms carry a token for this browser

    @property
    def topics(self) -> tuple[str, ...]:
        return TOPICS if self.user_id is None else (*TOPICS, PEOPLE, person_topic(self.user_id))


def _visitor(request) -> _Visitor | None:
    """None when the page is not for the cache at all: a session without anyone signed in (a signup under
    way), or with a message to show."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session_key is None:
        return _Visitor()
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user_id = session.get(SESSION_KEY)  # one cache lookup (cached_db)
    if user_id is None or "_messages" in session:
        return None
    return _Visitor(str(user_id), f"{session_key}:{request.COOKIES.get(settings.CSRF_COOKIE_NAME, '')}")


def _entry_key(meta, visitor: _Visitor) -> str:
    """The page's address as the visitor asked for it, and whose page it is, from a request's META (the front in
    `serve_stored_pages` reads the script name and path from the WSGI environ as Django's request does, so both
    find the same page). The Host header is taken as sent: a page is stored only after the whole stack accepted
    its host (ALLOWED_HOSTS), so a host it refuses never finds one. The scheme is the server's and the proxy's
    (SECURE_PROXY_SSL_HEADER) as they said it."""
    proxy_header = settings.SECURE_PROXY_SSL_HEADER[0] if settings.SECURE_PROXY_SSL_HEADER else ""
    address = json.dumps([visitor.browser, meta.get("wsgi.url_scheme", ""), meta.get(proxy_header, ""),
                          meta.get("HTTP_HOST", ""), meta.get("SCRIPT_NAME", ""), meta.get("PATH_INFO", ""),
                          meta.get("QUERY_STRING", "")])
    return f"page-cache:{settings.RELEASE}:page:" + hashlib.sha256(address.encode()).hexdigest()


def _lookup(key: str, topics: tuple[str, ...]) -> tuple["_Entry | None", dict[str, str | None]]:
    """The stored page under `key` if it is still fresh, and the topics' current versions: one round trip."""
    version_keys = {topic: _version_key(topic) for topic in topics}
    found = cache.get_many([key, *version_keys.values()])
    entry, versions = found.get(key), {topic: found.get(name) for topic, name in version_keys.items()}
    return (entry if entry is not None and entry.fresh(versions) else None), versions


def _storable(request, response, policy: Policy | None, visitor: _Visitor) -> bool:
    """Only what a view marked (as personal too, for a signed-in person), and only when nothing in it is
    different next time: no cookie set (a new CSRF token or session), no script nonce, nothing the view said
    not to keep."""
    return (policy is not None and (visitor.user_id is None or policy.personal)
            and request.method == "GET" and response.status_code == 200
            and not response.streaming and not _new_cookies(request, response, visitor)
            and "nonce-" not in response.get("Content-Security-Policy", "")
            and not {"private", "no-store", "no-cache"} & {
                part.strip().split("=")[0] for part in response.get("Cache-Control", "").lower().split(",")})


def _new_cookies(request, response, visitor: _Visitor) -> bool:
    """Cookies other than a renewal of a person's CSRF cookie (Django renews it whenever a page holds a form;
    their page is kept under it, so a hit, which renews nothing, serves a token it still accepts)."""
    renewal = visitor.user_id is not None and settings.CSRF_COOKIE_NAME in request.COOKIES
    return any(not (renewal and name == settings.CSRF_COOKIE_NAME and morsel.value == request.COOKIES[name])
               for name, morsel in response.cookies.items())


class PageCacheMiddleware:
    """The outermost middleware: a hit skips everything else (its stored headers came through it all)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE or not _may_hit(request.META, request.COOKIES):
            return self._personal(request, self.get_response(request))
        try:
            visitor = _visitor(request)
            if visitor is None:
                return self._personal(request, self.get_response(request))
            key = _entry_key(request.META, visitor)
            entry, versions = _looked_up(request, key, visitor.topics)
            if entry is not None:
                response = entry.response(request)
                response["X-Page-Cache"] = "hit"
                return response
            versions = _ensure_versions(versions)  # before rendering: what is stored never predates its versions
        except Exception:  # the cache is away: the page is rendered, and not stored
            log.exception("The page cache is unreachable; serving %s uncached", request.path)
            return self._personal(request, self.get_response(request))
        response = self.get_response(request)
        policy = getattr(request, "page_cache", None)
        storable = _storable(request, response, policy, visitor)
        response = self._personal(request, response)
        if storable:
            try:
                self._store(key, response, policy, versions, visitor)
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
    def _store(key: str, response, policy: Policy, versions: dict[str, str | None], visitor: _Visitor) -> None:
        personal = visitor.user_id is not None
        topics = visitor.topics if personal else policy.topics  # a person's page: anything about them, too
        if any(versions[topic] is None for topic in topics):
            return
        until = policy.until
        if personal:
            soon = timezone.now() + timedelta(seconds=PERSONAL_LONGEST)
            until = soon if until is None else min(until, soon)
        timeout = LONGEST
        if until is not None:
            timeout = min(timeout, int((until - timezone.now()).total_seconds()))
            if timeout <= 0:
                return
        etag = ""
        if not personal:  # a person's page is no-cache for browsers: they ask again, and the hit is as cheap
            response["ETag"] = etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
            response["Cache-Control"] = CACHE_CONTROL
            patch_vary_headers(response, ("Cookie",))
        entry = _Entry(status=response.status_code, headers=list(response.items()), content=response.content,
                       versions={topic: versions[topic] for topic in topics}, etag=etag, until=until)
        cache.set(key, entry, timeout=timeout)
        response["X-Page-Cache"] = "miss"


LOOKED_UP = "page_cache.looked_up"  # in the WSGI environ: the front's key and versions (None: the cache is away)


def _looked_up(request, key: str, topics: tuple[str, ...]) -> tuple["_Entry | None", dict[str, str | None]]:
    """The front found nothing fresh under this key: its versions, without asking the cache again. Otherwise a
    lookup now."""
    looked = request.META.get(LOOKED_UP)
    if looked is None or looked[0] != key:
        return _lookup(key, topics)
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
    anonymous = _Visitor()

    def front(environ, start_response):
        cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
        if settings.SESSION_COOKIE_NAME in cookies or not _may_hit(environ, cookies):
            return application(environ, start_response)
        key = _entry_key({**environ, "SCRIPT_NAME": get_script_name(environ),  # as Django's request reads them
                          "PATH_INFO": get_path_info(environ) or "/"}, anonymous)
        try:
            entry, versions = _lookup(key, anonymous.topics)
        except Exception:  # the middleware says so in the log
            entry, versions = None, None
        if entry is None:
            environ[LOOKED_UP] = (key, versions)
            return application(environ, start_response)
        status, headers, content = entry.reply(environ)
        start_response(f"{status} {HTTPStatus(status).phrase}", [*headers, ("X-Page-Cache", "hit")])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [content]

    return front

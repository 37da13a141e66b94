"""Fuzzed input against every route of ours, as every role: ids past 2^63, NUL characters, over-long text,
words where numbers belong, on every form field a page offers and on every POST route blindly. Whatever
comes in, the answer is never a server error (runs on SQLite and on PostgreSQL, as the whole suite does)."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from certification import services as certificates
from courses.models import Enrolment
from learning import services as learning
from operations.health import heartbeat
from tests.factories import UserFactory, confirmed_place, make_date, pdf_bytes

pytestmark = pytest.mark.django_db
OUR_APPS = ("accounts.", "certification.", "courses.", "home.", "learning.", "payments.", "core.", "organisations.",
            "registers.", "privacy.")
HUGE = "9" * 25  # far past 2^63: SQLite raised OverflowError on such ids
# NUL, over-long, a word for a number, past 2^63, past Python's 4,300-digit int limit (and any amount's digits)
VALUES = ["a\x00b", "x" * 10_000, "abc", HUGE, "9" * 5_000]
EXTRA_PATHS = ["/verify/%00/", "/en/verify/%00/", "/verify/" + "A" * 300 + "/", f"/learn/quizzes/{HUGE}/start/",
               f"/learn/modules/{HUGE}/done/", f"/learn/assignments/{HUGE}/hand-in/", f"/courses/{HUGE}/interest/",
               f"/enrolments/{HUGE}/", "/invoices/%00.pdf", "/certificates/%00.pdf"]


def our_routes(patterns=None, prefix=""):
    """Every URL pattern whose view is ours, as a route string with <converter:name> parts."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from our_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            module = getattr(entry.callback, "__module__", "") or ""
            view_class = getattr(entry.callback, "view_class", None)
            if view_class is not None:
                module = view_class.__module__
            if module.startswith(OUR_APPS) and "^" not in route:
                yield route


def urls_for(route: str, ids: list[int]) -> list[str]:
    """The route filled in: each id parameter with every id of the scenario (and one past 2^63)."""
    fills = {"token": ["ONBEKEND", "x" * 64], "str": ["csv", "xlsx", "issue", "hold", "revoke", "zzz"]}
    names = re.findall(r"<(\w+):(\w+)>", route)
    if not names:
        return ["/" + route]
    urls = []
    for index, value in enumerate([*ids, HUGE]):
        url = route
        for converter, name in names:
            choices = fills.get(converter, ["x"])
            filler = str(value) if converter in ("id", "int") else choices[index % len(choices)]
            url = url.replace(f"<{converter}:{name}>", filler, 1)
        urls.append("/" + url)
    return urls


def form_fields(html: str) -> list[set[str]]:
    """The field names of each POST form on a page."""
    forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S | re.I)
    return [set(re.findall(r"<(?:input|textarea|select)[^>]*name=\"([^\"]+)\"", form)) - {"csrfmiddlewaretoken"}
            for form in forms]


@pytest.fixture
def scenario(classroom, course):
    """A date that took place (a coach with a quiz attempt, a handed-in assignment and a certificate), a date to
    come with a held seat and a waitlist, and the people who see them."""
    attempt = learning.attempt_start(enrolment=classroom.place, quiz=classroom.quiz)
    learning.submission_create(enrolment=classroom.place, assignment=classroom.assignment,
                               upload=SimpleUploadedFile("casus.pdf", pdf_bytes(), content_type="application/pdf"))
    certificates.certificate_issue(enrolment=classroom.place, actor=classroom.trainer, reason="fuzz")
    upcoming = make_date(course, capacity=1, starts_in=timedelta(days=20))
    upcoming.trainers.add(classroom.trainer)
    other = UserFactory(email="anna@example.org")
    confirmed_place(upcoming, other)
    office = UserFactory(email="office@example.org", is_staff=True, is_superuser=True)
    heartbeat("scheduler")  # so that /healthz/ answers 200, as on a running installation
    heartbeat("worker")
    ids = sorted({classroom.date.pk, classroom.place.pk, upcoming.pk, attempt.pk, classroom.quiz.pk,
                  classroom.assignment.pk, classroom.modules[0].pk, course.pk,
                  *Enrolment.objects.values_list("pk", flat=True)})
    return {"anonymous": None, "coach": classroom.coach, "trainer": classroom.trainer, "office": office}, ids


@pytest.mark.parametrize("role", ["anonymous", "coach", "trainer", "office"])
def test_no_fuzzed_request_to_any_route_of_ours_is_answered_with_a_server_error(scenario, role):
    """One role a test, so the walks spread over the test workers."""
    roles, ids = scenario
    roles = {role: roles[role]}
    routes = sorted(set(our_routes()))
    assert len(routes) > 30  # the walk found the site's routes, the trainer's admin pages among them
    sent, failures = 0, []

    def send(client, method, url, data=None):
        nonlocal sent
        sent += 1
        response = getattr(client, method)(url, data or {})
        if response.status_code >= 500:
            failures.append((method.upper(), url, sorted(data or {})[:3], response.status_code))
        return response

    for user in roles.values():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for url in [*(url for route in routes for url in urls_for(route, ids)), *EXTRA_PATHS]:
            if "logout" in url:
                continue  # stays logged in for the rest of the walk
            page = send(client, "get", url)
            if page.status_code not in (200, 405):
                continue  # not this role's page (404, 403, a redirect to the login): a POST is refused the same way
            html = page.content.decode(errors="replace") if "html" in page.get("Content-Type", "") else ""
            fields = set().union(*form_fields(html)) if html else set()
            fields |= {"reason", "date", "feedback", "position", "decision", "action", "language", "next"}
            for value in VALUES:
                send(client, "post", url, dict.fromkeys(fields, value))

    print(f"\nfuzz {role}: {sent} requests, {len(failures)} responses >= 500")  # noqa: T201
    assert failures == []

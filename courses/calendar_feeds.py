"""A person's calendar subscription, the alternative to the invitations by mail: a secret address that a calendar
app (Outlook, Google, Apple) reads every hour, with the meeting days of the person's places and, for a trainer,
of the dates they teach. The person starts it, replaces the address (the old one stops working at once) or stops
it; whoever knows the address reads the feed, and nothing else."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.models import ProviderSettings

from . import ics
from .models import Appointment, CalendarFeed, CourseDate, Enrolment
from .models.feeds import new_feed_token

SHOWN_AFTER = timedelta(days=90)  # days already past stay in the calendar for a while


@transaction.atomic
def feed_start(user) -> CalendarFeed:
    """The person's feed, started now if they had none."""
    return CalendarFeed.objects.get_or_create(user=user)[0]


@transaction.atomic
def feed_renew(user) -> CalendarFeed:
    """A new secret address: whoever had the old one (a shared calendar, a lost phone) reads nothing any more."""
    feed = feed_start(user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    return feed


def feed_stop(user) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def feed_calendar(token: str, now=None) -> bytes | None:
    """The calendar behind a secret address, None for an address that does not (or no longer) exist."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None:
        return None
    since = (now or timezone.now()) - SHOWN_AFTER
    places = list(Enrolment.objects.filter(user=feed.user, status=Enrolment.Status.CONFIRMED,
                                           course_date__ends_at__gte=since)
                  .exclude(course_date__status=CourseDate.Status.CANCELLED)
                  .select_related("course_date__course", "user").prefetch_related("course_date__meeting_days"))
    taught = list(CourseDate.objects.filter(trainers=feed.user, ends_at__gte=since)
                  .exclude(status=CourseDate.Status.CANCELLED)
                  .select_related("course").prefetch_related("meeting_days"))
    # 1:1 coaching sessions, as participant or as trainer, with the UID of their invitations.
    sessions = list(Appointment.objects.filter(Q(enrolment__user=feed.user) | Q(slot__trainer=feed.user),
                                               status=Appointment.Status.BOOKED, slot__starts_at__gte=since)
                    .select_related("slot__trainer", "enrolment__user", "enrolment__course_date__course")
                    .order_by("slot__starts_at", "pk"))
    name = f"{ProviderSettings.load().name} · {feed.user.get_full_name() or feed.user.email}"
    return ics.feed_calendar(places, taught, name=name, sessions=sessions)

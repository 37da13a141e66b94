"""Periodic enrolment work, enqueued by `manage.py scheduler` and run by `manage.py db_worker`."""

from django_tasks import task

from . import appointments, schedule, waitlists


@task()
def process_waitlists() -> int:
    """Releases lapsed holds and offers, and offers free seats to the next in line."""
    return waitlists.waitlists_process()


@task()
def announce_new_dates() -> int:
    """Emails the interest list of each course about its newly scheduled dates."""
    return schedule.dates_announce()


@task()
def send_reminders() -> int:
    """Reminds confirmed participants a few days before their date."""
    return schedule.reminders_send()


@task()
def remind_coaching_sessions() -> int:
    """Reminds both people of a coaching session the day before."""
    return appointments.appointment_reminders_send()


@task()
def complete_past_dates() -> int:
    """Marks dates whose last day has ended as completed."""
    return schedule.course_dates_complete()

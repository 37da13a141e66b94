"""A person's places, their history and attendance, their interest-list entries and the bookings they made,
for their data export (privacy app)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from core.audit import histories, what_happened
from core.formats import day_time
from core.privacy import PersonalData, RetentionRule, readable

from . import enrolments
from .models import (
    BILLING_ADDRESS_FIELDS,
    AbsenceNotice,
    Appointment,
    Attendance,
    Booking,
    CalendarFeed,
    CoachingNote,
    Enrolment,
    SeatInvitation,
)

PLACE_FIELDS = ["course_date", "status", "seat", "waitlist_position", "hold_expires_at", "billing_type",
                "company_name", *BILLING_ADDRESS_FIELDS, "company_contact", "company_email", "company_reference",
                "company_vat_id", "company_kvk", "terms_accepted_at", "price_incl_vat", "discount_incl_vat",
                "created_at", "confirmed_at", "completed_at", "ended_at", "refunded_at"]


def places_of(user):
    return Enrolment.objects.filter(user=user).select_related("course_date__course").order_by("created_at", "pk")


def personal_data(user) -> dict[str, list[dict]]:
    places, own = [], list(places_of(user))
    entries = histories(own)
    for place in own:
        record = readable(place, PLACE_FIELDS)
        # What happened to the place and when; the entries' notes can name other people (an office member).
        record[_("History")] = [f"{day_time(entry.timestamp)}: {what_happened(entry)}" for entry in entries[place.pk]]
        places.append(record)
    attendance = Attendance.objects.filter(enrolment__user=user).select_related(
        "enrolment__course_date__course", "meeting_day").order_by("meeting_day__starts_at")
    return {
        _("Places"): places,
        _("Attendance"): [{**readable(record, ["enrolment", "present"]),
                           _("Day"): day_time(record.meeting_day.starts_at)} for record in attendance],
        _("Absence told in advance"): [
            {**readable(notice, ["enrolment", "reason", "created_at"]),
             _("Day"): day_time(notice.meeting_day.starts_at)}
            for notice in AbsenceNotice.objects.filter(enrolment__user=user).select_related(
                "enrolment__course_date__course", "meeting_day").order_by("meeting_day__starts_at")],
        _("Coaching sessions"): [
            {**readable(session, ["enrolment", "status", "booked_at", "cancelled_at", "took_place"]),
             _("When"): day_time(session.slot.starts_at),
             _("Trainer"): session.slot.trainer.get_full_name() if session.slot.trainer else ""}
            for session in Appointment.objects.filter(enrolment__user=user).select_related(
                "enrolment__course_date__course", "enrolment__user", "slot__trainer")
            .order_by("slot__starts_at", "pk")],
        # The trainer's notes are about the person, so the person reads them too (AVG art. 15).
        _("Notes from coaching sessions"): [
            {**readable(note, ["author", "text", "written_at"]),
             _("Session"): day_time(note.appointment.slot.starts_at)}
            for note in CoachingNote.objects.filter(appointment__enrolment__user=user).select_related(
                "author", "appointment__slot").order_by("written_at", "pk")],
        _("Interest lists"): [readable(entry, ["course", "created_at"])
                              for entry in user.interest_entries.select_related("course")],
        _("Seats booked for an organisation"): [
            readable(booking, ["organisation", "course_date", "seats", "reference", "created_at"])
            for booking in Booking.objects.filter(booked_by=user).select_related("organisation", "course_date__course")
        ],
        _("Calendar subscription"): [readable(feed, ["created_at"])
                                     for feed in CalendarFeed.objects.filter(user=user)],
        _("Invitations to a booked seat"): [
            readable(i, ["enrolment", "email", "name", "created_at", "accepted_at"])
            for i in SeatInvitation.objects.filter(email__iexact=user.email).select_related(
                "enrolment__course_date__course")],
    }


def personal_files(user) -> list:
    return []


def active_places(user, now):
    """Places that still hold a seat on a date that has not ended, or a coaching session still to come: the
    person cancels them first (or the office does), with the refund the course's policy gives, and the trainer is
    told by the cancellation."""
    coming = Appointment.objects.filter(enrolment=OuterRef("pk"), status=Appointment.Status.BOOKED,
                                        slot__starts_at__gt=now)
    return (Enrolment.objects.filter(user=user)
            .filter(Q(status__in=Enrolment.SEATED, course_date__ends_at__gte=now) | Q(Exists(coming)))
            .select_related("course_date__course"))


def erase(user, *, needles: list[str], unique: list[str], now, **_options) -> None:
    """Places stay, anonymous (the date's records, their invoices and evaluations point to them): no person, no
    employer details, no absence notices (their reasons), no coaching notes (sessions still to come block erasure,
    as places do); bookings the person made stay the organisation's; seat invitations to them go. Their places in
    line leave the waitlists (nobody is offered a seat any more)."""
    AbsenceNotice.objects.filter(enrolment__user=user).delete()  # its reason is about the person
    CoachingNote.objects.filter(appointment__enrolment__user=user).delete()
    for entry in Enrolment.objects.filter(user=user, status=Enrolment.Status.WAITLISTED):
        enrolments.enrolment_cancel(enrolment=entry, actor=None, note="account erased", now=now)
    Enrolment.objects.filter(user=user).update(
        user=None, erased_at=now, company_name="", billing_street="", billing_postcode="", billing_city="",
        company_contact="", company_email="", company_reference="", company_vat_id="", company_kvk="")
    Booking.objects.filter(booked_by=user).update(booked_by=None)
    CalendarFeed.objects.filter(user=user).delete()  # its address must stop working with the account
    SeatInvitation.objects.filter(email__iexact=user.email).delete()
    SeatInvitation.objects.filter(accepted_by=user).update(accepted_by=None)


def records(user) -> list:
    return [(Enrolment, Enrolment.objects.filter(user=user)), (Booking, Booking.objects.filter(booked_by=user))]


def keeps_account():
    """People with a place (or a place they had) keep their account: it is never removed as a stale sign-up."""
    return Enrolment.objects.filter(user__isnull=False).values("user")


def coaching_notes_remove(*, now) -> int:
    """Notes about coaching sessions, RETENTION_COACHING_NOTES_MONTHS after the session."""
    cutoff = now - timedelta(days=30 * settings.RETENTION_COACHING_NOTES_MONTHS)
    removed, _by_model = CoachingNote.objects.filter(appointment__slot__starts_at__lt=cutoff).delete()
    return removed


RETENTION = [RetentionRule("coaching_notes", coaching_notes_remove)]

# The places go last: the other apps find the person's data through them.
PART = PersonalData(app="courses", data=personal_data, files=personal_files, erase=erase, erase_order=90,
                    records=records, blockers=lambda user, now: list(active_places(user, now)),
                    keeps_account=keeps_account)

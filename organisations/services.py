"""An organisation's own affairs: colleagues invited, the office's approval before it books on invoice (or its
refusal, which frees its seats), and the reminder to name its seats. What it does with seats is the places
app's."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationInvitation, User
from accounts.services import MembershipError, organisation_create, organisation_invite
from core.audit import record
from core.tasks import enqueue_with_change
from courses import bookings
from courses.models import NAME_SEATS_DAYS_BEFORE, Booking, CourseDate, Enrolment, SeatInvitation
from payments.models import Payment
from payments.refunds import booking_payment_locked, office_words, refund_request, refundable

from .notifications import (
    send_naming_reminder,
    send_organisation_decided,
    send_organisation_invitation,
    send_organisation_to_approve,
)

REMIND_NAMES_BEFORE = timedelta(days=NAME_SEATS_DAYS_BEFORE + 2)  # two days before the naming deadline
ORGANISATION_REFUSED = gettext_lazy("the office did not approve the organisation")


@transaction.atomic
def colleague_invite(*, organisation: Organisation, email: str, role: str, actor: User) -> OrganisationInvitation:
    invitation = organisation_invite(organisation=organisation, email=email, role=role, actor=actor)
    enqueue_with_change(send_organisation_invitation, invitation_id=invitation.pk)
    return invitation


def unnamed_seats_of(bookings_query):
    """Bookings that still have a seat with neither a participant nor an open invitation."""
    unnamed = Enrolment.objects.filter(Enrolment.UNNAMED, booking=OuterRef("pk"),
                                       status=Enrolment.Status.CONFIRMED).exclude(
        Exists(SeatInvitation.objects.filter(enrolment=OuterRef("pk"), accepted_at__isnull=True,
                                             withdrawn_at__isnull=True)))
    return bookings_query.filter(Exists(unnamed))


def naming_reminders_send(*, now: datetime | None = None) -> int:
    """Reminds the contact person once, two days before the naming deadline, of seats nobody was named for. The
    conditional update claims the reminder, so a second worker sends nothing. For the scheduler."""
    now = now or timezone.now()
    due = unnamed_seats_of(Booking.objects.filter(
        names_reminded_at__isnull=True, course_date__status=CourseDate.Status.SCHEDULED,
        course_date__starts_at__gt=now, course_date__starts_at__lte=now + REMIND_NAMES_BEFORE))
    sent = 0
    for booking_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            if Booking.objects.filter(pk=booking_id, names_reminded_at__isnull=True).update(names_reminded_at=now):
                enqueue_with_change(send_naming_reminder, booking_id=booking_id)
                sent += 1
    return sent


def organisation_register(*, user: User, **details) -> Organisation:
    """Someone registers the organisation they book for and becomes its contact person. It books on invoice once
    the office approved it (the office is told it waits); paying online works at once."""
    with transaction.atomic():
        organisation = organisation_create(user=user, **details)
        enqueue_with_change(send_organisation_to_approve, organisation_id=organisation.pk)
    return organisation


@dataclass(frozen=True)
class RefusalPreview:
    """What refusing an organisation does: its held seats freed, its paid seats freed and their money refunded."""

    held: int
    paid: int
    refund: Decimal


def organisation_refusal_preview(organisation: Organisation) -> RefusalPreview:
    held = Enrolment.objects.filter(booking__organisation=organisation, status=Enrolment.Status.HELD).count()
    paid = Enrolment.objects.filter(booking__organisation=organisation, status=Enrolment.Status.CONFIRMED).count()
    refund = sum((refundable(payment) for payment in Payment.objects.filter(
        booking__organisation=organisation, status=Payment.Status.PAID)), Decimal("0.00"))
    return RefusalPreview(held=held, paid=paid, refund=refund)


def _decide(organisation: Organisation, approval: str, *, actor: User | None, reason: str, now: datetime) -> None:
    organisation.approval, organisation.decided_at, organisation.decided_by = approval, now, actor
    organisation.refusal_reason = reason[:255]
    organisation.save(update_fields=["approval", "decided_at", "decided_by", "refusal_reason"])
    record(organisation, f"organisation.{approval}", actor=actor, at=now, note=reason[:250])
    enqueue_with_change(send_organisation_decided, organisation_id=organisation.pk)


@transaction.atomic
def organisation_approve(*, organisation: Organisation, actor: User | None,
                         now: datetime | None = None) -> Organisation:
    """The office trusts the organisation with invoices; its contact persons are told."""
    now = now or timezone.now()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not organisation.is_approved:
        _decide(organisation, Organisation.Approval.APPROVED, actor=actor, reason="", now=now)
    return organisation


@transaction.atomic
def organisation_refuse(*, organisation: Organisation, reason: str, actor: User | None,
                        now: datetime | None = None) -> RefusalPreview:
    """The office refuses an organisation waiting for approval (seat squatting, a booking nobody stands behind):
    it holds no seats afterwards. Held seats are freed; seats it paid online are freed and refunded in full to
    its payment; its contact persons are told, with the reason. Returns what was done."""
    now = now or timezone.now()
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not organisation.is_pending:
        raise MembershipError(_("Only an organisation waiting for approval can be refused."))
    if not reason.strip():
        raise MembershipError(_("Give the reason the contact persons read."))
    done = organisation_refusal_preview(organisation)
    for booking in Booking.objects.filter(organisation=organisation).order_by("pk"):
        payment = booking_payment_locked(booking.pk)  # before the date, as the webhook locks them
        bookings.booking_release(booking=booking, actor=actor, now=now, note="organisation refused by the office")
        if payment is not None and refundable(payment) > 0:
            refund_request(payment=payment, reason=office_words(ORGANISATION_REFUSED), actor=actor)
    _decide(organisation, Organisation.Approval.REFUSED, actor=actor, reason=reason.strip(), now=now)
    return done

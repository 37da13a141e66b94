"""Issuing, revoking and reissuing certificates.

A certificate is issued automatically when a place is completed (learning.signals.enrolment_completed), or
by the office or a trainer with a reason. Issuing is idempotent: one completed place has at most one valid
certificate (a database constraint), however often completion is recomputed."""

import secrets
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.registers import Register
from core.audit import record
from core.documents import render_once
from core.links import absolute_url
from core.models import ProviderSettings
from core.sequences import next_number
from core.tasks import enqueue_with_change
from courses.models import Enrolment

from .models import Certificate, CertificateDesign, CertificateHold, CertificateSequence, PublicStatus
from .notifications import send_expiry_reminder, send_revoked
from .pdf import certificate_pdf


class CertificateError(Exception):
    """A refused action, with a message for the person who tried it."""


def verify_url(certificate: Certificate) -> str:
    return absolute_url(reverse("verify", args=[certificate.code]))


def years_later(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _details(enrolment: Enrolment, holder: User, now: datetime, design: CertificateDesign) -> dict:
    course_date, course = enrolment.course_date, enrolment.course_date.course
    numbers = {membership.register: membership.number for membership in holder.register_memberships.all()}
    provider = ProviderSettings.load()
    issued_on = timezone.localdate(now)
    return {
        "holder_name": holder.get_full_name() or holder.email,
        "course": course,
        "course_title": course.title,
        "first_day": timezone.localdate(course_date.starts_at),
        "last_day": timezone.localdate(course_date.ends_at),
        "net_hours": course.net_hours,
        "accreditations": [
            {"register": Register(a.register).label, "register_code": a.register, "points": str(a.points),
             "accreditation_id": a.accreditation_id, "member_number": numbers.get(a.register, "")}
            for a in course.accreditations.order_by("sort_order")
        ],
        "provider": {"name": provider.name, "crkbo": provider.crkbo_registered, "email": provider.email},
        "signatory": {"name": design.signatory_name, "role": design.signatory_title},
        "valid_until": (years_later(issued_on, course.certificate_validity_years)
                        if course.certificate_validity_years else None),
    }


def _issue(enrolment: Enrolment, *, now: datetime, actor: User | None, reason: str,
           replaces: Certificate | None = None) -> Certificate:
    year = timezone.localdate(now).year
    sequence = next_number(CertificateSequence, year)
    design = CertificateDesign.load()
    certificate = Certificate(
        number=f"S2A-{year}-{sequence:06d}", year=year, sequence=sequence, code=secrets.token_urlsafe(18),
        enrolment=enrolment, user=enrolment.user, issued_at=now, issued_by=actor, issue_reason=reason,
        replaces=replaces, **_details(enrolment, enrolment.user, now, design),
    )
    certificate.save()  # in the caller's transaction: a failure rolls all of it back, number included
    record(certificate, "certificate.issued", actor=actor, at=now, reason=reason)
    return certificate


def certificate_pdf_store(certificate: Certificate) -> Certificate:
    """The certificate with its PDF, rendered once after the number was taken (core.documents)."""
    return render_once(certificate, lambda document: certificate_pdf(
        document, verify_url=verify_url(document), design=CertificateDesign.load()), checksum_field="sha256")


def certificate_issue(*, enrolment: Enrolment, actor: User | None = None, reason: str = "",
                      now: datetime | None = None) -> Certificate | None:
    """The place's valid certificate, issuing it when there is none. Automatically (no actor) only for a
    completed place; by hand (an actor with a reason) for any confirmed place. None when not due."""
    certificate = _certificate_due(enrolment, actor=actor, reason=reason, now=now or timezone.now())
    return certificate_pdf_store(certificate) if certificate else None


@transaction.atomic
def _certificate_due(enrolment: Enrolment, *, actor: User | None, reason: str, now: datetime) -> Certificate | None:
    """The place's valid certificate, or a new one with its number (no PDF yet), in one short transaction."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",)).select_related("course_date__course", "user")
        .annotate(has_certificate=Exists(Certificate.objects.filter(enrolment=OuterRef("pk"),
                                                                    status=Certificate.Status.VALID)),
                  held_back=Exists(CertificateHold.objects.filter(enrolment=OuterRef("pk"))))
        .get(pk=enrolment.pk)
    )
    if enrolment.has_certificate:
        return enrolment.certificates.get(status=Certificate.Status.VALID)
    if actor is None and (enrolment.completed_at is None or enrolment.held_back):
        return None
    if actor is not None and not reason.strip():
        raise CertificateError(_("Give a reason for issuing a certificate by hand."))
    if enrolment.status != Enrolment.Status.CONFIRMED or enrolment.course_date.starts_at is None:
        raise CertificateError(_("Only a confirmed participant of a date can get a certificate."))
    return _issue(enrolment, now=now, actor=actor, reason=reason.strip())


@transaction.atomic
def certificate_hold(*, enrolment: Enrolment, actor: User, reason: str, now: datetime | None = None) -> None:
    """Completion will not issue this participant's certificate until the hold is lifted."""
    if not reason.strip():
        raise CertificateError(_("Give a reason."))
    if enrolment.certificates.filter(status=Certificate.Status.VALID).exists():
        raise CertificateError(_("This participant has a certificate already; revoke it instead."))
    CertificateHold.objects.update_or_create(enrolment=enrolment, defaults={
        "reason": reason.strip(), "held_by": actor, "held_at": now or timezone.now()})
    record(enrolment, "certificate.held", actor=actor, at=now, reason=reason.strip())


def certificate_release(*, enrolment: Enrolment, actor: User | None = None) -> Certificate | None:
    """Lifts the hold; a completed place gets its certificate now (in the same transaction: a failure keeps
    the hold)."""
    with transaction.atomic():
        if CertificateHold.objects.filter(enrolment=enrolment).delete()[0]:
            record(enrolment, "certificate.released", actor=actor)
        certificate = _certificate_due(enrolment, actor=None, reason="", now=timezone.now())
    return certificate_pdf_store(certificate) if certificate else None


def _close(certificate: Certificate, status: str, *, actor: User, reason: str, now: datetime) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != Certificate.Status.VALID:
        raise CertificateError(_("This certificate is no longer valid."))
    if not reason.strip():
        raise CertificateError(_("Give a reason."))
    certificate.status, certificate.status_reason = status, reason.strip()
    certificate.status_changed_at, certificate.status_changed_by = now, actor
    certificate.save(update_fields=["status", "status_reason", "status_changed_at", "status_changed_by"])
    record(certificate, f"certificate.{status}", actor=actor, at=now, reason=certificate.status_reason)
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User, reason: str,
                       now: datetime | None = None) -> Certificate:
    """Revoked for good: the verification page and the badges' status list say so at once, the holder hears it
    by mail with the reason; the history stays."""
    with transaction.atomic():
        certificate = _close(certificate, Certificate.Status.REVOKED, actor=actor, reason=reason,
                             now=now or timezone.now())
        if certificate.user_id:
            enqueue_with_change(send_revoked, certificate_id=certificate.pk)
    return certificate


def certificate_reissue(*, certificate: Certificate, actor: User, reason: str,
                        now: datetime | None = None) -> Certificate:
    """A new certificate with today's details (e.g. a corrected name) that replaces the old one; the old one
    stays traceable and points to the new."""
    now = now or timezone.now()
    with transaction.atomic():
        old = _close(certificate, Certificate.Status.REPLACED, actor=actor, reason=reason, now=now)
        enrolment = Enrolment.objects.select_related("course_date__course", "user").get(pk=old.enrolment_id)
        new = _issue(enrolment, now=now, actor=actor, reason=reason.strip(), replaces=old)
    return certificate_pdf_store(new)


def public_status(certificate: Certificate, today: date | None = None) -> PublicStatus:
    """What the verification page says: valid, expired, revoked or replaced."""
    if certificate.status != Certificate.Status.VALID:
        return PublicStatus(certificate.status)
    today = today or timezone.localdate()
    expired = certificate.valid_until and certificate.valid_until < today
    return PublicStatus.EXPIRED if expired else PublicStatus.VALID


def expires_at(certificate: Certificate) -> datetime | None:
    """The moment a valid certificate's public status turns to expired: the start of the day after valid_until,
    in the Netherlands."""
    if certificate.status != Certificate.Status.VALID or not certificate.valid_until:
        return None
    return timezone.make_aware(datetime.combine(certificate.valid_until + timedelta(days=1), time.min))


def linkedin_url(certificate: Certificate) -> str:
    """LinkedIn's "add to profile" link, with the certificate filled in."""
    params = {
        "startTask": "CERTIFICATION_NAME", "name": certificate.course_title,
        "organizationName": certificate.provider.get("name", ""),
        "issueYear": certificate.issued_at.year, "issueMonth": certificate.issued_at.month,
        "certUrl": verify_url(certificate), "certId": certificate.number,
    }
    if certificate.valid_until:
        params.update(expirationYear=certificate.valid_until.year, expirationMonth=certificate.valid_until.month)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


EXPIRY_REMINDER_DAYS = 92  # about three months


def renewal_page(certificate: Certificate, today: date):
    """The course page where the holder renews a certificate that has expired or expires within three months
    (see CoursePage.recertification_page); None while renewing is not due yet or not possible."""
    due = (certificate.status == Certificate.Status.VALID and certificate.valid_until
           and certificate.valid_until <= today + timedelta(days=EXPIRY_REMINDER_DAYS))
    return certificate.course.recertification_page if due and certificate.course else None


def expiry_reminders_send(now: datetime | None = None) -> int:
    """Tells holders three months before a certificate expires. Each certificate is claimed by a
    conditional update first, so two schedulers never send the same reminder twice."""

    now = now or timezone.now()
    today = timezone.localdate(now)
    due = Certificate.objects.filter(
        status=Certificate.Status.VALID, expiry_reminded_at__isnull=True, user__isnull=False,
        valid_until__gte=today, valid_until__lte=today + timedelta(days=EXPIRY_REMINDER_DAYS),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        if Certificate.objects.filter(pk=pk, expiry_reminded_at__isnull=True).update(expiry_reminded_at=now):
            send_expiry_reminder.enqueue(certificate_id=pk)
            sent += 1
    return sent

"""What needs doing today, for the admin's home page: each kind of work with its count and a link to where it is
done. The office sees everything; a trainer what is theirs. One query per kind of work, whatever the amount."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Organisation
from core.formats import euro
from courses.models import CoursePage, Enrolment
from learning.models import AssignmentSubmission
from payments import selectors as money
from payments.models import BankLine, Invoice, Refund
from registers.models import ReportedAttendance
from registers.selectors import SUBMISSION_DAYS, submissions_due

from .people import SEES_EVERYONE, SEES_MONEY, own_dates

LAPSING_WITHIN = timedelta(days=1)
PE_ONLINE_WARNING = timedelta(days=14)  # before the registers' deadline


@dataclass
class Work:
    label: str
    count: int
    url: str
    detail: str = ""


def todays_work(user, now: datetime) -> list[Work]:
    office = user.has_perm(SEES_EVERYONE)
    submissions = AssignmentSubmission.objects.filter(status=AssignmentSubmission.Status.SUBMITTED)
    due = submissions_due(now=now, ended_before=now + PE_ONLINE_WARNING - timedelta(days=SUBMISSION_DAYS))
    if not office:
        dates = set(own_dates(user).values_list("pk", flat=True))
        submissions = submissions.filter(enrolment__course_date__in=dates)
        due = [item for item in due if item.course_date.pk in dates]
    pe_soon = [item for item in due if item.deadline and item.deadline <= now + PE_ONLINE_WARNING]
    pe_late = sum(1 for item in pe_soon if item.deadline < now)
    work = [
        Work(_("Assignments to grade"), submissions.count(), reverse("courses_trainer:dates")),
        Work(_("PE-online attendance due within two weeks"), len(pe_soon), reverse("registers_trainer:due"),
             ngettext("%(count)s past the deadline", "%(count)s past the deadline", pe_late) % {"count": pe_late}
             if pe_late else ""),
    ]
    if not office:
        return work
    timed = Enrolment.objects.filter(status__in=Enrolment.TIMED).aggregate(
        offers=Count("pk", filter=Q(status=Enrolment.Status.OFFERED)),
        lapsing=Count("pk", filter=Q(status=Enrolment.Status.HELD, hold_expires_at__lte=now + LAPSING_WITHIN)))
    accepted_since = ReportedAttendance.objects.filter(
        enrolment=OuterRef("enrolment"), register=OuterRef("register"), status=ReportedAttendance.Status.ACCEPTED)
    rejected = (ReportedAttendance.objects.filter(status=ReportedAttendance.Status.REJECTED,
                                                  submission__created_at__gte=now - timedelta(days=122))
                .exclude(Exists(accepted_since)).count())  # not taken by a later submission
    work += [
        Work(_("Offers out"), timed["offers"], reverse("enrolment:index") + "?status=offered",
             ngettext("%(count)s hold lapses within a day", "%(count)s holds lapse within a day", timed["lapsing"])
             % {"count": timed["lapsing"]} if timed["lapsing"] else ""),
        Work(_("Numbers PE-online rejected"), rejected, reverse("registers_trainer:due")),
        Work(_("Courses waiting for a price"),
             CoursePage.objects.filter(price_excl_vat__isnull=True, free_of_charge=False).count(),
             reverse("courses_without_price")),
        Work(_("Organisations waiting for approval"),
             Organisation.objects.filter(approval=Organisation.Approval.PENDING).count(),
             reverse("organisations_admin:approvals")),
    ]
    if user.has_perm(SEES_MONEY):
        candidates = Invoice.objects.filter(booking__isnull=False, kind=Invoice.Kind.INVOICE, due_at__lt=now)
        overdue = (money.with_states(candidates, now).filter(state=money.InvoiceState.OVERDUE)
                   .aggregate(count=Count("pk"), open=Sum("open_amount")))
        work += [
            Work(_("Overdue invoices"), overdue["count"], reverse("invoice:index") + "?state=overdue",
                 _("%(amount)s open") % {"amount": euro(overdue["open"] or Decimal(0))} if overdue["count"] else ""),
            Work(_("Failed refunds"), Refund.objects.filter(status=Refund.Status.FAILED).count(),
                 reverse("refund:index") + "?status=failed"),
            Work(_("Bank lines to assign"), BankLine.objects.filter(status=BankLine.Status.WAITING).count(),
                 reverse("bankline:index") + "?status=waiting"),
        ]
    return work

"""The reports the office and trainers look at: seats per upcoming date, revenue per month, evaluation scores per
course and trainer over time, completion per course, and the evaluations per course. Evaluations stay anonymous: no
names anywhere, and no score or comment for a group of fewer than MIN_ANSWERS answers. A fixed number of queries."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from statistics import pstdev

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import CourseDate, Enrolment
from courses.selectors import counted
from learning.models import Evaluation
from learning.selectors import MIN_ANSWERS
from payments.models import BankTransfer, Invoice, Payment

from .charts import Chart
from .people import SEES_EVERYONE, SEES_MONEY, own_dates

UPCOMING = 12
MONTHS = 12


def dates_seen_by(viewer):
    return CourseDate.objects.all() if viewer.has_perm(SEES_EVERYONE) else own_dates(viewer)


def seats_chart(viewer, now: datetime) -> Chart:
    dates = counted(dates_seen_by(viewer).filter(status=CourseDate.Status.SCHEDULED, starts_at__gt=now)
                    .select_related("course").order_by("starts_at")[:UPCOMING], now)  # counted for these alone
    return Chart(_("Seats taken per upcoming date"), "count", labels=[str(d) for d in dates], series=[
        (_("Seats taken"), [d.seats_taken for d in dates]),
        (_("Seats free"), [max(d.capacity - d.seats_taken, 0) for d in dates])])


def months_back(now: datetime, count: int) -> list[datetime]:
    first = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    months = [first]
    for _month in range(count - 1):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return list(reversed(months))


def revenue_chart(now: datetime) -> Chart:
    """Invoiced (invoices less credit invoices, incl. VAT) and received (paid online, and by bank transfer less what
    went back that way) per month, the last twelve."""
    months = months_back(now, MONTHS)
    since = months[0]
    invoiced = dict(Invoice.objects.filter(issued_at__gte=since).annotate(month=TruncMonth("issued_at"))
                    .values("month").order_by().annotate(total=Sum("total")).values_list("month", "total"))
    online = dict(Payment.objects.filter(status=Payment.Status.PAID, paid_at__gte=since)
                  .annotate(month=TruncMonth("paid_at")).values("month").order_by()
                  .annotate(total=Sum("amount")).values_list("month", "total"))
    by_bank = dict(BankTransfer.objects.filter(received_on__gte=since.date()).annotate(month=TruncMonth("received_on"))
                   .values("month").order_by().annotate(total=Sum("amount")).values_list("month", "total"))

    def of(totals, month):
        return sum((value for key, value in totals.items()
                    if key and (key.year, key.month) == (month.year, month.month)), Decimal(0))

    return Chart(_("Revenue per month"), "euro", labels=[date_format(m, "F Y") for m in months], series=[
        (_("Invoiced"), [of(invoiced, m) for m in months]),
        (_("Received"), [of(online, m) + of(by_bank, m) for m in months])])


def dates_with_enough_answers():
    """Dates whose evaluations may be shown: a smaller group's scores could be worked back from a total that holds
    them and the larger dates shown on their own."""
    return (Evaluation.objects.values("course_date").order_by().annotate(n=Count("pk")).filter(n__gte=MIN_ANSWERS)
            .values("course_date"))


def scores_chart(viewer) -> Chart:
    """The average of the four ratings per course, trainer and quarter, over dates of at least MIN_ANSWERS."""
    rows = (Evaluation.objects.filter(course_date__in=dates_seen_by(viewer))
            .filter(course_date__in=dates_with_enough_answers())
            .annotate(quarter=TruncQuarter("submitted_at"))
            .values("course_date__course__title", "course_date__trainers__full_name", "quarter").order_by()
            .annotate(answers=Count("pk"), total=Sum(F("content_rating") + F("trainer_rating")
                                                     + F("organisation_rating") + F("usefulness_rating")))
            .filter(answers__gte=MIN_ANSWERS)
            .order_by("course_date__course__title", "course_date__trainers__full_name", "quarter"))
    labels, values = [], []
    for row in rows:
        quarter = row["quarter"]
        labels.append(f"{row['course_date__course__title']} · {row['course_date__trainers__full_name'] or '—'} · "
                      f"Q{(quarter.month - 1) // 3 + 1} {quarter.year}")
        values.append(row["total"] / (row["answers"] * len(Evaluation.RATINGS)))
    return Chart(_("Evaluation score per course, trainer and quarter (1–5)"), "score", labels=labels,
                 series=[(_("Average"), values)], scale_max=5)


def completion_chart(viewer, now: datetime) -> Chart:
    """Of the confirmed places on dates that ended in the last year, the share completed, per course."""
    rows = (Enrolment.objects.filter(course_date__in=dates_seen_by(viewer), status=Enrolment.Status.CONFIRMED,
                                     course_date__ends_at__lt=now, course_date__ends_at__gte=now - timedelta(days=365))
            .values("course_date__course__title").order_by("course_date__course__title")
            .annotate(places=Count("pk"), completed=Count("pk", filter=Q(completed_at__isnull=False))))
    rows = list(rows)
    return Chart(_("Completed, of the places on dates of the last year"), "percent", scale_max=100,
                 labels=[f"{row['course_date__course__title']} ({row['places']})" for row in rows],
                 series=[(_("Completed"), [100 * row["completed"] / row["places"] for row in rows])])


def charts(viewer, now: datetime) -> list[Chart]:
    found = [seats_chart(viewer, now)]
    if viewer.has_perm(SEES_MONEY):
        found.append(revenue_chart(now))
    return [*found, scores_chart(viewer), completion_chart(viewer, now)]


@dataclass
class CourseEvaluations:
    """A course's evaluations together: per question the average and the spread, and the written answers."""

    title: str
    answers: int
    dates: int
    questions: list[tuple[str, float, float]] = field(default_factory=list)  # (question, average, std deviation)
    learned: list[str] = field(default_factory=list)
    improve: list[str] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.answers >= MIN_ANSWERS


def course_evaluations(viewer, *, since: datetime) -> list[CourseEvaluations]:
    evaluations = list(Evaluation.objects.filter(course_date__in=dates_seen_by(viewer), submitted_at__gte=since)
                       .filter(course_date__in=dates_with_enough_answers())
                       .select_related("course_date__course").order_by("course_date__course__title", "submitted_at"))
    by_course: dict[int, list[Evaluation]] = {}
    for evaluation in evaluations:
        by_course.setdefault(evaluation.course_date.course_id, []).append(evaluation)
    result = []
    for group in by_course.values():
        course = CourseEvaluations(group[0].course_date.course.title, len(group),
                                   len({e.course_date_id for e in group}))
        if course.shown:
            for name in Evaluation.RATINGS:
                values = [getattr(e, name) for e in group]
                course.questions.append((Evaluation._meta.get_field(name).verbose_name, sum(values) / len(values),
                                         pstdev(values)))
            course.learned = sorted(e.learned for e in group if e.learned)  # in no order that tells who or when
            course.improve = sorted(e.improve for e in group if e.improve)
        result.append(course)
    return result


def evaluation_rows(viewer, *, since: datetime) -> tuple[list[str], list[list]]:
    """Every answer, without names, for the export the registers ask providers to keep (two years): the office all
    of them; a trainer those of their dates with at least MIN_ANSWERS answers."""
    evaluations = (Evaluation.objects.filter(course_date__in=dates_seen_by(viewer), submitted_at__gte=since)
                   .select_related("course_date__course").order_by("course_date__starts_at", "learned", "pk"))
    if not viewer.has_perm(SEES_EVERYONE):
        evaluations = evaluations.filter(course_date__in=dates_with_enough_answers())
    header = [_("Course"), _("Date"),
              *[Evaluation._meta.get_field(name).verbose_name for name in Evaluation.RATINGS],
              Evaluation._meta.get_field("learned").verbose_name, Evaluation._meta.get_field("improve").verbose_name]
    rows = [[e.course_date.course.title, timezone.localdate(e.course_date.starts_at) if e.course_date.starts_at
             else None, *[getattr(e, name) for name in Evaluation.RATINGS], e.learned, e.improve]
            for e in evaluations]  # not when each was sent: with the date's list of people that could tell who
    return header, rows

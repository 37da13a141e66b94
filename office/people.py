"""Finding a person and everything about them on one page, for the office; a trainer finds only the people with a
place on their own dates and sees those places, without money. A fixed number of queries whatever a person has."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from wagtail.models import ModelLogEntry

from accounts.models import Membership, RegisterMembership, User
from certification.models import Certificate
from courses.models import Booking, CourseDate, Enrolment
from payments import selectors as money
from payments.models import Invoice, Payment, Refund
from privacy.models import DataExport
from registers.models import ReportedAttendance
from registers.selectors import RegisterPoints, pe_points

SEES_EVERYONE = "courses.view_enrolment"  # the office: every participant of every date
SEES_MONEY = "payments.view_invoice"
FOUND_AT_MOST = 50


def sees_everyone(viewer) -> bool:
    return viewer.has_perm(SEES_EVERYONE)


def own_dates(viewer) -> QuerySet[CourseDate]:
    return CourseDate.objects.filter(trainers=viewer)


def may_find_people(request) -> bool:
    """The office, or a trainer with dates of their own: asked by the menu, the search and the home page on every
    admin page, so answered once per request."""
    if not hasattr(request, "_may_find_people"):
        request._may_find_people = sees_everyone(request.user) or own_dates(request.user).exists()
    return request._may_find_people


def people_visible_to(viewer) -> QuerySet[User]:
    """Everyone for the office; for a trainer, the people with a place on one of their dates."""
    people = User.objects.filter(is_active=True)
    if sees_everyone(viewer):
        return people
    return people.filter(pk__in=Enrolment.objects.filter(course_date__in=own_dates(viewer)).values("user"))


@dataclass
class Found:
    person: User
    matched: str  # what the query matched: "", or a register, invoice or certificate number


def people_found(query: str, *, viewer) -> list[Found]:
    """People whose name or email holds `query`, or whose register number, invoice number or certificate number
    it is (the office only searches by invoice). At most FOUND_AT_MOST, names first."""
    query = query.strip()
    if len(query) < 2:
        return []
    visible = people_visible_to(viewer)
    matched = {}
    for user_id, number in RegisterMembership.objects.filter(number__iexact=query).values_list("user", "number"):
        matched[user_id] = number
    for user_id, number in Certificate.objects.filter(number__iexact=query).values_list("user", "number"):
        matched[user_id] = number
    if viewer.has_perm(SEES_MONEY):
        invoices = Invoice.objects.filter(number__iexact=query)
        for user_id, booker, number in invoices.values_list("payment__enrolment__user", "booking__booked_by",
                                                            "number"):
            matched[user_id or booker] = number
    people = (visible.filter(Q(full_name__icontains=query) | Q(email__icontains=query) | Q(pk__in=matched))
              .order_by("full_name", "email")[:FOUND_AT_MOST])
    return [Found(person, matched.get(person.pk, "")) for person in people]


@dataclass
class PersonFile:
    person: User
    memberships: list[Membership]
    registers: list[RegisterMembership]
    places: list[Enrolment]  # each with .money (PaymentState) for the office, .invoices
    bookings: list[Booking] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)  # with .state, .open_amount
    refunds: list[Refund] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    points: list[RegisterPoints] = field(default_factory=list)
    reported: list[ReportedAttendance] = field(default_factory=list)
    exports: list[DataExport] = field(default_factory=list)
    history: list[ModelLogEntry] = field(default_factory=list)
    with_money: bool = False
    totals: dict[str, int] = field(default_factory=dict)  # of places, certificates, invoices, when more than shown

    @property
    def shown(self) -> int:
        return SHOWN


HISTORY_AT_MOST = 40
SHOWN = 20  # the latest of each list; the page says how many there are and links to all of them


def latest(queryset, name: str, totals: dict[str, int]) -> list:
    """The first SHOWN rows; `totals[name]` says how many there are when there are more (one query more then)."""
    rows = list(queryset[:SHOWN + 1])
    if len(rows) > SHOWN:
        totals[name] = queryset.count()
    return rows[:SHOWN]


def person_file(person: User, *, viewer, now: datetime) -> PersonFile:
    """What the office (or, narrowed, the trainer) knows about a person."""
    office, with_money = sees_everyone(viewer), viewer.has_perm(SEES_MONEY)
    places = (Enrolment.objects.filter(user=person)
              .select_related("course_date__course", "booking__organisation", "voucher")
              .order_by("-course_date__starts_at", "-pk"))
    if not office:
        places = places.filter(course_date__in=own_dates(viewer))
    totals = {}
    places = latest(places, "places", totals)
    file = PersonFile(person=person, places=places, with_money=with_money, totals=totals,
                      memberships=list(person.memberships.select_related("organisation")) if office else [],
                      registers=list(person.register_memberships.order_by("register")))
    certificates = Certificate.objects.filter(user=person).order_by("-issued_at")
    if not office:
        certificates = certificates.filter(enrolment__in=places)
    file.certificates = latest(certificates, "certificates", totals)
    if with_money:
        states = money.payment_states(places, now=now)
        invoices_by_place = money.own_invoices_by_place([place.pk for place in places])
        paid = dict(Payment.objects.filter(enrolment__in=[place.pk for place in places], status=Payment.Status.PAID)
                    .values_list("enrolment_id", "pk"))
        for place in places:
            place.money, place.invoice_list = states[place.pk], invoices_by_place.get(place.pk, [])
            place.paid_payment_id = paid.get(place.pk)
        file.bookings = list(Booking.objects.filter(booked_by=person).select_related("organisation",
                                                                                  "course_date__course")
                             .order_by("-created_at"))
        file.invoices = latest(money.with_states(invoices_of(person), now).order_by("-issued_at", "-pk"), "invoices",
                               totals)
        for invoice in file.invoices:
            invoice.state_label = money.InvoiceState(invoice.state).label
        file.refunds = latest(Refund.objects.filter(payment__enrolment__user=person)
                              .select_related("payment__enrolment__course_date__course").order_by("-created_at"),
                              "refunds", totals)
    if office:
        file.points = pe_points(user=person, today=now.date())
        file.reported = latest(ReportedAttendance.objects.filter(enrolment__user=person)
                               .select_related("submission__course_date__course").order_by("-submission__pk"),
                               "reported", totals)
        file.exports = list(DataExport.objects.filter(user=person).order_by("-requested_at"))
        file.history = history_of(person, places=places, certificates=file.certificates, bookings=file.bookings,
                                  invoices=file.invoices)
    return file


MOVE_CHOICES = 12  # the soonest dates a place can move to; a course with more has them further on the date page


def next_dates_of(course_ids, *, now: datetime) -> dict[int, list[CourseDate]]:
    """Per course, its soonest MOVE_CHOICES scheduled dates still to come: one query, however many dates a course
    has."""
    soonest = (CourseDate.objects.filter(course__in=course_ids, status=CourseDate.Status.SCHEDULED, starts_at__gt=now)
               .annotate(rank=Window(RowNumber(), partition_by=F("course_id"), order_by=F("starts_at").asc()))
               .filter(rank__lte=MOVE_CHOICES).select_related("course").order_by("course_id", "starts_at"))
    found = {}
    for course_date in soonest:
        found.setdefault(course_date.course_id, []).append(course_date)
    return found


def invoices_of(person: User) -> QuerySet[Invoice]:
    """The person's own invoices (paid online, or booked for themselves) and those of the bookings they made."""
    places = Enrolment.objects.filter(user=person).values("pk")
    paid = Invoice.objects.filter(payment__enrolment__in=places).order_by().values("pk")
    own_booking = (Invoice.objects.filter(booking__places__in=places, booking__organisation__isnull=True)
                   .order_by().values("pk"))
    booked = Invoice.objects.filter(booking__booked_by=person).order_by().values("pk")
    # A union of three index lookups: an OR of subqueries would read every invoice to test each.
    return Invoice.objects.filter(pk__in=paid.union(own_booking, booked))


def history_of(person: User, **records) -> list[ModelLogEntry]:
    """The audit entries about the person and the records shown (`places=[…]`, `certificates=[…]`, by model), with
    the places' payments: the latest first."""
    payments = list(Payment.objects.filter(enrolment__in=records.get("places") or []).values_list("pk", flat=True))
    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk))
    for model, pks in [(Payment, payments), *((type(items[0]), [item.pk for item in items])
                                             for items in records.values() if items)]:
        about |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks])
    return list(ModelLogEntry.objects.filter(about).select_related("user", "content_type")
                .order_by("-timestamp", "-pk")[:HISTORY_AT_MOST])

"""Focused setup for tests: a site with a catalogue, courses, modules and people."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from wagtail.models import Collection, Locale, Page, Site
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from accounts.models import User
from courses.models import CourseAccreditation, CourseDate, CourseIndexPage, CoursePage, MeetingDay, ModulePage
from home.models import HomePage
from home.services import trainer_roles_ensure

PASSWORD = "een-sterk-wachtwoord-42"


@dataclass
class CatalogueSite:
    home: HomePage
    catalogue: CourseIndexPage


def publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def wagtail_root() -> Page:
    """Wagtail's root page, locale and collection come from migrations; a live-server test's flush removes
    them, so tests that follow recreate them."""
    Locale.objects.get_or_create(language_code="nl")
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))


def catalogue_site() -> CatalogueSite:
    root = wagtail_root()
    Page.objects.filter(depth=2).delete()
    home = publish(root, HomePage(title="Spoor 2 Academy", slug="home", hero_title="Vakmanschap voor coaches"))
    Site.objects.all().delete()
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Test")
    catalogue = publish(home, CourseIndexPage(title="Opleidingen", slug="opleidingen"))
    trainer_roles_ensure()
    return CatalogueSite(home=home, catalogue=catalogue)


def make_course(catalogue: CourseIndexPage, **fields) -> CoursePage:
    defaults = {
        "title": "Basistraining 2e spoorcoaching",
        "slug": "basistraining",
        "summary": "De basis van spoor 2 in één dag.",
        "target_group": "<p>Re-integratiecoaches</p>",
        "learning_goals": "<ul><li>Je kent de Wet verbetering poortwachter.</li></ul>",
        "programme": [("item", {"time": "09:30", "title": "Opening", "description": "Kennismaking"})],
        "price_excl_vat": Decimal("495.00"),
        "vat_treatment": "exempt",
        "net_hours": Decimal("6.0"),
        "accreditations": [CourseAccreditation(register="noloc", points=Decimal("6"), accreditation_id="NL-118")],
    }
    fields = {**defaults, **fields}
    if fields["price_excl_vat"] == 0:  # a free course in a test is free on purpose
        fields.setdefault("free_of_charge", True)
    return publish(catalogue, CoursePage(**fields))


def make_module(course: CoursePage, **fields) -> ModulePage:
    defaults = {"title": "Module", "slug": "module", "summary": "Een module",
                "body": [("paragraph", "<p>Inhoud van de module.</p>")]}
    return publish(course, ModulePage(**{**defaults, **fields}))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"coach{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Coach {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def make_trainer(**fields) -> User:
    trainer = UserFactory(**fields)
    trainer.groups.add(trainer_roles_ensure())
    return trainer


def course_form_data(**overrides) -> dict:
    data = {
        "title": "Basistraining 2e spoorcoaching", "slug": "basistraining", "summary": "De basis.",
        "image": "", "delivery": "in_person",
        "target_group": rich_text("<p>Coaches</p>"), "learning_goals": rich_text("<p>Doelen</p>"),
        "programme": streamfield([("item", {"time": "09:30", "title": "Opening", "description": ""})]),
        "body": streamfield([("paragraph", rich_text("<p>Beschrijving</p>"))]),
        "price_excl_vat": "495", "vat_treatment": "exempt", "duration_days": "1", "net_hours": "6.0",
        "default_capacity": "10", "certificate_validity_years": "",
        "free_cancellation_days": "14", "late_cancellation_refund_percent": "50",
        "coaching_sessions": "0", "coaching_minutes": "60", "coaching_change_hours": "24",
        "completion_attendance_percent": "100", "completion_excused_days": "0", "completion_requires_quizzes": "on",
        "completion_requires_assignments": "on", "completion_requires_evaluation": "on",
        "accreditations": inline_formset([{"register": "noloc", "points": "6", "accreditation_id": "NL-118"}]),
        "seo_title": "", "search_description": "", "go_live_at": "", "expire_at": "",
    }
    return nested_form_data({**data, **overrides})


def make_date(course: CoursePage, *, capacity: int = 10, starts_in: timedelta = timedelta(days=30),
              now: datetime | None = None, **fields) -> CourseDate:
    start = (now or timezone.now()) + starts_in
    course_date = CourseDate(course=course, capacity=capacity, **{"location_name": "Utrecht", **fields})
    course_date.meeting_days = [MeetingDay(starts_at=start, ends_at=start + timedelta(hours=7))]
    course_date.save()
    return course_date


def confirmed_place(course_date: CourseDate, user: User):
    from courses import enrolments, seating

    return enrolments.enrolment_confirm(enrolment=enrolments.enrolment_hold(
        course_date=course_date, user=user, billing=seating.Billing()))


QUIZ_QUESTIONS = [
    ("single", {"question": "Wanneer start spoor 2?", "points": 1, "choices": [
        {"text": "Als terugkeer in eigen werk niet lukt", "correct": True, "feedback": "Juist."},
        {"text": "Altijd in week 1", "correct": False, "feedback": "Nee, pas als spoor 1 niet lukt."},
    ]}),
    ("multiple", {"question": "Wie zijn betrokken?", "points": 1, "choices": [
        {"text": "Werkgever", "correct": True, "feedback": ""},
        {"text": "Werknemer", "correct": True, "feedback": ""},
        {"text": "De buren", "correct": False, "feedback": "Zij niet."},
    ]}),
    ("true_false", {"question": "Het UWV toetst het re-integratieverslag.", "points": 1, "true": True,
                    "feedback_correct": "Klopt.", "feedback_incorrect": "Het UWV toetst wel."}),
]


def make_quiz(module: ModulePage, **fields):
    from learning.models import QuizPage

    defaults = {"title": "Kennistoets", "slug": "kennistoets", "questions": QUIZ_QUESTIONS,
                "pass_mark_percent": 60, "max_attempts": 2}
    return publish(module, QuizPage(**{**defaults, **fields}))


def make_assignment(module: ModulePage, **fields):
    from learning.models import AssignmentPage

    defaults = {"title": "Casusverslag", "slug": "casusverslag", "intro": "<p>Beschrijf je casus.</p>",
                "kind": "file"}
    return publish(module, AssignmentPage(**{**defaults, **fields}))


def pdf_bytes(text: str = "Casus") -> bytes:
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    document = canvas.Canvas(buffer)
    document.drawString(72, 720, text)
    document.save()
    return buffer.getvalue()


def move_to_yesterday(course_date: CourseDate) -> MeetingDay:
    """The date took place yesterday (enrolling refuses dates in the past, so places are made first)."""
    day = course_date.meeting_days.get()
    day.starts_at, day.ends_at = timezone.now() - timedelta(days=1, hours=8), timezone.now() - timedelta(days=1)
    day.save()
    course_date.save()
    return day


def make_organisation(contact: User | None = None, **fields):
    from accounts.models import Membership, Organisation

    organisation = Organisation.objects.create(**{
        "name": "Re-integratiebureau De Brug", "kvk_number": "12345678", "vat_id": "NL001234567B01",
        "street": "Stationsplein 1", "postcode": "3511 AA", "city": "Utrecht",
        "invoice_email": "facturen@debrug.example",
        "default_reference": "PO-2027-01", "approval": Organisation.Approval.APPROVED, **fields})
    if contact is not None:
        Membership.objects.create(organisation=organisation, user=contact, role=Membership.Role.CONTACT)
    return organisation


def _two_days_ago_and_yesterday(course_date):
    now = timezone.now()
    days = []
    for back in (2, 1):
        start = now - timedelta(days=back, hours=8)
        days.append(MeetingDay(starts_at=start, ends_at=start + timedelta(hours=7)))
    course_date.meeting_days = days
    course_date.save()
    return list(course_date.meeting_days.order_by("starts_at"))


def attended_date(course):
    """A two-day date that ended yesterday, on a course accredited by Registerplein (PE-online course 31337)
    whose completion asks every day: Anna (number 204417) and Bas (no number) came both days, Cor (204999)
    only the first."""
    from accounts.models import RegisterMembership
    from courses.models import Attendance

    CourseAccreditation.objects.create(course=course, register="registerplein", points=Decimal("12"),
                                       accreditation_id="RP-2026-118", pe_online_course_id="31337")
    course.completion_attendance_percent = 100
    course.save()
    course_date = make_date(course)
    trainer = make_trainer(email="trainer@example.org", full_name="Tineke Trainer")
    course_date.trainers.add(trainer)
    people = {name: UserFactory(full_name=name, email=f"{name.split()[0].lower()}@example.org")
              for name in ("Anna Aalbers", "Bas Bakker", "Cor Cornelis")}
    RegisterMembership.objects.create(user=people["Anna Aalbers"], register="registerplein", number="204417")
    RegisterMembership.objects.create(user=people["Cor Cornelis"], register="registerplein", number="204999")
    places = {name: confirmed_place(course_date, person) for name, person in people.items()}
    first, second = _two_days_ago_and_yesterday(course_date)
    for name, days in (("Anna Aalbers", (first, second)), ("Bas Bakker", (first, second)),
                       ("Cor Cornelis", (first,))):
        for day in days:
            Attendance.objects.create(enrolment=places[name], meeting_day=day, present=True,
                                      recorded_by=trainer, recorded_at=timezone.now())
    course_date.refresh_from_db()
    return type("Attended", (), {"date": course_date, "trainer": trainer, "people": people, "places": places,
                                 "course": course})


def make_certificate(course, user, last_day: date, accreditations, *, status="valid", number=None):
    """A certificate as issued for a course completed on `last_day`, with its PE points per register:
    accreditations are (register code, label, points, accreditation id)."""
    import secrets

    from certification.models import Certificate
    from courses.models import Enrolment

    course_date = make_date(course)
    place = Enrolment.objects.create(course_date=course_date, user=user, status="confirmed",
                                     seat=Enrolment.objects.filter(course_date=course_date).count() + 1)
    issued = timezone.make_aware(datetime.combine(last_day, datetime.min.time()))
    return Certificate.objects.create(
        number=number or f"S2A-{last_day.year}-{secrets.randbelow(10**6):06d}", year=last_day.year,
        sequence=secrets.randbelow(10**6), code=secrets.token_urlsafe(18), enrolment=place, user=user,
        course=course, holder_name=user.full_name, course_title=course.title, first_day=last_day,
        last_day=last_day, net_hours=Decimal("6"), issued_at=issued, status=status,
        accreditations=[{"register": label, "register_code": code, "points": points, "accreditation_id": acc,
                         "member_number": "NL-20931"} for code, label, points, acc in accreditations])


def is_invitation(message) -> bool:
    """A calendar message (courses.ics: one meeting day's REQUEST or CANCEL), not a mail to read."""
    return any(mimetype.startswith("text/calendar") for _content, mimetype in getattr(message, "alternatives", []))


def mails_to_read(messages, email: str | None = None) -> list:
    """The mails written to be read (the invitations beside them left out), to `email` if given."""
    return [message for message in messages if not is_invitation(message) and (email is None or message.to == [email])]

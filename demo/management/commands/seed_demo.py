"""Loads the demo catalogue and, when the DEMO setting is on, the demo accounts. Safe to run again: whatever
exists already is left as it is, so a trainer's edits to demo pages survive the next `make run`."""

import io
import json
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from accounts.models import Membership, Organisation
from accounts.services import organisation_create, profile_update
from certification.models import CertificateDesign
from certification.services import certificate_issue
from core.models import ProviderSettings
from courses import appointments, bookings, enrolments, schedule, seating, waitlists
from courses.models import (
    CourseAccreditation,
    CourseDate,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    InterestEntry,
    MeetingDay,
    ModulePage,
    Voucher,
)
from demo import content as demo_content
from demo.bank_statement import demo_statement
from home.models import HomePage, InfoPage
from home.services import trainer_roles_ensure
from learning import services as learning
from learning.models import AssignmentPage, QuizPage
from payments.checkout import cents
from payments.invoices import invoice_issue
from payments.models import Invoice, Payment
from payments.selectors import balance_of, with_balances
from places.bookings import booking_on_invoice, seat_cancel

# Read by Stripe's stand-in when the demo starts (scripts/run-demo): the seeded payments it can refund.
DEMO_STRIPE_PAYMENTS = settings.BASE_DIR / ".demo" / "stripe-payments.json"
DEMO_BANK_STATEMENT = settings.BASE_DIR / ".demo" / "bankafschrift-de-brug.xml"


def published(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


class Command(BaseCommand):
    help = "Loads the demo catalogue and (with the DEMO setting on) the demo accounts. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        created = []
        home = self.home_page(created)
        catalogue = self.catalogue(home, created)
        for course in demo_content.COURSES:
            self.course(catalogue, course, created)
        self.provider_settings()
        self.privacy_statement(home, created)
        trainers = trainer_roles_ensure()
        if settings.DEMO:
            self.accounts(trainers, created)
            self.dates_and_people(created)
            self.meeting_day_today(created)
            schedule.course_dates_complete()  # last year's dates read "afgerond", as the scheduler would do
            self.stripe_double_payments()
            self.bank_statement()
        else:
            self.stdout.write("DEMO is off: demo accounts, dates and enrolments are not created.")
        self.stdout.write(f"Demo content: {len(created)} created" + (f" ({', '.join(created)})" if created else ""))

    def home_page(self, created: list[str]) -> HomePage:
        home = HomePage.objects.first()
        if home:
            return home
        root = Page.get_first_root_node()
        # Wagtail's install leaves a "Welcome" page as the site root; the demo home page replaces it.
        Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore").delete()
        data = demo_content.HOME
        home = published(
            root,
            HomePage(title=data["title"], slug="home", hero_title=data["hero_title"],
                     hero_text=data["hero_text"], body=data["body"]),
        )
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": data["title"]},
        )
        created.append("home page")
        return home

    def catalogue(self, home: HomePage, created: list[str]) -> CourseIndexPage:
        catalogue = CourseIndexPage.objects.child_of(home).first()
        if catalogue:
            return catalogue
        data = demo_content.CATALOGUE
        created.append("catalogue")
        return published(home, CourseIndexPage(title=data["title"], slug=data["slug"], intro=data["intro"]))

    def course(self, catalogue: CourseIndexPage, data: dict, created: list[str]) -> None:
        if CoursePage.objects.child_of(catalogue).filter(slug=data["slug"]).exists():
            return
        course = CoursePage(
            title=data["title"], slug=data["slug"], summary=data["summary"], delivery=data["delivery"],
            target_group=data["target_group"], learning_goals=data["learning_goals"],
            programme=[("item", {"time": time, "title": title, "description": description})
                       for time, title, description in data["programme"]],
            body=data["body"], price_excl_vat=data["price_excl_vat"], vat_treatment=data["vat_treatment"],
            duration_days=data["duration_days"], net_hours=data["net_hours"],
            default_capacity=data["default_capacity"],
            certificate_validity_years=data["certificate_validity_years"], **data.get("coaching", {}),
            accreditations=[
                CourseAccreditation(register=register, points=points, accreditation_id=accreditation_id,
                                    pe_online_course_id=pe_online_course_id)
                for register, points, accreditation_id, pe_online_course_id in data["accreditations"]
            ],
        )
        published(catalogue, course)
        for module_data in data["modules"]:
            quizzes, assignments = module_data.get("quizzes", []), module_data.get("assignments", [])
            fields = {name: value for name, value in module_data.items() if name not in ("quizzes", "assignments")}
            module = published(course, ModulePage(**fields))
            for quiz in quizzes:
                published(module, QuizPage(**quiz))
            for assignment in assignments:
                published(module, AssignmentPage(**assignment))
        created.append(data["slug"])

    def dates_and_people(self, created: list[str]) -> None:
        """Every state a visitor can meet: seats left, full with a waitlist, no date with an interest list."""
        if CourseDate.objects.exists():
            return
        User = get_user_model()
        now = timezone.now()
        trainer = User.objects.get(email="trainer@example.com")
        coach = User.objects.get(email="coach@example.com")
        participants = []
        for number in range(1, 16):
            email = f"deelnemer{number}@example.com"
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email=email, password=None, full_name=f"Deelnemer {number}")
            participants.append(user)

        for course in CoursePage.objects.all():  # the demo trainer is on every course's team
            if not course.trainers.filter(pk=trainer.pk).exists():
                course.trainers.add(trainer)
                course.save_revision().publish()
        basis = CoursePage.objects.get(slug="basistraining-2e-spoorcoaching")
        with_seats = self.demo_date(basis, trainer, days=21, hour=9, location="Utrecht, Oudegracht 123")
        full = self.demo_date(basis, trainer, days=49, hour=9, location="Amersfoort, Stationsplein 5")
        secure_base = CoursePage.objects.get(slug="secure-base-coach")
        self.demo_date(secure_base, trainer, days=60, hour=10, location="Zeist, De Breul", days_count=5)

        for person in [coach, *participants[:3]]:
            self.confirmed(with_seats, person, now)
        for person in participants[3:13]:  # one place per person and course: nobody sits on both dates
            self.confirmed(full, person, now)
        for person in participants[13:15]:
            waitlists.waitlist_join(course_date=full, user=person, now=now)

        self.organisation_booking(with_seats, now)
        Voucher.objects.get_or_create(code="VROEGBOEK", defaults={"value": 10, "early_bird_days": 14})
        self.learning(with_seats, coach, participants[0], now)
        self.alumna_with_certificate(basis, trainer, User.objects.get(email="alumni@example.com"))
        self.attendance_to_submit(basis, trainer)

        programme = CoursePage.objects.get(slug="groepsprogramma-spoor-2")
        for person in [User.objects.get(email="alumni@example.com"), *participants[5:8]]:
            InterestEntry.objects.get_or_create(course=programme, user=person)
        group = self.demo_date(programme, trainer, days=-7, hour=9, location="Utrecht, Oudegracht 123", days_count=4)
        for person in [coach, *participants[13:15]]:  # enrolled before it began
            self.confirmed(group, person, now - timedelta(days=14))
        self.coaching_sessions(group, trainer, coach, participants[13], now)
        created.append("6 dates (one 3 weeks ago, its attendance not yet sent to PE-online; the group programme's, "
                       "which meets weekly and today), 27 places (3 booked by De Brug on invoice), 2 on a waitlist, "
                       "4 on an interest list, 1 certificate, voucher VROEGBOEK (10 % until 14 days before a date)")

    @staticmethod
    def coaching_sessions(group, trainer, coach, participant, now):
        """The group programme's 1:1 sessions: times the trainer offers in the coming days (one booked by the
        coach, the others free) and one last week that took place, with the trainer's note."""
        day = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
        offered = []
        for days, hour, count, place in [(2, 13, 2, "Utrecht, Oudegracht 123 (spreekkamer 2)"), (3, 10, 2, ""),
                                         (9, 13, 3, "Utrecht, Oudegracht 123 (spreekkamer 2)")]:
            offered += appointments.slots_publish(
                course_date=group, trainer=trainer, starts_at=day.replace(hour=hour) + timedelta(days=days),
                count=count, location=place, video_url="" if place else "https://meet.example.com/coaching-demo",
                actor=trainer, now=now)
        coach_place = group.enrolments.get(user=coach)
        appointments.appointment_book(place=coach_place, slot_id=offered[2].pk, actor=coach, now=now)
        last_week = day.replace(hour=14) - timedelta(days=6)
        earlier = now - timedelta(days=8)
        held, = appointments.slots_publish(course_date=group, trainer=trainer, starts_at=last_week,
                                           location="Utrecht, Oudegracht 123 (spreekkamer 2)", actor=trainer,
                                           now=earlier)
        session = appointments.appointment_book(place=group.enrolments.get(user=participant), slot_id=held.pk,
                                                actor=participant, now=earlier)
        learning.coaching_record(appointment=session, took_place=True, actor=trainer, now=now)
        appointments.note_save(appointment=session, author=trainer, now=now,
                               text="Zoekprofiel besproken: richting administratief werk, 20 uur per week. "
                                    "Volgende stap: twee oriënterende gesprekken plannen.")

    @staticmethod
    def meeting_day_today(created: list[str]) -> None:
        """The group programme meets today, whatever day the demo runs: the trainer opens its check-in screen from
        "Mijn data" and the coach checks in. The one change a later run makes: today's meeting day, once."""
        group = CourseDate.objects.filter(course__slug="groepsprogramma-spoor-2").order_by("pk").first()
        today = timezone.localdate()
        if group is None or group.meeting_days.filter(starts_at__date=today).exists():
            return
        start = timezone.make_aware(datetime.combine(today, time(9, 30)))
        MeetingDay.objects.create(course_date=group, starts_at=start, ends_at=start + timedelta(hours=7))
        for order, day in enumerate(group.meeting_days.order_by("starts_at")):  # listed in the order they come
            MeetingDay.objects.filter(pk=day.pk).update(sort_order=order)
        created.append("today's meeting day of the group programme")

    @staticmethod
    def learning(course_date, coach, participant, now):
        """The coach has started: the preparation done and one (failed) quiz attempt. Another participant
        handed in the assignment, so the trainer has something to grade."""


        module = ModulePage.objects.child_of(course_date.course).get(slug="voorbereiding")
        coach_place = course_date.enrolments.get(user=coach)
        learning.module_visit(enrolment=coach_place, module=module, now=now)
        learning.module_done(enrolment=coach_place, module=module, now=now)
        attempt = learning.attempt_start(enrolment=coach_place, quiz=QuizPage.objects.child_of(module).get(), now=now)
        first_choices = QueryDict(mutable=True)
        for question in attempt.questions:
            first_choices[f"answer-{question['key']}"] = "0"
        learning.attempt_submit(attempt=attempt, data=first_choices, now=now)
        learning.submission_create(
            enrolment=course_date.enrolments.get(user=participant),
            assignment=AssignmentPage.objects.child_of(module).get(), now=now,
            text="Een magazijnmedewerker (52) kan door rugklachten niet terug in zijn eigen werk. Spoor 1 is "
                 "afgerond zonder resultaat. Hij twijfelt tussen omscholing en een functie als planner. "
                 "Mijn vraag: hoe help ik hem kiezen zonder voor hem te kiezen?",
        )

    def alumna_with_certificate(self, course, trainer, alumna):
        """A date thirteen months ago that the alumna completed: attendance, quiz, assignment, evaluation,
        and the certificate that followed (valid for the course's four years)."""

        past = self.demo_date(course, trainer, days=-395, hour=9, location="Utrecht, Oudegracht 123")
        ended = past.ends_at
        place = Enrolment.objects.create(course_date=past, user=alumna, status=Enrolment.Status.CONFIRMED, seat=1,
                                         confirmed_at=ended - timedelta(days=30), terms_accepted_at=ended)
        module = ModulePage.objects.child_of(course).get(slug="voorbereiding")
        quiz = QuizPage.objects.child_of(module).get()
        attempt = learning.attempt_start(enrolment=place, quiz=quiz, now=ended)
        right = {f"answer-{q['key']}": [str(i) for i, c in enumerate(q["choices"]) if c["correct"]]
                 for q in attempt.questions}
        learning.attempt_submit(attempt=attempt, data=right, now=ended)
        submission = learning.submission_create(enrolment=place, assignment=AssignmentPage.objects.child_of(
            module).get(), text="Mijn casus: een chauffeur die na een hernia niet terug kan.",
            now=ended - timedelta(days=7))  # pre-work, before the deadline
        learning.submission_grade(submission=submission, approved=True, feedback="Goed uitgewerkt.", actor=trainer,
                                  now=ended)
        learning.evaluation_submit(enrolment=place, now=ended, answers={
            "content_rating": 5, "trainer_rating": 5, "organisation_rating": 4, "usefulness_rating": 5,
            "learned": "De driehoek werkgever, werknemer en coach.", "improve": ""})
        learning.attendance_save(course_date=past, present={(place.pk, past.meeting_days.get().pk): True},
                                 actor=trainer, now=ended)
        certificate_issue(enrolment=place, now=ended + timedelta(days=1))

    def attendance_to_submit(self, course, trainer):
        """A date three weeks ago whose attendance has not gone to the registers yet: two of its three
        participants have a Registerplein number (PE-online's double does not know the second), one has none."""
        User = get_user_model()
        past = self.demo_date(course, trainer, days=-21, hour=9, location="Utrecht, Oudegracht 123")
        day = past.meeting_days.get()
        people = [("Femke Janssen", "204601"), ("Gerrit Bos", "204999"), ("Hanna Smit", "")]
        present = {}
        for seat, (name, number) in enumerate(people, start=1):
            email = f"{name.split()[0].lower()}@example.com"
            person = User.objects.create_user(email=email, password=None, full_name=name)
            profile_update(user=person, full_name=name, phone="", organisation="",
                           register_numbers={"registerplein": number} if number else {})
            place = Enrolment.objects.create(course_date=past, user=person, status=Enrolment.Status.CONFIRMED,
                                             seat=seat, confirmed_at=past.starts_at - timedelta(days=30),
                                             terms_accepted_at=past.starts_at - timedelta(days=30))
            present[(place.pk, day.pk)] = True
        learning.attendance_save(course_date=past, present=present, actor=trainer, now=past.ends_at)

    @staticmethod
    def demo_date(course, trainer, *, days, hour, location, days_count=1):
        start = timezone.localtime().replace(hour=hour, minute=30, second=0, microsecond=0) + timedelta(days=days)
        start += timedelta(days=(1 - start.weekday()) % 7)  # training days are Tuesdays
        course_date = CourseDate(course=course, capacity=course.default_capacity, location_name=location)
        course_date.meeting_days = [
            MeetingDay(starts_at=start + timedelta(days=7 * week), ends_at=start + timedelta(days=7 * week, hours=7))
            for week in range(days_count)
        ]
        course_date.save()
        course_date.trainers.add(trainer)
        return course_date

    @staticmethod
    def organisation_booking(course_date, now):
        """De Brug's contact person booked 4 seats on invoice and cancelled one (a credit invoice on the invoice, both
        with their e-invoice): of the 3 left, one accepted, one invited, one still to name."""
        User = get_user_model()
        contact = User.objects.get(email="werkgever@example.com")
        organisation = Organisation.objects.create(**demo_content.ORGANISATION)
        Membership.objects.create(organisation=organisation, user=contact, role=Membership.Role.CONTACT)
        booking = booking_on_invoice(course_date=course_date, organisation=organisation, booked_by=contact, seats=4,
                                     reference=organisation.default_reference, now=now)
        first, second, _third, fourth = booking.places.order_by("seat")
        seat_cancel(place=fourth, actor=contact, now=now)
        sanne = User.objects.create_user(email="sanne@example.com", password=None, full_name="Sanne de Vries")
        accepted = bookings.seat_invite(place=first, email=sanne.email, name=sanne.full_name, actor=contact, now=now)
        bookings.seat_accept(invitation=accepted, user=sanne, shares_progress=True, now=now)
        bookings.seat_invite(place=second, email="ahmed@example.com", name="Ahmed Yilmaz", actor=contact, now=now)
        waiting = User.objects.create_user(password=None, **demo_content.ORGANISATION_TO_APPROVE_CONTACT)
        organisation_create(user=waiting, **demo_content.ORGANISATION_TO_APPROVE)  # for the office to approve

    @staticmethod
    def confirmed(course_date, person, now):
        """A place paid as if through Stripe, with its invoice."""

        held = enrolments.enrolment_hold(course_date=course_date, user=person, billing=seating.Billing(), now=now)
        confirmed = enrolments.enrolment_confirm(enrolment=held, now=now)
        if confirmed.price_incl_vat:
            payment = Payment.objects.create(
                enrolment=confirmed, amount=confirmed.price_incl_vat, status=Payment.Status.PAID, paid_at=now,
                checkout_session_id=f"cs_demo_{confirmed.pk}", payment_intent_id=f"pi_demo_{confirmed.pk}",
                expires_at=now, note="demo: paid before the demo started")
            invoice_issue(payment=payment, now=now)

    @staticmethod
    def stripe_double_payments() -> None:
        """The demo's payments made "before the demo started", for Stripe's stand-in to know (scripts/run-demo): the
        office can refund them like any other."""
        paid = Payment.objects.filter(payment_intent_id__startswith="pi_demo_", status=Payment.Status.PAID)
        DEMO_STRIPE_PAYMENTS.parent.mkdir(exist_ok=True)
        DEMO_STRIPE_PAYMENTS.write_text(json.dumps({payment.payment_intent_id: cents(payment.amount)
                                                    for payment in paid}))

    @staticmethod
    def bank_statement() -> None:
        """The statement in which De Brug pays what its invoice still asks, naming its payment reference: the office
        reads it in (README), and the invoice is paid."""
        invoice = (with_balances(Invoice.objects.filter(kind=Invoice.Kind.INVOICE, booking__organisation__isnull=False))
                   .order_by("-pk").first())
        if invoice is None:
            return
        DEMO_BANK_STATEMENT.write_bytes(demo_statement(
            iban=ProviderSettings.load().iban or "NL91ABNA0417164300", payer=invoice.customer_name,
            amount=balance_of(invoice).open, reference=invoice.payment_reference, day=timezone.localdate()))

    def privacy_statement(self, home: HomePage, created: list[str]) -> None:
        self.info_page(home, "privacy_page", demo_content.PRIVACY_STATEMENT, created, "privacy statement")
        self.info_page(home, "terms_page", demo_content.TERMS, created, "terms and conditions")

    @staticmethod
    def info_page(home: HomePage, setting: str, data: dict, created: list[str], name: str) -> None:
        """A page of text the provider settings link (`setting`), unless they link one already."""
        provider = ProviderSettings.load()
        if getattr(provider, f"{setting}_id"):
            return
        body = []
        for heading, text in data["sections"]:
            body += [("heading", {"text": heading, "level": "h2"}), ("paragraph", RichText(text))]
        page = published(home, InfoPage(title=data["title"], slug=data["slug"], intro=data["intro"], body=body))
        setattr(provider, setting, page)
        provider.save()
        created.append(name)

    def provider_settings(self) -> None:
        design = CertificateDesign.load()
        if not design.signatory_name:  # certificates are signed, as the provider's will be
            design.signatory_name, design.signatory_title = demo_content.SIGNATORY
            design.save()
        provider = ProviderSettings.load()
        if not provider.street_address:
            for field, value in demo_content.PROVIDER.items():
                setattr(provider, field, value)
            provider.nobco_vignet = self.demo_vignet()
            provider.save()
        if not provider.logo_id:
            provider.logo = self.demo_logo(provider.name, provider.brand_colour)
            provider.save()

    @staticmethod
    def demo_logo(name: str, colour: str) -> Image:
        """A stand-in logo: a seal with a 2 beside the provider's name, in its brand colour."""
        picture = PILImage.new("RGBA", (760, 160), (255, 255, 255, 0))
        draw = ImageDraw.Draw(picture)
        draw.rounded_rectangle((8, 8, 152, 152), radius=36, fill=colour)
        draw.text((80, 82), "2", fill="white", anchor="mm", font_size=104)
        draw.text((180, 80), name, fill=colour, anchor="lm", font_size=64)
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        return Image.objects.create(title=f"Logo {name} (demo)", file=ImageFile(buffer, name="logo.png"))

    @staticmethod
    def demo_vignet() -> Image:
        """A stand-in for the PE-vignet NOBCO grants (the real one is the provider's to upload)."""
        picture = PILImage.new("RGB", (360, 200), "white")
        draw = ImageDraw.Draw(picture)
        draw.rounded_rectangle((4, 4, 355, 195), radius=24, outline="#1f4e79", width=8)
        draw.text((180, 70), "NOBCO", fill="#1f4e79", anchor="mm", font_size=64)
        draw.text((180, 140), "PE-vignet (demo)", fill="#1f4e79", anchor="mm", font_size=30)
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        return Image.objects.create(title="NOBCO PE-vignet (demo)", file=ImageFile(buffer, name="nobco-vignet.png"))

    def accounts(self, trainers: Group, created: list[str]) -> None:
        User = get_user_model()
        for account in demo_content.DEMO_ACCOUNTS:
            if User.objects.filter(email__iexact=account["email"]).exists():
                continue
            role = account["role"]
            user = User.objects.create_user(
                email=account["email"], password=demo_content.DEMO_PASSWORD,
                is_staff=role == "admin", is_superuser=role == "admin",
            )
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            profile_update(
                user=user, full_name=account["full_name"], phone="",
                organisation=account.get("organisation", ""), register_numbers=account.get("registers", {}),
            )
            if role == "trainer":
                user.groups.add(trainers)
            created.append(account["email"])

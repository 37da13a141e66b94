"""The catalogue trainers write: an index of courses, each course with its module pages."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from accounts.registers import Register
from core import page_cache
from core.money import MoneyField

from ..blocks import ContentBlock, ProgrammeBlock
from ..panels import CoursePageForm, PriceForTrainersPanel
from ..permissions import MANAGE_COURSES, CourseTeamPermissionTester

MAX_SEATS_PER_DATE = 10
CENT = Decimal("0.01")


class InvoicePayment(models.TextChoices):
    NOBODY = "nobody", _("Nobody: online payment only")
    ORGANISATIONS = "organisations", _("Organisations")
    EVERYONE = "everyone", _("Organisations and individuals")


class VatTreatment(models.TextChoices):
    STANDARD = "standard", _("21% VAT")
    EXEMPT = "exempt", _("Exempt from VAT (CRKBO)")


VAT_RATES = {VatTreatment.STANDARD: Decimal("0.21"), VatTreatment.EXEMPT: Decimal("0")}


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", _("On location")
    ONLINE = "online", _("Online")
    BLENDED = "blended", _("On location and online")


RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]


class CourseTeamPage:
    """For page types inside a course (the course itself, its modules, quizzes and assignments)."""

    def course_for_permissions(self):
        return CoursePage.objects.ancestor_of(self, inclusive=True).first()

    def permissions_for_user(self, user):
        return CourseTeamPermissionTester(user, self, self.course_for_permissions())


class CourseIndexPage(Page):
    """The catalogue: every published course below it."""

    page_cache_topics = (page_cache.SITE, page_cache.DATES)  # its cards show each course's next date and seats

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1
    template = "courses/course_index_page.html"

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = courses_published(parent=self)
        return context


class CoursePage(CourseTeamPage, Page):
    """A course as a coach meets it: what, for whom, how long, what it costs and what it counts for."""

    page_cache_topics = (page_cache.SITE, page_cache.DATES)  # it lists its dates with the seats open

    summary = models.TextField(
        _("summary"), max_length=300, help_text=_("One or two sentences for the catalogue and search engines.")
    )
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.IN_PERSON)
    target_group = RichTextField(_("target group"), blank=True, features=RICH_TEXT_FEATURES)
    learning_goals = RichTextField(_("learning goals"), blank=True, features=RICH_TEXT_FEATURES)
    programme = StreamField(ProgrammeBlock(), verbose_name=_("programme"), blank=True)
    body = StreamField(ContentBlock(), verbose_name=_("description"), blank=True)
    # What a visitor reads on the page, kilobytes of it: an enrolment reads the course's terms without them.
    LONG_TEXTS = ("target_group", "learning_goals", "programme", "body")

    price_excl_vat = MoneyField(
        _("price excl. VAT (€)"), max_digits=8, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("The investment per participant, excluding VAT. Until the office sets it (or ticks "
                    "\"free of charge\"), the course's dates say that enrolment opens soon."),
    )
    free_of_charge = models.BooleanField(
        _("free of charge"), default=False,
        help_text=_("Tick to offer this course without charge on purpose; the price then stays empty."),
    )
    vat_treatment = models.CharField(
        _("VAT"), max_length=10, choices=VatTreatment.choices, default=VatTreatment.EXEMPT,
        help_text=_("Exempt applies when the provider is registered with CRKBO for this training."),
    )
    duration_days = models.PositiveSmallIntegerField(
        _("duration in days"), default=1, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    net_hours = models.DecimalField(
        _("net contact hours"), max_digits=5, decimal_places=1, default=Decimal("6.0"),
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("Net learning hours as registers count them (excluding breaks)."),
    )
    default_capacity = models.PositiveSmallIntegerField(
        _("participants per date"), default=MAX_SEATS_PER_DATE,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SEATS_PER_DATE)],
        help_text=format_lazy(_("Default number of seats for a new date; at most {max}."), max=MAX_SEATS_PER_DATE),
    )
    free_cancellation_days = models.PositiveSmallIntegerField(
        _("free cancellation until (days before)"), default=14, validators=[MaxValueValidator(365)],
        help_text=_("Participants who cancel at least this many days before the first day get everything back."),
    )
    late_cancellation_refund_percent = models.PositiveSmallIntegerField(
        _("refund for a later cancellation (%)"), default=50, validators=[MaxValueValidator(100)],
        help_text=_("What participants get back when they cancel later, before the course starts."),
    )
    invoice_payment = models.CharField(
        _("pay on invoice"), max_length=15, choices=InvoicePayment.choices, default=InvoicePayment.ORGANISATIONS,
        help_text=_("Who may book and pay by bank transfer on an invoice instead of online."),
    )
    certificate_validity_years = models.PositiveSmallIntegerField(
        _("certificate valid for (years)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Leave empty when the certificate does not expire."),
    )
    recertification_course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("recertification course"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Where holders renew their certificate before it expires. Leave empty to send them to this "
                    "course."),
    )

    coaching_sessions = models.PositiveSmallIntegerField(
        _("individual coaching sessions per place"), default=0, validators=[MaxValueValidator(20)],
        help_text=_("1:1 sessions with a trainer that each participant books in a time the date's trainers "
                    "offer. 0: none."),
    )
    coaching_minutes = models.PositiveSmallIntegerField(
        _("length of a session (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(240)],
    )
    coaching_change_hours = models.PositiveSmallIntegerField(
        _("book, move or cancel until (hours before)"), default=24, validators=[MaxValueValidator(14 * 24)],
        help_text=_("After that a participant asks their trainer."),
    )

    completion_attendance_percent = models.PositiveSmallIntegerField(
        _("required attendance (%)"), default=100, validators=[MaxValueValidator(100)],
        help_text=_("Share of the meeting days a participant must attend; 100 means every day."),
    )
    completion_excused_days = models.PositiveSmallIntegerField(
        _("excused days allowed"), default=0,
        help_text=_("Days a participant may miss when they said so in advance, with a reason, and still complete. "
                    "An excused day never counts as attended for net hours, PE points or PE-online."),
    )
    completion_requires_coaching = models.BooleanField(
        _("all individual coaching sessions held"), default=False,
        help_text=_("Each of the place's individual coaching sessions (Practical) must have taken place, as its "
                    "trainer records. Net hours and PE points stay what the accreditation states."),
    )
    completion_requires_modules = models.BooleanField(
        _("all modules marked done"), default=False,
        help_text=_("Participants must mark every module as done."),
    )
    completion_requires_quizzes = models.BooleanField(_("all quizzes passed"), default=True)
    completion_requires_assignments = models.BooleanField(_("all assignments approved"), default=True)
    completion_requires_evaluation = models.BooleanField(
        _("course evaluation filled in"), default=True,
        help_text=_("Registers ask for a written evaluation of every accredited training."),
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("target_group"),
        index.SearchField("learning_goals"),
        index.SearchField("body"),
    ]

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("image"),
        FieldPanel("delivery"),
        FieldPanel("target_group"),
        FieldPanel("learning_goals"),
        FieldPanel("programme"),
        FieldPanel("body"),
    ]
    practical_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("price_excl_vat", permission=MANAGE_COURSES),
                               FieldPanel("vat_treatment", permission=MANAGE_COURSES)]),
                FieldPanel("free_of_charge", permission=MANAGE_COURSES),
                PriceForTrainersPanel(),
                FieldRowPanel([FieldPanel("duration_days"), FieldPanel("net_hours")]),
                FieldRowPanel([FieldPanel("default_capacity"),
                               FieldPanel("invoice_payment", permission=MANAGE_COURSES)]),
            ],
            heading=_("Price, duration and capacity"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("free_cancellation_days", permission=MANAGE_COURSES),
                            FieldPanel("late_cancellation_refund_percent", permission=MANAGE_COURSES)])],
            heading=_("Cancellation policy"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("coaching_sessions", permission=MANAGE_COURSES),
                            FieldPanel("coaching_minutes", permission=MANAGE_COURSES),
                            FieldPanel("coaching_change_hours", permission=MANAGE_COURSES)])],
            heading=_("Individual coaching"),
        ),
        FieldPanel("trainers", permission=MANAGE_COURSES),
        InlinePanel("accreditations", heading=_("PE points and accreditations"), label=_("Accreditation")),
    ]
    completion_panels = [
        MultiFieldPanel(
            [
                FieldPanel("completion_attendance_percent", permission=MANAGE_COURSES),
                FieldPanel("completion_excused_days", permission=MANAGE_COURSES),
                FieldPanel("completion_requires_coaching", permission=MANAGE_COURSES),
                FieldPanel("completion_requires_modules", permission=MANAGE_COURSES),
                FieldPanel("completion_requires_quizzes", permission=MANAGE_COURSES),
                FieldPanel("completion_requires_assignments", permission=MANAGE_COURSES),
                FieldPanel("completion_requires_evaluation", permission=MANAGE_COURSES),
            ],
            heading=_("A participant completes the course when"),
        ),
        MultiFieldPanel(
            [FieldPanel("certificate_validity_years", permission=MANAGE_COURSES),
             FieldPanel("recertification_course", permission=MANAGE_COURSES)],
            heading=_("Certificate"),
        ),
    ]
    base_form_class = CoursePageForm
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(practical_panels, heading=_("Practical")),
            ObjectList(completion_panels, heading=_("Completion")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    trainers = ParentalManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("course team"), blank=True, related_name="courses_as_trainer",
        limit_choices_to={"groups__name": "Trainers"},
        help_text=_("Trainers who may edit this course and its modules, quizzes and assignments. Price, VAT, "
                    "cancellation policy and completion rules stay with the office."),
    )

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    template = "courses/course_page.html"

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [("manage_courses", _("Can edit every course, with its price, VAT, cancellation policy and "
                                            "completion rules"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_capacity__gte=1, default_capacity__lte=MAX_SEATS_PER_DATE),
                name="course_capacity_between_1_and_max",
            ),
            models.CheckConstraint(condition=models.Q(price_excl_vat__gte=0), name="course_price_not_negative"),
            models.CheckConstraint(  # free on purpose, or a price (or none yet): never €0 by accident
                condition=models.Q(free_of_charge=True, price_excl_vat=0)
                | models.Q(free_of_charge=False, price_excl_vat__gt=0)
                | models.Q(free_of_charge=False, price_excl_vat__isnull=True),
                name="course_free_on_purpose_only"),
            models.CheckConstraint(condition=models.Q(late_cancellation_refund_percent__lte=100),
                                   name="course_refund_percent_at_most_100"),
            models.CheckConstraint(condition=models.Q(completion_attendance_percent__lte=100),
                                   name="course_attendance_percent_at_most_100"),
        ]

    @property
    def vat_rate(self) -> Decimal:
        return VAT_RATES[VatTreatment(self.vat_treatment)]

    @property
    def price_set(self) -> bool:
        """Whether the office decided what the course costs (a price, or free on purpose): nobody enrolls
        before it has."""
        return self.free_of_charge or self.price_excl_vat is not None

    @property
    def vat_amount(self) -> Decimal | None:
        if self.price_excl_vat is None:
            return None
        return (self.price_excl_vat * self.vat_rate).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def price_incl_vat(self) -> Decimal | None:
        return None if self.price_excl_vat is None else self.price_excl_vat + self.vat_amount

    @property
    def is_vat_exempt(self) -> bool:
        return self.vat_treatment == VatTreatment.EXEMPT

    @property
    def is_free(self) -> bool:
        return self.free_of_charge

    def save(self, *args, **kwargs):
        """A course is free only on purpose: €0 without the tick (a revision from before the office decided
        prices) means no price yet, never free of charge."""
        if self.free_of_charge:
            self.price_excl_vat = Decimal("0.00")
        elif self.price_excl_vat == 0:
            self.price_excl_vat = None
        return super().save(*args, **kwargs)

    @property
    def recertification_page(self) -> "CoursePage":
        """Where a holder of this course's certificate renews it: the recertification course while it is
        live, otherwise this course (its dates, or its interest list)."""
        renewal = self.recertification_course
        return renewal if renewal is not None and renewal.live else self

    def get_context(self, request, *args, **kwargs):
        """What every visitor sees; the dates with the visitor's places, and their progress, come from the
        template tags of the apps that own them (`course_dates`, `course_progress`)."""
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = modules_published(course=self)
        # Through the cluster, so a preview shows accreditations that are not saved yet.
        context["accreditations"] = self.accreditations.all()
        return context


class CourseAccreditation(Orderable):
    """PE points a register awards for the course, under the register's accreditation id."""

    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="accreditations")
    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    points = models.DecimalField(
        _("PE points"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    accreditation_id = models.CharField(_("accreditation id"), max_length=50, blank=True)
    pe_online_course_id = models.CharField(
        _("PE-online course id"), max_length=20, blank=True,
        help_text=_("For registers that take attendance through PE-online: the course's id there."),
    )

    panels = [FieldRowPanel([FieldPanel("register"), FieldPanel("points"), FieldPanel("accreditation_id"),
                             FieldPanel("pe_online_course_id")])]

    class Meta(Orderable.Meta):
        verbose_name = _("accreditation")
        verbose_name_plural = _("accreditations")
        constraints = [
            models.UniqueConstraint(fields=["course", "register"], name="one_accreditation_per_register"),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="accreditation_points_positive"),
        ]

    def __str__(self):
        return f"{self.get_register_display()}: {self.points}"


class ModulePage(CourseTeamPage, Page):
    """A part of a course: a day, a phase or a theme, with its learning content."""

    summary = models.TextField(_("summary"), max_length=300, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("study time (minutes)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    body = StreamField(ContentBlock(), verbose_name=_("content"), blank=True)
    open_to_all = models.BooleanField(
        _("open to everyone"), default=False,
        help_text=_("Off: visitors see the title and summary as a teaser, participants the whole module."),
    )
    opens_days_from_start = models.SmallIntegerField(
        _("opens (days from the first day)"), null=True, blank=True,
        validators=[MinValueValidator(-365), MaxValueValidator(365)],
        help_text=_("For participants, relative to their date: -14 opens two weeks before the first day, "
                    "1 the day after it. Empty: open as soon as they are enrolled."),
    )

    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("open_to_all"), FieldPanel("opens_days_from_start")], heading=_("Access")),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["learning.QuizPage", "learning.AssignmentPage"]
    template = "courses/module_page.html"

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def get_context(self, request, *args, **kwargs):
        """The course and its modules around this one; what the visitor may do here comes from the learning
        app's `module_learning` template tag."""
        context = super().get_context(request, *args, **kwargs)
        course = self.get_parent().specific
        modules = modules_published(course=course)
        position = next((i for i, module in enumerate(modules) if module.pk == self.pk), None)
        context.update(
            course=course,
            modules=modules,
            previous_module=modules[position - 1] if position else None,
            next_module=modules[position + 1] if position is not None and position + 1 < len(modules) else None,
        )
        return context


def modules_published(*, course: CoursePage) -> list[ModulePage]:
    """A course's live, public modules in the tree's order: the same for everyone until a page changes, so kept
    in the shared cache."""
    return page_cache.remembered(
        f"modules:{course.pk}", lambda: list(ModulePage.objects.child_of(course).live().public().order_by("path")),
        shared=True)


def courses_published(*, parent: Page | None = None) -> models.QuerySet[CoursePage]:
    """The catalogue: live, public courses with their image and accreditations, in the tree's order."""
    courses = CoursePage.objects.live().public().select_related("image")
    if parent is not None:
        courses = courses.child_of(parent)
    return courses.prefetch_related(
        Prefetch("accreditations", queryset=CourseAccreditation.objects.order_by("sort_order"))
    ).order_by("path")

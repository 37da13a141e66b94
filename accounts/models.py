from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.addresses import COUNTRIES, NETHERLANDS, address_lines, oin_validate, postcode_normalise
from core.vat import vat_id_validate

from .registers import Register, register_number_validate


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person who logs in with an email address: a coach, an alumna, a trainer or the office."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(
        _("full name"),
        max_length=150,
        blank=True,
        help_text=_("Your name exactly as it must appear on certificates, with initials or titles."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="nl",
        help_text=_("The language of the emails we send you."),
    )
    receives_reminders = models.BooleanField(
        _("reminders by email"), default=True,
        help_text=_("Before a meeting day, and three months before a certificate expires. Confirmations, "
                    "invitations and invoices always come."))

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return self.full_name or super().get_full_name()


class RegisterMembership(models.Model):
    """A person's membership of a professional register, printed on their certificates."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="register_memberships")
    register = models.CharField(_("register"), max_length=20, choices=Register.choices)
    number = models.CharField(_("member number"), max_length=20, validators=[register_number_validate])

    class Meta:
        verbose_name = _("register membership")
        verbose_name_plural = _("register memberships")
        ordering = ["register"]
        constraints = [models.UniqueConstraint(fields=["user", "register"], name="one_membership_per_register")]

    def __str__(self):
        return f"{self.get_register_display()} {self.number}"

    def clean(self):
        super().clean()
        if self.number:
            try:
                register_number_validate(self.number, self.register)
            except ValidationError as error:
                raise ValidationError({"number": error}) from error


kvk_number_validate = RegexValidator(r"^\d{8}$", _("A KvK number has 8 digits."))


class Organisation(models.Model):
    """An employer or re-integration firm that books seats for its people and pays on invoice: on invoice only
    once the office approved it (anyone can register one; paying online works at once)."""

    class Approval(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    name = models.CharField(_("name"), max_length=150)
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True, validators=[kvk_number_validate])
    vat_id = models.CharField(_("VAT id"), max_length=20, blank=True, validators=[vat_id_validate],
                              help_text=_("For example NL001234567B01."))
    approval = models.CharField(_("approval"), max_length=10, choices=Approval.choices, default=Approval.PENDING,
                                editable=False,
                                help_text=_("Only an approved organisation books on invoice."))
    decided_at = models.DateTimeField(_("approval decided"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey("accounts.User", verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    refusal_reason = models.CharField(_("reason for refusing"), max_length=255, blank=True, editable=False)
    street = models.CharField(_("street and number"), max_length=150)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES, default=NETHERLANDS)
    oin = models.CharField(_("OIN"), max_length=20, blank=True, validators=[oin_validate],
                           help_text=_("Only for a public body: its organisation identification number (20 digits), "
                                       "which its e-invoices name."))
    invoice_email = models.EmailField(_("invoice email"), help_text=_("Where invoices go, e.g. the accounts "
                                                                      "department."))
    default_reference = models.CharField(_("default reference / PO number"), max_length=60, blank=True)
    people = models.ManyToManyField(User, verbose_name=_("people"), through="Membership", related_name="organisations",
                                    blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            self.postcode = postcode_normalise(self.postcode, self.country)
        except ValidationError as error:
            raise ValidationError({"postcode": error}) from error

    @property
    def invoice_address(self) -> str:
        """The address on the envelope, one line per part."""
        return "\n".join(address_lines(self.street, self.postcode, self.city, self.country))

    @property
    def is_approved(self) -> bool:
        return self.approval == self.Approval.APPROVED

    @property
    def is_pending(self) -> bool:
        return self.approval == self.Approval.PENDING

    @property
    def is_refused(self) -> bool:
        return self.approval == self.Approval.REFUSED


class Membership(models.Model):
    """A person's link to an organisation: a contact person books and sees the organisation's people; a member
    is one of those people."""

    class Role(models.TextChoices):
        CONTACT = "contact", _("Contact person")
        MEMBER = "member", _("Member")

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="memberships")
    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    shares_progress_since = models.DateTimeField(
        _("shares progress since"), null=True, blank=True,
        help_text=_("When the person agreed that the organisation's contact persons see their attendance, "
                    "completion and certificates; empty when they did not (or took it back)."),
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["role", "user__full_name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_organisation")]

    def __str__(self):
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"

    @property
    def is_contact(self) -> bool:
        return self.role == self.Role.CONTACT


class OrganisationInvitation(models.Model):
    """A contact person asks a colleague (by email) to join the organisation as contact person or member."""

    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices)
    token = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("invited"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to an organisation")
        verbose_name_plural = _("invitations to an organisation")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} · {self.organisation}"

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

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

"""Codes the office hands out for a lower price: a percentage or an amount off, for some courses or all, for a
while, a number of times, optionally only until some days before the date (early bird)."""

from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.formats import euro
from core.money import MoneyField

from .pages import CoursePage


class Voucher(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", _("Percentage off")
        AMOUNT = "amount", _("Amount off (incl. VAT)")

    code = models.CharField(_("code"), max_length=30, unique=True,
                            help_text=_("What people type on the enrolment form; upper and lower case are the same."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERCENT)
    value = MoneyField(_("value"), max_digits=8,
                       validators=[MinValueValidator(Decimal("0.01"))],
                       help_text=_("A percentage (10 = 10 %) or an amount in euro per seat."))
    courses = models.ManyToManyField(CoursePage, verbose_name=_("courses"), blank=True, related_name="+",
                                     help_text=_("Empty: every course."))
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    early_bird_days = models.PositiveSmallIntegerField(
        _("early bird: until days before the date"), null=True, blank=True,
        help_text=_("Only valid until this many days before the date starts. Empty: no such limit."))
    max_uses = models.PositiveIntegerField(_("maximum uses"), null=True, blank=True,
                                           help_text=_("Each seat counts as one use. Empty: no limit."))
    uses = models.PositiveIntegerField(_("used"), default=0, editable=False)
    active = models.BooleanField(_("active"), default=True, help_text=_("Switch off to stop the code at once."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="voucher_code_ci_unique"),
            models.CheckConstraint(condition=Q(max_uses__isnull=True) | Q(uses__lte=F("max_uses")),
                                   name="voucher_uses_within_maximum"),
            models.CheckConstraint(condition=~Q(kind="percent") | Q(value__lte=100),
                                   name="voucher_percent_at_most_100"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        """The code in capitals; `uses` is only ever changed by its conditional updates, never by a save."""
        self.code = self.code.strip().upper()
        if self.pk and "update_fields" not in kwargs:
            kwargs["update_fields"] = [field.name for field in self._meta.concrete_fields
                                       if field.name not in ("id", "uses")]
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.max_uses is not None and self.max_uses < self.uses:
            raise ValidationError({"max_uses": _("It has been used %(uses)d times already; switch it off to stop "
                                                 "it.") % {"uses": self.uses}})

    @admin.display(description=_("discount"))
    def discount_label(self) -> str:
        return f"{self.value.normalize():f} %" if self.kind == self.Kind.PERCENT else euro(self.value)

    @admin.display(description=_("used"))
    def usage(self) -> str:
        return f"{self.uses} / {self.max_uses}" if self.max_uses is not None else str(self.uses)

    @admin.display(description=_("early bird"))
    def early_bird_label(self) -> str:
        if self.early_bird_days is None:
            return ""
        return _("until %(days)d days before the date") % {"days": self.early_bird_days}

    @admin.display(description=_("status"))
    def state(self) -> str:
        return str(_("active") if self.active else _("switched off"))

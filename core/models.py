"""What the whole site shares: who provides the training (the provider's details, set once in the admin)."""

import copy

from django.core.validators import RegexValidator
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from . import page_cache

DEFAULT_BRAND_COLOUR = "#0b5563"
DEFAULT_VAT_EXEMPTION_TEXT = (
    "Vrijgesteld van btw op grond van artikel 11, lid 1, onderdeel o, Wet op de omzetbelasting 1968 "
    "(CRKBO-geregistreerde instelling)."
)


@register_setting(icon="group")
class ProviderSettings(BaseGenericSetting):
    """Who provides the training: printed on invoices and certificates. Administrators only."""

    name = models.CharField(_("name"), max_length=150, default="Spoor 2 Academy")
    street_address = models.CharField(_("street and number"), max_length=150, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    kvk_number = models.CharField(_("Chamber of Commerce (KvK) number"), max_length=8, blank=True)
    vat_number = models.CharField(_("VAT id"), max_length=14, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True,
                            help_text=_("The account invoices paid by bank transfer are paid into."))
    crkbo_registered = models.BooleanField(_("registered with CRKBO"), default=True)
    crkbo_number = models.CharField(_("CRKBO registration number"), max_length=20, blank=True,
                                    help_text=_("Printed on invoices beside the VAT exemption."))
    vat_exemption_text = models.TextField(_("VAT exemption text"), default=DEFAULT_VAT_EXEMPTION_TEXT)
    privacy_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("privacy statement"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Linked in every page's footer and on the signup page."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("logo"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("In the site's header, on invoices, and on certificates unless their design has "
                                      "a logo of its own."),
    )
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default=DEFAULT_BRAND_COLOUR,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #0b5563."))],
        help_text=_("Buttons, links and headings on the site, emails and invoices. Dark enough for white text on it."),
    )
    terms_page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("terms and conditions"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Linked where people accept them when they enrol or book, and in the footer."),
    )
    nobco_vignet = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("NOBCO PE-vignet"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The vignet NOBCO granted: printed, with the net hours, on the certificates of courses with a "
                    "NOBCO accreditation."),
    )

    select_related = ["privacy_page", "terms_page", "logo"]  # every page shows them: no query of their own

    @property
    def brand_colour_dark(self) -> str:
        """The brand colour three quarters as light: hover states and the brand name in the header."""
        red, green, blue = (int(self.brand_colour[i:i + 2], 16) for i in (1, 3, 5))
        return "#{:02x}{:02x}{:02x}".format(*(round(part * 0.75) for part in (red, green, blue)))

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [FieldPanel("street_address"), FieldRowPanel([FieldPanel("postcode"), FieldPanel("city")])],
            heading=_("Address"),
        ),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldRowPanel([FieldPanel("kvk_number"), FieldPanel("vat_number")]),
        FieldPanel("iban"),
        FieldRowPanel([FieldPanel("crkbo_registered"), FieldPanel("crkbo_number")]),
        FieldPanel("vat_exemption_text"),
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("brand_colour")], heading=_("Look")),
        FieldPanel("privacy_page"),
        FieldPanel("terms_page"),
        FieldPanel("nobco_vignet"),
    ]

    class Meta:
        verbose_name = _("provider details")

    @classmethod
    def load(cls, request_or_site=None):
        """Every page's header and footer show these: a page gets them from the shared cache (renewed when they,
        or a page such as the privacy statement, change); the admin reads the database."""
        request = request_or_site
        if not isinstance(request, HttpRequest) or request.path_info.startswith("/admin/"):
            return super().load(request_or_site)
        if not hasattr(request, cls.get_cache_attr_name()):
            # The process's one copy, shallowly copied for this request: Wagtail's `page_url` keeps the addresses
            # it finds on the instance, in the language of the page that asked first.
            provider = copy.copy(page_cache.remembered("provider-settings", cls._get_or_create, shared=True))
            provider._page_url_cache = {}
            setattr(request, cls.get_cache_attr_name(), provider)
        return getattr(request, cls.get_cache_attr_name())


class SentEmail(models.Model):
    """That an email went to an address, and about what: so a person can see what we sent them (AVG export).
    Subject and date only, never the body."""

    recipient = models.EmailField(_("to"), db_index=True)
    subject = models.CharField(_("subject"), max_length=250)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("sent email")
        verbose_name_plural = _("sent emails")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.recipient} · {self.subject}"

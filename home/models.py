from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from courses.blocks import ContentBlock

DEFAULT_VAT_EXEMPTION_TEXT = (
    "Vrijgesteld van btw op grond van artikel 11, lid 1, onderdeel o, Wet op de omzetbelasting 1968 "
    "(CRKBO-geregistreerde instelling)."
)


class HomePage(Page):
    hero_title = models.CharField(_("hero title"), max_length=150)
    hero_text = RichTextField(_("hero text"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(ContentBlock(), verbose_name=_("content"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage"]
    max_count = 1
    template = "home/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import courses_published

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = courses_published()
        return context


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
    crkbo_registered = models.BooleanField(_("registered with CRKBO"), default=True)
    vat_exemption_text = models.TextField(_("VAT exemption text"), default=DEFAULT_VAT_EXEMPTION_TEXT)

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [FieldPanel("street_address"), FieldRowPanel([FieldPanel("postcode"), FieldPanel("city")])],
            heading=_("Address"),
        ),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldRowPanel([FieldPanel("kvk_number"), FieldPanel("vat_number")]),
        FieldPanel("crkbo_registered"),
        FieldPanel("vat_exemption_text"),
    ]

    class Meta:
        verbose_name = _("provider details")


class TaskRetry(models.Model):
    """A failed task run that was enqueued again (see home.retries): one row per failed run, so a run is
    retried once, whoever looks; `attempt` counts the retries of the original task."""

    failed_result_id = models.UUIDField(unique=True)
    retry_result_id = models.UUIDField(null=True, unique=True)  # None: given up after the last attempt
    attempt = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.failed_result_id} → {self.retry_result_id or 'given up'} ({self.attempt})"


class Heartbeat(models.Model):
    """When the scheduler last ticked and the worker last ran its tasks: /healthz/ reports a stale one."""

    name = models.CharField(max_length=20, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} · {self.beat_at:%Y-%m-%d %H:%M:%S}"

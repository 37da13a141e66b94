from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from core import page_cache
from courses.blocks import ContentBlock
from courses.selectors import courses_published


class HomePage(Page):
    """The front page: a hero, what the provider writes, and the courses."""

    page_cache_topics = (page_cache.SITE, page_cache.DATES)  # its course cards show each course's next date
    hero_title = models.CharField(_("hero title"), max_length=150)
    hero_text = RichTextField(_("hero text"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(ContentBlock(), verbose_name=_("content"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("hero_title"), FieldPanel("hero_text"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage", "home.InfoPage"]
    max_count = 1
    template = "home/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = courses_published()
        return context


class InfoPage(Page):
    """A page of plain information: the privacy statement, the terms, how to reach us."""

    intro = models.TextField(_("introduction"), max_length=500, blank=True)
    body = StreamField(ContentBlock(), verbose_name=_("content"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []
    template = "home/info_page.html"

    class Meta:
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")

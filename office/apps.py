from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeConfig(AppConfig):
    """The office's desk in the admin: one page per person, the search that finds them, today's work and the
    reports. It reads every app below it and acts through their services."""

    name = "office"
    verbose_name = _("Office")

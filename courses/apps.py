from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from core.privacy import register, register_retention

        from . import receivers  # noqa: F401
        from .privacy import PART, RETENTION

        register(PART)
        for rule in RETENTION:
            register_retention(rule)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from core.privacy import register

        from . import receivers  # noqa: F401
        from .privacy import PART

        register(PART)

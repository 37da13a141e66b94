from django.apps import AppConfig


class CertificationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certification"
    verbose_name = "Certification"

    def ready(self):
        from core.privacy import register

        from . import receivers  # noqa: F401
        from .privacy import PART

        register(PART)

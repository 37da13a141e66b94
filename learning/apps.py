from django.apps import AppConfig


class LearningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "learning"
    verbose_name = "Learning"

    def ready(self):
        from core.privacy import register, register_retention

        from .privacy import PART, RETENTION

        register(PART)
        for rule in RETENTION:
            register_retention(rule)

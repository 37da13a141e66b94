from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Keeping the site running: the scheduler of periodic work, failed tasks tried again, /healthz/."""

    name = "operations"
    verbose_name = _("Operations")

    def ready(self):
        from . import receivers  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo: its content, people and payments (`manage.py seed_demo`), and the banner `make run` prints."""

    name = "demo"
    verbose_name = _("Demo")

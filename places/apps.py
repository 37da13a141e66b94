from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    """What people do with a place: enrol, pay, take an offer, cancel, move, book seats and name people."""

    name = "places"
    verbose_name = _("Places")

"""Messages of our dependencies whose Dutch translation is missing upstream; makemessages picks them up
from here so that `locale/nl` carries the translation.

Django 5.2.x changed the minimum-length message to `%d`; its Dutch catalogue still has `%(min_length)d`.
allauth says "Aanmelden" for "Sign In" where the rest of the site says "Inloggen".
"""

from django.utils.translation import gettext_lazy, ngettext_lazy

UPSTREAM_MESSAGES = [
    gettext_lazy("Sign In"),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "count",
    ),
]

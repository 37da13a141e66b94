"""What the apps' `privacy` modules share: a record as a person reads it in their data export (AVG art. 15/20):
field names as the admin shows them, in the person's language, choices by their label, times in Amsterdam's."""

from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Fields that have no verbose name of their own read as their name ("created at"): these words instead.
PLAIN_NAMES = {"created_at": _("created"), "confirmed_at": _("confirmed"), "ended_at": _("ended"),
               "enrolment": _("place"), "course": _("course"), "last_seen_at": _("last seen"),
               "done_at": _("done"), "submitted_at": _("submitted")}


def _label(field) -> str:
    automatic = field.name.replace("_", " ")
    return str(PLAIN_NAMES.get(field.name, field.verbose_name) if field.verbose_name == automatic
               else field.verbose_name)


def readable(instance: models.Model, fields: list[str]) -> dict:
    record = {}
    for name in fields:
        field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if getattr(field, "choices", None):
            value = getattr(instance, f"get_{name}_display")()
        elif isinstance(value, datetime):
            value = timezone.localtime(value).isoformat(timespec="minutes")
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, FieldFile):
            value = value.name.rsplit("/", 1)[-1] if value else ""
        elif isinstance(value, models.Model):
            value = str(value)
        record[_label(field)] = value
    return record


def sent_emails(user) -> list[dict]:
    """What we emailed the person (subject and date), at their address."""
    from .models import SentEmail

    return [readable(sent, ["subject", "sent_at"]) for sent in SentEmail.objects.filter(recipient__iexact=user.email)]

"""What the apps' `privacy` modules share: a record as a person reads it in their data export (AVG art. 15/20):
field names as the admin shows them, in the person's language, choices by their label, times in Amsterdam's."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q, TextField
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SentEmail

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
    return [readable(sent, ["subject", "sent_at"]) for sent in SentEmail.objects.filter(recipient__iexact=user.email)]


ERASED = "[verwijderd]"


def needles_variants(needles: list[str]) -> list[str]:
    """The needles as typed and as JSON stores them in text (non-ASCII letters escaped)."""
    variants = []
    for needle in needles:
        for variant in (needle, json.dumps(needle)[1:-1]):
            if variant and variant not in variants:
                variants.append(variant)
    return variants


def scrub(value, needles: list[str]):
    """Text, or JSON, with every needle replaced by ERASED, whatever its case: whole words only, so that erasing
    "Jan" leaves "Jansen" and 204417 leaves 2044170."""
    if isinstance(value, str):
        for needle in needles:
            value = re.sub(rf"(?<!\w){re.escape(needle)}(?!\w)", ERASED, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [scrub(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: scrub(item, needles) for key, item in value.items()}
    return value


def scrub_rows(queryset, fields: list[str], needles: list[str], *, found_by: list[str] | None = None) -> int:
    """Scrubs every needle from the text or JSON `fields` of the rows that mention one of `found_by` (by default
    the needles themselves); returns how many rows. A name is a poor search term across a whole table (another
    "Eva" would lose hers): search such tables by what is unique to the person (an email address, a number)
    and let the name go in the rows found."""
    needles = needles_variants([needle for needle in needles if needle])
    found_by = needles_variants([needle for needle in found_by if needle]) if found_by is not None else needles
    if not needles or not found_by:
        return 0
    texts = {f"_text_{name}": Cast(name, TextField()) for name in fields}
    match = Q()
    for alias in texts:
        for needle in found_by:
            match |= Q(**{f"{alias}__icontains": needle})
    rows = list(queryset.annotate(**texts).filter(match))
    for row in rows:
        for name in fields:
            setattr(row, name, scrub(getattr(row, name), needles))
        row.save(update_fields=fields)
    return len(rows)


@dataclass(frozen=True)
class PersonalData:
    """One app's part of a person's data (AVG art. 15, 17, 20), registered in its AppConfig.ready(), as Moodle's
    privacy API and pretix's data shredders have each plugin say what it holds.

    - `data(user)`: sections of readable records for the person's copy; `files(user)`: (path in the ZIP, stored
      file, checksum) of their documents;
    - `erase(user, *, needles, unique, now, withdraw_certificates)`: deletes or anonymises what the app holds;
      apps erase in `erase_order` (low first: the places go last, as the others find the person's data through
      them);
    - `records(user)`: (model, ids) of the person's own records, whose audit trail loses their name too;
    - `identifiers(user)`: what is unique to them beyond their email and phone (register numbers), scrubbed
      wherever it was written down;
    - `blockers(user, now)`: what must end before the account can be erased (a seat on a date still to come);
    - `keeps_account`: the ids of people who hold something (a queryset of user ids), whose account is never
      removed as an unconfirmed sign-up.
    """

    app: str
    data: Callable = field(default=lambda user: {})
    files: Callable = field(default=lambda user: [])
    erase: Callable | None = None
    erase_order: int = 50
    records: Callable = field(default=lambda user: [])
    identifiers: Callable = field(default=lambda user: set())
    blockers: Callable = field(default=lambda user, now: [])
    keeps_account: Callable | None = None


@dataclass(frozen=True)
class RetentionRule:
    """Something kept no longer than a term (docs/privacy.md): `apply(now=…)` removes what is past it and returns
    how many records it touched. Registered by the app that holds the data; the scheduler applies them all."""

    name: str
    apply: Callable


_parts: dict[str, PersonalData] = {}
_retention: dict[str, RetentionRule] = {}


def register(part: PersonalData) -> None:
    _parts[part.app] = part


def register_retention(rule: RetentionRule) -> None:
    _retention[rule.name] = rule


def parts() -> list[PersonalData]:
    """Every app's part, in the order of registration (the apps' order): for the copy."""
    return list(_parts.values())


def parts_in_erase_order() -> list[PersonalData]:
    return sorted((part for part in _parts.values() if part.erase is not None), key=lambda part: part.erase_order)


def retention_rules() -> list[RetentionRule]:
    return list(_retention.values())

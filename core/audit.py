"""One audit trail for every change of state that matters (places, dates, payments, refunds, invoices,
certificates, grades, attendance): actor, dotted action id (`enrolment.cancelled`, `certificate.revoked`),
object, time and details, kept in Wagtail's own log (ModelLogEntry) and shown on each record's History page
in the admin. Each app names its actions in its wagtail_hooks (`register_log_actions`)."""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.log_actions import LogFormatter, get_active_log_context, log, registry
from wagtail.models import ModelLogEntry


def record(instance, action: str, *, actor=None, at: datetime | None = None, **details) -> None:
    """Writes one entry, in the caller's transaction (a rolled-back change leaves no trace). `actor` None (or
    anonymous) is the system: the scheduler, a webhook, the worker. `details` must be JSON: strings, numbers."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    timestamp = at or timezone.now()
    data = {key: value for key, value in details.items() if value not in (None, "")}
    if registry.get_log_model_for_instance(instance) is not ModelLogEntry:  # a page: Wagtail's page log
        log(instance, action, user=user, timestamp=timestamp, data=data)
        return
    # As Wagtail's log() writes it, without the full_clean() of its save(): that asks the database whether the
    # content type and the user exist, two round trips before every entry (under the date's lock, for a hold).
    # The content type comes from Django's own registry and the user is the signed-in person acting; what else
    # full_clean() and log_action() check is checked here.
    if instance.pk is None:
        raise ValueError(f"An audit entry is for a saved record, not {instance!r}.")
    if not registry.action_exists(action):
        raise ValueError(f"The audit action {action!r} is not registered (register_log_actions).")
    context = get_active_log_context()
    ModelLogEntry.objects.bulk_create([ModelLogEntry(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk), label=str(instance) or f"{type(instance).__name__} object ({instance.pk})",
        action=action, timestamp=timestamp, data=data, user=user or context.user, uuid=context.uuid)])


def history(instance) -> QuerySet[ModelLogEntry]:
    """The record's entries, oldest first."""
    return ModelLogEntry.objects.for_instance(instance).order_by("timestamp", "pk")


def histories(instances) -> dict:
    """The entries of several records of one model, oldest first, by the record's pk: one query."""
    instances = list(instances)
    if not instances:
        return {}
    content_type = ContentType.objects.get_for_model(instances[0])
    entries = {instance.pk: [] for instance in instances}
    for entry in ModelLogEntry.objects.filter(content_type=content_type,
                                              object_id__in=[str(pk) for pk in entries]).order_by("timestamp", "pk"):
        entries[type(instances[0])._meta.pk.to_python(entry.object_id)].append(entry)
    return entries


def register_actions(actions, named: dict[str, tuple[str, str]]) -> None:
    """Names an app's actions ({action: (label, message)}) for the admin's history pages, from its
    `register_log_actions` hook; a `note` or `reason` in an entry's details is shown with its message."""
    for action, (label, message) in named.items():
        actions.register_action(action)(_formatter(label, message))


def _formatter(label: str, message: str) -> type[LogFormatter]:
    class Formatter(LogFormatter):
        def format_message(self, log_entry):
            said = log_entry.data.get("note") or log_entry.data.get("reason")
            return f"{message}: {said}" if said else message

    Formatter.label, Formatter.message = label, message
    return Formatter


def what_happened(entry: ModelLogEntry) -> str:
    """The entry's message without its note (notes may name other people): "Place confirmed"."""
    formatter = registry.get_formatter(entry)
    return str(getattr(formatter, "message", None) or registry.get_action_label(entry.action))

"""The AVG rights a person exercises from their profile: a copy of everything we hold about them (art. 15, 20),
gathered from the part every app registers (core.privacy), as one ZIP; and their erasure (art. 17), each app
erasing its own part."""

import io
import json
import secrets
import zipfile
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from wagtail.models import ModelLogEntry, PageLogEntry

from core.mail import email_person
from core.models import SentEmail
from core.privacy import parts, parts_in_erase_order, scrub_rows, sent_emails
from core.storage import read_verified
from core.tasks import enqueue_with_change

from .models import DataExport, Erasure

EXPORT_DAYS = 7


class PrivacyError(Exception):
    pass


def export_request(*, user) -> DataExport:
    """Queues a copy of the person's data; refuses a second while one is being prepared."""
    try:
        with transaction.atomic():
            export = DataExport.objects.create(user=user)
            enqueue_with_change(prepare_export, export_id=export.pk)
    except IntegrityError:
        raise PrivacyError(_("Your copy is being prepared already: we email you as soon as it is ready.")) from None
    return export


def personal_data(user) -> dict[str, list]:
    """Everything we hold about the person, section by section, in their language."""
    data = {}
    for part in parts():
        data.update(part.data(user))
    data[_("Emails we sent you")] = sent_emails(user)
    return data


def export_archive(user, *, now: datetime) -> bytes:
    """The ZIP: a readme, the data as readable JSON, and the files (invoices, certificates, hand-ins)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        missing = []
        for part in parts():
            for path, stored, sha256 in part.files(user):
                try:
                    archive.writestr(path, read_verified(stored, sha256))
                except OSError:  # gone, or changed since it was made (DocumentDamaged): listed as missing
                    missing.append(path)
        archive.writestr(_("my-data.json"), json.dumps(personal_data(user), ensure_ascii=False, indent=2))
        archive.writestr(_("README.txt"), render_to_string("privacy/export_readme.txt",
                                                           {"user": user, "now": now, "missing": missing}))
    return buffer.getvalue()


@task()
def prepare_export(*, export_id: int) -> None:
    export = DataExport.objects.select_related("user").get(pk=export_id)
    if export.ready_at:
        return
    now = timezone.now()
    with translation.override(export.user.language):
        content = export_archive(export.user, now=now)
    export.file.save(f"{secrets.token_urlsafe(16)}.zip", ContentFile(content), save=False)
    export.ready_at, export.expires_at = now, now + timedelta(days=EXPORT_DAYS)
    export.save(update_fields=["file", "ready_at", "expires_at"])
    email_person(export.user, "privacy/email/export_ready", {"export": export},
                 links={"link": ("privacy:export", [export.pk])})


def export_for_download(*, user, pk: int, now: datetime | None = None) -> DataExport:
    """The person's own ready copy, while it is available; 404 for anything else."""
    export = DataExport.objects.filter(user=user, pk=pk, ready_at__isnull=False,
                                       expires_at__gt=now or timezone.now()).exclude(file="").first()
    if export is None:
        raise Http404
    return export


def exports_of(user, now: datetime | None = None) -> list[DataExport]:
    """What the profile shows: a copy being prepared, and copies still available."""
    now = now or timezone.now()
    return [export for export in user.data_exports.all()[:5]
            if export.ready_at is None or export.expires_at > now]


def exports_remove_expired(*, now: datetime | None = None) -> int:
    """Retention: a copy is deleted, file and all, once its EXPORT_DAYS are over; returns how many."""
    now = now or timezone.now()
    expired = list(DataExport.objects.filter(expires_at__lte=now))
    for export in expired:
        if export.file:
            export.file.delete(save=False)
        export.delete()
    return len(expired)


def _history_of(user) -> Q:
    """The audit trail's entries about the person's own records, as each app names them: their account, places,
    payments and invoices, certificates, hand-ins, attempts, and the bookings they made."""
    match = Q()
    for part in parts():
        for model, rows in part.records(user):
            ids = [str(pk) for pk in (rows if isinstance(rows, list) else rows.values_list("pk", flat=True))]
            if ids:
                match |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=ids)
    return match or Q(pk__in=[])


def has_admin_rights(user) -> bool:
    return user.is_staff or user.is_superuser or user.groups.exists() or user.user_permissions.exists()


def erasure_blockers(user, *, now: datetime | None = None) -> list:
    """What must end before the account can be erased: places on dates still to come, which the person cancels
    (or leaves the waitlist of) first."""
    now = now or timezone.now()
    return [blocker for part in parts() for blocker in part.blockers(user, now)]


@transaction.atomic
def account_erase(*, user, withdraw_certificates: bool = False, by_office=None, reason: str = "",
                  now: datetime | None = None) -> Erasure:
    """Erases the person (AVG art. 17). What the law makes us keep stays: invoices and payments (seven years,
    with the invoice's own copy of name and address) and certificates as they were issued (unless withdrawn);
    places stay anonymous. Everything else about them is deleted, or scrubbed where a record names them."""
    now = now or timezone.now()
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if by_office is None and has_admin_rights(user):
        raise PrivacyError(_("An account with rights in the CMS (office, trainer) is erased by the office."))
    if erasure_blockers(user, now=now):
        raise PrivacyError(_("Cancel your places on dates still to come first."))
    numbers = {number for part in parts() for number in part.identifiers(user)}  # also numbers changed since
    unique = [user.email, user.phone, *sorted(number for number in numbers if number)]
    needles = [*unique, user.get_full_name()]
    own_history = _history_of(user)
    for export in user.data_exports.all():
        if export.file:
            export.file.delete(save=False)
    # Each app erases its own records; the places go last, as the others find the person's data through them.
    for part in parts_in_erase_order():
        part.erase(user, needles=needles, unique=unique, now=now, withdraw_certificates=withdraw_certificates)
    SentEmail.objects.filter(recipient__iexact=user.email).delete()
    ModelLogEntry.objects.filter(user=user).update(user=None)
    PageLogEntry.objects.filter(user=user).update(user=None)
    # The history names people in its labels (a place is "Eva de Vries · Basistraining …") and notes: the
    # entries about the person's own records lose their name too; any other entry what is theirs alone (someone
    # else called Eva keeps hers).
    scrub_rows(ModelLogEntry.objects.filter(own_history), ["label", "data"], needles)
    scrub_rows(ModelLogEntry.objects.all(), ["label", "data"], needles, found_by=unique)
    scrub_rows(SentEmail.objects.all(), ["subject"], needles)  # the office's emails that named them
    user.delete()
    return Erasure.objects.create(erased_at=now, by_office=by_office, reason=reason,
                                  certificates_withdrawn=withdraw_certificates)

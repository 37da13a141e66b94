"""How long we keep what (docs/privacy.md), applied by the scheduler: every function removes what is past its
term and returns how many records it touched. Terms are settings (RETENTION_*)."""

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import Enrolment
from learning.models import AssignmentSubmission, Evaluation

from .services import exports_remove_expired


def unconfirmed_accounts_remove(*, now: datetime) -> int:
    """Sign-ups whose email address was never confirmed, after RETENTION_UNCONFIRMED_DAYS: they never logged in
    and hold nothing (no place, no membership). Accounts made in the admin (trainers, the office), which have no
    address to confirm, or with any rights, are never removed this way."""
    cutoff = now - timedelta(days=settings.RETENTION_UNCONFIRMED_DAYS)
    stale = (get_user_model().objects.filter(date_joined__lt=cutoff, last_login__isnull=True, is_staff=False,
                                             is_superuser=False, groups__isnull=True, user_permissions__isnull=True)
             .filter(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=False)))
             .exclude(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)))
             .exclude(Exists(Enrolment.objects.filter(user=OuterRef("pk"))))
             .exclude(memberships__isnull=False))
    removed = 0
    for user in stale:
        user.delete()
        removed += 1
    return removed


def assignment_files_remove(*, now: datetime) -> int:
    """Files handed in, RETENTION_ASSIGNMENT_FILES_MONTHS after their date ended; the hand-in itself (its grade,
    feedback and file name) stays."""
    cutoff = now - timedelta(days=30 * settings.RETENTION_ASSIGNMENT_FILES_MONTHS)
    old = AssignmentSubmission.objects.filter(enrolment__course_date__ends_at__lt=cutoff).exclude(file="")
    removed = 0
    with translation.override(settings.LANGUAGE_CODE):
        note = _("[The file was deleted %(months)s months after the date, as our privacy statement says.]") % {
            "months": settings.RETENTION_ASSIGNMENT_FILES_MONTHS}
    for submission in old:
        submission.file.delete(save=False)
        submission.file = ""
        submission.text = f"{submission.text}\n\n{note}".strip()  # a hand-in always has text or a file
        submission.save(update_fields=["file", "text"])
        removed += 1
    return removed


def evaluations_detach(*, now: datetime) -> int:
    """Evaluations older than RETENTION_EVALUATION_YEARS lose their place (and so their person); they stay with
    the date, for its averages."""
    cutoff = now - timedelta(days=365 * settings.RETENTION_EVALUATION_YEARS)
    return Evaluation.objects.filter(submitted_at__lt=cutoff, enrolment__isnull=False).update(enrolment=None)


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "unconfirmed_accounts": unconfirmed_accounts_remove(now=now),
        "assignment_files": assignment_files_remove(now=now),
        "evaluations_detached": evaluations_detach(now=now),
        "exports": exports_remove_expired(now=now),
    }

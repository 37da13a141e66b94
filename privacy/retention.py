"""How long we keep what (docs/privacy.md), applied by the scheduler: every rule removes what is past its term
and returns how many records it touched. Terms are settings (RETENTION_*); the apps that hold the data register
their rules (core.privacy.register_retention), this app its own."""

from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.privacy import parts, retention_rules

from .services import exports_remove_expired


def unconfirmed_accounts_remove(*, now: datetime) -> int:
    """Sign-ups whose email address was never confirmed, after RETENTION_UNCONFIRMED_DAYS: they never logged in
    and hold nothing (no place, no membership: what the apps' parts say keeps an account). Accounts made in the
    admin (trainers, the office), which have no address to confirm, or with any rights, are never removed this
    way."""
    cutoff = now - timedelta(days=settings.RETENTION_UNCONFIRMED_DAYS)
    stale = (get_user_model().objects.filter(date_joined__lt=cutoff, last_login__isnull=True, is_staff=False,
                                             is_superuser=False, groups__isnull=True, user_permissions__isnull=True)
             .filter(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=False)))
             .exclude(Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True))))
    for part in parts():
        if part.keeps_account is not None:
            stale = stale.exclude(pk__in=part.keeps_account())
    removed = 0
    for user in stale:
        user.delete()
        removed += 1
    return removed


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    applied = {"unconfirmed_accounts": unconfirmed_accounts_remove(now=now)}
    for rule in retention_rules():
        applied[rule.name] = rule.apply(now=now)
    applied["exports"] = exports_remove_expired(now=now)
    return applied

"""A person's copy of their data (AVG art. 15 and 20): prepared as a task, kept for EXPORT_DAYS."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage


def export_path(export, filename: str) -> str:
    return f"exports/{export.user_id}/{filename}"


class DataExport(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
                             related_name="data_exports")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    ready_at = models.DateTimeField(_("ready"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)
    file = models.FileField(storage=private_storage, upload_to=export_path, max_length=200, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # A second request while one is being prepared adds nothing.
            models.UniqueConstraint(fields=["user"], condition=Q(ready_at__isnull=True), name="one_export_in_progress"),
        ]

    def __str__(self):
        return f"{self.user} · {self.requested_at:%Y-%m-%d}"


class Erasure(models.Model):
    """That an account was erased, by whom and why: nothing about the person (that is the point)."""

    erased_at = models.DateTimeField(_("erased"))
    by_office = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by (office)"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+",
                                  help_text=_("Empty: the person deleted their own account."))
    reason = models.CharField(_("reason"), max_length=250, blank=True)
    certificates_withdrawn = models.BooleanField(_("certificates withdrawn"), default=False)

    class Meta:
        verbose_name = _("erased account")
        verbose_name_plural = _("erased accounts")
        ordering = ["-erased_at"]

    def __str__(self):
        return f"{self.erased_at:%Y-%m-%d}"

"""Certificates as issued: every detail copied in at issue time, the PDF rendered once and kept with its
checksum, so what an alumna downloads years later is what was issued. Certificates are never deleted; a
revoked or replaced one stays, with its history, and shows as such on the verification page."""

import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Min, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from core.sequences import YearSequence
from core.storage import private_storage
from courses.models import CoursePage, Enrolment


@register_setting(icon="doc-full")
class CertificateDesign(BaseGenericSetting):
    """How certificates look: the provider designs them here (administrators), with a preview."""

    logo = models.ForeignKey("wagtailimages.Image", verbose_name=_("logo"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#0b5563",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #0b5563."))],
    )
    heading = models.CharField(_("heading"), max_length=80, default="Certificaat")
    statement = models.CharField(
        _("statement"), max_length=200, default="heeft met goed gevolg deelgenomen aan",
        help_text=_("Printed between the participant's name and the course."),
    )
    footer = models.TextField(_("footer text"), blank=True, max_length=400)
    signatory_name = models.CharField(_("signatory"), max_length=120, default="")
    signatory_title = models.CharField(_("signatory's role"), max_length=120, blank=True)
    signature = models.ForeignKey("wagtailimages.Image", verbose_name=_("signature image"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    panels = [
        HelpPanel(content=format_lazy('<a href="{url}" target="_blank" class="button button-small '
                                      'button-secondary">{label}</a> {help}', url="/admin/certificate-design/preview/",
                                      label=_("Preview (PDF)"), help=_("Save first to preview your changes."))),
        MultiFieldPanel([FieldPanel("logo"), FieldPanel("accent_colour")], heading=_("Look")),
        MultiFieldPanel([FieldPanel("heading"), FieldPanel("statement"), FieldPanel("footer")], heading=_("Text")),
        MultiFieldPanel([FieldPanel("signatory_name"), FieldPanel("signatory_title"), FieldPanel("signature")],
                        heading=_("Signature")),
    ]

    class Meta:
        verbose_name = _("certificate design")


class CertificateSequence(YearSequence):
    """The last certificate number given out in a year (see home.sequences)."""


class PublicStatus(models.TextChoices):
    """What the verification page (and its JSON) says of a certificate: its status, and whether it expired."""

    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    REPLACED = "replaced", _("Replaced by a newer certificate")

    @property
    def is_valid(self) -> bool:
        return self == PublicStatus.VALID

    @property
    def is_expired(self) -> bool:
        return self == PublicStatus.EXPIRED

    @property
    def is_revoked(self) -> bool:
        return self == PublicStatus.REVOKED


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    REPLACED = "replaced", _("Replaced by a newer certificate")


def certificate_path(certificate, filename: str) -> str:
    return f"certificates/{certificate.year}/{filename}"


STATUS_LIST_SIZE = 131_072  # bits in the revocation list: the W3C Bitstring Status List's minimum (16 KB)


def free_status_list_index() -> int:
    """A random position no certificate holds yet (a few candidates in one query; the unique constraint guards a
    race between two issues)."""
    random = secrets.SystemRandom()
    while True:
        candidates = random.sample(range(STATUS_LIST_SIZE), 8)
        taken = set(Certificate.objects.filter(status_list_index__in=candidates)
                    .values_list("status_list_index", flat=True))
        free = [candidate for candidate in candidates if candidate not in taken]
        if free:
            return free[0]


class CertificateQuerySet(models.QuerySet):
    def revoked_positions(self) -> tuple[list[int], datetime]:
        """The status-list positions of certificates no longer valid (revoked or replaced), and the moment the
        list last changed (the first issue, while nothing was revoked)."""
        closed = self.filter(status__in=[CertificateStatus.REVOKED, CertificateStatus.REPLACED])
        rows = list(closed.exclude(status_list_index=None).values_list("status_list_index", "status_changed_at"))
        since = (max((changed for _position, changed in rows if changed), default=None)
                 or self.aggregate(first=Min("issued_at"))["first"] or datetime(2026, 1, 1, tzinfo=UTC))
        return [position for position, _changed in rows], since


class Certificate(models.Model):
    Status = CertificateStatus
    wagtail_reference_index_ignore = True

    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(editable=False)
    sequence = models.PositiveIntegerField(editable=False)
    code = models.CharField(_("verification code"), max_length=40, unique=True, editable=False)
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT,
                                  related_name="certificates")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("holder"), on_delete=models.PROTECT,
                             related_name="certificates", null=True, blank=True)  # None: the holder was erased
    course = models.ForeignKey(CoursePage, verbose_name=_("course page"), null=True, on_delete=models.SET_NULL,
                               related_name="+")

    # As printed, copied in at issue time.
    holder_name = models.CharField(_("name on the certificate"), max_length=150)
    course_title = models.CharField(_("course"), max_length=255)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    net_hours = models.DecimalField(_("net hours"), max_digits=5, decimal_places=1)
    accreditations = models.JSONField(_("PE points"), default=list, editable=False)  # register, points, id, number
    provider = models.JSONField(_("provider"), default=dict, editable=False)  # name, CRKBO, place
    signatory = models.JSONField(_("signatory"), default=dict, editable=False)  # name, role
    issued_at = models.DateTimeField(_("issued"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("issued by hand by"))
    issue_reason = models.CharField(_("reason for issuing by hand"), max_length=250, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("status changed by"), null=True,
                                          blank=True, on_delete=models.SET_NULL, related_name="+")
    status_reason = models.CharField(_("reason"), max_length=250, blank=True)
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by", verbose_name=_("replaces"))

    pdf = models.FileField(storage=private_storage, upload_to=certificate_path, max_length=200, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    expiry_reminded_at = models.DateTimeField(_("reminded of expiry"), null=True, blank=True, editable=False)
    # Its bit in the published revocation list (certification.badges): drawn at random, so a position says nothing
    # about when or for whom it was issued.
    status_list_index = models.PositiveIntegerField(_("position in the status list"), null=True, unique=True,
                                                    editable=False)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="certificate_number_once_per_year"),
            # However often completion is recomputed: one valid certificate per completed place.
            models.UniqueConstraint(fields=["enrolment"], condition=Q(status=CertificateStatus.VALID),
                                    name="one_valid_certificate_per_enrolment"),
            models.CheckConstraint(condition=Q(last_day__gte=models.F("first_day")),
                                   name="certificate_days_in_order"),
        ]

    def __str__(self):
        return f"{self.number} · {self.holder_name} · {self.course_title}"

    def save(self, *args, **kwargs):
        if self.status_list_index is None and self._state.adding:
            self.status_list_index = free_status_list_index()
        super().save(*args, **kwargs)

    @property
    def is_valid(self) -> bool:
        """Not revoked or replaced (it may still have expired: see services.public_status)."""
        return self.status == CertificateStatus.VALID

    @property
    def withdrawn_by_holder(self) -> bool:
        """Its holder had their account erased and asked to withdraw it: revoked, without their name."""
        return self.status == CertificateStatus.REVOKED and self.user_id is None and not self.holder_name


class CertificateHold(models.Model):
    """The office or a trainer holds a participant's certificate back: completion does not issue it."""

    wagtail_reference_index_ignore = True

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="certificate_hold")
    reason = models.CharField(_("reason"), max_length=250)
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    held_at = models.DateTimeField()

    class Meta:
        verbose_name = _("certificate held back")
        verbose_name_plural = _("certificates held back")

    def __str__(self):
        return f"{self.enrolment} · {self.reason}"

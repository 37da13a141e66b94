"""Certificates in the Wagtail admin: the office's list (search, filter, export), each date's certificates
for its trainers, and a preview of the certificate design."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton, ListingButton
from wagtail.permissions import register_permission_policy

from core import audit
from core.admin_views import HistoryForReaders, InspectWithHistory, listing_with, pdf_for_the_office, pdf_link
from core.confirm import admin_confirmation, confirmed
from core.forms import ValidationError, clean_text, first_message
from core.models import ProviderSettings
from core.permissions import ReadOnlyPolicy

from . import services, trainer_views
from .models import Certificate, CertificateDesign
from .pdf import certificate_pdf
from .services import certificate_pdf_store, years_later
from .trainer_views import REASON_MAX

register_permission_policy(Certificate, ReadOnlyPolicy(Certificate))


class CertificateInspectView(InspectWithHistory):
    @cached_property
    def header_buttons(self):
        """"Revoke" on a valid certificate, for the office."""
        if self.object.status != Certificate.Status.VALID or not may_revoke(self.request.user):
            return []
        return [HeaderButton(_("Revoke"), url=reverse("certificates:revoke", args=[self.object.pk]), icon_name="cross")]

    def get_pdf_display_value(self):
        return pdf_link(reverse("certificates:pdf", args=[self.object.pk]), self.object)


def may_revoke(user) -> bool:
    return user.has_perm("certification.change_certificate")


def certificate_revoke(request, pk: int):
    """Revokes a certificate from the office's list: a reason (it shows on the verification page), then a
    confirmation that says what happens."""
    if not may_revoke(request.user):
        raise PermissionDenied
    certificate = get_object_or_404(Certificate, pk=pk)
    back = reverse("certificates:inspect", args=[certificate.pk])
    reason, error = "", ""
    if request.method == "POST":
        try:
            reason = clean_text(request.POST.get("reason", ""), max_length=REASON_MAX)
            if not reason:
                raise ValidationError(_("Give a reason."))
        except ValidationError as invalid:
            error = first_message(invalid)
        else:
            if not confirmed(request):
                return admin_confirmation(
                    request, title=_("Revoke certificate %(number)s?") % {"number": certificate.number},
                    consequences=[
                        _("The verification page of %(number)s will say it was revoked, with your reason: "
                          "%(reason)s") % {"number": certificate.number, "reason": reason},
                        _("%(name)s keeps the PDF but it is no longer valid.") % {"name": certificate.holder_name}],
                    confirm_label=_("Yes, revoke it"), back_url=back, fields={"reason": reason})
            try:
                services.certificate_revoke(certificate=certificate, actor=request.user, reason=reason)
            except services.CertificateError as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, _("Certificate %(number)s revoked.") % {"number": certificate.number})
            return redirect(back)
    return TemplateResponse(request, "certification/admin/revoke.html", {
        "page_title": _("Revoke certificate %(number)s") % {"number": certificate.number}, "header_icon": "cross",
        "certificate": certificate, "reason": reason, "error": error, "back_url": back})


class CertificateListing(listing_with("user")):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.status == Certificate.Status.VALID and may_revoke(self.request.user):
            buttons.append(ListingButton(_("Revoke"), url=reverse("certificates:revoke", args=[instance.pk]),
                                         icon_name="cross", priority=50))
        return buttons


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = _("Certificates")
    menu_order = 160
    add_to_admin_menu = True
    list_display = ["number", "holder_name", "course_title", "issued_at", "valid_until", "status"]
    list_filter = ["status", "issued_at", "valid_until"]
    search_fields = ["number", "holder_name", "user__email", "course_title"]
    list_export = ["number", "holder_name", "user.email", "course_title", "first_day", "last_day", "net_hours",
                   "issued_at", "valid_until", "status", "status_reason", "issue_reason"]
    export_headings = {"user.email": _("Email")}
    export_filename = "certificaten"
    form_fields = []  # written by certification.services only
    inspect_view_enabled = True
    inspect_view_class = CertificateInspectView
    history_view_class = HistoryForReaders
    copy_view_enabled = False
    index_view_class = CertificateListing

    def get_urlpatterns(self):
        view = pdf_for_the_office(Certificate, permission="certification.view_certificate",
                                  prepared=certificate_pdf_store, checksum="sha256")
        return [*super().get_urlpatterns(), path("<id:pk>/pdf/", view, name="pdf"),
                path("<id:pk>/revoke/", certificate_revoke, name="revoke")]


@hooks.register("register_admin_viewset")
def register_certificates():
    return CertificateViewSet("certificates")


def design_preview(request):
    """The certificate as the current design prints it, for a made-up participant."""
    design = CertificateDesign.load(request_or_site=request)
    provider = ProviderSettings.load(request_or_site=request)
    today = timezone.localdate()
    sample = Certificate(
        number=f"S2A-{today.year}-000000", code="voorbeeld", holder_name="Voornaam Achternaam",
        course_title="1-daagse basistraining 2e spoorcoaching", first_day=today - timedelta(days=1),
        last_day=today - timedelta(days=1), net_hours=6, issued_at=timezone.now(),
        valid_until=years_later(today, 4),
        accreditations=[{"register": "Noloc", "points": "6", "accreditation_id": "VOORBEELD-1",
                         "member_number": "NL-00000"}],
        provider={"name": provider.name, "crkbo": provider.crkbo_registered},
        signatory={"name": design.signatory_name, "role": design.signatory_title},
    )
    content = certificate_pdf(sample, verify_url=request.build_absolute_uri("/verify/voorbeeld/"), design=design)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="certificaat-voorbeeld.pdf"'
    return response


trainer_urls = [
    path("dates/<id:pk>/certificates/", trainer_views.date_certificates, name="date"),
    path("dates/<id:pk>/certificates/<id:enrolment_pk>/<str:action>/", trainer_views.certificate_action,
         name="action"),
]


@hooks.register("register_admin_urls")
def register_certificate_urls():
    return [
        path("trainer/", include((trainer_urls, "certification_trainer"), namespace="certification_trainer")),
        path("certificate-design/preview/", design_preview, name="certificate_design_preview"),
    ]


CERTIFICATE_ACTIONS = {
    "certificate.issued": (_("Issue a certificate"), _("Certificate issued")),
    "certificate.revoked": (_("Revoke a certificate"), _("Certificate revoked")),
    "certificate.replaced": (_("Replace a certificate"), _("Certificate replaced by a new one")),
    "certificate.held": (_("Hold a certificate back"), _("Certificate held back")),
    "certificate.released": (_("Release a certificate"), _("Certificate hold lifted")),
}


@hooks.register("register_log_actions")
def register_certificate_actions(actions):
    audit.register_actions(actions, CERTIFICATE_ACTIONS)

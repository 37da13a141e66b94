"""Certificates of a date in the Wagtail admin. Trainers of the date issue by hand (with a reason) or hold
back; the office, which may change certificates, also revokes and reissues. Other dates are a 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.confirm import admin_confirmation, confirmed
from core.forms import ValidationError, clean_text, first_message
from courses.models import Enrolment
from courses.selectors import trainer_date

from . import services
from .models import Certificate, CertificateHold


def date_certificates(request, pk: int):
    course_date = trainer_date(user=request.user, pk=pk)
    people = list(course_date.enrolments.filter(status=Enrolment.Status.CONFIRMED, user__isnull=False)
                  .select_related("user")
                  .order_by("user__full_name", "user__email"))
    certificates = {}
    for certificate in Certificate.objects.filter(enrolment__in=people).order_by("issued_at"):
        certificates.setdefault(certificate.enrolment_id, []).append(certificate)
    holds = {hold.enrolment_id: hold for hold in CertificateHold.objects.filter(enrolment__in=people)}
    rows = [(person, certificates.get(person.pk, []), holds.get(person.pk)) for person in people]
    return TemplateResponse(request, "certification/trainer/date.html", {
        "page_title": _("Certificates: %(date)s") % {"date": course_date}, "header_icon": "doc-full",
        "course_date": course_date, "rows": rows,
        "may_revoke": request.user.has_perm("certification.change_certificate"),
    })


REASON_MAX = 250  # the reason columns of certificates and holds


@require_POST
def certificate_action(request, pk: int, enrolment_pk: int, action: str):
    course_date = trainer_date(user=request.user, pk=pk)
    enrolment = get_object_or_404(course_date.enrolments, pk=enrolment_pk, status=Enrolment.Status.CONFIRMED)
    try:
        reason = clean_text(request.POST.get("reason", ""), max_length=REASON_MAX)
        if action == "issue":
            certificate = services.certificate_issue(enrolment=enrolment, actor=request.user, reason=reason)
            messages.success(request, _("Certificate %(number)s issued.") % {"number": certificate.number})
        elif action == "hold":
            services.certificate_hold(enrolment=enrolment, actor=request.user, reason=reason)
            messages.success(request, _("The certificate is held back."))
        elif action == "release":
            services.certificate_release(enrolment=enrolment, actor=request.user)
            messages.success(request, _("The certificate is no longer held back."))
        elif action in ("revoke", "reissue"):
            if not request.user.has_perm("certification.change_certificate"):
                raise PermissionDenied
            certificate = get_object_or_404(enrolment.certificates, status=Certificate.Status.VALID)
            if action == "revoke" and reason and not confirmed(request):
                return admin_confirmation(
                    request, title=_("Revoke certificate %(number)s?") % {"number": certificate.number},
                    consequences=[
                        _("The verification page of %(number)s will say it was revoked, with your reason: "
                          "%(reason)s") % {"number": certificate.number, "reason": reason},
                        _("%(name)s keeps the PDF but it is no longer valid.") % {"name": certificate.holder_name},
                    ],
                    confirm_label=_("Yes, revoke it"),
                    back_url=reverse("certification_trainer:date", args=[course_date.pk]))
            if action == "revoke":
                services.certificate_revoke(certificate=certificate, actor=request.user, reason=reason)
                messages.success(request, _("Certificate %(number)s revoked.") % {"number": certificate.number})
            else:
                new = services.certificate_reissue(certificate=certificate, actor=request.user, reason=reason)
                messages.success(request, _("Certificate %(number)s replaces %(old)s.")
                                 % {"number": new.number, "old": certificate.number})
        else:
            raise PermissionDenied
    except ValidationError as error:
        messages.error(request, first_message(error))
    except services.CertificateError as error:
        messages.error(request, str(error))
    return redirect("certification_trainer:date", pk=course_date.pk)

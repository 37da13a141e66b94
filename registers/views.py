"""The coach's own PE points ("Mijn PE-punten"), on the page and as PDF or CSV for their register portfolio."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.links import absolute_url
from core.spreadsheets import spreadsheet_response

from . import selectors
from .pdf import pe_points_pdf


@login_required
def pe_points(request):
    return render(request, "registers/pe_points.html", {"registers": selectors.pe_points(user=request.user)})


@login_required
def pe_points_download(request, fmt: str):
    today = timezone.localdate()
    registers = selectors.pe_points(user=request.user, today=today)
    filename = f"pe-punten-{today:%Y%m%d}"
    if fmt == "pdf":
        response = HttpResponse(pe_points_pdf(request.user, registers, today=today), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
        return response
    if fmt not in ("csv", "xlsx"):
        raise Http404
    header = [_("Register"), _("Member number"), _("Year"), _("Course"), _("Last day"), _("PE points"),
              _("Accreditation id"), _("Certificate"), _("Verification")]
    rows = [[entry.register.label, earned.member_number, earned.year, earned.certificate.course_title,
             earned.certificate.last_day, earned.points, earned.accreditation_id,
             earned.certificate.number, absolute_url(f"/verify/{earned.certificate.code}/")]
            for entry in registers for earned in entry.earned]
    return spreadsheet_response(fmt, filename=filename, sheet=_("PE points"), header=header, rows=rows)

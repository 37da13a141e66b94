"""The certificate PDF: A4 landscape, the provider's design, a QR code of the verification URL.
Rendered once at issue time from the certificate's own copied-in details."""

from io import BytesIO

import segno
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override
from reportlab.lib.colors import HexColor, black
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from accounts.registers import Register
from core.models import ProviderSettings
from core.pdf import SANS, SANS_BOLD, document_info, new_canvas

from .models import Certificate, CertificateDesign


def _day(value) -> str:
    with override("nl"):
        return date_format(value, "j F Y")


def _image(image):
    if image is None:
        return None
    try:
        with image.file.open("rb") as handle:
            return ImageReader(BytesIO(handle.read()))
    except (OSError, ValueError):
        return None  # a missing image file must not stop a certificate


def draw_qr(page: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path: each row's runs of dark modules are single rectangles, with the
    quiet zone the standard asks for around them."""
    matrix = segno.make_qr(url, error="m").matrix
    modules = len(matrix)
    quiet = 4
    cell = size / (modules + 2 * quiet)
    path = page.beginPath()
    for row, values in enumerate(matrix):
        column = 0
        while column < modules:
            if values[column]:
                start = column
                while column < modules and values[column]:
                    column += 1
                path.rect(x + (quiet + start) * cell, y + size - (quiet + row + 1) * cell,
                          (column - start) * cell, cell)
            else:
                column += 1
    page.saveState()
    page.setFillColor(black)
    page.drawPath(path, stroke=0, fill=1)
    page.restoreState()


def certificate_pdf(certificate: Certificate, *, verify_url: str, design: CertificateDesign) -> bytes:
    buffer = BytesIO()
    width, height = landscape(A4)
    page = new_canvas(buffer, pagesize=(width, height))
    document_info(page, title=f"Certificaat {certificate.number}", author=certificate.provider.get("name", ""),
                  subject=certificate.course_title)
    accent = HexColor(design.accent_colour)
    centre = width / 2

    page.setStrokeColor(accent)
    page.setLineWidth(3)
    page.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    logo = _image(design.logo or ProviderSettings.load().logo)
    if logo:
        page.drawImage(logo, 22 * mm, height - 42 * mm, width=60 * mm, height=20 * mm, preserveAspectRatio=True,
                       mask="auto", anchor="nw")

    page.setFillColor(accent)
    page.setFont(SANS_BOLD, 34)
    page.drawCentredString(centre, height - 55 * mm, design.heading)
    page.setFillColor(HexColor("#1d2327"))
    page.setFont(SANS_BOLD, 24)
    page.drawCentredString(centre, height - 78 * mm, certificate.holder_name)
    page.setFont(SANS, 13)
    page.drawCentredString(centre, height - 90 * mm, design.statement)
    page.setFont(SANS_BOLD, 18)
    page.drawCentredString(centre, height - 102 * mm, certificate.course_title)
    page.setFont(SANS, 12)
    days = (_day(certificate.first_day) if certificate.first_day == certificate.last_day
            else f"{_day(certificate.first_day)} – {_day(certificate.last_day)}")
    hours = f"{certificate.net_hours:.1f}".replace(".", ",").removesuffix(",0")
    page.drawCentredString(centre, height - 112 * mm, f"{days} · {hours} netto contacturen")

    vignet = _image(ProviderSettings.load().nobco_vignet) if any(
        a.get("register_code") == Register.NOBCO for a in certificate.accreditations) else None
    if vignet:  # opposite the logo, with the hours NOBCO counts
        page.drawImage(vignet, width - 62 * mm, height - 46 * mm, width=40 * mm, height=22 * mm,
                       preserveAspectRatio=True, mask="auto", anchor="ne")
        page.setFont(SANS, 8.5)
        page.drawCentredString(width - 42 * mm, height - 50 * mm, f"NOBCO PE-vignet · {hours} uur")

    y = height - 124 * mm
    page.setFont(SANS, 10.5)
    for accreditation in certificate.accreditations:
        points = f"{float(accreditation['points']):g}".replace(".", ",")
        line = f"{accreditation['register']}: {points} PE-punten"
        if accreditation.get("accreditation_id"):
            line += f" (accreditatie {accreditation['accreditation_id']})"
        if accreditation.get("member_number"):
            line += f" · registernummer {accreditation['member_number']}"
        page.drawCentredString(centre, y, line)
        y -= 5.5 * mm

    left, bottom = 24 * mm, 24 * mm
    signature = _image(design.signature)
    signatory = certificate.signatory.get("name", "")
    if signatory:  # no empty line to sign on when nobody signs
        if signature:
            page.drawImage(signature, left, bottom + 14 * mm, width=50 * mm, height=18 * mm,
                           preserveAspectRatio=True, mask="auto")
        page.setStrokeColor(HexColor("#1d2327"))
        page.setLineWidth(0.6)
        page.line(left, bottom + 13 * mm, left + 70 * mm, bottom + 13 * mm)
        page.setFont(SANS_BOLD, 10.5)
        page.drawString(left, bottom + 8 * mm, signatory)
        page.setFont(SANS, 9.5)
        page.drawString(left, bottom + 3.5 * mm, certificate.signatory.get("role", ""))

    # The provider in the middle, above the line that names where to check the certificate (which may run long).
    provider = certificate.provider
    provider_x = centre if signatory else left
    draw = page.drawCentredString if signatory else page.drawString
    page.setFillColor(accent)
    page.setFont(SANS_BOLD, 11)
    draw(provider_x, bottom + 13 * mm, provider.get("name", ""))
    page.setFillColor(HexColor("#1d2327"))
    if provider.get("crkbo"):
        page.setFont(SANS, 9)
        draw(provider_x, bottom + 8.5 * mm, "CRKBO-geregistreerde opleidingsinstelling")
    if design.footer:
        page.setFont(SANS, 8)
        page.drawCentredString(centre, bottom - 5 * mm, design.footer[:160])

    qr_size = 34 * mm
    qr_x = width - 24 * mm - qr_size
    draw_qr(page, verify_url, qr_x, bottom + 8 * mm, qr_size)
    page.setFont(SANS, 8.5)
    page.drawRightString(width - 24 * mm, bottom + 4 * mm, f"Certificaatnummer {certificate.number}")
    page.drawRightString(width - 24 * mm, bottom, f"Controleer: {verify_url}")
    valid = (f"Geldig tot {_day(certificate.valid_until)}" if certificate.valid_until else "")
    issued = f"Uitgereikt op {_day(timezone.localdate(certificate.issued_at))}"
    page.drawRightString(width - 24 * mm, bottom + 8 * mm + qr_size + 3 * mm, " · ".join(filter(None, [issued, valid])))
    page.showPage()
    page.save()
    return buffer.getvalue()

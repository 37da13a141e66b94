"""Every PDF we make carries its fonts and says what it is, as an archive and a reader expect: read with poppler's
pdffonts, pdfinfo and pdftotext (not ReportLab, which made them). A name with Polish and Turkish letters prints
as typed, and so does the €."""

import shutil
import subprocess
from pathlib import Path

import pytest

from accounts.models import User
from certification import services
from payments import invoices
from tests.factories import make_date
from tests.payments.test_invoices import pay

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not shutil.which("pdffonts"), reason="needs poppler-utils (make system-deps)")]
NAME = "Łukasz Żółć-Şahin"


def poppler(tool: str, pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path), *(["-"] if tool == "pdftotext" else [])], capture_output=True,
                          text=True, check=True).stdout


def fonts(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(font name, emb) for each font pdffonts lists."""
    rows = poppler("pdffonts", pdf, tmp_path).splitlines()[2:]
    return [(row.split()[0], row.split()[-5]) for row in rows if row.strip()]


def info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    return {name.strip(): value.strip() for name, _colon, value in
            (line.partition(":") for line in poppler("pdfinfo", pdf, tmp_path).splitlines())}


def documents(classroom, course, stripe_double, client, capture) -> dict[str, bytes]:
    User.objects.filter(pk=classroom.coach.pk).update(full_name=NAME)
    classroom.place.user.refresh_from_db()
    certificate = services.certificate_issue(enrolment=classroom.place, actor=classroom.trainer, reason="test")
    payment = pay(make_date(course), stripe_double, client, capture)
    invoice = invoices.invoice_pdf_store(payment.invoices.get())
    client.force_login(classroom.coach)
    with certificate.pdf.open("rb") as certificate_pdf, invoice.pdf.open("rb") as invoice_pdf:
        return {"certificate": certificate_pdf.read(), "invoice": invoice_pdf.read(),
                "pe_points": client.get("/my/pe-points.pdf").content}


def test_every_pdf_embeds_its_fonts_and_names_its_title_author_creator_and_language(
        classroom, course, stripe_double, client, django_capture_on_commit_callbacks, tmp_path):
    made = documents(classroom, course, stripe_double, client, django_capture_on_commit_callbacks)
    for kind, pdf in made.items():
        found = fonts(pdf, tmp_path)
        assert found, kind
        assert all(embedded == "yes" for _font, embedded in found), (kind, found)
        assert not any("Helvetica" in font for font, _embedded in found), (kind, found)
        about = info(pdf, tmp_path)
        assert about["Title"] and about["Author"] == "Spoor 2 Academy", (kind, about)
        assert about["Creator"] == "Spoor 2 Academy" and about["Creator"] != "anonymous"
    assert NAME in poppler("pdftotext", made["certificate"], tmp_path)
    assert "€" in poppler("pdftotext", made["invoice"], tmp_path)
    assert b"/Lang (nl)" in made["certificate"] or b"/Lang(nl)" in made["certificate"]

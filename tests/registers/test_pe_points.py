"""'Mijn PE-punten': a coach's points per register from their certificates, per year and over the register's
period, on the page, as CSV and as PDF; nobody else's."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from pypdf import PdfReader

from accounts.models import RegisterMembership
from registers.selectors import pe_points
from tests.factories import UserFactory, make_certificate

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)


@pytest.fixture
def history(course):
    coach = UserFactory(full_name="Carla de Coach")
    RegisterMembership.objects.create(user=coach, register="noloc", number="NL-20931")
    noloc = ("noloc", "Noloc", "6", "NL-118")
    make_certificate(course, coach, date(2026, 3, 10), [noloc, ("registerplein", "Registerplein", "6", "RP-1")],
                 number="S2A-2026-000007")
    make_certificate(course, coach, date(2025, 6, 1), [("noloc", "Noloc", "30", "NL-231")])
    make_certificate(course, coach, date(2022, 11, 1), [noloc])  # before Noloc's four years
    make_certificate(course, coach, date(2024, 1, 15), [noloc], status="revoked")  # does not count
    make_certificate(course, UserFactory(full_name="Iemand Anders"), date(2026, 1, 1), [noloc])
    return coach


def test_points_per_register_per_year_and_over_the_registers_period(history):
    noloc, registerplein = pe_points(user=history, today=TODAY)

    assert noloc.register == "noloc" and noloc.since == date(2022, 12, 3)
    assert [e.points for e in noloc.earned] == [6, 30, 6]  # the revoked one is not there
    assert noloc.by_year == [(2026, 6), (2025, 30), (2022, 6)]
    assert noloc.period_total == 36 and noloc.target == 75
    assert registerplein.period_total == 6 and registerplein.target is None


def test_the_coach_sees_their_points_and_downloads_them(client, history):
    client.force_login(history)

    html = client.get("/my/pe-points/").content.decode()

    assert "Mijn PE-punten" in html and "36 PE-punten sinds" in html and "het register vraagt 75" in html
    assert "S2A-2026-000007" in html and "Iemand" not in html
    rows = list(csv.reader(io.StringIO(client.get("/my/pe-points.csv").content.decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0][:6] == ["Register", "Registernummer", "Jaar", "Opleiding", "Laatste dag", "PE-punten"]
    # a date and a number a spreadsheet reads as such, not "zo 1 jun 2025"
    assert ["Noloc", "NL-20931", "2025", "Basistraining 2e spoorcoaching", "01-06-2025", "30"] == rows[2][:6]
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/my/pe-points.xlsx").content)).active
    row = list(sheet.iter_rows(values_only=True))[2]
    assert row[4] == datetime(2025, 6, 1) and row[5] == 30
    assert len(rows) == 1 + 4  # three Noloc lines and one Registerplein line
    response = client.get("/my/pe-points.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "PE-puntenoverzicht" in text and "Carla de Coach · stand van" in text and "Totaal 2025" in text
    assert "Noloc · registernummer NL-20931" in text
    assert "Iemand" not in text


def test_without_certificates_the_page_says_how_points_come(client, site):
    client.force_login(UserFactory())
    assert "Nog geen PE-punten" in client.get("/my/pe-points/").content.decode()
    assert client.get("/my/pe-points.doc").status_code == 404


def test_the_overview_needs_a_login(client, site):
    assert client.get("/my/pe-points/").status_code == 302
    assert client.get("/my/pe-points.pdf").status_code == 302


def test_points_reach_back_exactly_the_registers_years():
    from registers.selectors import years_before

    assert years_before(date(2026, 12, 2), 4) == date(2022, 12, 3)
    assert years_before(date(2028, 2, 29), 4) == date(2024, 3, 1)
    assert years_before(date(2028, 2, 29), 3) == date(2025, 3, 1)


class Listener:
    """An HTTP server on loopback that records every request: ReportLab must never call it."""

    def __enter__(self):
        import http.server
        import threading

        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the standard library's name
                received.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/x"
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("name", [
    '<img src="{url}" width="1" height="1"/>', '<img src="/etc/hostname" width="1" height="1"/>', "<b>Jan",
    'Jan & <font name="/etc/passwd">Piet</font>',
])
def test_a_name_is_text_in_the_pdf_never_markup_that_fetches_a_url_or_opens_a_file(client, history, name):
    with Listener() as listener:
        history.full_name = name.format(url=listener.url)
        history.save()
        client.force_login(history)
        response = client.get("/my/pe-points.pdf")
        assert response.status_code == 200
        assert listener.received == []  # the server fetched nothing
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert history.full_name in text  # printed as typed


def test_reportlab_itself_opens_no_url_and_no_file_our_code_did_not_hand_it():
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from core.pdf import UntrustedResource

    with Listener() as listener:
        for source in (listener.url, "/etc/hostname", "file:///etc/hostname"):
            markup = f'<img src="{source}" width="1" height="1"/>'
            with pytest.raises((UntrustedResource, ValueError, OSError)):
                SimpleDocTemplate(io.BytesIO()).build([Paragraph(markup, getSampleStyleSheet()["Normal"])])
        assert listener.received == []

"""A person downloads everything we hold about them: a ZIP prepared as a task, linked by email, for 7 days."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from certification.models import Certificate
from privacy.models import DataExport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request(client, capture):
    with capture(execute=True):
        return client.post("/my/data/export/", follow=True)


def test_the_zip_holds_every_kind_of_data_and_nothing_of_anyone_else(client, everything,
                                                                    django_capture_on_commit_callbacks):
    eva = everything.eva
    assert Certificate.objects.filter(user=eva).exists()  # completing issued one
    client.force_login(eva)

    html = _request(client, django_capture_on_commit_callbacks).content.decode()

    assert "We maken een kopie van je gegevens" in html
    export = DataExport.objects.get()
    message = mail.outbox[-1]
    assert message.to == [eva.email] and message.subject == "Je gegevens staan klaar om te downloaden"
    assert f"http://testserver/my/data/exports/{export.pk}/" in message.body
    response = client.get(f"/my/data/exports/{export.pk}/")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert "LEESMIJ.txt" in names and "mijn-gegevens.json" in names
    assert any(name.startswith("facturen/") and name.endswith(".pdf") for name in names)
    assert any(name.startswith("certificaten/") for name in names)
    assert any(name.startswith("opdrachten/") and name.endswith("casus-eva.pdf") for name in names)
    data = json.loads(archive.read("mijn-gegevens.json"))
    for section in ("Account", "Registernummers", "Organisaties", "Plaatsen", "Aanwezigheid", "Interesselijsten",
                    "Modules", "Toetspogingen", "Ingeleverde opdrachten", "Evaluaties", "Betalingen", "Facturen",
                    "Certificaten", "Aanwezigheid gemeld aan registers", "E-mails die we je stuurden"):
        assert data[section], section
    assert data["Account"][0]["e-mailadres"] == "eva@example.org"
    assert data["Account"][0]["telefoon"] == "0698765432"
    statuses = {place["status"] for place in data["Plaatsen"]}
    assert statuses == {"Bevestigd", "Op de wachtlijst"}  # her place and her waitlist entry
    assert any("Plaats bevestigd" in line for line in data["Plaatsen"][0]["Geschiedenis"])
    handed_in = data["Ingeleverde opdrachten"][0]
    assert handed_in["Opdracht"] == "Casusverslag" and handed_in["bestandsnaam"] == "casus-eva.pdf"
    everything_in_it = b"".join(archive.read(name) for name in names).decode("latin-1")
    for other in ("Piet", "piet@example.org", "0612345678", "777777"):
        assert other not in everything_in_it, other


def test_a_second_request_while_one_is_prepared_is_refused_kindly(client, everything):
    client.force_login(everything.eva)
    client.post("/my/data/export/")  # the task is queued after commit; here it never ran

    html = client.post("/my/data/export/", follow=True).content.decode()

    assert "Je kopie wordt al klaargemaakt" in html
    assert DataExport.objects.count() == 1
    assert "wordt klaargemaakt" in client.get("/accounts/profile/").content.decode()


def test_a_copy_is_downloadable_by_its_owner_for_seven_days_only(client, everything, time_machine,
                                                                django_capture_on_commit_callbacks):
    client.force_login(everything.eva)
    _request(client, django_capture_on_commit_callbacks)
    export = DataExport.objects.get()
    profile = client.get("/accounts/profile/").content.decode()
    assert f'href="/my/data/exports/{export.pk}/"' in profile and "beschikbaar tot" in profile

    client.force_login(UserFactory())
    assert client.get(f"/my/data/exports/{export.pk}/").status_code == 404
    client.force_login(everything.eva)
    time_machine.move_to(timezone.now() + everything.later)
    assert client.get(f"/my/data/exports/{export.pk}/").status_code == 404
    assert client.get("/my/data/exports/999999/").status_code == 404


def test_asking_needs_a_login_and_a_post(client, site):
    assert client.post("/my/data/export/").status_code == 302
    client.force_login(UserFactory())
    assert client.get("/my/data/export/").status_code == 405


def test_copies_are_deleted_with_their_file_after_seven_days(client, everything, django_capture_on_commit_callbacks):
    from privacy.services import exports_remove_expired

    client.force_login(everything.eva)
    _request(client, django_capture_on_commit_callbacks)
    export = DataExport.objects.get()
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)

    assert exports_remove_expired(now=timezone.now() + timedelta(days=6)) == 0
    assert exports_remove_expired(now=timezone.now() + everything.later) == 1
    assert not DataExport.objects.exists() and not storage.exists(name)


def test_a_document_changed_since_it_was_made_is_left_out_and_named(everything):
    """A certificate whose stored PDF no longer matches its checksum does not go into the copy; the readme says it
    is missing."""
    from certification.services import certificate_pdf_store
    from privacy.services import export_archive

    eva = everything.eva
    certificate = certificate_pdf_store(Certificate.objects.get(user=eva))
    with certificate.pdf.storage.open(certificate.pdf.name, "wb") as stored:
        stored.write(b"%PDF-1.4 changed afterwards")

    archive = zipfile.ZipFile(io.BytesIO(export_archive(eva, now=timezone.now())))

    names = archive.namelist()
    assert not any(name.startswith("certificaten/") for name in names)
    assert any(name.startswith("facturen/") for name in names)  # the others are there
    assert f"{certificate.number}.pdf" in archive.read("LEESMIJ.txt").decode()

"""A person erases their account (or the office does, on their written request): what the law makes us keep
stays, nothing else. The scan enumerates every model and every file, so a new model with personal data that
erasure does not handle fails here."""

import io
import os
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from pypdf import PdfReader

from accounts.models import User
from certification.models import Certificate
from courses.models import Enrolment
from learning.models import Evaluation
from payments.models import Invoice, StripeEvent
from privacy import services
from privacy.models import Erasure

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _needles(user) -> list[str]:
    return [user.email, user.full_name, user.phone, *user.register_memberships.values_list("number", flat=True)]


def rows_mentioning(needles: list[str]) -> set[tuple[str, str]]:
    """Every (model, field) of every installed app whose rows mention a needle."""
    hits = set()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            match = Q()
            for needle in needles:
                match |= Q(_text__icontains=needle)
            if model._base_manager.annotate(_text=Cast(field.name, TextField())).filter(match).exists():
                hits.add((model._meta.label, field.name))
    return hits


def files_mentioning(needles: list[str]) -> set[str]:
    root = storages["private"].location
    hits = set()
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            content = open(path, "rb").read()
            text = ("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
                    if content.startswith(b"%PDF") else content.decode("utf-8", errors="replace"))
            if any(needle.lower() in text.lower() or needle in name for needle in needles):
                hits.add(os.path.relpath(path, root))
    return hits


@pytest.fixture
def with_a_stripe_event(everything):
    StripeEvent.objects.create(event_id="evt_eva", type="checkout.session.completed", payload={
        "data": {"object": {"customer_details": {"email": everything.eva.email, "name": everything.eva.full_name}}}})
    return everything


def test_erasure_keeps_only_what_the_law_makes_us_keep(with_a_stripe_event):
    eva, piet = with_a_stripe_event.eva, with_a_stripe_event.piet
    needles = _needles(eva)
    before = rows_mentioning(needles)
    assert {("accounts.User", "email"), ("accounts.RegisterMembership", "number"), ("core.SentEmail", "recipient"),
            ("payments.StripeEvent", "payload"), ("registers.ReportedAttendance", "number")} <= before
    place = with_a_stripe_event.place
    invoice = Invoice.objects.get(payment__enrolment=place)

    services.account_erase(user=eva)

    assert not User.objects.filter(email=eva.email).exists()
    assert rows_mentioning(needles) == {("payments.Invoice", "customer"), ("certification.Certificate", "holder_name")}
    assert {path.split("/")[0] for path in files_mentioning(needles)} <= {"invoices"}
    place.refresh_from_db()
    assert place.user is None and place.erased_at and place.status == Enrolment.Status.CONFIRMED
    assert Evaluation.objects.filter(enrolment=place).exists()  # anonymous, for the registers
    invoice.refresh_from_db()
    assert invoice.customer["participant"] == "Eva de Vries"  # the invoice's own copy, kept seven years
    certificate = Certificate.objects.get(enrolment=place)
    assert certificate.status == "valid" and certificate.user is None and not certificate.pdf
    assert all(not a["member_number"] for a in certificate.accreditations)
    assert Erasure.objects.get().by_office is None
    assert rows_mentioning(_needles(piet)) and User.objects.filter(pk=piet.pk).exists()  # Piet keeps his


def test_withdrawing_the_certificates_too_leaves_only_the_invoices(with_a_stripe_event, client):
    eva = with_a_stripe_event.eva
    needles = _needles(eva)
    certificate = Certificate.objects.get(user=eva)

    services.account_erase(user=eva, withdraw_certificates=True)

    assert rows_mentioning(needles) == {("payments.Invoice", "customer")}
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.status_reason == "Ingetrokken op verzoek van de houder"
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Eva" not in page and "ingetrokken op verzoek van de houder" in page


def test_a_place_still_to_come_must_be_cancelled_first(everything):
    from tests.factories import confirmed_place, make_date

    future = make_date(everything.classroom.course, starts_in=timedelta(days=20))
    confirmed_place(future, everything.eva)

    assert [place.course_date for place in services.erasure_blockers(everything.eva)] == [future]
    with pytest.raises(services.PrivacyError, match="Annuleer eerst je plaatsen"):
        services.account_erase(user=everything.eva)
    assert User.objects.filter(pk=everything.eva.pk).exists()


def test_every_model_is_enumerated():
    """The scan covers the apps that hold people's data, including any model added later."""
    labels = {model._meta.label for model in apps.get_models()}
    assert {"accounts.User", "courses.Enrolment", "learning.AssignmentSubmission", "payments.Invoice",
            "certification.Certificate", "registers.ReportedAttendance", "privacy.DataExport",
            "core.SentEmail", "wagtailcore.ModelLogEntry", "account.EmailAddress"} <= labels


def test_the_person_deletes_their_account_after_giving_their_password(client, everything):
    from tests.factories import PASSWORD

    eva = everything.eva
    eva.set_password(PASSWORD)
    eva.save()
    client.force_login(eva)
    assert 'href="/my/account/delete/"' in client.get("/accounts/profile/").content.decode()

    response = client.post("/my/account/delete/", {"password": "fout"})
    assert response.status_code == 400 and "Dat is niet je wachtwoord." in response.content.decode()
    assert User.objects.filter(pk=eva.pk).exists()

    response = client.post("/my/account/delete/", {"password": PASSWORD}, follow=True)
    assert "Je account is verwijderd" in response.content.decode()
    assert not User.objects.filter(pk=eva.pk).exists()
    assert client.get("/accounts/profile/").status_code == 302  # logged out


def test_the_page_lists_the_places_to_cancel_first(client, everything):
    from tests.factories import confirmed_place, make_date

    future = make_date(everything.classroom.course, starts_in=timedelta(days=20))
    place = confirmed_place(future, everything.eva)
    client.force_login(everything.eva)

    html = client.get("/my/account/delete/").content.decode()

    assert "Annuleer die eerst" in html and f'href="/enrolments/{place.pk}/"' in html
    assert 'name="password"' not in html
    client.post("/my/account/delete/", {"password": "whatever"})
    assert User.objects.filter(pk=everything.eva.pk).exists()


def test_the_office_erases_a_person_on_written_request_with_the_reason_logged(client, everything):
    from tests.factories import UserFactory

    office = UserFactory(is_superuser=True, is_staff=True, full_name="Olga Office")
    client.force_login(office)
    url = f"/admin/privacy/people/{everything.eva.pk}/erase/"
    assert url in client.get("/admin/users/").content.decode()

    response = client.post(url, {"reason": ""})
    assert "Dit is een verplicht veld." in response.content.decode()
    assert User.objects.filter(pk=everything.eva.pk).exists()

    client.post(url, {"reason": "Schriftelijk verzoek van 1 dec 2026"})

    assert not User.objects.filter(pk=everything.eva.pk).exists()
    erasure = Erasure.objects.get()
    assert erasure.by_office == office and erasure.reason == "Schriftelijk verzoek van 1 dec 2026"
    assert "Schriftelijk verzoek" in client.get("/admin/erasure/").content.decode()


def test_trainers_cannot_erase_people(client, everything):
    client.force_login(everything.classroom.trainer)
    assert client.get(f"/admin/privacy/people/{everything.eva.pk}/erase/").status_code in (302, 403)
    assert User.objects.filter(pk=everything.eva.pk).exists()


def test_scrubbing_takes_whole_words_only():
    from core.privacy import ERASED, scrub

    assert scrub("Jan bij Jansen, 204417 en 2044170", ["Jan", "204417"]) == f"{ERASED} bij Jansen, {ERASED} en 2044170"
    assert scrub({"a": ["EVA@example.org"]}, ["eva@example.org"]) == {"a": [ERASED]}

"""The office edits what we store about a person in the admin: one full name (as on certificates), phone,
organisation and language; never Wagtail's required first and last name, never a password it typed."""

import pytest

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_office_edits_a_persons_full_name_without_inventing_first_and_last_names(client):
    person = UserFactory(email="eva@example.org", full_name="Eva de Vries", first_name="", last_name="")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    form = client.get(f"/admin/users/edit/{person.pk}/").content.decode()
    assert 'value="Eva de Vries"' in form and 'name="first_name"' not in form and 'name="last_name"' not in form
    assert 'name="password1"' not in form

    response = client.post(f"/admin/users/edit/{person.pk}/", {
        "email": "eva@example.org", "full_name": "Eva van Dijk-de Vries", "phone": "0612345678",
        "organisation": "De Brug", "language": "en", "is_active": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.full_name, person.phone, person.organisation, person.language) == (
        "Eva van Dijk-de Vries", "0612345678", "De Brug", "en")

    empty = client.post(f"/admin/users/edit/{person.pk}/", {"email": "eva@example.org", "full_name": "",
                                                            "language": "nl", "is_active": "on"})
    assert empty.status_code == 200 and User.objects.get(pk=person.pk).full_name == "Eva van Dijk-de Vries"


def test_the_office_adds_a_person_who_sets_their_own_password(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post("/admin/users/new/", {"email": "nieuw@example.org", "full_name": "Nieuwe Collega",
                                                 "language": "nl"})
    assert response.status_code == 302
    created = User.objects.get(email="nieuw@example.org")
    assert created.full_name == "Nieuwe Collega" and not created.has_usable_password()

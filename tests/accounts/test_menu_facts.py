"""Every page's menu asks whether the signed-in person reaches the CMS and books for an organisation: both come with
the person's row (accounts.backends), and must be right whichever way the person got there."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.backends import PasswordBackend
from accounts.models import Membership
from tests.factories import UserFactory, make_organisation, make_trainer

pytestmark = pytest.mark.django_db


def facts(user) -> tuple[bool, bool]:
    with CaptureQueriesContext(connection) as captured:
        person = PasswordBackend().get_user(user.pk)
    assert len(captured) == 1
    return person.reaches_admin, person.books_for_organisation


def test_a_coach_reaches_neither():
    assert facts(UserFactory()) == (False, False)


def test_a_trainer_reaches_the_cms_through_their_group():
    assert facts(make_trainer()) == (True, False)


def test_someone_given_the_permission_themselves_reaches_the_cms():
    person = UserFactory()
    person.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin",
                                                       codename="access_admin"))
    assert facts(person) == (True, False)


def test_a_contact_person_books_for_an_organisation_and_a_member_does_not():
    contact, member = UserFactory(), UserFactory()
    organisation = make_organisation(contact)
    Membership.objects.create(organisation=organisation, user=member, role=Membership.Role.MEMBER)
    assert facts(contact) == (False, True)
    assert facts(member) == (False, False)


def test_the_menu_shows_what_the_facts_say(site):
    contact = UserFactory()
    make_organisation(contact)
    browser = Client()
    browser.force_login(contact)
    page = browser.get("/my/courses/").content.decode()
    assert "Mijn organisatie" in page and ">CMS<" not in page

import pytest

from tests.factories import UserFactory, make_organisation


@pytest.fixture
def contact(db):
    """The contact person of the organisation that books."""
    return UserFactory(full_name="Wendy Werkgever", email="werkgever@example.com")


@pytest.fixture
def organisation(contact):
    return make_organisation(contact)

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_logging_in_lands_on_my_courses_or_where_the_coach_came_from(client, site):
    UserFactory(email="coach@example.org")
    response = client.post("/accounts/login/", {"login": "coach@example.org", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/my/courses/"

    client.logout()
    response = client.post("/accounts/login/?next=/opleidingen/basistraining/",
                           {"login": "coach@example.org", "password": PASSWORD})
    assert response["Location"] == "/opleidingen/basistraining/"

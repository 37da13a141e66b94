import pytest

from tests.factories import attended_date


@pytest.fixture
def attended(course):
    return attended_date(course)

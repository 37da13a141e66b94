import pytest

from tests.factories import wagtail_root


@pytest.fixture(autouse=True)
def _wagtail_root(db):
    """The demo is seeded under Wagtail's root page, which migrations make and a live-server test's flush removes:
    these tests pass in whatever order the workers run them."""
    wagtail_root()

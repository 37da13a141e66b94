from django.conf import settings

from courses.models import CourseIndexPage


def navigation(request):
    """The catalogue's address for the main menu: one small query per page."""
    catalogue = CourseIndexPage.objects.live().only("id", "url_path", "path", "depth").first()
    return {"catalogue_url": catalogue.get_url(request) if catalogue else None,
            "stripe_test_mode": settings.STRIPE_TEST_MODE}

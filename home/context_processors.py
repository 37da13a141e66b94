from django.conf import settings
from django.utils.translation import get_language

from core import page_cache
from courses.models import CourseIndexPage


def navigation(request):
    """The catalogue's address for the main menu, from the shared cache."""

    def catalogue_url():
        catalogue = CourseIndexPage.objects.live().only("id", "url_path", "path", "depth").first()
        return catalogue.get_url(request) if catalogue else None

    key = f"catalogue-url:{request.META.get('HTTP_HOST', '')}:{get_language()}"
    return {"catalogue_url": page_cache.remembered(key, catalogue_url),
            "stripe_test_mode": settings.STRIPE_TEST_MODE}

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")

django_application = get_wsgi_application()

from core.page_cache import serve_stored_pages  # noqa: E402 (after Django is set up)

application = serve_stored_pages(django_application)

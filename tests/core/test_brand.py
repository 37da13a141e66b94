"""The provider's logo and brand colour (provider settings) dress the site, its emails and its invoices."""

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image

from core.models import ProviderSettings

pytestmark = pytest.mark.django_db


def test_the_site_takes_the_providers_colour_and_logo(client, site):
    provider = ProviderSettings.load()
    provider.brand_colour = "#7a1f5c"
    buffer = io.BytesIO()
    PILImage.new("RGB", (400, 100), "#7a1f5c").save(buffer, "PNG")
    provider.logo = Image.objects.create(title="Logo", file=ImageFile(buffer, name="logo.png"))
    provider.save()

    page = client.get("/").content.decode()
    assert 'href="/brand.css?v=7a1f5c"' in page
    assert f'src="{provider.logo.file.url}" alt="{provider.name}" class="brand-logo"' in page
    css = client.get("/brand.css?v=7a1f5c")
    assert css["Content-Type"].startswith("text/css") and "--brand: #7a1f5c;" in css.content.decode()
    assert "--brand-dark: #5c1745;" in css.content.decode()  # three quarters as light, for hovers


def test_a_colour_that_is_not_one_is_refused(site):
    from django.core.exceptions import ValidationError

    provider = ProviderSettings.load()
    provider.brand_colour = "red; } body { display: none"
    with pytest.raises(ValidationError):
        provider.full_clean()

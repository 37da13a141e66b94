"""What every CMS page may show: the pages themselves (a title in a menu, a card in a listing), who may see them,
their images, the site and the provider's settings. Any change renders anonymous pages and the shared parts of
signed-in pages afresh (core.page_cache); a migration (a release) renders everything afresh."""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction, Site, get_page_models
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import page_cache
from .models import ProviderSettings


def site_changed(**kwargs) -> None:
    page_cache.changed(page_cache.SITE)


def released(sender, using, **kwargs) -> None:
    """After `migrate` (a release): the database cache's table exists (the embedded default needs no extra step),
    and every anonymous page is rendered afresh by the new code."""
    if sender.name != "core":
        return
    if any(isinstance(caches[alias], DatabaseCache) for alias in settings.CACHES):
        call_command("createcachetable", database=using, verbosity=0)
    page_cache.changed(*page_cache.TOPICS)


def connect() -> None:
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(site_changed, dispatch_uid=f"page-cache-{id(signal)}")
    for model in [*get_page_models(), PageViewRestriction, Site, ProviderSettings, get_image_model(),
                  get_document_model()]:
        post_save.connect(site_changed, sender=model, dispatch_uid=f"page-cache-save-{model._meta.label}")
        post_delete.connect(site_changed, sender=model, dispatch_uid=f"page-cache-delete-{model._meta.label}")
    m2m_changed.connect(site_changed, sender=PageViewRestriction.groups.through,
                        dispatch_uid="page-cache-restriction-groups")
    post_migrate.connect(released, dispatch_uid="page-cache-release")

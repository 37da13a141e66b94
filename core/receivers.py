"""What every CMS page may show: the pages themselves (a title in a menu, a card in a listing), who may see them,
their images, the site and the provider's settings. Any change renders anonymous pages afresh (core.page_cache);
a migration (a release) renders everything afresh.

What a signed-in person's pages show about them: any row of the project's own apps saved or deleted renders afresh
the pages of the person it is about (its `user`, or its enrolment's), or of everyone signed in when it names no
one; a model that no page shows says so (`shown_to_people = False`). Bulk updates, which send no signals, call
`page_cache.person_changed` themselves."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site, get_page_models
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import page_cache
from .models import ProviderSettings


def site_changed(**kwargs) -> None:
    page_cache.changed(page_cache.SITE)


def _people_of(instance) -> list | None:
    """The people a row is about; None when it names no one (an organisation, a date: possibly anyone's)."""
    if isinstance(instance, get_user_model()):
        return [instance.pk]
    if getattr(instance, "user_id", None) is not None:
        return [instance.user_id]
    if getattr(instance, "enrolment_id", None) is not None:
        field = type(instance)._meta.get_field("enrolment")
        if field.is_cached(instance):  # loaded with it (select_related, or the service had it at hand)
            user_id = instance.enrolment.user_id
        else:  # one narrow query; None when the enrolment is gone too (a cascade)
            user_id = (field.related_model._base_manager.filter(pk=instance.enrolment_id)
                       .values_list("user_id", flat=True).first())
        return [user_id] if user_id is not None else None
    return None


def person_row_changed(sender, instance, **kwargs) -> None:
    if not getattr(sender, "shown_to_people", True) or isinstance(instance, Page):  # pages: SITE, on publishing
        return
    people = _people_of(instance)
    if people is None:
        page_cache.changed(page_cache.PEOPLE)
    else:
        page_cache.person_changed(*people)


def groups_changed(sender, instance, action, pk_set, reverse, **kwargs) -> None:
    """Someone became a trainer or left the office: their menu changes."""
    if action.startswith("post_"):
        if not reverse:
            page_cache.person_changed(instance.pk)
        elif pk_set:
            page_cache.person_changed(*pk_set)
        else:  # a group cleared of everyone
            page_cache.changed(page_cache.PEOPLE)


def everyone_changed(**kwargs) -> None:
    page_cache.changed(page_cache.PEOPLE)


def project_models() -> list:
    """The models of the project's own apps (the folders beside manage.py; not Django's, Wagtail's or a
    library's)."""
    return [model for config in apps.get_app_configs() if Path(config.path).parent == Path(settings.BASE_DIR)
            for model in config.get_models()]


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
    for model in project_models():
        post_save.connect(person_row_changed, sender=model, dispatch_uid=f"people-save-{model._meta.label}")
        post_delete.connect(person_row_changed, sender=model, dispatch_uid=f"people-delete-{model._meta.label}")
    # A group's permissions or the group itself: who opens the CMS (their menu, what they see of closed modules).
    for signal in (post_save, post_delete):
        signal.connect(everyone_changed, sender=Group, dispatch_uid=f"people-group-{id(signal)}")
    m2m_changed.connect(everyone_changed, sender=Group.permissions.through, dispatch_uid="people-group-permissions")
    user_model = get_user_model()
    m2m_changed.connect(groups_changed, sender=user_model.groups.through, dispatch_uid="people-groups")
    m2m_changed.connect(groups_changed, sender=user_model.user_permissions.through, dispatch_uid="people-permissions")

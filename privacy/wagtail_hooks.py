from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permissions import register_permission_policy

from core.permissions import ReadOnlyPolicy

from . import admin_views
from .models import Erasure

admin_urls = [path("people/<id:pk>/erase/", admin_views.erase, name="erase")]


@hooks.register("register_admin_urls")
def register_privacy_urls():
    return [path("privacy/", include((admin_urls, "privacy_admin"), namespace="privacy_admin"))]


@hooks.register("register_user_listing_buttons")
def erase_button(user, request_user):
    if request_user.has_perm(admin_views.PERMISSION) and user != request_user and not user.is_superuser:
        yield Button(_("Erase (AVG)"), reverse("privacy_admin:erase", args=[user.pk]), priority=90)


register_permission_policy(Erasure, ReadOnlyPolicy(Erasure))


class ErasureViewSet(ModelViewSet):
    model = Erasure
    icon = "warning"
    menu_label = _("Erased accounts")
    add_to_settings_menu = True
    list_display = ["erased_at", "by_office", "reason", "certificates_withdrawn"]
    copy_view_enabled = False
    form_fields = []


@hooks.register("register_admin_viewset")
def register_erasures():
    return ErasureViewSet()

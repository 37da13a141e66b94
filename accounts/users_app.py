"""Wagtail's users app, with the office's user screens of accounts.admin_users (INSTALLED_APPS names this
instead of wagtail.users). Kept apart: an app's config is imported before any model may be."""

from wagtail.users.apps import WagtailUsersAppConfig


class UsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "accounts.admin_users.OfficeUserViewSet"

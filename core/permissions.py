"""Admin permission policies shared by apps whose records are written by services, never by hand."""

from wagtail.permission_policies import ModelPermissionPolicy


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Written by the application's own flow and kept as they are: the admin lists and inspects them."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(user, action)

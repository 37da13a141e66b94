"""Admin permission policies shared by apps whose records are written by services, never by hand; who reaches the
admin at all."""

from django.contrib.auth.models import Permission
from django.db.models import Q
from wagtail.permission_policies import ModelPermissionPolicy


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Written by the application's own flow and kept as they are: the admin lists and inspects them."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(user, action)


def admin_access(user):
    """The permission to reach the CMS, when the person (a user or OuterRef) has it, themselves or by a group."""
    return Permission.objects.filter(Q(user=user) | Q(group__user=user), content_type__app_label="wagtailadmin",
                                     codename="access_admin")


def opens_admin(user) -> bool:
    """Whether the person reaches the CMS (editors, trainers, the office). Every page's menu asks: the signed-in
    person comes with the answer (`reaches_admin`, accounts.backends); anyone else is one small query (not
    Django's two for all of a person's permissions), kept on the user for the rest of the request."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if getattr(user, "reaches_admin", None) is None:
        user.reaches_admin = admin_access(user).exists()
    return user.reaches_admin

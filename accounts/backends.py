"""Signing in by email (allauth) or by the CMS's login form, and who is signed in on each request: the person with
what every page's menu asks about them, in one query."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from core.compiled import CompiledRead

from .models import Membership, User


def _menu_facts() -> dict[str, RawSQL]:
    """Whether the person reaches the CMS (the `access_admin` permission, their own or a group's) and books for an
    organisation (a contact person), as two EXISTS beside the person's row. Written out: the ORM's Exists() takes
    longer to compile (0.9 ms) than the rest of the request's user lookup, on every signed-in page."""
    # Table names from the models, values as parameters: nothing typed by anyone reaches the SQL.
    user_table = User._meta.db_table
    own = User.user_permissions.through._meta.db_table
    groups = User.groups.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    reaches_admin = (
        f"EXISTS (SELECT 1 FROM {Permission._meta.db_table} p INNER JOIN {ContentType._meta.db_table} t "  # noqa: S608
        f"ON t.id = p.content_type_id WHERE t.app_label = %s AND p.codename = %s "
        f"AND (p.id IN (SELECT permission_id FROM {own} WHERE user_id = {user_table}.id) "
        f"OR p.id IN (SELECT gp.permission_id FROM {group_permissions} gp INNER JOIN {groups} ug "
        f"ON ug.group_id = gp.group_id WHERE ug.user_id = {user_table}.id)))")
    books_for_organisation = (f"EXISTS (SELECT 1 FROM {Membership._meta.db_table} m "  # noqa: S608
                              f"WHERE m.user_id = {user_table}.id AND m.role = %s)")
    return {"reaches_admin": RawSQL(reaches_admin, ("wagtailadmin", "access_admin"),  # noqa: S611
                                    output_field=BooleanField()),
            "books_for_organisation": RawSQL(books_for_organisation, (Membership.Role.CONTACT.value,),  # noqa: S611
                                             output_field=BooleanField())}


class MenuFactsMixin:
    """`get_user` (once per request, from the session) reads the person together with whether they reach the CMS
    (`reaches_admin`) and book for an organisation (`books_for_organisation`): the menu of every page asks both,
    and three queries would be one."""

    def get_user(self, user_id):
        try:
            user = next(iter(_signed_in_person(User._meta.pk.to_python(user_id))), None)
        except ValidationError:
            return None
        return user if user is not None and self.user_can_authenticate(user) else None


_signed_in_person = CompiledRead(lambda pk: User._default_manager.annotate(**_menu_facts()).filter(pk=pk))


class EmailBackend(MenuFactsMixin, AuthenticationBackend):
    pass


class PasswordBackend(MenuFactsMixin, ModelBackend):
    pass

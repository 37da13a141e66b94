"""The office's screens for a person's account in the admin (Wagtail's users, with the fields we store): a full
name as it appears on certificates, not Wagtail's required first and last name; phone, organisation and the
language of their mails. Passwords stay with the person (the site's own reset), never typed by the office."""

from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet

OUR_FIELDS = ["full_name", "phone", "organisation", "language"]


class StoredFieldsOnly:
    """Wagtail's user form without first and last name: we keep one full name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields.pop(name, None)
        self.fields["full_name"].required = True


class OfficeUserCreationForm(StoredFieldsOnly, UserCreationForm):
    """A person the office adds sets their own password (the site's "forgot password" link)."""

    class Meta(UserCreationForm.Meta):
        fields = ["email", *OUR_FIELDS, "is_superuser", "groups"]

    def save(self, commit=True):
        self.instance.set_unusable_password()
        return super().save(commit)


class OfficeUserEditForm(StoredFieldsOnly, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = ["email", *OUR_FIELDS, "is_active", "is_superuser", "groups"]


class OfficeUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return OfficeUserEditForm if for_update else OfficeUserCreationForm

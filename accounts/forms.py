import re

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .registers import Register, register_number_normalise, register_number_validate

PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-]{7,19}$")


def full_name_field() -> forms.CharField:
    return forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("Exactly as it must appear on your certificates, with initials or titles."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class SignupForm(AllauthSignupForm):
    """allauth's signup with the name that certificates will carry."""

    full_name = full_name_field()

    field_order = ["full_name", "email", "password1", "password2"]

    def try_save(self, request):
        """Two signups with one address at the same moment: the second finds the address taken only when it
        saves, and is then answered as any signup for an existing account (no second account, no 500)."""
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            self.account_already_exists = True
            return super().try_save(request)

    def save(self, request):
        user = super().save(request)
        if user is not None:
            user.full_name = self.cleaned_data["full_name"].strip()
            user.language = get_language() or settings.LANGUAGE_CODE
            user.save(update_fields=["full_name", "language"])
        return user


class ProfileForm(forms.Form):
    full_name = full_name_field()
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    organisation = forms.CharField(
        label=_("Organisation"), max_length=150, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    language = forms.ChoiceField(label=_("Language of our emails"), choices=settings.LANGUAGES)
    receives_reminders = forms.BooleanField(
        label=_("Send me reminders by email"), required=False,
        help_text=_("Before a meeting day, and three months before a certificate expires. Confirmations, "
                    "invitations and invoices always come."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for register in Register:
            self.fields[self.register_field_name(register)] = forms.CharField(
                label=_("%(register)s member number") % {"register": register.label},
                max_length=20,
                required=False,
            )

    @staticmethod
    def register_field_name(register: Register) -> str:
        return f"register_{register.value}"

    def register_fields(self):
        return [self[self.register_field_name(register)] for register in Register]

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise ValidationError(_("Enter a phone number of 8 to 20 digits, for example 06 12345678."))
        return phone

    def clean(self):
        cleaned = super().clean()
        for register in Register:
            name = self.register_field_name(register)
            number = cleaned.get(name, "")
            if number:
                try:
                    register_number_validate(number, register)
                except ValidationError as error:
                    self.add_error(name, error)
                else:
                    cleaned[name] = register_number_normalise(number)
        return cleaned

    def register_numbers(self) -> dict[str, str]:
        return {register.value: self.cleaned_data[self.register_field_name(register)] for register in Register}

    @classmethod
    def initial_for(cls, user) -> dict:
        initial = {"full_name": user.full_name, "phone": user.phone, "organisation": user.organisation,
                   "language": user.language, "receives_reminders": user.receives_reminders}
        for membership in user.register_memberships.all():
            initial[f"register_{membership.register}"] = membership.number
        return initial

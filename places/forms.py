from django import forms
from django.utils.translation import gettext_lazy as _


class AcceptForm(forms.Form):
    shares_progress = forms.BooleanField(
        label=_("My organisation's contact persons may see my attendance, completion and certificate."),
        required=False, help_text=_("You can change this later in your profile."),
    )

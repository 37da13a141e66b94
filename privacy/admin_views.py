"""The office erases a person on their written request (AVG art. 17), from the users listing: with the reason,
which is kept (without anything about the person) in the erased-accounts log."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services

PERMISSION = "accounts.delete_user"


class OfficeErasureForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason (e.g. 'written request of 3 Dec 2026')"), max_length=250)
    withdraw_certificates = forms.BooleanField(label=gettext_lazy("Withdraw the certificates too"), required=False)


def erase(request, pk: int):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    person = get_object_or_404(get_user_model(), pk=pk)
    if person == request.user or person.is_superuser:
        raise PermissionDenied  # an administrator is erased by another one, after losing that role
    form = OfficeErasureForm(request.POST or None)
    blockers = services.erasure_blockers(person)
    if request.method == "POST" and form.is_valid() and not blockers:
        try:
            services.account_erase(user=person, by_office=request.user, reason=form.cleaned_data["reason"],
                                   withdraw_certificates=form.cleaned_data["withdraw_certificates"])
        except services.PrivacyError as error:  # a place taken meanwhile
            messages.error(request, str(error))
        else:
            messages.success(request, _("The account has been erased."))
            return redirect("wagtailusers_users:index")
    return TemplateResponse(request, "privacy/admin/erase.html", {
        "page_title": _("Erase %(person)s") % {"person": person}, "header_icon": "warning", "person": person,
        "form": form, "blockers": blockers,
    })

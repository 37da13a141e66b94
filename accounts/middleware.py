"""Two-factor sign-in for the office: whoever can refund money, record payments or erase accounts (a superuser,
or anyone with the office's permissions) reaches the admin only after switching on an authenticator app
(OFFICE_REQUIRES_TWO_FACTOR; on in production). They are sent to set it up, with the reason, and come back."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

OFFICE_PERMISSIONS = ("courses.manage_courses", "payments.add_refund", "payments.add_banktransfer",
                      "accounts.delete_user")


def is_office(user) -> bool:
    return user.is_authenticated and (user.is_superuser or any(user.has_perm(name) for name in OFFICE_PERMISSIONS))


def has_two_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class OfficeTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (settings.OFFICE_REQUIRES_TWO_FACTOR and request.path.startswith("/admin/")
                and is_office(request.user) and not has_two_factor(request.user)):
            messages.warning(request, _("The office's accounts sign in with a second step: set up an authenticator "
                                        "app to continue to the admin."))
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import storage

from . import services
from .forms import ErasureForm


@login_required
@require_POST
def export_request(request):
    try:
        services.export_request(user=request.user)
    except services.PrivacyError as error:
        messages.info(request, str(error))
    else:
        messages.success(request, _("We are preparing a copy of your data. You get an email with the link as soon "
                                    "as it is ready; it stays available for %(days)s days.")
                         % {"days": services.EXPORT_DAYS})
    return redirect("accounts:profile")


@login_required
def export_download(request, pk: int):
    export = services.export_for_download(user=request.user, pk=pk)
    return storage.download(export.file, content_type="application/zip",
                            filename=f"mijn-gegevens-{export.ready_at:%Y%m%d}.zip")


@login_required
def account_erase(request):
    """The person deletes their account, after giving their password again; places still to come are cancelled
    first (the page lists them)."""
    user = request.user
    form = ErasureForm(request.POST or None, user=user)
    blockers = services.erasure_blockers(user)
    if services.has_admin_rights(user):
        return render(request, "privacy/erase.html", {"admin_rights": True})
    if request.method == "POST" and form.is_valid() and not blockers:
        try:
            services.account_erase(user=user, withdraw_certificates=form.cleaned_data["withdraw_certificates"])
        except services.PrivacyError as error:
            messages.error(request, str(error))
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted. Invoices stay in our books for seven years, "
                                        "as the law requires; everything else about you is gone."))
            return redirect("/")
    return render(request, "privacy/erase.html", {"form": form, "blockers": blockers},
                  status=400 if form.errors else 200)

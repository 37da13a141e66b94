from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services


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
    return FileResponse(export.file.open("rb"), as_attachment=True, content_type="application/zip",
                        filename=f"mijn-gegevens-{export.ready_at:%Y%m%d}.zip")

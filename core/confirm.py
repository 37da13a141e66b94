"""A second step before what cannot be undone, without JavaScript: the first POST shows what will happen and
posts the same fields again with `confirmed=1`; only that second POST acts."""

from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme


def confirmed(request) -> bool:
    return request.POST.get("confirmed") == "1"


def admin_confirmation(request, *, title: str, consequences: list[str], confirm_label: str, back_url: str,
                       fields: dict[str, str] | None = None) -> TemplateResponse:
    """The admin's confirmation page; `fields` are posted again as they came (csrf and `confirmed` aside)."""
    posted = fields if fields is not None else {name: value for name, value in request.POST.items()
                                                 if name not in ("csrfmiddlewaretoken", "confirmed")}
    return TemplateResponse(request, "core/admin_confirm.html", {
        "page_title": title, "header_icon": "warning", "consequences": consequences, "confirm_label": confirm_label,
        "back_url": back_url, "fields": list(posted.items()), "action": request.get_full_path(),
    })


def admin_page(path: str | None) -> str | None:
    """`path` when it is a page of this site's admin (a `next` a form carried), else None: never another site."""
    if path and path.startswith("/admin/") and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return path
    return None

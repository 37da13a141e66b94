"""A person's certificates (with their PDFs), for their data export (privacy app)."""

from django.utils.translation import gettext as _

from core.privacy import readable

from .models import Certificate


def _certificates(user):
    return Certificate.objects.filter(user=user).order_by("issued_at", "pk")


def personal_data(user) -> dict[str, list[dict]]:
    return {
        _("Certificates"): [{**readable(c, ["number", "holder_name", "course_title", "first_day", "last_day",
                                            "net_hours", "issued_at", "valid_until", "status", "status_reason"]),
                             _("PE points"): [f"{a['register']}: {a['points']}" for a in c.accreditations]}
                            for c in _certificates(user)],
    }


def personal_files(user) -> list:
    return [(f"{_('certificates')}/{c.number}.pdf", c.pdf) for c in _certificates(user) if c.pdf]

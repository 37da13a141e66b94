"""A person's certificates (with their PDFs), for their data export (privacy app)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.privacy import PersonalData, readable

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
    """(path in the export, stored file, its SHA-256) of each file the person gets a copy of."""
    return [(f"{_('certificates')}/{c.number}.pdf", c.pdf, c.sha256) for c in _certificates(user) if c.pdf]


WITHDRAWN = gettext_noop("Withdrawn at the holder's request")


def erase(user, *, needles: list[str], unique: list[str], now, withdraw_certificates: bool = False,
          **_options) -> None:
    """Certificates stay verifiable (a register or an employer may rely on them) with only what they carry
    themselves: the name on them, no register numbers, no account, no PDF. Withdrawn on request: revoked
    ("ingetrokken op verzoek van de houder"), without the name either."""
    for certificate in _certificates(user):
        if certificate.pdf:
            certificate.pdf.delete(save=False)
        certificate.user = None
        certificate.sha256 = ""
        certificate.accreditations = [{**a, "member_number": ""} for a in certificate.accreditations]
        if withdraw_certificates and certificate.status == Certificate.Status.VALID:
            certificate.status, certificate.status_changed_at = Certificate.Status.REVOKED, now
            with translation.override(settings.LANGUAGE_CODE):
                certificate.status_reason = str(_(WITHDRAWN))
        if withdraw_certificates:
            certificate.holder_name = ""  # the verification page then says it was withdrawn by its holder
        certificate.save()


def identifiers(user) -> set[str]:
    """Register numbers printed on the person's certificates."""
    return {a.get("member_number", "") for c in _certificates(user) for a in c.accreditations} - {""}


def records(user) -> list:
    return [(Certificate, _certificates(user))]


PART = PersonalData(app="certification", data=personal_data, files=personal_files, erase=erase, erase_order=50,
                    identifiers=identifiers, records=records)

"""The payments app's part of a date's page for trainers and the office: the participant list with payments as
a spreadsheet."""

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.registers import Register
from core.spreadsheets import spreadsheet_response
from courses import selectors as course_selectors
from courses.models import CourseDate
from courses.selectors import trainer_date

from .selectors import payment_states


def export_header() -> list[str]:
    return [_("Name"), _("Email"), _("Organisation"), _("Phone"), _("Status"), _("Waitlist position"), _("Payment"),
            _("Paid"), _("Refunded"),
            *[_("%(register)s number") % {"register": register.label} for register in Register],
            _("Company"), _("Reference or PO number"), _("VAT id")]


def _export_rows(course_date: CourseDate):
    people = list(course_selectors.participants(course_date=course_date))
    payments = payment_states(people, now=timezone.now())
    for person in people:
        payment = payments[person.pk]
        numbers = {m.register: m.number for m in person.user.register_memberships.all()}
        yield [
            person.user.get_full_name(), person.user.email, person.organisation_name, person.user.phone,
            person.get_status_display(), person.waitlist_position, payment.label, payment.paid, payment.refunded,
            *[numbers.get(register.value, "") for register in Register],
            person.company_name, person.company_reference, person.company_vat_id,
        ]


def date_export(request, pk: int, fmt: str):
    course_date = trainer_date(user=request.user, pk=pk)
    filename = f"deelnemers-{slugify(course_date.course.title)}-{course_date.starts_at:%Y%m%d}"
    return spreadsheet_response(fmt, filename=filename, sheet="Deelnemers", header=export_header(),
                                rows=_export_rows(course_date))



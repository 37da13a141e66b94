"""A person's payments, refunds and invoices (with their PDFs), for their data export (privacy app)."""

from django.utils.translation import gettext as _

from core.privacy import PersonalData, readable, scrub_rows

from .models import Invoice, Payment, Refund, StripeEvent


def _invoices(user):
    return Invoice.objects.filter(payment__enrolment__user=user).order_by("issued_at", "pk")


def personal_data(user) -> dict[str, list[dict]]:
    return {
        _("Payments"): [readable(p, ["enrolment", "status", "amount", "created_at", "paid_at"])
                        for p in Payment.objects.filter(enrolment__user=user).select_related(
                            "enrolment__course_date__course").order_by("pk")],
        _("Refunds"): [readable(r, ["amount", "reason", "status", "created_at", "refunded_at"])
                       for r in Refund.objects.filter(payment__enrolment__user=user).order_by("pk")],
        _("Invoices"): [{**readable(i, ["number", "kind", "issued_at", "description", "total"]),
                         _("customer"): i.customer} for i in _invoices(user)],
    }


def personal_files(user) -> list:
    return [(f"{_('invoices')}/{i.number}.pdf", i.pdf, i.pdf_sha256) for i in _invoices(user) if i.pdf]


def erase(user, *, needles: list[str], unique: list[str], now, **_options) -> None:
    """Payments, refunds and invoices are kept seven years (fiscal retention): invoices keep their own copy of
    name and address; what Stripe told us about the person in its events loses them."""
    scrub_rows(StripeEvent.objects.all(), ["payload"], needles, found_by=unique)
    scrub_rows(Payment.objects.filter(enrolment__user=user), ["note"], needles)
    scrub_rows(Refund.objects.filter(payment__enrolment__user=user), ["reason"], needles)


def records(user) -> list:
    payments = Payment.objects.filter(enrolment__user=user)
    return [(Payment, payments), (Invoice, Invoice.objects.filter(payment__in=payments))]


PART = PersonalData(app="payments", data=personal_data, files=personal_files, erase=erase, erase_order=20,
                    records=records)

"""What the office does from a person's page that no other screen does: send a confirmation or an invoice again,
and have a copy of the person's data prepared for them. Each is recorded in the audit trail."""

from django.db import transaction

from core.audit import record
from core.tasks import enqueue_with_change
from courses.models import Enrolment
from courses.notifications import send_enrolment_confirmation
from payments.invoices import send_invoice
from payments.models import Invoice
from privacy import services as privacy


class ActionError(Exception):
    pass


@transaction.atomic
def confirmation_resend(*, place: Enrolment, actor) -> None:
    if place.status != Enrolment.Status.CONFIRMED or place.user_id is None:
        raise ActionError("not confirmed")
    enqueue_with_change(send_enrolment_confirmation, enrolment_id=place.pk)
    record(place, "enrolment.confirmation_resent", actor=actor)


@transaction.atomic
def invoice_resend(*, invoice: Invoice, actor) -> None:
    enqueue_with_change(send_invoice, invoice_id=invoice.pk)
    record(invoice, "invoice.resent", actor=actor)


@transaction.atomic
def data_copy_prepare(*, person, actor) -> None:
    """The copy goes to the person (an email with a link to their profile), never to the office's desk."""
    try:
        export = privacy.export_request(user=person)
    except privacy.PrivacyError as error:
        raise ActionError(str(error)) from None
    record(person, "person.data_copy_prepared", actor=actor, export=export.pk)

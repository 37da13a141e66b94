"""Money received through Stripe, and every Stripe event we were sent, each stored once."""

from decimal import Decimal

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.formats import euro
from core.money import MoneyField
from core.sequences import YearSequence
from core.storage import private_storage
from courses.models import Booking, Enrolment


class Payment(models.Model):
    """One attempt to pay, through a Stripe Checkout Session, for a person's place or for the seats an
    organisation booked together; and what became of it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for payment")
        PROCESSING = "processing", _("Payment being processed")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Payment failed")
        EXPIRED = "expired", _("Not paid in time")

    wagtail_reference_index_ignore = True
    REFUNDED_WHOLE = "refunded: "  # how the note of a payment that bought nothing, and went back whole, begins

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT,
                                  related_name="payments", null=True, blank=True)
    booking = models.ForeignKey(Booking, verbose_name=_("booking"), on_delete=models.PROTECT,
                                related_name="payments", null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    amount = MoneyField(_("amount incl. VAT"), max_digits=8)
    currency = models.CharField(_("currency"), max_length=3, default="eur", editable=False)
    checkout_session_id = models.CharField(_("Stripe Checkout Session"), max_length=255, unique=True)
    checkout_url = models.URLField(_("payment page"), max_length=2000, blank=True, editable=False)
    expires_at = models.DateTimeField(_("session expires"))
    payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=255, blank=True, db_index=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_at__isnull=False), name="paid_payments_have_a_time",
            ),
            models.CheckConstraint(condition=models.Q(enrolment__isnull=True) ^ models.Q(booking__isnull=True),
                                   name="payment_for_a_place_or_a_booking"),
        ]

    def __str__(self):
        return f"{self.paid_for} · {euro(self.amount)} · {self.get_status_display()}"

    @property
    @admin.display(description=_("status"))
    def state(self) -> str:
        """The status as the office reads it: a paid payment whose money went back says so. Listings annotate
        `refunded_amount` (payments.selectors.with_refunded); otherwise it is asked here."""
        if self.status != self.Status.PAID:
            return self.get_status_display()
        if hasattr(self, "refunded_amount"):  # None: nothing went back
            refunded = self.refunded_amount or 0
        else:
            refunded = sum(self.refunds.filter(status=Refund.Status.SUCCEEDED).values_list("amount", flat=True))
        if refunded >= self.amount:
            return str(_("Refunded"))
        return str(_("Partly refunded")) if refunded else self.get_status_display()

    @property
    def went_back_whole(self) -> bool:
        """Paid, but it could not buy the place or seats (gone, or paid twice): refunded in full."""
        return self.note.startswith(self.REFUNDED_WHOLE)

    @property
    def payer(self):
        """The person who pays: the participant, or the contact person who booked the seats."""
        return self.enrolment.user if self.enrolment_id else self.booking.booked_by

    @property
    def payer_label(self) -> str:
        """Who paid, as the office reads it; an erased person (AVG) is no longer named."""
        person = self.payer
        if person is None:
            return str(_("Erased at the person's request"))
        return person.get_full_name() or person.email

    @property
    def payer_email(self) -> str:
        return self.payer.email if self.payer else ""

    @property
    def course_date(self):
        return self.enrolment.course_date if self.enrolment_id else self.booking.course_date

    @property
    @admin.display(description=_("company"))
    def company(self) -> str:
        """The organisation that booked, or the employer or business on the place's invoice details."""
        if self.booking_id:
            return self.booking.organisation.name if self.booking.organisation_id else ""
        return self.enrolment.company_name

    @property
    @admin.display(description=_("paid for"))
    def paid_for(self) -> str:
        if self.booking_id:
            return f"{self.booking.customer_name} · {self.booking.seats} × {self.booking.course_date}"
        return f"{self.payer_label} · {self.enrolment.course_date}"


class StripeEvent(models.Model):
    """A webhook event as Stripe sent it, stored once by its id; a repeat delivery finds it and does nothing."""

    event_id = models.CharField(_("Stripe event"), max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField(_("content"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} · {self.event_id}"


class Refund(models.Model):
    """Money paid back on a payment, through Stripe's Refund API. Created as pending in the transaction that
    decides it; a task (and the reconciliation) asks Stripe, with the refund's id as the idempotency key."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being refunded")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Refund failed")

    wagtail_reference_index_ignore = True

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds")
    amount = MoneyField(_("amount"), max_digits=8)
    reason = models.CharField(_("reason"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    stripe_refund_id = models.CharField(_("Stripe refund"), max_length=255, unique=True, null=True, blank=True)
    failure_reason = models.CharField(_("why it failed"), max_length=255, blank=True,
                                      help_text=_("What Stripe answered when it refused the refund."))
    requested_by = models.ForeignKey("accounts.User", verbose_name=_("requested by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"{euro(self.amount)} · {self.get_status_display()}"

    @property
    def requested_by_email(self) -> str:
        return self.requested_by.email if self.requested_by else ""


class InvoiceSequence(YearSequence):
    """The last invoice number given out in a year (see home.sequences)."""


def _customer_part(key: str, label) -> property:
    """One part of an invoice's customer as a column of its own, for the bookkeeper's export."""

    @admin.display(description=label)
    def part(invoice) -> str:
        return invoice.customer.get(key, "")

    return property(part)


class Invoice(models.Model):
    """An invoice or credit invoice as issued: every detail is copied in at issue time and never changes;
    the PDF is rendered once from them and kept with its checksum. Invoices are never deleted."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT = "credit", _("Credit invoice")

    wagtail_reference_index_ignore = True

    number = models.CharField(_("number"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INVOICE)
    issued_at = models.DateTimeField(_("issued"))
    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="invoices",
                                null=True, blank=True)
    booking = models.ForeignKey(Booking, verbose_name=_("booking"), on_delete=models.PROTECT, related_name="invoices",
                                null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True,
                                  help_text=_("For an invoice paid by bank transfer: when payment is due."))
    refund = models.OneToOneField(Refund, verbose_name=_("refund"), null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="credit_invoice")
    credits = models.ForeignKey("self", verbose_name=_("credits invoice"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="credit_invoices")
    supplier = models.JSONField(_("supplier"))
    customer = models.JSONField(_("customer"))
    description = models.CharField(_("description"), max_length=255)
    reason = models.CharField(_("reason"), max_length=255, blank=True,
                              help_text=_("For a credit invoice: why it was issued, as the customer is told."))
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    discount = MoneyField(_("discount incl. VAT"), max_digits=9, default=0,
                          help_text=_("Off the list price, over all seats; the total is after it."))
    voucher_code = models.CharField(_("voucher"), max_length=30, blank=True)
    amount_excl_vat = MoneyField(_("amount excl. VAT"), max_digits=9)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=4, decimal_places=2)
    vat_amount = MoneyField(_("VAT"), max_digits=9)
    total = MoneyField(_("total"), max_digits=9)
    vat_exemption_text = models.TextField(_("VAT exemption text"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/", blank=True, storage=private_storage)
    pdf_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    payment_reference = models.CharField(
        _("payment reference"), max_length=25, blank=True, editable=False,
        help_text=_("The structured creditor reference (RF, ISO 11649) a bank transfer names; banks check it."))
    ubl = models.FileField(_("e-invoice (UBL)"), upload_to="invoices/%Y/", blank=True, storage=private_storage)
    ubl_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="one_invoice_per_number"),
            models.UniqueConstraint(fields=["payment"], condition=models.Q(kind="invoice"),
                                    name="one_invoice_per_payment"),
            models.UniqueConstraint(fields=["booking"], condition=models.Q(kind="invoice"),
                                    name="one_invoice_per_booking"),
            models.CheckConstraint(condition=models.Q(payment__isnull=True) ^ models.Q(booking__isnull=True),
                                   name="invoices_are_for_a_payment_or_a_booking"),
            models.CheckConstraint(condition=models.Q(kind="invoice", credits__isnull=True, refund__isnull=True)
                                   | models.Q(kind="credit", credits__isnull=False),
                                   name="credit_invoices_refer_to_their_invoice"),
        ]

    def __str__(self):
        return self.number

    # The customer in columns of their own, for the bookkeeper's export.
    @property
    @admin.display(description=_("customer"))
    def customer_name(self) -> str:
        return self.customer.get("company") or self.customer.get("participant") or self.customer.get("name", "")

    @property
    @admin.display(description=_("contact person"))
    def customer_contact(self) -> str:
        return self.customer.get("contact") or self.customer.get("participant", "")

    customer_address = _customer_part("address", _("invoice address"))
    customer_email = _customer_part("email", _("email"))
    customer_vat_id = _customer_part("vat_id", _("VAT id"))
    customer_reference = _customer_part("reference", _("reference / PO number"))

    @property
    @admin.display(description=_("credits invoice"))
    def credited_invoice_number(self) -> str:
        return self.credits.number if self.credits else ""

    @property
    def is_credit(self) -> bool:
        return self.kind == self.Kind.CREDIT

    @property
    def discount_excl_vat(self) -> Decimal:
        """The discount excl. VAT: the list price's excl. amount less the subtotal, so the lines add up to the cent
        (VAT is computed after the discount)."""
        if not self.discount:
            return Decimal("0.00")
        listed_excl = ((self.total + self.discount) / (1 + self.vat_rate)).quantize(Decimal("0.01"))
        return listed_excl - self.amount_excl_vat

    @property
    def payment_reference_printed(self) -> str:
        """The payment reference in groups of four, as banks print it."""
        reference = self.payment_reference
        return " ".join(reference[start:start + 4] for start in range(0, len(reference), 4))

    @property
    def is_paid_by_bank(self) -> bool:
        return self.booking_id is not None


class InvoiceReminder(models.Model):
    """A payment reminder sent for an invoice paid by bank transfer: once before it is due, once after."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due date")
        AFTER = "after", _("After the due date")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("payment reminder")
        verbose_name_plural = _("payment reminders")
        constraints = [models.UniqueConstraint(fields=["invoice", "kind"], name="one_reminder_of_a_kind")]

    def __str__(self):
        return f"{self.invoice} · {self.get_kind_display()}"


class BankStatement(models.Model):
    """A bank statement (CAMT.053) the office uploaded: its new lines wait for the office's confirmation, then pay
    the invoices they name (payments.bank_statements)."""

    wagtail_reference_index_ignore = True

    iban = models.CharField(_("account"), max_length=34)
    statement_id = models.CharField(_("statement"), max_length=100)
    filename = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey("accounts.User", verbose_name=_("uploaded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"))
    known_lines = models.PositiveIntegerField(_("lines read before"), default=0)
    outgoing_lines = models.PositiveIntegerField(_("outgoing lines"), default=0)
    recorded_by = models.ForeignKey("accounts.User", verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.statement_id} · {self.iban}"


class BankLine(models.Model):
    """One incoming transaction of a bank statement, known by the account and the bank's reference for it (or what
    it says and its place: payments.bank_statements), so it is read once however often its statement comes in."""

    class Status(models.TextChoices):
        NEW = "new", _("Waiting for confirmation")
        MATCHED = "matched", _("Recorded on its invoices")
        WAITING = "waiting", _("For the office: no invoice, or money left over")
        DISMISSED = "dismissed", _("Dismissed")

    wagtail_reference_index_ignore = True

    statement = models.ForeignKey(BankStatement, verbose_name=_("bank statement"), on_delete=models.PROTECT,
                                  related_name="lines")
    identity = models.CharField(max_length=200, unique=True, editable=False)
    booked_on = models.DateField(_("booked"))
    amount = MoneyField(_("amount"), max_digits=11)
    counterparty = models.CharField(_("from"), max_length=140, blank=True)
    counterparty_iban = models.CharField(_("from account"), max_length=34, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)

    class Meta:
        verbose_name = _("bank line")
        verbose_name_plural = _("bank lines")
        ordering = ["-booked_on", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="bank_line_is_money_in")]

    def __str__(self):
        return f"{euro(self.amount)} · {self.counterparty or self.counterparty_iban} · {self.booked_on:%d-%m-%Y}"

    @property
    def left_over(self) -> Decimal:
        """What no invoice took (the office assigns it, pays it back or dismisses it)."""
        return self.amount - sum((transfer.amount for transfer in self.transfers.all()), Decimal("0.00"))


class BankTransfer(models.Model):
    """Money received by bank transfer against an invoice, recorded by the office; a negative amount is money
    the office paid back by hand."""

    wagtail_reference_index_ignore = True

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT,
                                related_name="bank_transfers")
    amount = MoneyField(_("amount"), max_digits=9,
                                 help_text=_("Negative for money paid back."))
    received_on = models.DateField(_("date of the transfer"))
    note = models.CharField(_("note"), max_length=255, blank=True, help_text=_("E.g. the bank statement's "
                                                                               "description."))
    recorded_by = models.ForeignKey("accounts.User", verbose_name=_("recorded by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"))
    bank_line = models.ForeignKey(BankLine, verbose_name=_("bank line"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="transfers",
                                  help_text=_("The line of an uploaded bank statement it was recorded from."))

    class Meta:
        verbose_name = _("bank transfer")
        verbose_name_plural = _("bank transfers")
        ordering = ["received_on", "pk"]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="bank_transfer_not_zero")]

    def __str__(self):
        return f"{euro(self.amount)} · {self.received_on:%d-%m-%Y}"

"""Payments, refunds and invoices in the Wagtail admin, for the office: read, filter, export for the
bookkeeper (CSV and XLSX), and refund with a reason. Money only moves through the services (refunds, transfers)."""

from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from core import audit
from core.admin_views import (
    HistoryForReaders,
    InspectWithHistory,
    linked,
    listing_with,
    pdf_for_the_office,
    pdf_link,
)
from core.confirm import admin_confirmation, confirmed
from core.converters import parse_id
from core.formats import day, euro
from core.permissions import ReadOnlyPolicy

from . import admin_views, refunds, trainer_views, transfers
from .checkout import PaymentError
from .invoices import invoice_pdf_store
from .models import BankLine, BankTransfer, Invoice, Payment, Refund, StripeEvent
from .selectors import InvoiceState, balance, with_refunded, with_states
from .ubl import e_invoice_possible

PAYMENT_RELATIONS = ("enrolment__user", "enrolment__course_date__course", "booking__organisation",
                     "booking__booked_by", "booking__course_date__course")


class RefundPolicy(ModelPermissionPolicy):
    """The office asks for refunds (add); a refund is never edited or deleted afterwards."""

    def user_has_permission(self, user, action):
        return action not in ("change", "delete") and super().user_has_permission(user, action)


for model in (Payment, Invoice, StripeEvent, BankLine):  # written by the services, read in the admin
    register_permission_policy(model, ReadOnlyPolicy(model))
register_permission_policy(Refund, RefundPolicy(Refund))
register_permission_policy(BankTransfer, RefundPolicy(BankTransfer))  # recorded, never edited or deleted


class ServiceCreateView(generic.CreateView):
    """A create view whose form saves through a service: `?<chosen>=<id>` (a button on that record) picks it;
    a rule the service enforces under its lock re-shows the form with the reason instead of failing."""

    chosen: str
    refusals: tuple[type[Exception], ...]

    def get_initial(self):
        return {**super().get_initial(), self.chosen: parse_id(self.request.GET.get(self.chosen))}

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except self.refusals as error:
            form.add_error(None, str(error))
            self.produced_error_message = str(error)
            return self.form_invalid(form)


def _invoice_label(invoice: Invoice) -> str:
    left = balance(invoice).open
    return " · ".join([invoice.number, invoice.customer.get("company", ""), invoice.description,
                       _("%(amount)s open") % {"amount": euro(left)}])


class BankTransferForm(WagtailAdminModelForm):
    class Meta:
        model = BankTransfer
        fields = ["invoice", "amount", "received_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = Invoice.objects.filter(kind=Invoice.Kind.INVOICE, booking__isnull=False)
        self.fields["invoice"].label_from_instance = _invoice_label
        self.fields["amount"].help_text = _("What arrived on the account, at most what is still open.")

    def save(self, commit=True):
        data = self.cleaned_data
        self.instance = transfers.bank_transfer_record(invoice=data["invoice"], amount=data["amount"],
                                                      received_on=data["received_on"], note=data["note"],
                                                      actor=self.for_user)
        return self.instance


class BankTransferCreateView(ServiceCreateView):
    """Records a transfer after a step that says how much, on which invoice and what is open afterwards."""

    chosen, refusals = "invoice", (transfers.InvoiceError,)
    submit_button_label = _("Review the transfer")

    def form_valid(self, form):
        if not confirmed(self.request):
            invoice, amount = form.cleaned_data["invoice"], form.cleaned_data["amount"]
            open_after = balance(invoice).open - amount
            customer = invoice.customer.get("company") or invoice.customer.get("participant", "")
            money = (_("%(amount)s received on %(day)s is recorded on invoice %(number)s of %(customer)s.")
                     if amount > 0 else
                     _("%(amount)s paid back on %(day)s to %(customer)s is recorded on invoice %(number)s."))
            return admin_confirmation(
                self.request, title=_("Record %(amount)s?") % {"amount": euro(abs(amount))},
                consequences=[
                    money % {"amount": euro(abs(amount)), "day": day(form.cleaned_data["received_on"]),
                             "number": invoice.number, "customer": customer},
                    _("Still open afterwards: %(open)s.") % {"open": euro(max(open_after, 0))}
                    if open_after > 0 else _("The invoice is then paid in full."),
                ],
                confirm_label=_("Yes, record %(amount)s") % {"amount": euro(abs(amount))},
                back_url=self.request.get_full_path())
        return super().form_valid(form)


class RefundForm(WagtailAdminModelForm):
    reason = forms.CharField(label=_("Reason"), max_length=255)

    class Meta:
        model = Refund
        fields = ["payment", "amount", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment"].queryset = (  # only those with money left to give back
            with_refunded(Payment.objects.filter(status=Payment.Status.PAID), counting_pending=True)
            .filter(Q(refunded_amount__isnull=True) | Q(refunded_amount__lt=F("amount")))
            .select_related(*PAYMENT_RELATIONS))
        self.fields["payment"].label_from_instance = lambda payment: f"{payment.paid_for} · {euro(payment.amount)}"
        self.fields["amount"].help_text = _("At most what was paid minus what was already refunded.")

    def clean(self):
        cleaned = super().clean()
        payment, amount = cleaned.get("payment"), cleaned.get("amount")
        if payment and amount is not None and not 0 < amount <= refunds.refundable(payment):
            self.add_error("amount", ValidationError(
                _("At most %(left)s can still be refunded.") % {"left": euro(refunds.refundable(payment))}))
        return cleaned

    def save(self, commit=True):
        data = self.cleaned_data
        self.instance = refunds.refund_request(payment=data["payment"], amount=data["amount"],
                                                reason=data["reason"], actor=self.for_user)
        return self.instance


def refund_consequences(payment: Payment, amount: Decimal, reason: str) -> list[str]:
    """What a refund does, in the office's words: how much goes to whom, how, which invoice is credited."""
    invoice = payment.invoices.filter(kind=Invoice.Kind.INVOICE).first()
    left = refunds.refundable(payment) - amount
    return [
        _("%(amount)s goes back to %(name)s through Stripe, to the account or card they paid with (%(date)s).") % {
            "amount": euro(amount), "name": payment.payer_label, "date": payment.course_date},
        _("Invoice %(number)s is credited with %(amount)s: a credit invoice goes to the customer.") % {
            "number": invoice.number, "amount": euro(amount)} if invoice else
        _("No invoice was issued for this payment, so no credit invoice follows."),
        _("Reason: %(reason)s") % {"reason": reason},
        _("Afterwards %(left)s of this payment can still be refunded.") % {"left": euro(left)} if left > 0 else
        _("Everything that was paid has then been refunded."),
    ]


class RefundCreateView(ServiceCreateView):
    """A refund first says how much goes to whom and which invoice is credited; only the confirmation asks
    Stripe. The service decides again under the payment's lock: a refund made meanwhile (a second tab, a
    colleague) re-shows the form with the reason instead of failing."""

    chosen, refusals = "payment", (PaymentError,)
    submit_button_label = _("Review the refund")

    def form_valid(self, form):
        payment, amount = form.cleaned_data["payment"], form.cleaned_data["amount"]
        if not confirmed(self.request):
            return admin_confirmation(
                self.request, title=_("Refund %(amount)s?") % {"amount": euro(amount)},
                consequences=refund_consequences(payment, amount, form.cleaned_data["reason"]),
                confirm_label=_("Yes, refund %(amount)s") % {"amount": euro(amount)},
                back_url=self.request.get_full_path())
        return super().form_valid(form)


class PaymentInspectView(InspectWithHistory):
    related = [("invoices", _("invoices")), ("refunds", _("refunds"))]

    def get_status_display_value(self):
        return self.object.state

    @cached_property
    def header_buttons(self):
        """A "Refund" button on a paid payment with money left to give back, for who may refund."""
        payment = self.object
        if (payment.status != Payment.Status.PAID or refunds.refundable(payment) <= 0
                or not self.request.user.has_perm("payments.add_refund")):
            return []
        return [HeaderButton(_("Refund"), url=reverse("refund:add") + f"?payment={payment.pk}", icon_name="rotate")]


class RefundInspectView(InspectWithHistory):
    related = [("credit_invoice", _("credit invoice"))]

    @cached_property
    def header_buttons(self):
        """"Try again" on a refund Stripe refused, for who may refund."""
        if self.object.status != Refund.Status.FAILED or not self.request.user.has_perm("payments.add_refund"):
            return []
        return [HeaderButton(_("Retry"), url=reverse("refund:retry", args=[self.object.pk]), icon_name="resubmit")]

    def get_credit_invoice_display_value(self):
        return linked(Invoice.objects.filter(refund=self.object))


PAYMENT_EXPORT = ["pk", "created_at", "paid_at", "state", "amount", "paid_for", "payer_email", "course_date",
                  "company", "checkout_session_id", "payment_intent_id",
                  "note"]


class PaymentListing(listing_with(*PAYMENT_RELATIONS, ordering="-pk")):  # the newest first, by its index
    def get_base_queryset(self):
        return with_refunded(super().get_base_queryset())


class PaymentViewSet(ModelViewSet):
    model = Payment
    icon = "doc-full"
    menu_label = _("Payments")
    list_display = ["paid_for", "amount", "state", "created_at", "paid_at"]
    list_filter = ["status", "created_at", "paid_at"]
    search_fields = ["enrolment__user__email", "enrolment__user__full_name", "booking__organisation__name",
                     "booking__booked_by__email", "checkout_session_id", "payment_intent_id"]
    list_export = PAYMENT_EXPORT
    export_headings = {"pk": "ID", "payer_email": _("Email"), "course_date": capfirst(_("course date"))}
    export_filename = "payments"
    inspect_view_enabled = True
    inspect_view_class = PaymentInspectView
    history_view_class = HistoryForReaders
    copy_view_enabled = False
    form_fields = []
    index_view_class = PaymentListing


def refund_retry(request, pk: int):
    """Asks Stripe again for a refund it refused, after a confirmation that says how much and why."""
    if not request.user.has_perm("payments.add_refund"):
        raise PermissionDenied
    refund = get_object_or_404(Refund.objects.select_related(*(f"payment__{name}" for name in PAYMENT_RELATIONS)),
                               pk=pk)
    back = reverse("refund:inspect", args=[refund.pk])
    if request.method != "POST" or not confirmed(request):
        return admin_confirmation(
            request, title=_("Try the refund again?"),
            consequences=[_("%(amount)s goes back to %(name)s, to what they paid with.") % {
                "amount": euro(refund.amount), "name": refund.payment.payer_label},
                _("Stripe refused it before: %(why)s") % {"why": refund.failure_reason or "—"},
                _("Reason: %(reason)s") % {"reason": refund.reason}],
            confirm_label=_("Yes, try again"), back_url=back, fields={})
    try:
        again = refunds.refund_retry(refund=refund, actor=request.user)
    except PaymentError as error:
        messages.error(request, str(error))
        return redirect(back)
    messages.success(request, _("Stripe has been asked again for %(amount)s.") % {"amount": euro(again.amount)})
    return redirect("refund:inspect", again.pk)


class RefundViewSet(ModelViewSet):
    model = Refund
    icon = "rotate"
    menu_label = _("Refunds")
    list_display = ["payment", "amount", "status", "reason", "failure_reason", "requested_by", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["payment__enrolment__user__email", "payment__booking__organisation__name", "reason",
                     "stripe_refund_id"]
    list_export = ["pk", "created_at", "refunded_at", "status", "amount", "reason", "payment.payer_email",
                   "payment.payment_intent_id", "stripe_refund_id", "requested_by_email"]
    export_headings = {"pk": "ID", "payment.payer_email": _("Email"),
                       "payment.payment_intent_id": _("Stripe PaymentIntent"),
                       "requested_by_email": capfirst(_("requested by"))}
    export_filename = "refunds"
    inspect_view_enabled = True
    inspect_view_class = RefundInspectView
    history_view_class = HistoryForReaders
    copy_view_enabled = False
    form_fields = ["payment", "amount", "reason"]
    add_view_class = RefundCreateView
    index_view_class = listing_with(*(f"payment__{relation}" for relation in PAYMENT_RELATIONS), "requested_by")

    def get_form_class(self, for_update=False):
        return RefundForm

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("<id:pk>/retry/", refund_retry, name="retry")]


class InvoiceInspectView(InspectWithHistory):
    related = [("credit_invoices", _("credit invoices")), ("bank_transfers", _("bank transfers"))]

    @cached_property
    def header_buttons(self):
        """The PDF as issued; "Record a bank transfer" on an invoice paid that way with money still open."""
        invoice = self.object
        buttons = [HeaderButton(_("PDF"), url=reverse("invoice:pdf", args=[invoice.pk]), icon_name="download")]
        if invoice.ubl or e_invoice_possible(invoice):
            buttons.append(HeaderButton(_("E-invoice (UBL)"), url=reverse("invoice:ubl", args=[invoice.pk]),
                                        icon_name="download"))
        if (invoice.kind != Invoice.Kind.INVOICE or invoice.booking_id is None
                or not self.request.user.has_perm("payments.add_banktransfer")):
            return buttons
        standing = balance(invoice)
        if not standing.is_paid:
            buttons.append(HeaderButton(_("Record a bank transfer"),
                                        url=reverse("banktransfer:add") + f"?invoice={invoice.pk}", icon_name="plus"))
        if standing.total > 0:
            buttons.append(HeaderButton(_("Credit"), url=reverse("invoice:credit", args=[invoice.pk]),
                                        icon_name="minus"))
        return buttons

    def get_pdf_display_value(self):
        return pdf_link(reverse("invoice:pdf", args=[self.object.pk]), self.object)

    def get_ubl_display_value(self):
        if not (self.object.ubl or e_invoice_possible(self.object)):
            return _("none: a private person's invoice keeps the PDF only")
        return format_html('<a href="{}">{}.xml</a>', reverse("invoice:ubl", args=[self.object.pk]),
                           self.object.number)


class InvoiceFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=_("State"), choices=InvoiceState.choices, field_name="state")
    issued = django_filters.DateFromToRangeFilter(label=_("Issued"), field_name="issued_at",
                                                  widget=DateRangePickerWidget)

    class Meta:
        model = Invoice
        fields = ["state", "kind", "issued"]


class InvoiceListing(listing_with("credits")):
    """Invoices with where each stands (open, partly paid, overdue, paid, credited) and what is still open, to
    filter by; the exports and the bookkeeper's ZIP as buttons, not in a menu."""

    results_template_name = "payments/admin/invoice_results.html"

    def get_base_queryset(self):
        return with_states(super().get_base_queryset())

    def get_context_data(self, **kwargs):
        """With the totals of every invoice the filters show (all pages, credit invoices counted negative)."""
        context = super().get_context_data(**kwargs)
        paginator = context.get("paginator")
        shown = paginator.object_list if paginator is not None else context["object_list"]
        totals = shown.order_by().aggregate(count=Count("pk"), invoiced=Sum("total"), open=Sum("open_amount"))
        context["totals"] = totals if totals["count"] else None
        return context

    @cached_property
    def header_buttons(self):
        query = self.request.GET.copy()
        exports = []
        for priority, (export_format, label) in enumerate((("xlsx", "XLSX"), ("csv", "CSV")), start=10):
            query["export"] = export_format
            exports.append(HeaderButton(label, url=f"{self.request.path}?{query.urlencode()}", icon_name="download",
                                        priority=priority, attrs={"title": _("The list as shown, for Excel")}))
        return [*super().header_buttons, *exports,
                HeaderButton(_("ZIP for the bookkeeping"), url=reverse("invoice:zip"), icon_name="download",
                             priority=20, attrs={"title": _("Invoices for the bookkeeping (ZIP)")})]


class StatementButton:
    """A listing with "Read a bank statement" at its top."""

    @cached_property
    def header_buttons(self):
        return [*super().header_buttons, HeaderButton(_("Read a bank statement"), url=reverse("bank_statement_upload"),
                                                      icon_name="upload")]


class BankLineListing(StatementButton, listing_with("statement")):
    pass


class BankLineInspect(InspectWithHistory):
    related = [("transfers", _("bank transfers"))]

    def get_statement_display_value(self):
        """The statement's page: its preview while it waits for confirmation, what it recorded after."""
        statement = self.object.statement
        return format_html('<a href="{}">{}</a>', reverse("bank_statement", args=[statement.pk]), statement)

    @cached_property
    def header_buttons(self):
        """Assign or dismiss a line that waits; undo a line recorded on the wrong invoice."""
        line, buttons = self.object, []
        if not self.request.user.has_perm("payments.add_banktransfer"):
            return buttons
        if line.status == BankLine.Status.WAITING and line.left_over > 0:
            buttons += [HeaderButton(_("Assign to an invoice"), url=reverse("bank_line_assign", args=[line.pk]),
                                     icon_name="link"),
                        HeaderButton(_("Dismiss"), url=reverse("bank_line_dismiss", args=[line.pk]), icon_name="cross")]
        if line.transfers.exists():
            buttons.append(HeaderButton(_("Undo the match"), url=reverse("bank_line_undo", args=[line.pk]),
                                        icon_name="rotate"))
        return buttons


class BankLineViewSet(ModelViewSet):
    """Incoming payments from uploaded statements; those waiting for the office first."""

    model = BankLine
    icon = "list-ul"
    menu_label = _("Bank lines")
    list_display = ["booked_on", "counterparty", "description", "amount", "status", "statement"]
    list_filter = ["status", "booked_on"]
    search_fields = ["counterparty", "counterparty_iban", "description"]
    list_export = ["booked_on", "counterparty", "counterparty_iban", "description", "amount", "status"]
    export_filename = "bank-lines"
    inspect_view_enabled = True
    inspect_view_class = BankLineInspect
    history_view_class = HistoryForReaders
    copy_view_enabled = False
    form_fields = []
    index_view_class = BankLineListing


class BankTransferListing(StatementButton, listing_with("invoice", "recorded_by")):
    pass


class BankTransferViewSet(ModelViewSet):
    model = BankTransfer
    icon = "plus-inverse"
    menu_label = _("Bank transfers")
    list_display = ["invoice", "amount", "received_on", "note", "recorded_by"]
    list_filter = ["received_on"]
    search_fields = ["invoice__number", "note"]
    list_export = ["invoice", "amount", "received_on", "note", "recorded_at"]
    export_filename = "bank-transfers"
    inspect_view_enabled = True
    inspect_view_class = InspectWithHistory
    history_view_class = HistoryForReaders
    copy_view_enabled = False
    form_fields = ["invoice", "amount", "received_on", "note"]
    add_view_class = BankTransferCreateView
    index_view_class = BankTransferListing

    def get_form_class(self, for_update=False):
        return BankTransferForm


class InvoiceViewSet(ModelViewSet):
    model = Invoice
    icon = "doc-full-inverse"
    menu_label = _("Invoices")
    list_display = [
        "number", "issued_at", "customer_name",
        Column("state", label=_("State"), accessor=lambda invoice: InvoiceState(invoice.state).label),
        "total",
        Column("open_amount", label=_("Still open"),
               accessor=lambda invoice: euro(invoice.open_amount) if invoice.open_amount else "—"),
        "due_at"]
    filterset_class = InvoiceFilterSet
    search_fields = ["number", "description"]
    list_export = ["number", "kind", "issued_at", "due_at", "customer_name", "customer_contact", "customer_address",
                   "customer_email", "customer_vat_id", "customer_reference", "description", "quantity",
                   "amount_excl_vat", "vat_rate", "vat_amount", "total", "credited_invoice_number"]
    export_filename = "invoices"
    inspect_view_enabled = True
    inspect_view_class = InvoiceInspectView
    history_view_class = HistoryForReaders
    copy_view_enabled = False
    form_fields = []
    index_view_class = InvoiceListing

    def get_urlpatterns(self):
        view = pdf_for_the_office(Invoice, permission="payments.view_invoice", prepared=invoice_pdf_store,
                                  checksum="pdf_sha256")
        return [*super().get_urlpatterns(), path("<id:pk>/pdf/", view, name="pdf"),
                path("<id:pk>/ubl/", admin_views.invoice_e_invoice, name="ubl"),
                path("zip/", admin_views.invoices_zip, name="zip"),
                path("<id:pk>/credit/", admin_views.invoice_credit, name="credit")]


class StripeEventViewSet(ModelViewSet):
    model = StripeEvent
    icon = "code"
    menu_label = _("Stripe events")
    list_display = ["type", "event_id", "received_at", "outcome"]
    list_filter = ["type", "received_at"]
    search_fields = ["event_id", "outcome"]
    inspect_view_enabled = True
    inspect_view_class = InspectWithHistory
    history_view_class = HistoryForReaders
    copy_view_enabled = False
    form_fields = []


class PaymentsGroup(ViewSetGroup):
    menu_label = _("Payments")
    menu_icon = "doc-full"
    menu_order = 160
    items = [PaymentViewSet, RefundViewSet, InvoiceViewSet, BankTransferViewSet, BankLineViewSet, StripeEventViewSet]


@hooks.register("register_admin_viewset")
def register_payments_admin():
    return PaymentsGroup()


trainer_urls = [
    path("dates/<id:pk>/export.<str:fmt>", trainer_views.date_export, name="date_export"),
]


@hooks.register("register_admin_urls")
def register_trainer_urls():
    return [path("trainer/", include((trainer_urls, "payments_trainer"), namespace="payments_trainer")),
            path("bank-statements/new/", admin_views.bank_statement_upload, name="bank_statement_upload"),
            path("bank-statements/<id:pk>/", admin_views.bank_statement, name="bank_statement"),
            path("bank-lines/<id:pk>/assign/", admin_views.bank_line_assign, name="bank_line_assign"),
            path("bank-lines/<id:pk>/dismiss/", admin_views.bank_line_dismiss, name="bank_line_dismiss"),
            path("bank-lines/<id:pk>/undo/", admin_views.bank_line_undo, name="bank_line_undo")]


MONEY_ACTIONS = {
    "payment.paid": (_("Pay"), _("Paid")),
    "payment.failed": (_("Fail a payment"), _("Payment failed")),
    "payment.expired": (_("Let a payment page expire"), _("Payment page expired unpaid")),
    "refund.requested": (_("Decide a refund"), _("Refund decided")),
    "refund.succeeded": (_("Refund"), _("Refunded by Stripe")),
    "refund.failed": (_("Fail a refund"), _("Refund failed")),
    "refund.made_at_stripe": (_("Refund at Stripe"), _("Refund made at Stripe recorded")),
    "invoice.issued": (_("Issue an invoice"), _("Invoice issued")),
    "invoice.bank_transfer": (_("Record a bank transfer"), _("Bank transfer recorded")),
    "invoice.credited": (_("Credit an invoice"), _("Invoice credited by the office")),
    "bank_statement.uploaded": (_("Upload a bank statement"), _("Bank statement uploaded")),
    "bank_statement.recorded": (_("Record a bank statement"), _("Bank statement recorded")),
    "bank_line.assigned": (_("Assign a bank line"), _("Bank line assigned to an invoice")),
    "bank_line.dismissed": (_("Dismiss a bank line"), _("Bank line dismissed")),
    "bank_line.undone": (_("Undo a bank line's match"), _("Bank line's match undone")),
    "invoice.bank_transfer_undone": (_("Undo a bank transfer"), _("Bank transfer undone (wrong match)")),
}


@hooks.register("register_log_actions")
def register_money_actions(actions):
    audit.register_actions(actions, MONEY_ACTIONS)

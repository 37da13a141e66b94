"""The office's own money steps in the admin that are not a model's create form: crediting an invoice; and the
bookkeeper's downloads: an invoice's e-invoice, a period's invoices in one ZIP."""

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.widgets import AdminDateInput

from core import storage
from core.confirm import admin_confirmation, confirmed
from core.formats import euro
from core.money import CENT, AmountField

from . import bank_statements, transfers
from .archive import MAX_DAYS, invoices_archive, issued_between
from .invoices import e_invoice_store
from .models import BankLine, BankStatement, Invoice
from .selectors import balance

PERMISSION = "payments.add_banktransfer"  # the office, who keeps the invoices paid by transfer


class CreditForm(forms.Form):
    amount = AmountField(label=gettext_lazy("Amount to credit (incl. VAT)"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200,
                             help_text=gettext_lazy("Printed on the credit invoice and in the email to the customer."))


def invoice_credit(request, pk: int):
    """A credit invoice on an invoice paid by bank transfer: the form, then a step that states the amount, the
    customer and what remains owed, then the credit."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    invoice = get_object_or_404(Invoice.objects.filter(kind=Invoice.Kind.INVOICE, booking__isnull=False), pk=pk)
    back = reverse("invoice:inspect", args=[invoice.pk])
    standing = balance(invoice)
    form = CreditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
        if not confirmed(request):
            if not 0 < amount <= standing.total:
                form.add_error("amount", _("Between %(min)s and %(left)s can be credited on this invoice.")
                               % {"min": euro(CENT), "left": euro(standing.total)})
            else:
                customer = invoice.customer.get("company") or invoice.customer.get("participant", "")
                owed = standing.total - amount
                return admin_confirmation(
                    request, title=_("Credit %(amount)s?") % {"amount": euro(amount)},
                    consequences=[
                        _("A credit invoice of %(amount)s on invoice %(number)s goes to %(customer)s (%(email)s).")
                        % {"amount": euro(amount), "number": invoice.number, "customer": customer,
                           "email": invoice.customer.get("email", "")},
                        _("Reason, as the customer reads it: %(reason)s") % {"reason": reason},
                        _("The invoice then asks %(owed)s; %(received)s has been received.")
                        % {"owed": euro(owed), "received": euro(standing.received)},
                        *([_("That is %(more)s more than is owed: pay it back by transfer and record it as a "
                             "negative bank transfer.") % {"more": euro(standing.received - owed)}]
                          if standing.received > owed else []),
                    ],
                    confirm_label=_("Yes, credit %(amount)s") % {"amount": euro(amount)}, back_url=back)
        else:
            try:
                credit = transfers.invoice_credit(invoice=invoice, amount=amount, reason=reason, actor=request.user)
            except transfers.InvoiceError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Credit invoice %(number)s of %(amount)s issued and sent.")
                                 % {"number": credit.number, "amount": euro(amount)})
                return redirect(back)
    return TemplateResponse(request, "core/admin_form.html", {
        "page_title": _("Credit on invoice %(number)s") % {"number": invoice.number},
        "header_icon": "minus",
        "intro": _("%(number)s · %(customer)s · %(description)s · creditable: %(left)s") % {
            "number": invoice.number, "customer": invoice.customer_name, "description": invoice.description,
            "left": euro(standing.total)},
        "form": form, "submit_label": _("Review the credit"), "back_url": back,
    })


def invoice_e_invoice(request, pk: int):
    """The invoice's e-invoice (SI-UBL 2.0) as issued; 404 for an invoice that has none (a private person's)."""
    if not request.user.has_perm("payments.view_invoice"):
        raise PermissionDenied
    invoice = e_invoice_store(get_object_or_404(Invoice, pk=pk))
    if invoice is None:
        raise Http404(_("This invoice has no e-invoice: it is addressed to a private person, or was issued before "
                        "addresses were kept in parts."))
    return storage.download(invoice.ubl, filename=f"{invoice.number}.xml", content_type="application/xml",
                            sha256=invoice.ubl_sha256)


class PeriodForm(forms.Form):
    first_day = forms.DateField(label=gettext_lazy("From"), widget=AdminDateInput)
    last_day = forms.DateField(label=gettext_lazy("Up to and including"), widget=AdminDateInput)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The period ends before it starts."))
        elif first and last and (last - first).days >= MAX_DAYS:
            self.add_error("last_day", _("At most a year at a time."))
        return cleaned


def _last_month() -> tuple[date, date]:
    first_of_this_month = timezone.localdate().replace(day=1)
    last = first_of_this_month - timedelta(days=1)
    return last.replace(day=1), last


def invoices_zip(request):
    """The bookkeeper's download: a period's invoices and credit invoices in one ZIP, as e-invoices where they
    have one (last month, unless another period is chosen)."""
    if not request.user.has_perm("payments.view_invoice"):
        raise PermissionDenied
    first, last = _last_month()
    form = PeriodForm(request.POST or None, initial={"first_day": first, "last_day": last})
    if request.method == "POST" and form.is_valid():
        first, last = form.cleaned_data["first_day"], form.cleaned_data["last_day"]
        if issued_between(first, last).exists():
            archive, _counts = invoices_archive(first, last)
            return FileResponse(archive, as_attachment=True, filename=f"facturen-{first:%Y%m%d}-{last:%Y%m%d}.zip",
                                content_type="application/zip")
        form.add_error(None, _("No invoice was issued in this period."))
    return TemplateResponse(request, "core/admin_form.html", {
        "page_title": _("Invoices for the bookkeeping"),
        "header_icon": "download",
        "intro": _("One ZIP with every invoice and credit invoice issued in the period: as an e-invoice (SI-UBL "
                   "2.0, the PDF inside) for a business customer, as a PDF for a private person. Exact, Twinfield, "
                   "Moneybird and Snelstart import the e-invoices."),
        "form": form, "submit_label": _("Download the ZIP"), "back_url": reverse("invoice:index"),
    })


class StatementForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Bank statement (CAMT.053)"), help_text=gettext_lazy(
        "In your bank's online banking: download the statement of the account invoices are paid to, format "
        "CAMT.053 (XML). At most 5 MB."))


def bank_statement_upload(request):
    """The office uploads a statement; it then sees what it will record, and records on confirmation."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    form = StatementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:  # read with a limit, before anything is locked or kept
            statement = bank_statements.statement_upload(content=upload.read(bank_statements.MAX_BYTES + 1),
                                                         filename=upload.name, actor=request.user)
        except bank_statements.StatementError as error:
            form.add_error("file", str(error))
        else:
            return redirect("bank_statement", pk=statement.pk)
    return TemplateResponse(request, "core/admin_form.html", {
        "page_title": _("Read a bank statement"), "header_icon": "upload",
        "intro": _("Each incoming payment that names an invoice (its payment reference or its number) is recorded "
                   "on it, in full or in part; you see what will be recorded before anything is. Payments that name "
                   "no invoice wait under Bank lines. A statement read twice records nothing twice."),
        "form": form, "submit_label": _("Read the statement"), "back_url": reverse("banktransfer:index"),
    })


def _outcome(step) -> list[str]:
    """What recording a line does, as the office reads it."""
    if not step.allocations:
        return [_("No invoice found: waits under Bank lines")]
    said = [_("Pays %(number)s in full") % {"number": allocation.invoice.number} if not allocation.open_after else
            _("%(number)s: %(amount)s, still open %(open)s") % {
                "number": allocation.invoice.number, "amount": euro(allocation.amount),
                "open": euro(allocation.open_after)} for allocation in step.allocations]
    if step.left_over:
        said.append(_("%(amount)s too much: stays under Bank lines") % {"amount": euro(step.left_over)})
    return said


def bank_statement(request, pk: int):
    """A statement's lines: before confirmation what recording them will do, after it what they did."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    statement = get_object_or_404(BankStatement, pk=pk)
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            plans = bank_statements.statement_record(statement=statement, actor=request.user)
        except transfers.InvoiceError as error:  # nothing was recorded: the whole statement rolled back
            messages.error(request, _("Nothing was recorded: %(reason)s") % {"reason": error})
            return redirect("bank_statement", pk=statement.pk)
        recorded = sum(len(step.allocations) for step in plans)
        messages.success(request, ngettext("%(count)d payment recorded.", "%(count)d payments recorded.", recorded)
                         % {"count": recorded})
        return redirect("bank_statement", pk=statement.pk)
    lines = list(statement.lines.order_by("booked_on", "pk").prefetch_related("transfers__invoice"))
    if statement.recorded_at is None:
        rows = [(step.line, _outcome(step)) for step in bank_statements.plan(lines)]
    else:
        rows = [(line, [f"{transfer.invoice.number}: {euro(transfer.amount)}" for transfer in line.transfers.all()]
                 or [line.get_status_display()]) for line in lines]
    return TemplateResponse(request, "payments/admin/bank_statement.html", {
        "page_title": _("Bank statement %(statement)s") % {"statement": statement.statement_id},
        "header_icon": "doc-full", "statement": statement, "rows": rows,
        "total": sum((line.amount for line in lines), Decimal("0.00")),
    })


class AssignForm(forms.Form):
    invoice = forms.ModelChoiceField(label=gettext_lazy("Invoice"), queryset=Invoice.objects.none())
    amount = AmountField(label=gettext_lazy("Amount"))

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = Invoice.objects.filter(pk__in=[invoice.pk for invoice in invoices])
        self.fields["invoice"].label_from_instance = lambda invoice: _("%(number)s · %(customer)s · open %(open)s") % {
            "number": invoice.number, "customer": invoice.customer_name, "open": euro(balance(invoice).open)}


def bank_line_assign(request, pk: int):
    """A waiting line (or what is left of it) recorded on an invoice the office chooses, after a step that says
    how much, on which invoice and for whom."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    line = get_object_or_404(BankLine, pk=pk)
    back = reverse("bankline:inspect", args=[line.pk])
    form = AssignForm(request.POST or None, invoices=bank_statements.open_transfer_invoices(),
                      initial={"amount": line.left_over})
    if request.method == "POST" and form.is_valid():
        invoice, amount = form.cleaned_data["invoice"], form.cleaned_data["amount"]
        if not confirmed(request):
            return admin_confirmation(
                request, title=_("Record %(amount)s on invoice %(number)s?") % {"amount": euro(amount),
                                                                               "number": invoice.number},
                consequences=[
                    _("From %(payer)s on %(day)s: %(description)s") % {
                        "payer": line.counterparty or line.counterparty_iban, "day": f"{line.booked_on:%d-%m-%Y}",
                        "description": line.description or "—"},
                    _("Invoice %(number)s of %(customer)s then asks %(open)s.") % {
                        "number": invoice.number, "customer": invoice.customer_name,
                        "open": euro(max(balance(invoice).open - amount, Decimal("0.00")))},
                ],
                confirm_label=_("Yes, record %(amount)s") % {"amount": euro(amount)}, back_url=back)
        try:
            bank_statements.line_assign(line=line, invoice=invoice, amount=amount, actor=request.user)
        except (bank_statements.LineError, transfers.InvoiceError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(amount)s recorded on invoice %(number)s.") % {
                "amount": euro(amount), "number": invoice.number})
            return redirect(back)
    return TemplateResponse(request, "core/admin_form.html", {
        "page_title": _("Assign a bank line"), "header_icon": "link",
        "intro": _("%(amount)s from %(payer)s on %(day)s (%(description)s); %(left)s of it is left to assign.") % {
            "amount": euro(line.amount), "payer": line.counterparty or line.counterparty_iban,
            "day": f"{line.booked_on:%d-%m-%Y}", "description": line.description or "—",
            "left": euro(line.left_over)},
        "form": form, "submit_label": _("Review"), "back_url": back,
    })


class DismissForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, help_text=gettext_lazy(
        "For example: paid back by hand on 12-01, or: not a payment for an invoice."))


def bank_line_dismiss(request, pk: int):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    line = get_object_or_404(BankLine, pk=pk)
    back = reverse("bankline:inspect", args=[line.pk])
    form = DismissForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bank_statements.line_dismiss(line=line, reason=form.cleaned_data["reason"], actor=request.user)
        except bank_statements.LineError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The bank line no longer waits."))
            return redirect(back)
    return TemplateResponse(request, "core/admin_form.html", {
        "page_title": _("Dismiss a bank line"), "header_icon": "cross",
        "intro": _("%(amount)s from %(payer)s on %(day)s: settled otherwise, it no longer waits for the office.") % {
            "amount": euro(line.left_over), "payer": line.counterparty or line.counterparty_iban,
            "day": f"{line.booked_on:%d-%m-%Y}"},
        "form": form, "submit_label": _("Dismiss"), "back_url": back,
    })


def bank_line_undo(request, pk: int):
    """A wrong match undone, after a step that names the invoices that will ask the money again."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    line = get_object_or_404(BankLine, pk=pk)
    back = reverse("bankline:inspect", args=[line.pk])
    transfers_of_line = list(line.transfers.select_related("invoice"))
    if request.method == "POST" and confirmed(request):
        try:
            numbers = bank_statements.line_undo(line=line, actor=request.user)
        except bank_statements.LineError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Undone: %(invoices)s ask the money again; the line waits for you.")
                             % {"invoices": ", ".join(numbers)})
        return redirect(back)
    return admin_confirmation(
        request, title=_("Undo this match?"),
        consequences=[_("%(amount)s comes off invoice %(number)s, which asks it again.") % {
            "amount": euro(transfer.amount), "number": transfer.invoice.number} for transfer in transfers_of_line]
        + [_("The line waits for you under Bank lines; the history keeps what was recorded and undone.")],
        confirm_label=_("Yes, undo"), back_url=back, fields={})

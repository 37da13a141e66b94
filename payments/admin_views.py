"""The office's own money steps in the admin that are not a model's create form: crediting an invoice."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.confirm import admin_confirmation, confirmed
from core.formats import euro
from core.money import CENT, AmountField

from . import transfers
from .models import Invoice
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

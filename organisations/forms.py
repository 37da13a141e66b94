from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation
from accounts.services import ORGANISATION_FIELDS
from core.formats import day
from core.vat import vat_id_normalise
from courses.models import MAX_SEATS_PER_DATE, Booking, InvoicePayment
from courses.selectors import seats_open


class DateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, course_date):
        free = seats_open(course_date)
        seats = (_("full") if free == 0 else
                 _("%(free)d free") % {"free": free})
        return f"{course_date.course.title} · {day(course_date.starts_at)} · {seats}"


class BookingForm(forms.Form):
    course_date = DateChoiceField(label=_("Date"), queryset=None, empty_label=_("Choose a date"))
    seats = forms.IntegerField(label=_("Number of seats"), min_value=1, max_value=MAX_SEATS_PER_DATE, initial=1,
                               help_text=_("You can name the participants now or later."))
    reference = forms.CharField(label=_("Your reference or PO number"), max_length=60, required=False,
                                help_text=_("Printed on the invoice."))
    voucher_code = forms.CharField(label=_("Voucher code"), max_length=30, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "off"}))
    payment_method = forms.ChoiceField(
        label=_("Payment"), widget=forms.RadioSelect, initial=Booking.PaymentMethod.INVOICE,
        choices=[(Booking.PaymentMethod.INVOICE, _("On invoice: we transfer the amount within the payment term")),
                 (Booking.PaymentMethod.ONLINE, _("Online now, for all seats at once (iDEAL, card)"))])
    accept_terms = forms.BooleanField(label=_("I accept the terms and conditions and the cancellation policy, "
                                              "and that an invoice is paid within its payment term."))

    def __init__(self, *args, dates, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course_date"].queryset = dates
        if not organisation.is_approved:  # on invoice once the office approved the organisation
            field = self.fields["payment_method"]
            field.choices = [choice for choice in field.choices if choice[0] == Booking.PaymentMethod.ONLINE]
            field.initial = Booking.PaymentMethod.ONLINE
            field.help_text = _("Booking on invoice is possible once our office has approved your organisation.")

    def clean(self):
        cleaned = super().clean()
        course_date = cleaned.get("course_date")
        if (course_date and cleaned.get("payment_method") == Booking.PaymentMethod.INVOICE
                and course_date.course.invoice_payment == InvoicePayment.NOBODY):
            self.add_error("payment_method", _("This course can only be paid online."))
        return cleaned

    @property
    def pays_online(self) -> bool:
        return self.cleaned_data["payment_method"] == Booking.PaymentMethod.ONLINE


class SeatNameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        widgets = {"street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
                   "postcode": forms.TextInput(attrs={"autocomplete": "postal-code"}),
                   "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
                   "country": forms.Select(attrs={"autocomplete": "country"})}
        help_texts = {"street": _("Where invoices are addressed; an e-invoice (UBL) names each part apart.")}

    def clean_vat_id(self):
        return vat_id_normalise(self.cleaned_data["vat_id"])


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address of your colleague"))
    role = forms.ChoiceField(label=_("As"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER,
                             help_text=_("A contact person may book and sees the bookings and invoices; a member "
                                         "is one of the people you book for."))

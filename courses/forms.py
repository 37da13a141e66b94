from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import kvk_number_validate
from core.addresses import COUNTRIES, NETHERLANDS, postcode_normalise
from core.vat import vat_id_normalise, vat_id_validate

from .models import BILLING_ADDRESS_FIELDS, BillingType
from .seating import Billing

ADDRESS = ["billing_street", "billing_postcode", "billing_city"]
REQUIRED_FOR = {BillingType.EMPLOYER: ["company_name", *ADDRESS, "company_contact"],
                BillingType.BUSINESS: ["company_name", *ADDRESS]}
COMPANY_FIELDS = ["company_name", *BILLING_ADDRESS_FIELDS, "company_contact", "company_email", "company_reference",
                  "company_vat_id", "company_kvk"]


class EnrolForm(forms.Form):
    billing_type = forms.ChoiceField(label=_("Who pays?"), choices=BillingType.choices, initial=BillingType.SELF,
                                     widget=forms.RadioSelect)
    company_name = forms.CharField(label=_("Company"), max_length=150, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    billing_street = forms.CharField(label=_("Street and number"), max_length=150, required=False,
                                     widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    billing_postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False,
                                       widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    billing_city = forms.CharField(label=_("City"), max_length=100, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    billing_country = forms.ChoiceField(label=_("Country"), choices=COUNTRIES, initial=NETHERLANDS, required=False,
                                        widget=forms.Select(attrs={"autocomplete": "country"}))
    company_contact = forms.CharField(label=_("Contact person for the invoice"), max_length=150, required=False)
    company_email = forms.EmailField(
        label=_("Email address for invoices"), required=False,
        help_text=_("Optional: your employer's accounts department, for example. The invoice goes there too."))
    company_reference = forms.CharField(label=_("Reference or PO number"), max_length=60, required=False)
    company_vat_id = forms.CharField(label=_("VAT id"), max_length=20, required=False,
                                     help_text=_("For example NL001234567B01"), validators=[vat_id_validate])
    company_kvk = forms.CharField(label=_("KvK number"), max_length=8, required=False,
                                  validators=[kvk_number_validate])
    voucher_code = forms.CharField(
        label=_("Voucher code"), max_length=30, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    accept_terms = forms.BooleanField(label=_("I accept the terms and conditions and the cancellation policy."))

    ONLINE, ON_INVOICE = "online", "invoice"

    def __init__(self, *args, on_invoice: bool = False, **kwargs):
        """`on_invoice`: the course lets individuals pay by bank transfer on an invoice, so the form asks how."""
        super().__init__(*args, **kwargs)
        if on_invoice:
            self.fields["payment_method"] = forms.ChoiceField(
                label=_("How do you pay?"), widget=forms.RadioSelect, initial=self.ONLINE,
                choices=[(self.ONLINE, _("Online now (iDEAL, card or Bancontact)")),
                         (self.ON_INVOICE, _("On invoice, by bank transfer within 14 days"))])

    @property
    def pays_on_invoice(self) -> bool:
        return self.cleaned_data.get("payment_method") == self.ON_INVOICE

    def clean(self):
        cleaned = super().clean()
        billing_type = cleaned.get("billing_type")
        needed = (_("Needed when your employer pays.") if billing_type == BillingType.EMPLOYER
                  else _("Needed for the invoice to your business."))
        for name in REQUIRED_FOR.get(billing_type, []):
            if not cleaned.get(name, "").strip():
                self.add_error(name, ValidationError(needed, code="required"))
        if billing_type == BillingType.SELF and any(cleaned.get(name, "").strip() for name in ADDRESS):
            for name in ADDRESS:  # a self-payer's address on the invoice is optional, but whole
                if not cleaned.get(name, "").strip():
                    self.add_error(name, ValidationError(_("Fill in street, postcode and city, or leave all three "
                                                           "empty."), code="required"))
        if cleaned.get("billing_postcode"):
            try:
                cleaned["billing_postcode"] = postcode_normalise(cleaned["billing_postcode"],
                                                                 cleaned.get("billing_country") or NETHERLANDS)
            except ValidationError as error:
                self.add_error("billing_postcode", error)
        return cleaned

    def clean_company_vat_id(self):
        return vat_id_normalise(self.cleaned_data["company_vat_id"])

    def billing(self) -> Billing:
        data = self.cleaned_data
        names = BILLING_ADDRESS_FIELDS if data["billing_type"] == BillingType.SELF else COMPANY_FIELDS
        details = {name: (data.get(name) or "").strip() for name in names}
        return Billing(billing_type=data["billing_type"], **{**details, "billing_country": details["billing_country"]
                                                            or NETHERLANDS})


class SlotsForm(forms.Form):
    """A trainer offers times for 1:1 coaching sessions: a row of them, one after another, from a start."""

    trainer = forms.ModelChoiceField(label=_("Trainer"), queryset=None, empty_label=None)
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("First session starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    count = forms.IntegerField(label=_("Sessions one after another"), min_value=1, max_value=8, initial=1)
    location = forms.CharField(label=_("Where"), max_length=200, required=False,
                               help_text=_("A room or address; leave empty for a video session."))
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")

    def __init__(self, *args, trainers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = trainers
        self.fields["trainer"].label_from_instance = lambda user: user.get_full_name() or user.email

    def clean(self):
        data = super().clean()
        if not (data.get("location") or data.get("video_url")):
            raise ValidationError(_("Say where the sessions take place, or give a video link."))
        return data

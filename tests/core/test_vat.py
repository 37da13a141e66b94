"""A VAT id has its country's form (the patterns VIES checks): "123" is refused where people type one."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.vat import vat_id_normalise, vat_id_validate


@pytest.mark.parametrize("number", ["NL001234567B01", "nl 0012.34.567.B01", "DE123456789", "BE0123456789",
                                    "FR12345678901", "ATU12345678", "IE1234567T", "ES X1234567X"])
def test_vat_ids_of_the_countries_forms_are_taken(number):
    vat_id_validate(number)


@pytest.mark.parametrize(("number", "message"), [
    ("123", "begint met de landcode"), ("NL123456789", "in de vorm die NL gebruikt (bijvoorbeeld NL001234567B01)"),
    ("NL001234567B1", "in de vorm die NL gebruikt"), ("DE12345678", "in de vorm die DE gebruikt"),
    ("XX123456789", "begint met de landcode"),
])
def test_other_text_is_refused_saying_what_a_vat_id_looks_like(number, message):
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        vat_id_validate(number)
    assert message in refused.value.messages[0]


def test_a_vat_id_is_kept_as_invoices_print_it():
    assert vat_id_normalise(" nl 0012.34.567-b01 ") == "NL001234567B01"


ADDRESS = {"street": "a", "postcode": "1234 AB", "city": "b", "country": "NL"}


@pytest.mark.django_db
def test_the_enrol_form_and_the_organisation_form_check_it(client, site):
    from organisations.forms import OrganisationForm

    form = OrganisationForm({"name": "X", "kvk_number": "", "vat_id": "123", **ADDRESS,
                             "invoice_email": "a@b.nl", "default_reference": ""})
    assert not form.is_valid() and "vat_id" in form.errors
    form = OrganisationForm({"name": "X", "kvk_number": "", "vat_id": "nl001234567b01", **ADDRESS,
                             "invoice_email": "a@b.nl", "default_reference": ""})
    assert form.is_valid() and form.cleaned_data["vat_id"] == "NL001234567B01"

"""One amount field for the whole product, read in the interface's language and never scaled silently: what one
language reads as cents the other reads as thousands, so such text is refused with what to type instead."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core.money import AmountField, AmountInput, MoneyField, format_amount, parse_amount

ACCEPTED = {
    "nl": {"12,50": "12.50", "1.485,00": "1485.00", "€ 12,50": "12.50", "1485": "1485.00", "€12,5": "12.50",
           "1.234.567,89": "1234567.89", "-12,50": "-12.50", " 495 ": "495.00", "EUR 12,50": "12.50"},
    "en": {"12.50": "12.50", "1,485.00": "1485.00", "1485": "1485.00", "€12.50": "12.50", "-12.50": "-12.50"},
}
REFUSED = {
    "nl": {"1.485": "op twee manieren te lezen", "12.50": "op twee manieren te lezen",
           "1,485.00": "op twee manieren te lezen", "12,505": "op twee manieren te lezen",
           "12,5055": "hoogstens twee cijfers voor de centen", "twaalf": "Typ een bedrag", "": "Typ een bedrag",
           "1,2,3": "Typ een bedrag", "€": "Typ een bedrag", "9" * 5_000: "Dat bedrag is te groot."},
    "en": {"12,50": "can be read in two ways", "1.485,00": "can be read in two ways",
           "1,485": "can be read in two ways", "12.505": "can be read in two ways"},
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_amounts_are_read_the_way_the_interface_writes_them(language):
    for typed, amount in ACCEPTED[language].items():
        assert parse_amount(typed, language=language) == Decimal(amount), (language, typed)
    for typed, message in REFUSED[language].items():
        with translation.override(language), pytest.raises(ValidationError) as refused:
            parse_amount(typed, language=language)
        assert message in refused.value.messages[0], (language, typed, refused.value.messages)


def test_the_message_says_what_to_type_in_the_persons_language():
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        parse_amount("12.50")
    assert refused.value.messages == ["„12.50” is op twee manieren te lezen. Typ 12,50 voor twaalf euro vijftig, of "
                                      "1.485,00 voor duizend vierhonderdvijfentachtig euro."]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        parse_amount("12,50")
    assert "Type 12.50 for twelve euros fifty, or 1,485.00" in refused.value.messages[0]


def test_the_field_shows_the_amount_for_editing_and_checks_its_bounds_in_euros():
    field = AmountField(min_value=Decimal("0.01"), max_value=Decimal("495.00"))
    with translation.override("nl"):
        assert field.clean("12,50") == Decimal("12.50")
        with pytest.raises(ValidationError) as too_much:
            field.clean("495,01")
        assert too_much.value.messages == ["Het bedrag mag hoogstens €\u00a0495,00 zijn."]
        with pytest.raises(ValidationError) as negative:
            field.clean("-12,50")
        assert negative.value.messages == ["Het bedrag moet minstens €\u00a00,01 zijn."]
        assert format_amount(Decimal("1485")) == "1485,00"
        assert 'value="1485,00"' in AmountInput().render("amount", Decimal("1485"))
        assert 'inputmode="decimal"' in AmountInput().render("amount", None)
    with translation.override("en"):
        assert format_amount(Decimal("1485")) == "1485.00"


def test_every_amount_column_is_edited_through_the_one_field():
    from django.apps import apps

    money = [field for model in apps.get_models() for field in model._meta.fields if isinstance(field, MoneyField)]
    assert {f"{field.model._meta.label}.{field.name}" for field in money} >= {
        "payments.Refund.amount", "payments.BankTransfer.amount", "courses.CoursePage.price_excl_vat",
        "courses.Voucher.value", "payments.Invoice.total", "courses.Enrolment.price_incl_vat"}
    assert all(isinstance(field.formfield(), AmountField) for field in money)

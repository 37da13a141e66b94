"""Amounts read the same on every page and document: the sign in front of the euro, Dutch or English separators."""

from decimal import Decimal

from django.utils import translation

from core.formats import euro
from payments.pdf import euro as pdf_euro


def test_amounts_read_as_dutch_and_english_readers_expect_them():
    with translation.override("nl"):
        assert euro(Decimal("1234.5")) == "€\u00a01.234,50"
        assert euro(Decimal("-1450")) == "-€\u00a01.450,00"
    with translation.override("en"):
        assert euro(Decimal("-1450")) == "-€1,450.00"


def test_a_credit_reads_the_same_on_the_web_and_on_the_invoice():
    with translation.override("nl"):
        assert euro(Decimal("-1450.00")).replace("\u00a0", " ") == pdf_euro(Decimal("-1450.00"))

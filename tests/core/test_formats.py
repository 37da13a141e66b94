"""Amounts read the same on every page and document: the sign in front of the euro, Dutch or English separators.
Moments read in Amsterdam's time, in the reader's language."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation

from core.formats import day, day_time, euro
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


def test_a_moment_reads_on_amsterdams_clock_whatever_zone_it_comes_in_and_in_the_readers_language():
    summer_morning = datetime(2027, 6, 1, 7, 30, tzinfo=UTC)  # 09:30 in Amsterdam
    same_moment_in_london = summer_morning.astimezone(ZoneInfo("Europe/London"))
    first_of_summer_time = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # the clocks went from 02:00 to 03:00
    with translation.override("nl"):
        assert day_time(summer_morning) == "di 1 jun 2027, 09:30"
        assert day_time(same_moment_in_london) == "di 1 jun 2027, 09:30"  # written once, read for both
        assert day_time(first_of_summer_time) == "zo 28 mrt 2027, 03:30"
        assert day_time(None) == ""
        midnight = datetime(2027, 5, 31, 22, 0, tzinfo=UTC)  # one memo writes days and times: neither takes the other's
        assert (day(midnight), day_time(midnight)) == ("di 1 jun 2027", "di 1 jun 2027, 00:00")
    with translation.override("en"):
        assert day_time(summer_morning) == "Tue 1 Jun 2027, 09:30"

"""Numbers per year without gaps or duplicates (invoices, certificates): the year's counter row is taken under
a lock in the transaction that uses the number, so a rolled-back transaction gives its number back."""

from django.db import models


class YearSequence(models.Model):
    """The last number given out in a year."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.year}: {self.last_number}"


def next_number(model: type[YearSequence], year: int) -> int:
    """Call inside a transaction."""
    counter = model.objects.select_for_update().filter(year=year).first()
    if counter is None:  # the year's first number; two at once both create, one of them quietly
        model.objects.get_or_create(year=year)
        counter = model.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number

"""Organisations keep their invoice address in parts (street and number, postcode, city, country) and may name an
OIN: an e-invoice (SI-UBL 2.0) needs each. The address typed in one field is split where its postcode shows
where; what cannot be told apart stays in the street, for the office to finish."""

from django.db import migrations, models

import core.addresses


def split_addresses(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    for organisation in Organisation.objects.exclude(invoice_address=""):
        street, postcode, city = core.addresses.legacy_address_split(organisation.invoice_address)
        Organisation.objects.filter(pk=organisation.pk).update(street=street[:150], postcode=postcode, city=city[:100])


def join_addresses(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    for organisation in Organisation.objects.all():
        organisation.invoice_address = "\n".join(
            core.addresses.address_lines(organisation.street, organisation.postcode, organisation.city,
                                         organisation.country))
        organisation.save(update_fields=["invoice_address"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_organisation_approval")]

    operations = [
        migrations.AddField("organisation", "street", models.CharField(
            default="", max_length=150, verbose_name="street and number"), preserve_default=False),
        migrations.AddField("organisation", "postcode", models.CharField(
            default="", max_length=10, verbose_name="postcode"), preserve_default=False),
        migrations.AddField("organisation", "city", models.CharField(
            default="", max_length=100, verbose_name="city"), preserve_default=False),
        migrations.AddField("organisation", "country", models.CharField(
            choices=core.addresses.COUNTRIES, default="NL", max_length=2, verbose_name="country")),
        migrations.AddField("organisation", "oin", models.CharField(
            blank=True, max_length=20, validators=[core.addresses.oin_validate], verbose_name="OIN",
            help_text="Only for a public body: its organisation identification number (20 digits), which its "
                      "e-invoices name.")),
        migrations.RunPython(split_addresses, join_addresses),
        migrations.RemoveField("organisation", "invoice_address"),
    ]

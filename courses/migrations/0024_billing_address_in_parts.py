"""A place's invoice address is kept in parts, as an e-invoice needs them (the employer's or business's, or a
self-payer's own), with the employer's invoice email; an address typed in one field is split where its postcode
shows where."""

from django.db import migrations, models

import core.addresses


def split_addresses(apps, schema_editor):
    Enrolment = apps.get_model("courses", "Enrolment")
    for place in Enrolment.objects.exclude(company_address="").only("pk", "company_address"):
        street, postcode, city = core.addresses.legacy_address_split(place.company_address)
        Enrolment.objects.filter(pk=place.pk).update(billing_street=street[:150], billing_postcode=postcode,
                                                      billing_city=city[:100])


def join_addresses(apps, schema_editor):
    Enrolment = apps.get_model("courses", "Enrolment")
    for place in Enrolment.objects.exclude(billing_street=""):
        place.company_address = "\n".join(core.addresses.address_lines(
            place.billing_street, place.billing_postcode, place.billing_city, place.billing_country))
        place.save(update_fields=["company_address"])


class Migration(migrations.Migration):
    dependencies = [("courses", "0023_date_knows_its_days_count")]

    operations = [
        migrations.AddField("enrolment", "billing_street", models.CharField(
            blank=True, max_length=150, verbose_name="street and number")),
        migrations.AddField("enrolment", "billing_postcode", models.CharField(
            blank=True, max_length=10, verbose_name="postcode")),
        migrations.AddField("enrolment", "billing_city", models.CharField(
            blank=True, max_length=100, verbose_name="city")),
        migrations.AddField("enrolment", "billing_country", models.CharField(
            choices=core.addresses.COUNTRIES, default="NL", max_length=2, verbose_name="country")),
        migrations.AddField("enrolment", "company_email", models.EmailField(
            blank=True, max_length=254, verbose_name="invoice email",
            help_text="Where the employer wants its invoices; they go there too.")),
        migrations.RunPython(split_addresses, join_addresses),
        migrations.RemoveField("enrolment", "company_address"),
    ]

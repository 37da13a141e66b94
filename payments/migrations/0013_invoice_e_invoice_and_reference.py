"""Invoices get an RF payment reference (ISO 11649) for bank transfers, and an e-invoice (SI-UBL 2.0) kept beside
their PDF, with its checksum."""

import core.storage
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("payments", "0012_invoice_year_label")]

    operations = [
        migrations.AddField("invoice", "payment_reference", models.CharField(
            blank=True, editable=False, max_length=25, verbose_name="payment reference",
            help_text="The structured creditor reference (RF, ISO 11649) a bank transfer names; banks check it.")),
        migrations.AddField("invoice", "ubl", models.FileField(
            blank=True, storage=core.storage.private_storage, upload_to="invoices/%Y/",
            verbose_name="e-invoice (UBL)")),
        migrations.AddField("invoice", "ubl_sha256", models.CharField(blank=True, editable=False, max_length=64)),
    ]

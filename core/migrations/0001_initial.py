"""ProviderSettings, moved here from home: the table exists already (home 0004 renamed it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("home", "0004_providersettings_to_core")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='ProviderSettings',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('name', models.CharField(default='Spoor 2 Academy', max_length=150, verbose_name='name')),
                    ('street_address', models.CharField(blank=True, max_length=150, verbose_name='street and number')),
                    ('postcode', models.CharField(blank=True, max_length=10, verbose_name='postcode')),
                    ('city', models.CharField(blank=True, max_length=100, verbose_name='city')),
                    ('email', models.EmailField(blank=True, max_length=254, verbose_name='email')),
                    ('phone', models.CharField(blank=True, max_length=20, verbose_name='phone')),
                    ('kvk_number', models.CharField(blank=True, max_length=8, verbose_name='Chamber of Commerce (KvK) number')),
                    ('vat_number', models.CharField(blank=True, max_length=14, verbose_name='VAT id')),
                    ('crkbo_registered', models.BooleanField(default=True, verbose_name='registered with CRKBO')),
                    ('vat_exemption_text', models.TextField(default='Vrijgesteld van btw op grond van artikel 11, lid 1, onderdeel o, Wet op de omzetbelasting 1968 (CRKBO-geregistreerde instelling).', verbose_name='VAT exemption text')),
                ],
                options={'verbose_name': 'provider details'},
            ),
        ]),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from the data step before it: PostgreSQL refuses to alter a table with pending trigger events."""

    dependencies = [
        ("courses", "0021_price_set_by_the_office"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='coursepage',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('free_of_charge', True), ('price_excl_vat', 0)), models.Q(('free_of_charge', False), ('price_excl_vat__gt', 0)), models.Q(('free_of_charge', False), ('price_excl_vat__isnull', True)), _connector='OR'), name='course_free_on_purpose_only'),
        ),
    ]

"""The provider's details moved to core (every app prints them); the table and its permissions move along."""

from django.db import migrations


def content_type_to_core(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="home", model="providersettings").update(app_label="core")


def content_type_to_home(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="core", model="providersettings").update(app_label="home")


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0003_heartbeat"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("providersettings", "core_providersettings")],
            state_operations=[migrations.DeleteModel("providersettings")],
        ),
        migrations.RunPython(content_type_to_core, content_type_to_home),
    ]

"""Task retries and heartbeats moved to the operations app: the tables are renamed and leave home's state
(operations 0001 takes them over without touching the database)."""

from django.db import migrations


def content_types_to(app_label: str, source: str):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        ContentType.objects.filter(app_label=source, model__in=["taskretry", "heartbeat"]).update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0006_dutch_workflow_names"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("taskretry", "operations_taskretry"),
                                 migrations.AlterModelTable("heartbeat", "operations_heartbeat")],
            state_operations=[migrations.DeleteModel("taskretry"), migrations.DeleteModel("heartbeat")],
        ),
        migrations.RunPython(content_types_to("operations", "home"), content_types_to("home", "operations")),
    ]

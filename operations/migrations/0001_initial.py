"""Task retries and heartbeats, moved here from home: the tables exist already (home 0007 renamed them)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("home", "0007_operations_moved_out")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name="TaskRetry",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("failed_result_id", models.UUIDField(unique=True)),
                    ("retry_result_id", models.UUIDField(null=True, unique=True)),
                    ("attempt", models.PositiveSmallIntegerField()),
                    ("created_at", models.DateTimeField(auto_now_add=True)),
                ],
            ),
            migrations.CreateModel(
                name="Heartbeat",
                fields=[
                    ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                    ("name", models.CharField(max_length=20, unique=True)),
                    ("beat_at", models.DateTimeField()),
                ],
            ),
        ]),
    ]

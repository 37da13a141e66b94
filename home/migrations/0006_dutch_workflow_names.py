"""Wagtail's install names its moderation workflow and task in English ("Moderators approval"); the admin shows the
task's name in its buttons ("Stuur door naar Moderators approval"). The academy's are Dutch. A provider who renamed
them keeps their own names."""

from django.db import migrations

ENGLISH, DUTCH = "Moderators approval", "goedkeuring door de redactie"


def to_dutch(apps, schema_editor):
    apps.get_model("wagtailcore", "Task").objects.filter(name=ENGLISH).update(name=DUTCH)
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=ENGLISH).update(name=DUTCH.capitalize())


def to_english(apps, schema_editor):
    apps.get_model("wagtailcore", "Task").objects.filter(name=DUTCH).update(name=ENGLISH)
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=DUTCH.capitalize()).update(name=ENGLISH)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0005_infopage"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(to_dutch, to_english)]

"""Evaluations remember their date, so that after the retention period they can be detached from the place
(the person) and still count for the date."""

import django.db.models.deletion
from django.db import migrations, models


def dates_from_places(apps, schema_editor):
    Evaluation = apps.get_model("learning", "Evaluation")
    for evaluation in Evaluation.objects.select_related("enrolment").iterator():
        evaluation.course_date_id = evaluation.enrolment.course_date_id
        evaluation.save(update_fields=["course_date"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0015_erasure"),
        ("learning", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation", name="course_date",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="evaluations", to="courses.coursedate", verbose_name="date"),
        ),
        migrations.RunPython(dates_from_places, migrations.RunPython.noop),
    ]

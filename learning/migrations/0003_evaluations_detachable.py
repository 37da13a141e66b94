"""Evaluations always have their date, and may lose their place (after the retention period). A migration of its
own: PostgreSQL refuses to alter a table in the transaction that just filled it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("learning", "0002_evaluations_keep_their_date")]

    operations = [
        migrations.AlterField(
            model_name="evaluation", name="course_date",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="evaluations",
                                    to="courses.coursedate", verbose_name="date"),
        ),
        migrations.AlterField(
            model_name="evaluation", name="enrolment",
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.SET_NULL,
                                       related_name="evaluation", to="courses.enrolment"),
        ),
    ]

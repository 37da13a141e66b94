"""A place remembers that it was evaluated (Enrolment.evaluated_at), also once its evaluation is detached."""

from django.db import migrations


def evaluated_from_evaluations(apps, schema_editor):
    Evaluation = apps.get_model("learning", "Evaluation")
    Enrolment = apps.get_model("courses", "Enrolment")
    for enrolment_id, submitted_at in Evaluation.objects.filter(enrolment__isnull=False).values_list(
            "enrolment_id", "submitted_at").iterator():
        Enrolment.objects.filter(pk=enrolment_id).update(evaluated_at=submitted_at)


class Migration(migrations.Migration):
    dependencies = [("learning", "0003_evaluations_detachable"), ("courses", "0016_evaluated_at")]

    operations = [migrations.RunPython(evaluated_from_evaluations, migrations.RunPython.noop)]

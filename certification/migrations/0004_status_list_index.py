"""Each certificate gets a bit in the published revocation list (a W3C Bitstring Status List), at a random
position; certificates issued before keep theirs from here on, and the revoked and replaced ones are set."""

import secrets

from django.db import migrations, models

STATUS_LIST_SIZE = 131_072  # certification.badges.STATUS_LIST_SIZE when this migration was written


def draw_positions(apps, schema_editor):
    Certificate = apps.get_model("certification", "Certificate")
    pks = list(Certificate.objects.filter(status_list_index=None).values_list("pk", flat=True))
    positions = secrets.SystemRandom().sample(range(STATUS_LIST_SIZE), len(pks))
    for pk, position in zip(pks, positions, strict=True):
        Certificate.objects.filter(pk=pk).update(status_list_index=position)


class Migration(migrations.Migration):

    dependencies = [
        ("certification", "0003_readable_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="status_list_index",
            field=models.PositiveIntegerField(editable=False, null=True, unique=True,
                                              verbose_name="position in the status list"),
        ),
        migrations.RunPython(draw_positions, migrations.RunPython.noop),
    ]

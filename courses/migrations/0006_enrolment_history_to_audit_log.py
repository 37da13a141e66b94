"""A place's history moves into the one audit trail (Wagtail's ModelLogEntry, see core.audit): every
EnrolmentLog row becomes an entry with the same time, actor, statuses and note; then the table goes."""

from django.db import migrations

SAME_STATUS_ACTIONS = {
    "completed the course": "enrolment.completed",
    "refund instead of another date": "enrolment.refund_claimed",
}


def action_of(row) -> str:
    if row.from_status != row.to_status:
        return f"enrolment.{row.to_status}"
    if row.note.startswith("completion withdrawn"):
        return "enrolment.completion_withdrawn"
    if row.note.startswith("held until"):
        return "enrolment.hold_extended"
    if row.note.startswith("moved to position"):
        return "enrolment.waitlist_moved"
    return SAME_STATUS_ACTIONS.get(row.note, "enrolment.noted")


def to_audit_log(apps, schema_editor):
    EnrolmentLog = apps.get_model("courses", "EnrolmentLog")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not EnrolmentLog.objects.exists():
        return
    content_type, _created = ContentType.objects.get_or_create(app_label="courses", model="enrolment")
    ModelLogEntry.objects.bulk_create([
        ModelLogEntry(content_type=content_type, object_id=str(row.enrolment_id), label=f"Enrolment {row.enrolment_id}",
                      action=action_of(row), user_id=row.actor_id, timestamp=row.at,
                      data={key: value for key, value in {"from_status": row.from_status, "to_status": row.to_status,
                                                          "note": row.note}.items() if value})
        for row in EnrolmentLog.objects.order_by("at", "pk").iterator()
    ], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_course_team"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(to_audit_log, migrations.RunPython.noop),
        migrations.DeleteModel(name="EnrolmentLog"),
    ]

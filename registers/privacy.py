"""What was reported to the registers about a person, for their data export (privacy app)."""

from django.utils.translation import gettext as _

from core.privacy import ERASED, PersonalData, readable, scrub_rows

from .models import AttendanceSubmission, ReportedAttendance


def personal_data(user) -> dict[str, list[dict]]:
    rows = ReportedAttendance.objects.filter(enrolment__user=user).select_related(
        "enrolment__course_date__course", "submission").order_by("pk")
    return {
        _("Attendance reported to registers"): [
            {**readable(row, ["enrolment", "register", "number", "status", "error_message"]),
             **readable(row.submission, ["created_at"])}
            for row in rows],
    }


def personal_files(user) -> list:
    return []


def erase(user, *, needles: list[str], unique: list[str], now, **_options) -> None:
    """What was reported stays as a fact (who of the date was reported, and the answer) without the number."""
    rows = ReportedAttendance.objects.filter(enrolment__user=user)
    submissions = AttendanceSubmission.objects.filter(rows__in=rows).distinct()
    scrub_rows(submissions, ["request_xml", "answer"], needles)
    rows.update(number=ERASED[:20], error_message="")


def identifiers(user) -> set[str]:
    """Numbers reported, also those changed in the profile since."""
    return set(ReportedAttendance.objects.filter(enrolment__user=user).values_list("number", flat=True))


PART = PersonalData(app="registers", data=personal_data, files=personal_files, erase=erase, erase_order=30,
                    identifiers=identifiers)

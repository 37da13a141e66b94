from django.core.management.base import BaseCommand, CommandError

from accounts.registers import PE_ONLINE_REGISTERS
from courses.models import CourseDate
from registers import pe_online, services


class Command(BaseCommand):
    help = ("Prints a date's attendance for a PE-online register: the register numbers of everyone who attended "
            "enough (one per line, for PE-online's bulk entry) or the attendance XML (without the user key). "
            "Who has no number is listed on stderr.")

    def add_arguments(self, parser):
        parser.add_argument("--date", type=int, required=True, help="The date's id.")
        parser.add_argument("--register", required=True, choices=[register.value for register in PE_ONLINE_REGISTERS])
        parser.add_argument("--format", choices=["list", "xml"], default="list")

    def handle(self, *args, date, register, format, **options):
        course_date = CourseDate.objects.select_related("course").filter(pk=date).first()
        if course_date is None:
            raise CommandError(f"No date with id {date}.")
        try:
            entry = services.register_entry(course_date, register)
        except services.RegisterError as error:
            raise CommandError(str(error)) from error
        if format == "xml":
            if not entry.course_id:
                raise CommandError("The accreditation has no PE-online course id: the XML needs one.")
            self.stdout.write(entry.xml(account=pe_online.account_for(register)).decode(), ending="")
        else:
            self.stdout.write("".join(f"{number}\n" for number in entry.numbers), ending="")
        for place in entry.missing:
            self.stderr.write(f"nummer ontbreekt: {place.user.get_full_name()} <{place.user.email}>")

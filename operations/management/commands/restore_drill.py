from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import restore_drill


class Command(BaseCommand):
    help = ("Backs up the database and the private files, restores both into a scratch database and folder, and "
            "checks every stored invoice, certificate and hand-in against the checksum the restored database "
            "keeps. The live database and files are only read. Fails when a document is missing or differs.")

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=Path,
                            help="Keep the backup and the restored files in this folder (new or empty).")

    def handle(self, *args, keep, **options):
        try:
            report = restore_drill(keep=keep)
        except (ValueError, RuntimeError, FileNotFoundError) as error:  # what the operator can act on
            raise CommandError(str(error)) from error
        for mismatch in report.mismatches:
            self.stderr.write(mismatch)
        self.stdout.write(report.line())
        if report.mismatches:
            raise CommandError(f"{len(report.mismatches)} stored documents do not match their checksum after "
                               "the restore")

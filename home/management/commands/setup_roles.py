from django.core.management.base import BaseCommand

from home.services import trainer_roles_ensure


class Command(BaseCommand):
    help = "Gives the Trainers group its permissions on the course catalogue, images and documents."

    def handle(self, *args, **options):
        group = trainer_roles_ensure()
        self.stdout.write(f"Group {group.name!r}: {group.permissions.count()} model permissions, catalogue access set.")

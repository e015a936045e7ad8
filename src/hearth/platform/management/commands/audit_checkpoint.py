from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from hearth.platform import audit


class Command(BaseCommand):
    help = ("Seal pending audit rows, then append a signed checkpoint of the chain's head (row id, hash, "
            "row count, time) to HEARTH_AUDIT_CHECKPOINT_FILE and to the log, to be shipped off the host.")

    def add_arguments(self, parser):
        parser.add_argument("--file", metavar="FILE", help="append to this file instead of the setting's")

    def handle(self, *args, file=None, **options):
        try:
            checkpoint = audit.checkpoint_write(path=file)
        except (ImproperlyConfigured, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(checkpoint.line())

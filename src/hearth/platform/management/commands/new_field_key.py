from django.core.management.base import BaseCommand

from hearth.platform import crypto


class Command(BaseCommand):
    help = "Print a new field-encryption key to put first in HEARTH_FIELD_KEYS."

    def handle(self, *args, **options):
        self.stdout.write(crypto.new_key())

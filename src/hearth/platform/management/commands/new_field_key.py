from django.core.management.base import BaseCommand

from hearth.platform import crypto


class Command(BaseCommand):
    help = "Print a new field-encryption key to put first in HEARTH_FIELD_KEYS."
    # Making a key must work while the configured ones are missing or wrong (the key check fails).
    requires_system_checks: list[str] = []

    def handle(self, *args, **options):
        self.stdout.write(crypto.new_key())

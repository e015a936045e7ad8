"""Rewrite every person's blocking keys (after the matcher's keys change, or a key rotation)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from hearth.people import matching
from hearth.people.models import Person


class Command(BaseCommand):
    help = "Rewrite the identity-matching keys of every person record (hashed, in the BlockingKey index)."

    def handle(self, *args, **options):
        count = 0
        # Every record, whatever its agency: the index must cover them all for matching to work.
        # nosemgrep: hearth-case-query-not-through-visible-to
        for person in Person.objects.order_by("pk").iterator(chunk_size=500):
            with transaction.atomic():
                matching.blocking_keys_store(person)
            count += 1
        self.stdout.write(f"Rewrote the matching keys of {count} person records.")

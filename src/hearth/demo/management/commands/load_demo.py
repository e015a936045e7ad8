from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hearth.demo import world


class Command(BaseCommand):
    help = "Load the demo Stoke-on-Trent partnership (idempotent). Demo mode only."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("load_demo runs only in demo mode (HEARTH_DEMO=1, not production).")
        counts = world.load()
        self.stdout.write("Demo partnership ready: " + ", ".join(f"{v} {k}" for k, v in counts.items()))

"""Load (or update) the risk tools shipped with Hearth; a changed shipped file becomes a new version."""

from django.core.management.base import BaseCommand

from hearth.risk import services


class Command(BaseCommand):
    help = "Load the risk tools shipped with Hearth (own wording)."

    def handle(self, *args, **options):
        for version in services.tools_load_shipped():
            self.stdout.write(f"{version.tool.name}: version {version.number} ({version.label})")

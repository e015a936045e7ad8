from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from hearth.demo import world


class Command(BaseCommand):
    help = "Print a demo user's current second-factor code (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEMO_MODE:
            raise CommandError("demo_code works only in demo mode.")
        device = TOTPDevice.objects.filter(user__username=username, name="Demo authenticator",
                                           confirmed=True).first()
        if device is None:
            raise CommandError(f"No demo user called {username!r}. Run `manage.py demo_signins`.")
        self.stdout.write(world.current_code(device))

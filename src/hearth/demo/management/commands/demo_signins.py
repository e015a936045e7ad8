from django.core.management.base import BaseCommand

from hearth.demo import world


class Command(BaseCommand):
    help = "Print the demo sign-ins, one per role."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Where the demo is served.")

    def handle(self, *args, **options):
        url = options["url"].rstrip("/") + "/"
        self.stdout.write(f"\nHearth demo: the public help site is {url}; staff sign in at {url}sign-in/\n"
                          "(password for everyone: "
                          f"{world.DEMO_PASSWORD})\n")
        for spec in world.USERS:
            roles = "; ".join(f"{role.label} at {slug}" for slug, role, _ in spec.memberships)
            self.stdout.write(f"  {spec.username:<20} {roles}")
        self.stdout.write(
            "\nSecond factor: each demo user has an authenticator already set up. Get the current "
            "6-digit code with\n  .venv/bin/python manage.py demo_code USERNAME\n"
            "(codes change every 30 seconds).\n")
